package main

import (
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestStaleOfflineCheckInsWait: an offline check-in synced within the
// policy's maximum age (3 days) counts, flagged LATE_SYNC; an older one
// waits for review, flagged STALE_SYNC as well; an accuracy of 0 m waits
// too.
func TestStaleOfflineCheckInsWait(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 9, 10, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "walker")
		var sync struct {
			SyncCheckIns []struct {
				ClientID string
				Error    *struct{ Code string }
				Result   *struct {
					Counts bool
					Flags  []struct {
						Code     string
						Blocking bool
					}
					CheckIn struct{ Status string }
				}
			}
		}
		batch := []map[string]any{
			fix("two-days", near(lankaoGCJ, 1), 20, "GCJ02", at(2026, 11, 7, 8, 30)),
			fix("four-days", near(lankaoGCJ, 2), 20, "GCJ02", at(2026, 11, 5, 8, 30)),
			fix("zero", near(lankaoGCJ, 3), 0, "GCJ02", at(2026, 11, 9, 9, 30)),
		}
		s.post(t, tok, `mutation($b: [CheckInInput!]!) { syncCheckIns(inputs: $b) {
			clientId error { code } result { counts flags { code blocking } checkIn { status } } } }`, map[string]any{"b": batch}).into(t, &sync)
		for i, want := range []struct {
			counts bool
			status string
			flags  string // code:blocking, …
		}{
			{true, "ACCEPTED", "LATE_SYNC:false"},
			{false, "PENDING", "LATE_SYNC:false STALE_SYNC:true"},
			{false, "PENDING", "ZERO_ACCURACY:true"},
		} {
			item := sync.SyncCheckIns[i]
			if item.Error != nil || item.Result == nil {
				t.Errorf("%s: %+v, want a result", item.ClientID, item)
				continue
			}
			flags := ""
			for j, f := range item.Result.Flags {
				if j > 0 {
					flags += " "
				}
				flags += f.Code + map[bool]string{true: ":true", false: ":false"}[f.Blocking]
			}
			if r := item.Result; r.Counts != want.counts || r.CheckIn.Status != want.status || flags != want.flags {
				t.Errorf("%s: counts %v, %s, flags %q; want %v, %s, %q", item.ClientID, r.Counts, r.CheckIn.Status, flags,
					want.counts, want.status, want.flags)
			}
		}
	})
}
