package ledger

import (
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

func sampleCheckIn() *models.CheckIn {
	alt, region := 72.5, int64(9)
	return &models.CheckIn{ID: 41, UserID: 3, ClientID: "li-0001", PayloadHash: "ab12", Lat: 34.829899, Lon: 114.820572, AccuracyM: 15,
		CoordSystem: "GCJ02", WGSLat: 34.828, WGSLon: 114.814, Altitude: &alt, Provider: "gps", DeviceID: "li-phone-1",
		DeviceTime: time.Date(2026, 3, 2, 1, 2, 3, 4_000_000, time.UTC), ReceivedAt: time.Date(2026, 3, 2, 1, 2, 4, 0, time.UTC),
		OccurredAt: time.Date(2026, 3, 2, 1, 2, 4, 0, time.UTC), LocalDate: "2026-03-02", RegionID: &region, RegionVersion: 1,
		Verdict: "INSIDE", EdgeDistanceM: 812.25, Flags: "[]",
		Located: models.Located{{RegionID: 9, RegionVersion: 1, Verdict: "INSIDE", EdgeDistanceM: 812.25}},
		Status:  models.CheckInAccepted, PolicyVersion: "province-default-1", CreatedAt: time.Now()}
}

func sampleReview() *models.Review {
	return &models.Review{ID: 5, CheckInID: 41, ReviewerID: 2, Decision: models.ReviewConfirm, Reason: "seen at the county office",
		CreatedAt: time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)}
}

func samplePolicy() *models.PolicyVersion {
	return &models.PolicyVersion{ID: 8, OrgUnitID: 2, Version: 3, EffectiveFrom: "2026-10-01", Settings: `{"r2.days":"8"}`,
		Reason: "市级参照执行", CreatedBy: 1, CreatedAt: time.Date(2026, 9, 20, 2, 0, 0, 0, time.UTC)}
}

// TestEncodingFollowsItsFormat: every kind's bytes decode by its Format
// with nothing left over, so the Format (and docs/ledger.md, written from
// it) describes exactly what is hashed.
func TestEncodingFollowsItsFormat(t *testing.T) {
	for _, rec := range []any{sampleCheckIn(), sampleReview(), samplePolicy(), &models.CheckIn{}, &models.Review{}, &models.PolicyVersion{}} {
		b, err := Canonical(rec)
		if err != nil {
			t.Fatal(err)
		}
		f, vals, err := Decode(b)
		if err != nil {
			t.Fatalf("%T: %v", rec, err)
		}
		if got := len(vals); got < len(f.Fields) {
			t.Errorf("%T: got %d values, want at least %d", rec, got, len(f.Fields))
		}
	}
	_, vals, _ := Decode(mustCanonical(t, sampleCheckIn()))
	want := map[string]string{"client_id": `"li-0001"`, "lat": "34.829899", "speed": "null", "altitude": "72.5",
		"device_time": "2026-03-02T01:02:03.004000Z", "located[0].verdict": `"INSIDE"`, "located.count": "1", "region_id": "9"}
	for _, v := range vals {
		if w, ok := want[v.Name]; ok && v.Value != w {
			t.Errorf("%s: got %s, want %s", v.Name, v.Value, w)
		}
	}
}

func mustCanonical(t *testing.T, rec any) []byte {
	t.Helper()
	b, err := Canonical(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReviewBytes pins the bytes of a ruling: a change of layout must be a
// new version, never a silent change of an old one.
func TestReviewBytes(t *testing.T) {
	got := hex.EncodeToString(mustCanonical(t, sampleReview()))
	want := "00000006" + hex.EncodeToString([]byte("review")) + "0001" + // kind, version
		"0000000000000029" + "0000000000000002" + // check_in_id 41, reviewer_id 2
		"00000007" + hex.EncodeToString([]byte("CONFIRM")) +
		"00000019" + hex.EncodeToString([]byte("seen at the county office")) +
		"00064c01c855ac00" // 2026-03-02T03:00:00Z in microseconds (1772420400000000)
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestPolicyBytes pins the bytes of a policy version.
func TestPolicyBytes(t *testing.T) {
	got := hex.EncodeToString(mustCanonical(t, samplePolicy()))
	want := "00000006" + hex.EncodeToString([]byte("policy")) + "0001" + // kind, version
		"0000000000000002" + "0000000000000003" + // org_unit_id 2, version 3
		"0000000a" + hex.EncodeToString([]byte("2026-10-01")) +
		"0000000f" + hex.EncodeToString([]byte(`{"r2.days":"8"}`)) +
		"00000012" + hex.EncodeToString([]byte("市级参照执行")) +
		"0000000000000001" + // created_by 1
		"00065be07db3c800" // 2026-09-20T02:00:00Z in microseconds (1789869600000000)
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestWhatChangesTheBytes(t *testing.T) {
	base := mustCanonical(t, sampleCheckIn())
	for _, c := range []struct {
		name string
		edit func(c *models.CheckIn)
		same bool
	}{
		{"the database id", func(c *models.CheckIn) { c.ID = 99 }, true},
		{"created_at", func(c *models.CheckIn) { c.CreatedAt = time.Time{} }, true},
		{"the time zone of a time", func(c *models.CheckIn) { c.DeviceTime = c.DeviceTime.In(time.FixedZone("CST", 8*3600)) }, true},
		{"minus zero", func(c *models.CheckIn) { c.EdgeDistanceM = 0; c.Located[0].EdgeDistanceM = 812.25 }, false},
		{"the latitude", func(c *models.CheckIn) { c.Lat = math.Nextafter(c.Lat, 90) }, false},
		{"a microsecond", func(c *models.CheckIn) { c.ReceivedAt = c.ReceivedAt.Add(time.Microsecond) }, false},
		{"absent speed vs zero speed", func(c *models.CheckIn) { z := 0.0; c.Speed = &z }, false},
		{"a located region", func(c *models.CheckIn) { c.Located = nil }, false},
		{"a string boundary", func(c *models.CheckIn) { c.ClientID, c.PayloadHash = "li-0001a", "b12" }, false},
	} {
		c2 := sampleCheckIn()
		c.edit(c2)
		if same := slices.Equal(mustCanonical(t, c2), base); same != c.same {
			t.Errorf("%s: got same bytes %v, want %v", c.name, same, c.same)
		}
	}
	neg, pos := sampleCheckIn(), sampleCheckIn()
	neg.EdgeDistanceM, pos.EdgeDistanceM = math.Copysign(0, -1), 0
	if !slices.Equal(mustCanonical(t, neg), mustCanonical(t, pos)) {
		t.Error("-0 and +0 encode differently")
	}
}

func TestDecodeRefusesMalformed(t *testing.T) {
	good := mustCanonical(t, sampleReview())
	for name, b := range map[string][]byte{
		"empty":          nil,
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(slices.Clone(good), 0),
		"unknown kind":   append([]byte{0, 0, 0, 1, 'x', 0, 1}, good[12:]...),
		"unknown version": func() []byte {
			b := slices.Clone(good)
			b[11] = 9
			return b
		}(),
	} {
		if _, _, err := Decode(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func TestDiffNamesFields(t *testing.T) {
	a := sampleCheckIn()
	b := sampleCheckIn()
	b.Lat, b.Lon = 34.9, 114.9
	got := strings.Join(Diff(mustCanonical(t, a), mustCanonical(t, b)), "; ")
	want := "lat: 34.829899 → 34.9; lon: 114.820572 → 114.9"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestKeys(t *testing.T) {
	for _, c := range []struct {
		rec  any
		want string
	}{
		{sampleCheckIn(), `checkin user=3 client="li-0001"`},
		{sampleReview(), "review check_in=41"},
		{samplePolicy(), "policy org_unit=2 version=3"},
	} {
		k, err := Key(c.rec)
		if err != nil || k.String() != c.want {
			t.Errorf("got %v, %v; want %s", k, err, c.want)
		}
	}
	if _, err := LeafOf(struct{}{}); err == nil {
		t.Error("an unknown type has a leaf")
	}
}

// TestDutiesFollowTheirFormats: the duties' records (seminars, talks,
// tick-offs, rulings) decode by their formats, lists included.
func TestDutiesFollowTheirFormats(t *testing.T) {
	pos := 1
	at := time.Date(2026, 7, 1, 2, 0, 0, 123_000_000, time.UTC)
	for _, c := range []struct {
		rec  any
		want map[string]string
	}{
		{&models.Seminar{ID: 12, OpenedBy: 3, ClientID: "s-1", OpenedAt: at, Algorithm: "a", Seed: "ff",
			Candidates: []models.SeminarCandidate{{UserID: 4, Due: true, Position: &pos}, {UserID: 9}}},
			map[string]string{"id": "12", "candidates.count": "2", "candidates[0].position": "1", "candidates[1].position": "null",
				"candidates[0].due": "true", "opened_at": "2026-07-01T02:00:00.123000Z"}},
		{&models.SeminarTalk{RecordedBy: 3, ClientID: "t-1", SeminarID: 12, SpeakerID: 4, Score: 88, CreatedAt: at},
			map[string]string{"score": "88", "speaker_id": "4"}},
		{&models.KeyWorkTickOff{SubmittedBy: 4, ClientID: "k-1", ItemID: 7, Statement: "done", Activities: "3,5", CreatedAt: at,
			Photos: []models.KeyWorkPhoto{{SHA256: "ab", Size: 10, ContentType: "JPEG"}}},
			map[string]string{"photos.count": "1", "photos[0].sha256": `"ab"`, "activities": `"3,5"`}},
		{&models.KeyWorkRuling{TickOffID: 8, DecidedBy: 2, Decision: models.KeyWorkConfirm, Comment: "ok", CreatedAt: at},
			map[string]string{"tick_off_id": "8", "decision": `"CONFIRM"`}},
	} {
		b := mustCanonical(t, c.rec)
		f, vals, err := Decode(b)
		if err != nil {
			t.Fatalf("%T: %v", c.rec, err)
		}
		k, err := Key(c.rec)
		if err != nil || k.Kind != f.Kind {
			t.Errorf("%T: key %v, %v; want kind %s", c.rec, k, err, f.Kind)
		}
		seen := map[string]bool{}
		for _, v := range vals {
			if w, ok := c.want[v.Name]; ok {
				seen[v.Name] = true
				if v.Value != w {
					t.Errorf("%T %s: got %s, want %s", c.rec, v.Name, v.Value, w)
				}
			}
		}
		if len(seen) != len(c.want) {
			t.Errorf("%T: found %v of %v", c.rec, seen, c.want)
		}
	}
}
