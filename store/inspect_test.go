package store_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

func init() {
	// The discipline group's toolkit is its own: it reads and writes
	// findings about any cadre.
	exercisers[authz.ReadInspections] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		_, _, err := s.Findings(context.Background(), p, store.FindingFilter{SubjectID: &target.ID}, store.Page{})
		return err
	}
	exercisers[authz.WriteInspections] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		f := &models.Finding{InspectorID: p.UserID, ClientID: fmt.Sprintf("f-%d", activitySeq.Add(1)), SubjectID: target.ID,
			Outcome: models.FindingConfirmed, Refs: "[]", CreatedAt: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
		return s.SaveFinding(context.Background(), p, f, mustLeaf(f))
	}
	// Who read a cadre's data: the cadre sees reads of its own, the
	// discipline group every read.
	exercisers[authz.ReadAccessLog] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		ctx := context.Background()
		b := &models.AccessBatch{Ref: uuid.NewString(), Entries: 1, CreatedAt: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
		e := &models.AccessEntry{At: b.CreatedAt, ReaderID: -1, ReaderName: "reader", ReaderRole: "SUPERVISOR", CadreID: target.ID,
			What: models.AccessPresence, Query: "checkIns"}
		rec := &models.AccessBatchRecord{Batch: b, Entries: []*models.AccessEntry{e}}
		if err := s.AppendAccess(ctx, system, b, rec.Entries, mustLeaf(rec)); err != nil {
			return err
		}
		rows, _, err := s.AccessLog(ctx, p, store.AccessFilter{CadreID: &target.ID}, store.Page{})
		if err == nil && len(rows) == 0 {
			err = models.E(models.CodeNotFound, "no entry visible")
		}
		return err
	}
}
