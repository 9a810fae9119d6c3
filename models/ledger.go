package models

import (
	"fmt"
	"strconv"
)

// LeafKind names a kind of evidence record that is a leaf of the ledger.
// It is the kind tag that opens the record's canonical bytes.
type LeafKind string

// The ledgered kinds. A new kind gets a constant here, an encoding in
// ledger/kinds.go and a reader in store/ledger_kinds.go.
const (
	LeafCheckIn LeafKind = "checkin" // a check-in, keyed by (user_id, client_id)
	LeafReview  LeafKind = "review"  // a ruling on a check-in, keyed by check_in_id

	LeafSeminar        LeafKind = "seminar"         // a seminar's opening and draw, keyed by (opened_by, client_id)
	LeafSeminarTalk    LeafKind = "seminar_talk"    // a talk at a seminar, keyed by (recorded_by, client_id)
	LeafKeyWorkTickOff LeafKind = "keywork_tickoff" // a key-work item ticked off, keyed by (submitted_by, client_id)
	LeafKeyWorkRuling  LeafKind = "keywork_ruling"  // the ruling on a tick-off, keyed by tick_off_id
	LeafSummaryVersion LeafKind = "summary_version" // a submitted summary or report, keyed by (user_id, client_id)
	LeafSummaryReview  LeafKind = "summary_review"  // a decision on a submitted version, keyed by version_id
	LeafPolicy         LeafKind = "policy"          // a policy version, keyed by (org_unit_id, version)
)

// LeafKey names a ledgered record by its kind and natural key: a key known
// before the record's transaction commits, unlike its database id. Num and
// Text are the kind's key columns (Text is empty for a kind keyed by a
// number alone).
type LeafKey struct {
	Kind LeafKind
	Num  int64
	Text string
}

// String names the record for people: "checkin user=3 client=\"li-0001\"".
func (k LeafKey) String() string {
	switch k.Kind {
	case LeafCheckIn:
		return fmt.Sprintf("checkin user=%d client=%s", k.Num, strconv.Quote(k.Text))
	case LeafReview:
		return fmt.Sprintf("review check_in=%d", k.Num)
	case LeafSeminar:
		return fmt.Sprintf("seminar opened_by=%d client=%s", k.Num, strconv.Quote(k.Text))
	case LeafSeminarTalk:
		return fmt.Sprintf("seminar_talk recorded_by=%d client=%s", k.Num, strconv.Quote(k.Text))
	case LeafKeyWorkTickOff:
		return fmt.Sprintf("keywork_tickoff submitted_by=%d client=%s", k.Num, strconv.Quote(k.Text))
	case LeafKeyWorkRuling:
		return fmt.Sprintf("keywork_ruling tick_off=%d", k.Num)
	case LeafSummaryVersion:
		return fmt.Sprintf("summary_version user=%d client=%s", k.Num, strconv.Quote(k.Text))
	case LeafSummaryReview:
		return fmt.Sprintf("summary_review version=%d", k.Num)
	case LeafPolicy:
		return fmt.Sprintf("policy org_unit=%d version=%s", k.Num, k.Text)
	}
	return fmt.Sprintf("%s %d %s", k.Kind, k.Num, strconv.Quote(k.Text))
}

// Leaf is the leaf hash of one record, written in the record's transaction.
type Leaf struct {
	Key  LeafKey
	Hash []byte // RFC 6962 leaf hash of the record's canonical bytes
}

// Ledgered is a record that is a leaf of the ledger.
type Ledgered interface {
	LeafKey() LeafKey // its natural key
	RecordID() int64  // its database id (0 before it is stored)
}

// LeafKey returns the check-in's natural key, (user_id, client_id).
func (c *CheckIn) LeafKey() LeafKey {
	return LeafKey{Kind: LeafCheckIn, Num: c.UserID, Text: c.ClientID}
}

// RecordID returns the check-in's id.
func (c *CheckIn) RecordID() int64 { return c.ID }

// LeafKey returns the ruling's natural key, its check-in (one ruling each).
func (r *Review) LeafKey() LeafKey { return LeafKey{Kind: LeafReview, Num: r.CheckInID} }

// RecordID returns the ruling's id.
func (r *Review) RecordID() int64 { return r.ID }

// LeafKey returns the submission's natural key, (user_id, client_id).
func (v *SummaryVersion) LeafKey() LeafKey {
	return LeafKey{Kind: LeafSummaryVersion, Num: v.UserID, Text: v.ClientID}
}

// RecordID returns the submission's id.
func (v *SummaryVersion) RecordID() int64 { return v.ID }

// LeafKey returns the decision's natural key, its version (one decision
// each).
func (r *SummaryReview) LeafKey() LeafKey { return LeafKey{Kind: LeafSummaryReview, Num: r.VersionID} }

// RecordID returns the decision's id.
func (r *SummaryReview) RecordID() int64 { return r.ID }
