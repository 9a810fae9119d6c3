package ledger

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

func sampleActivity() *models.ActivityRecord {
	region, corrects := int64(9), int64(3)
	return &models.ActivityRecord{
		Activity: &models.Activity{ID: 7, UserID: 3, ClientID: "a-1", PayloadHash: "ff", Kind: models.KindForumYouth, Lat: 34.8, Lon: 114.8,
			AccuracyM: 15, CoordSystem: "GCJ02", WGSLat: 34.79, WGSLon: 114.79, DeviceID: "li-phone",
			DeviceTime: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC), ReceivedAt: time.Date(2026, 3, 2, 1, 0, 1, 0, time.UTC),
			OccurredAt: time.Date(2026, 3, 2, 1, 0, 1, 0, time.UTC), LocalDate: "2026-03-02", RegionID: &region, RegionVersion: 1,
			Verdict: "INSIDE", EdgeDistanceM: 900, Located: models.Located{{RegionID: 9, RegionVersion: 1, Verdict: "INSIDE", EdgeDistanceM: 900}},
			Flags: "[]", Status: models.ActivityRecorded, Topic: "座谈", Notes: "", Participants: 23, HostOrg: "兰考团县委",
			ParticipantList: "[]", Corrects: &corrects, PolicyVersion: "p1"},
		Photos: []*models.ActivityPhoto{{Position: 0, SHA256: "aa", Size: 10, ContentType: "image/jpeg"},
			{Position: 1, SHA256: "bb", Size: 20, ContentType: "image/png"}},
	}
}

func sampleFinding() *models.Finding {
	item, iv := int64(12), int64(4)
	return &models.Finding{ID: 2, InspectorID: 5, ClientID: "f-1", SubjectID: 3, ItemID: &item, Outcome: models.FindingDiscrepancy,
		Notes: "denied", Refs: `["activity:7"]`, IntervieweeID: &iv, CallOutcome: models.CallDenied,
		CreatedAt: time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)}
}

// newRecords are a sample of every kind added after check-ins and
// rulings, and an empty one of each.
func newRecords() []any {
	org := int64(2)
	at := time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)
	return []any{
		sampleActivity(), &models.ActivityRecord{Activity: &models.Activity{}},
		&models.ActivityReview{ActivityID: 7, ReviewerID: 2, Decision: models.ReviewReject, Reason: "no forum", CreatedAt: at},
		&models.ActivityReview{},
		&models.ContactReveal{ActorID: 5, Ref: "r-1", IntervieweeID: 4, Reason: "call-back", CreatedAt: at}, &models.ContactReveal{},
		&models.SpotCheckRecord{SpotCheck: &models.SpotCheck{InspectorID: 5, ClientID: "d-1", OrgUnitID: &org, FromDate: "2026-01-01",
			ToDate: "2026-03-31", Plan: "by=CITY;per=2", Seed: "00ff", Candidates: 40, CandidatesHash: "ab", CreatedAt: at},
			Sample: []*models.SpotCheckCandidate{{UserID: 3, Date: "2026-03-02", Stratum: "city=410200"}}},
		&models.SpotCheckRecord{SpotCheck: &models.SpotCheck{}},
		sampleFinding(), &models.Finding{},
		&models.Escalation{FindingID: 2, InspectorID: 5, TargetKind: models.LeafActivity, TargetID: 7, Reason: "denied", CreatedAt: at},
		&models.Escalation{},
		&models.AccessBatchRecord{Batch: &models.AccessBatch{Ref: "b-1", CreatedAt: at}, Entries: []*models.AccessEntry{{At: at,
			ReaderID: 5, ReaderName: "insp", ReaderRole: "DISCIPLINE", CadreID: 3, What: models.AccessContact, Query: "revealContact"}}},
		&models.AccessBatchRecord{Batch: &models.AccessBatch{}},
	}
}

// TestNewKindsFollowTheirFormats: the bytes of every kind decode by its
// Format, naming every field, with nothing left over; the key is the
// kind's.
func TestNewKindsFollowTheirFormats(t *testing.T) {
	for _, rec := range newRecords() {
		b := mustCanonical(t, rec)
		f, vals, err := Decode(b)
		if err != nil {
			t.Fatalf("%T: %v", rec, err)
		}
		names := map[string]bool{}
		for _, v := range vals {
			names[v.Name] = true
		}
		for _, fl := range f.Fields {
			if !names[fl.Name] && !names[fl.Name+".count"] {
				t.Errorf("%T: field %s not decoded", rec, fl.Name)
			}
		}
		k, err := Key(rec)
		if err != nil || k.Kind != f.Kind {
			t.Errorf("%T: key %v (%v), want kind %s", rec, k, err, f.Kind)
		}
		if k.String() == "" || k.String()[:len(k.Kind)] != string(k.Kind) {
			t.Errorf("%T: key named %q", rec, k.String())
		}
	}
}

// TestActivityCoversItsPhotos: a photo's hash, order or type changes the
// activity's bytes, as does any field of the row.
func TestActivityCoversItsPhotos(t *testing.T) {
	base := mustCanonical(t, sampleActivity())
	for name, change := range map[string]func(r *models.ActivityRecord){
		"photo hash":   func(r *models.ActivityRecord) { r.Photos[1].SHA256 = "cc" },
		"photo order":  func(r *models.ActivityRecord) { r.Photos[0], r.Photos[1] = r.Photos[1], r.Photos[0] },
		"photo gone":   func(r *models.ActivityRecord) { r.Photos = r.Photos[:1] },
		"participants": func(r *models.ActivityRecord) { r.Activity.Participants++ },
		"status":       func(r *models.ActivityRecord) { r.Activity.Status = models.ActivityPending },
		"corrects":     func(r *models.ActivityRecord) { r.Activity.Corrects = nil },
	} {
		r := sampleActivity()
		change(r)
		if bytes.Equal(mustCanonical(t, r), base) {
			t.Errorf("%s: the bytes did not change", name)
		}
	}
}

// TestFindingBytes pins a finding's bytes.
func TestFindingBytes(t *testing.T) {
	got := hex.EncodeToString(mustCanonical(t, sampleFinding()))
	str := func(s string) string {
		return hex.EncodeToString([]byte{0, 0, 0, byte(len(s))}) + hex.EncodeToString([]byte(s))
	}
	want := str("finding") + "0001" +
		"0000000000000005" + str("f-1") + "0000000000000003" + // inspector 5, client, subject 3
		"01" + "000000000000000c" + // item 12
		str("DISCREPANCY") + str("denied") + str(`["activity:7"]`) +
		"01" + "0000000000000004" + str("DENIED") + // interviewee 4
		"00064c292d70c800" // 2026-03-04T02:00:00Z in microseconds
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
