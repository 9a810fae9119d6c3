package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// BenchmarkCheckInBatch measures one group-commit batch transaction of 16
// check-ins by 16 cadres, each with a stored history, every check-in
// counting toward a day — what the check-in service asks of the store per
// batch (BeginCheckIns, Days, Commit with the rows' ledger leaves), against the database and without
// HTTP — and, in the same invocation, the baseline: a transaction of the
// same two rounds that reads and writes nothing. On MariaDB (ONSITE_TEST_MYSQL_DSN) this is the serial part of a
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
				probes := make([]store.Probe, size)
				rows := make([]*models.CheckIn, size)
				keys := make([]store.DayKey, size)
				for i := range probes {
					seq++
					u := users[seq%cadres]
					at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Second)
					f := fix{clientID: fmt.Sprintf("bench-%d", seq), lat: 34.8 + float64(seq%997)*1e-5, acc: 10}
					probes[i] = store.Probe{UserID: u, ClientID: f.clientID, DeviceTime: at, WGSLat: f.lat, WGSLon: 114.8,
						AccuracyM: f.acc, LocalDate: at.Format(time.DateOnly), Regions: []int64{1}}
					rows[i] = acceptedAt(u, probes[i], 1)
					keys[i] = store.DayKey{UserID: u, Date: probes[i].LocalDate, RegionID: 1}
				}
				tx, _, err := s.BeginCheckIns(ctx, probes)
				if err != nil {
					b.Fatal(err)
				}
				days, err := tx.Days(keys)
				if err != nil {
					b.Fatal(err)
				}
				changed := make([]models.PresenceDay, 0, len(days))
				for _, d := range days {
					d.Accepted++
					d.FirstAt, d.LastAt = rows[0].OccurredAt, rows[0].OccurredAt
					changed = append(changed, d)
				}
				leaves := make([]models.Leaf, len(rows))
				for i, r := range rows {
					if leaves[i], err = ledger.LeafOf(r); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(store.Writes{CheckIns: rows, Days: changed, Leaves: leaves}); err != nil {
					b.Fatal(err)
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
		if _, err := s.BindDevice(ctx, system, u.ID, "phone-1"); err != nil {
			b.Fatal(err)
		}
		out[i] = u.ID
	}
	return out
}

// acceptedAt is the row of an ACCEPTED check-in of the probe inside region.
func acceptedAt(userID int64, p store.Probe, region int64) *models.CheckIn {
	return &models.CheckIn{UserID: userID, ClientID: p.ClientID, PayloadHash: "h", CoordSystem: "WGS84", DeviceID: "phone-1",
		Lat: p.WGSLat, Lon: p.WGSLon, WGSLat: p.WGSLat, WGSLon: p.WGSLon, AccuracyM: p.AccuracyM,
		DeviceTime: p.DeviceTime, ReceivedAt: p.DeviceTime, OccurredAt: p.DeviceTime, LocalDate: p.LocalDate,
		RegionID: &region, RegionVersion: 1, Verdict: "INSIDE", Flags: "[]", Status: models.CheckInAccepted, PolicyVersion: "bench",
		Located: models.Located{{RegionID: region, RegionVersion: 1, Verdict: "INSIDE", EdgeDistanceM: 1500}}}
}
