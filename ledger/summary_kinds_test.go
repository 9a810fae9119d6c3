package ledger

import (
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

// TestSummaryKinds: a submission and a decision encode by their formats
// and decode to their fields; changing what the cadre wrote or the
// snapshot changes the leaf.
func TestSummaryKinds(t *testing.T) {
	v := &models.SummaryVersion{ID: 9, SummaryID: 4, Number: 2, UserID: 3, ClientID: "sum-1", Kind: models.SummaryAnnual, Year: 2026,
		Content:  models.SummaryContent{WorkDone: "下沉", Results: "成效", Experience: "经验", Support: "支持"},
		AuthorID: 3, SubmittedAt: time.Date(2027, 1, 12, 2, 0, 0, 0, time.UTC), DueDate: "2027-01-10", Late: true, Snapshot: `{"quarters":[]}`}
	r := &models.SummaryReview{ID: 2, VersionID: 9, SummaryID: 4, ReviewerID: 5, Decision: models.SummaryReturn, Comment: "more",
		CreatedAt: time.Date(2027, 1, 13, 2, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		rec  any
		want map[string]string
	}{
		{v, map[string]string{"client_id": `"sum-1"`, "number": "2", "kind": `"ANNUAL"`, "quarter": "0", "results": `"成效"`,
			"late": "true", "submitted_at": "2027-01-12T02:00:00.000000Z", "snapshot": `"{\"quarters\":[]}"`}},
		{r, map[string]string{"version_id": "9", "decision": `"RETURN"`, "comment": `"more"`}},
	} {
		f, vals, err := Decode(mustCanonical(t, tc.rec))
		if err != nil {
			t.Fatalf("%T: %v", tc.rec, err)
		}
		if len(vals) < len(f.Fields) {
			t.Errorf("%T: %d values, want %d", tc.rec, len(vals), len(f.Fields))
		}
		for _, val := range vals {
			if w, ok := tc.want[val.Name]; ok && val.Value != w {
				t.Errorf("%T %s: got %s, want %s", tc.rec, val.Name, val.Value, w)
			}
		}
	}
	before, _ := LeafOf(v)
	for _, change := range []func(){func() { v.Content.Support = "没有" }, func() { v.Snapshot = `{"quarters":[{}]}` }, func() { v.Late = false }} {
		change()
		after, _ := LeafOf(v)
		if string(after.Hash) == string(before.Hash) {
			t.Error("a change of the submission left its leaf unchanged")
		}
		before = after
	}
	if k, _ := Key(r); k != (models.LeafKey{Kind: models.LeafSummaryReview, Num: 9}) {
		t.Errorf("decision key: %v", k)
	}
}
