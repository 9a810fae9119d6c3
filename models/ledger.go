package models

import (
	"fmt"
	"strconv"
)

// LeafKind names a kind of evidence record that is a leaf of the ledger.
// It is the kind tag that opens the record's canonical bytes.
type LeafKind string

// The ledgered kinds. A new kind gets a constant here, an encoding in
// ledger/kinds.go and a reader in store/ledger_kinds.go. The size of the
// kind column bounds a tag to 16 bytes.
const (
	LeafCheckIn LeafKind = "checkin" // a check-in, keyed by (user_id, client_id)

	LeafSeminar        LeafKind = "seminar"         // a seminar's opening and draw, keyed by (opened_by, client_id)
	LeafSeminarTalk    LeafKind = "seminar_talk"    // a talk at a seminar, keyed by (recorded_by, client_id)
	LeafKeyWorkTickOff LeafKind = "keywork_tickoff" // a key-work item ticked off, keyed by (submitted_by, client_id)
	LeafKeyWorkRuling  LeafKind = "keywork_ruling"  // the ruling on a tick-off, keyed by tick_off_id
	LeafSummaryVersion LeafKind = "summary_version" // a submitted summary or report, keyed by (user_id, client_id)
	LeafSummaryReview  LeafKind = "summary_review"  // a decision on a submitted version, keyed by version_id
	LeafPolicy         LeafKind = "policy"          // a policy version, keyed by (org_unit_id, version)
	LeafReview         LeafKind = "review"          // the first ruling on a check-in naming no region, keyed by check_in_id
	// Every other ruling on a check-in — one that supersedes an earlier
	// ruling, or a confirmation naming the region it counts at — keyed by
	// (check_in_id, seq).
	LeafRuling LeafKind = "ruling"
	// A ruling that supersedes an earlier ruling on an activity, keyed by
	// (activity_id, seq).
	LeafActivityRuling    LeafKind = "activity_ruling"
	LeafMakeUp            LeafKind = "makeup"          // a make-up request, keyed by (user_id, client_id)
	LeafMakeUpDecision    LeafKind = "makeup_decision" // a decision on a make-up request, keyed by make_up_id
	LeafAbsence           LeafKind = "absence"         // an approved absence, keyed by (user_id, client_id)
	LeafAbsenceWithdrawal LeafKind = "absence_end"     // the withdrawal of an absence, keyed by absence_id
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
	case LeafRuling:
		return fmt.Sprintf("ruling check_in=%d seq=%s", k.Num, k.Text)
	case LeafActivityRuling:
		return fmt.Sprintf("activity_ruling activity=%d seq=%s", k.Num, k.Text)
	case LeafMakeUp, LeafAbsence:
		return fmt.Sprintf("%s user=%d client=%s", k.Kind, k.Num, strconv.Quote(k.Text))
	case LeafMakeUpDecision:
		return fmt.Sprintf("makeup_decision makeup=%d", k.Num)
	case LeafAbsenceWithdrawal:
		return fmt.Sprintf("absence_end absence=%d", k.Num)
	}
	if name, ok := keyNames[k.Kind]; ok {
		return name(k)
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

// LeafKey returns the ruling's natural key: its check-in for the first
// ruling naming no region (the layout rulings had when there was one per
// check-in), else (check-in, seq) of kind ruling.
func (r *Review) LeafKey() LeafKey {
	if r.Plain() {
		return LeafKey{Kind: LeafReview, Num: r.CheckInID}
	}
	return LeafKey{Kind: LeafRuling, Num: r.CheckInID, Text: strconv.Itoa(r.Seq)}
}

// Plain reports whether r is the first ruling on its check-in and names
// no region: a leaf of kind review; every other ruling is of kind ruling.
func (r *Review) Plain() bool { return r.Seq <= 1 && r.RegionID == nil }

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

// LeafKey returns a ruling's natural key: the first ruling on an activity
// (Seq 1) is an activity_review keyed by its activity; one that supersedes
// an earlier ruling an activity_ruling keyed by (activity, seq).
func (r *ActivityReview) LeafKey() LeafKey {
	if r.Seq <= 1 {
		return LeafKey{Kind: LeafActivityReview, Num: r.ActivityID}
	}
	return LeafKey{Kind: LeafActivityRuling, Num: r.ActivityID, Text: strconv.Itoa(r.Seq)}
}

// RecordID returns the ruling's id.
func (r *ActivityReview) RecordID() int64 { return r.ID }

// LeafKey returns the request's natural key, (user_id, client_id).
func (m *MakeUp) LeafKey() LeafKey { return LeafKey{Kind: LeafMakeUp, Num: m.UserID, Text: m.ClientID} }

// RecordID returns the request's id.
func (m *MakeUp) RecordID() int64 { return m.ID }

// LeafKey returns the decision's natural key, its request (one each).
func (d *MakeUpDecision) LeafKey() LeafKey { return LeafKey{Kind: LeafMakeUpDecision, Num: d.MakeUpID} }

// RecordID returns the decision's id.
func (d *MakeUpDecision) RecordID() int64 { return d.ID }

// LeafKey returns the absence's natural key, (user_id, client_id).
func (a *Absence) LeafKey() LeafKey {
	return LeafKey{Kind: LeafAbsence, Num: a.UserID, Text: a.ClientID}
}

// RecordID returns the absence's id.
func (a *Absence) RecordID() int64 { return a.ID }

// LeafKey returns the withdrawal's natural key, its absence (one each).
func (w *AbsenceWithdrawal) LeafKey() LeafKey {
	return LeafKey{Kind: LeafAbsenceWithdrawal, Num: w.AbsenceID}
}

// RecordID returns the withdrawal's id.
func (w *AbsenceWithdrawal) RecordID() int64 { return w.ID }
