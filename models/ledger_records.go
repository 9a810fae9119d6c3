package models

import (
	"fmt"
	"strconv"
)

// The ledgered kinds of youth work and of the discipline group's own
// records. Each has an encoding in ledger/kinds_*.go and a reader in
// store/ledger_kinds.go.
const (
	LeafActivity       LeafKind = "activity"        // an activity with its photo hashes, keyed by (user_id, client_id)
	LeafActivityReview LeafKind = "activity_review" // a ruling on an activity, keyed by activity_id
	LeafContactReveal  LeafKind = "contact_reveal"  // a contact seen in clear, keyed by (actor_id, ref)
	LeafSpotCheck      LeafKind = "spot_check"      // a random draw of cadre-days, keyed by (inspector_id, client_id)
	LeafFinding        LeafKind = "finding"         // an inspector's finding, keyed by (inspector_id, client_id)
	LeafEscalation     LeafKind = "escalation"      // a finding escalated to a ruling, keyed by finding_id
	LeafAccessBatch    LeafKind = "access_batch"    // a batch of the access log, keyed by its ref
)

// keyNames names the records of the kinds above for people.
var keyNames = map[LeafKind]func(LeafKey) string{
	LeafActivity:       func(k LeafKey) string { return fmt.Sprintf("activity user=%d client=%s", k.Num, strconv.Quote(k.Text)) },
	LeafActivityReview: func(k LeafKey) string { return fmt.Sprintf("activity_review activity=%d", k.Num) },
	LeafContactReveal: func(k LeafKey) string {
		return fmt.Sprintf("contact_reveal actor=%d ref=%s", k.Num, strconv.Quote(k.Text))
	},
	LeafSpotCheck: func(k LeafKey) string {
		return fmt.Sprintf("spot_check inspector=%d client=%s", k.Num, strconv.Quote(k.Text))
	},
	LeafFinding: func(k LeafKey) string {
		return fmt.Sprintf("finding inspector=%d client=%s", k.Num, strconv.Quote(k.Text))
	},
	LeafEscalation:  func(k LeafKey) string { return fmt.Sprintf("escalation finding=%d", k.Num) },
	LeafAccessBatch: func(k LeafKey) string { return fmt.Sprintf("access_batch ref=%s", strconv.Quote(k.Text)) },
}

// ActivityRecord is an activity as the ledger holds it: the row and its
// photos (their content hashes), which are evidence together.
type ActivityRecord struct {
	Activity *Activity
	Photos   []*ActivityPhoto // in position order
}

// LeafKey returns the activity's natural key, (user_id, client_id).
func (r *ActivityRecord) LeafKey() LeafKey {
	return LeafKey{Kind: LeafActivity, Num: r.Activity.UserID, Text: r.Activity.ClientID}
}

// RecordID returns the activity's id.
func (r *ActivityRecord) RecordID() int64 { return r.Activity.ID }

// LeafKey returns the reveal's natural key, (actor_id, ref).
func (r *ContactReveal) LeafKey() LeafKey {
	return LeafKey{Kind: LeafContactReveal, Num: r.ActorID, Text: r.Ref}
}

// RecordID returns the reveal's id.
func (r *ContactReveal) RecordID() int64 { return r.ID }
