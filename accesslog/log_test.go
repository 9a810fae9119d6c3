package accesslog_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/accesslog"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

var system = authz.System("test")

// TestRecordLogsOthersReadsInLedgeredBatches: concurrent requests' reads
// are committed in batches, each with one leaf that its record
// reproduces; a cadre's reads of its own data and a read repeated in one
// request are not logged twice; the entries say who, what and by which
// request.
func TestRecordLogsOthersReadsInLedgeredBatches(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := storetest.Open(t, b, time.Now)
			l := &accesslog.Log{Store: st, Now: time.Now, MaxBatch: 7}
			defer l.Close()
			sup := &authz.Principal{UserID: 100, Username: "sup", Role: models.RoleSupervisor, ClientAddr: "10.0.0.1"}
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			for i := range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := accesslog.WithRequest(context.Background(), fmt.Sprintf("req-%d", i))
					cadre := int64(i + 1)
					errs <- l.Record(ctx, sup, []models.AccessRead{{CadreID: cadre, What: models.AccessPresence, Query: "checkIns"},
						{CadreID: cadre, What: models.AccessPresence, Query: "checkIns"}, {CadreID: 100, What: models.AccessPresence, Query: "myCheckIns"}})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			self := &authz.Principal{UserID: 3, Username: "cadre", Role: models.RoleCadre}
			if err := l.Record(context.Background(), self, []models.AccessRead{{CadreID: 3, What: models.AccessActivities, Query: "activities"}}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			inspector := &authz.Principal{UserID: 200, Role: models.RoleDiscipline}
			rows, _, err := st.AccessLog(ctx, inspector, store.AccessFilter{}, store.Page{First: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 20 {
				t.Fatalf("%d entries, want one per request", len(rows))
			}
			e := rows[len(rows)-1]
			if e.ReaderName != "sup" || e.ReaderRole != "SUPERVISOR" || e.ClientAddr != "10.0.0.1" || e.Query != "checkIns" || e.RequestID == "" {
				t.Errorf("entry %+v", e)
			}
			batches := map[int64]bool{}
			for _, r := range rows {
				batches[r.BatchID] = true
			}
			if len(batches) < 3 {
				t.Errorf("%d batches of at most 7 entries for 20 entries", len(batches))
			}
			for id := range batches {
				rec, err := st.LedgerRecord(ctx, system, models.LeafAccessBatch, id)
				if err != nil {
					t.Fatal(err)
				}
				leaf, err := st.Leaf(ctx, rec.LeafKey())
				if err != nil {
					t.Fatal(err)
				}
				if want, _ := ledger.LeafOf(rec); string(want.Hash) != string(leaf.Hash) {
					t.Errorf("batch %d: the record does not reproduce its leaf", id)
				}
			}
		})
	}
}
