package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// BenchmarkCheckInBatch measures one group-commit batch transaction of 16
// check-ins by 16 cadres, each with a stored history, every check-in
// counting toward a day — the whole of what the writer does per batch,
// against the database and without HTTP — and, in the same invocation, the
// baseline: a transaction of the same two rounds that reads and writes
// nothing. On MariaDB (ONSITE_TEST_MYSQL_DSN) this is the serial part of a
// check-in's latency; the ratio to the baseline is what the batch's
// statements cost beyond the round trips and the commit:
//
//	ONSITE_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -run x -bench CheckInBatch -benchtime 2000x ./store/
func BenchmarkCheckInBatch(b *testing.B) {
	const cadres, size, history = 64, 16, 40
	for _, be := range storetest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			s := storetest.Open(b, be, time.Now)
			users := benchCadres(b, s, cadres)
			seq := 0
			batch := func() {
				items := make([]store.Batch, size)
				for i := range items {
					seq++
					u := users[seq%cadres]
					at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Second)
					probe := models.CheckIn{ClientID: fmt.Sprintf("bench-%d", seq), DeviceTime: at, LocalDate: at.Format(time.DateOnly),
						WGSLat: 34.8 + float64(seq%997)*1e-5, WGSLon: 114.8, AccuracyM: 10}
					items[i] = store.Batch{UserID: u, Probe: probe, Near: []int64{1}, Judge: acceptAt(u, probe, 1)}
				}
				_, errs, err := s.RecordBatch(ctx, items, func(n int, first, last time.Time) bool { return n >= 2 && last.Sub(first) >= 4*time.Hour })
				if err != nil {
					b.Fatal(err)
				}
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			for range cadres * history / size {
				batch()
			}
			b.Run("baseline", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Round(ctx, []string{"SELECT 1", "SELECT 1"}, [][]any{nil, nil}, []bool{true, true}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
				for b.Loop() {
					batch()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/check-in")
			})
		})
	}
}

// benchCadres creates n cadres with bound devices.
func benchCadres(b *testing.B, s *store.Store, n int) []int64 {
	ctx := context.Background()
	admin := bootstrapAdmin(b, s)
	p := principalOf(admin)
	out := make([]int64, n)
	for i := range out {
		name, role := fmt.Sprintf("cadre%d", i), models.RoleCadre
		u, err := s.CreateUser(ctx, p, store.UserInput{Username: &name, DisplayName: &name, Role: &role, OrgUnitID: &admin.OrgUnitID}, "x")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.BindDevice(ctx, u.ID, "phone-1"); err != nil {
			b.Fatal(err)
		}
		out[i] = u.ID
	}
	return out
}

// acceptAt judges the probe ACCEPTED inside region, counting there.
func acceptAt(userID int64, probe models.CheckIn, region int64) func(store.Prior) (*store.NewCheckIn, error) {
	return func(store.Prior) (*store.NewCheckIn, error) {
		row := probe
		row.UserID, row.PayloadHash, row.CoordSystem, row.DeviceID = userID, "h", "WGS84", "phone-1"
		row.Lat, row.Lon, row.ReceivedAt, row.OccurredAt = probe.WGSLat, probe.WGSLon, probe.DeviceTime, probe.DeviceTime
		row.RegionID, row.RegionVersion, row.Verdict, row.Flags = &region, 1, "INSIDE", "[]"
		row.Status, row.PolicyVersion = models.CheckInAccepted, "bench"
		row.Located = models.Located{{RegionID: region, RegionVersion: 1, Verdict: "INSIDE", EdgeDistanceM: 1500}}
		return &store.NewCheckIn{Row: &row, CountsAt: []int64{region}}, nil
	}
}
