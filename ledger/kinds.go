package ledger

import (
	"fmt"

	"github.com/henan-youth/onsite/models"
)

// A new kind of record is a Format here, an append function that writes
// its fields in that order, a case in Append and Key, and its reader in
// the store. A changed layout is a new Version with its own Format; old
// leaves keep the version they were written with.

// CheckInV1 is the layout of a check-in. Its database id and created_at
// are not in it: the id is assigned by the commit the leaf is written in,
// and received_at is the evidence's server time.
var CheckInV1 = Format{Kind: models.LeafCheckIn, Version: 1, Fields: []Field{
	{Name: "user_id", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "payload_hash", Type: String},
	{Name: "lat", Type: Float},
	{Name: "lon", Type: Float},
	{Name: "accuracy_m", Type: Float},
	{Name: "coord_system", Type: String},
	{Name: "wgs_lat", Type: Float},
	{Name: "wgs_lon", Type: Float},
	{Name: "altitude", Type: OptFloat},
	{Name: "speed", Type: OptFloat},
	{Name: "provider", Type: String},
	{Name: "mock_location", Type: Bool},
	{Name: "device_id", Type: String},
	{Name: "device_time", Type: Time},
	{Name: "received_at", Type: Time},
	{Name: "occurred_at", Type: Time},
	{Name: "local_date", Type: String},
	{Name: "offline", Type: Bool},
	{Name: "region_id", Type: OptInt},
	{Name: "region_version", Type: Int},
	{Name: "verdict", Type: String},
	{Name: "edge_distance_m", Type: Float},
	{Name: "flags", Type: String}, // the stored JSON text, byte for byte
	{Name: "located", Type: List, Elem: []Field{
		{Name: "region_id", Type: Int},
		{Name: "region_version", Type: Int},
		{Name: "verdict", Type: String},
		{Name: "edge_distance_m", Type: Float},
	}},
	{Name: "status", Type: String},
	{Name: "policy_version", Type: String},
}}

// ReviewV1 is the layout of a ruling; its id is not in it, for the same
// reason as a check-in's.
var ReviewV1 = Format{Kind: models.LeafReview, Version: 1, Fields: []Field{
	{Name: "check_in_id", Type: Int},
	{Name: "reviewer_id", Type: Int},
	{Name: "decision", Type: String},
	{Name: "reason", Type: String},
	{Name: "created_at", Type: Time},
}}

// PolicyV1 is the layout of a policy version: which unit, which version,
// from when, the values it sets (the stored JSON text, byte for byte), why
// and by whom. Its id is not in it, as for the other kinds.
var PolicyV1 = Format{Kind: models.LeafPolicy, Version: 1, Fields: []Field{
	{Name: "org_unit_id", Type: Int},
	{Name: "version", Type: Int},
	{Name: "effective_from", Type: String},
	{Name: "settings", Type: String},
	{Name: "reason", Type: String},
	{Name: "created_by", Type: Int},
	{Name: "created_at", Type: Time},
}}

// SummaryVersionV1 is the layout of a submitted summary or annual report
// (R8): the period, the text or the four sections, who submitted it and
// when, its due date and whether it was late, and the snapshot of the
// period's numbers as stored (JSON text, byte for byte). Its id is not in
// it, for the same reason as a check-in's.
var SummaryVersionV1 = Format{Kind: models.LeafSummaryVersion, Version: 1, Fields: []Field{
	{Name: "user_id", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "summary_id", Type: Int},
	{Name: "number", Type: Int},
	{Name: "kind", Type: String},
	{Name: "year", Type: Int},
	{Name: "quarter", Type: Int},
	{Name: "text", Type: String},
	{Name: "work_done", Type: String},
	{Name: "results", Type: String},
	{Name: "experience", Type: String},
	{Name: "support", Type: String},
	{Name: "author_id", Type: Int},
	{Name: "submitted_at", Type: Time},
	{Name: "due_date", Type: String},
	{Name: "late", Type: Bool},
	{Name: "snapshot", Type: String},
}}

// SummaryReviewV1 is the layout of a decision on a submitted version.
var SummaryReviewV1 = Format{Kind: models.LeafSummaryReview, Version: 1, Fields: []Field{
	{Name: "version_id", Type: Int},
	{Name: "summary_id", Type: Int},
	{Name: "reviewer_id", Type: Int},
	{Name: "decision", Type: String},
	{Name: "comment", Type: String},
	{Name: "created_at", Type: Time},
}}

// formats lists every format Decode reads.
var formats = []*Format{&CheckInV1, &ReviewV1, &SeminarV1, &SeminarTalkV1, &KeyWorkTickOffV1, &KeyWorkRulingV1,
	&SummaryVersionV1, &SummaryReviewV1, &PolicyV1,
	&RulingV1, &ActivityRulingV1, &MakeUpV1, &MakeUpDecisionV1, &AbsenceV1, &AbsenceWithdrawalV1,
	&ActivityV1, &ActivityReviewV1, &ContactRevealV1, &SpotCheckV1, &FindingV1, &EscalationV1, &AccessBatchV1}

func lookup(kind models.LeafKind, version uint16) *Format {
	for _, f := range formats {
		if f.Kind == kind && f.Version == version {
			return f
		}
	}
	return nil
}

// appendCheckIn appends c's canonical bytes (CheckInV1) to dst.
func appendCheckIn(dst []byte, c *models.CheckIn) []byte {
	e := enc{b: dst}
	e.header(&CheckInV1)
	e.i64(c.UserID)
	e.str(c.ClientID)
	e.str(c.PayloadHash)
	e.f64(c.Lat)
	e.f64(c.Lon)
	e.f64(c.AccuracyM)
	e.str(c.CoordSystem)
	e.f64(c.WGSLat)
	e.f64(c.WGSLon)
	e.optFloat(c.Altitude)
	e.optFloat(c.Speed)
	e.str(c.Provider)
	e.boolean(c.MockLocation)
	e.str(c.DeviceID)
	e.at(c.DeviceTime)
	e.at(c.ReceivedAt)
	e.at(c.OccurredAt)
	e.str(c.LocalDate)
	e.boolean(c.Offline)
	e.optInt(c.RegionID)
	e.i64(int64(c.RegionVersion))
	e.str(c.Verdict)
	e.f64(c.EdgeDistanceM)
	e.str(c.Flags)
	e.count(len(c.Located))
	for _, r := range c.Located {
		e.i64(r.RegionID)
		e.i64(int64(r.RegionVersion))
		e.str(r.Verdict)
		e.f64(r.EdgeDistanceM)
	}
	e.str(string(c.Status))
	e.str(c.PolicyVersion)
	return e.b
}

// appendReview appends r's canonical bytes (ReviewV1) to dst.
func appendReview(dst []byte, r *models.Review) []byte {
	e := enc{b: dst}
	e.header(&ReviewV1)
	e.i64(r.CheckInID)
	e.i64(r.ReviewerID)
	e.str(string(r.Decision))
	e.str(r.Reason)
	e.at(r.CreatedAt)
	return e.b
}

// appendPolicy appends v's canonical bytes (PolicyV1) to dst.
func appendPolicy(dst []byte, v *models.PolicyVersion) []byte {
	e := enc{b: dst}
	e.header(&PolicyV1)
	e.i64(v.OrgUnitID)
	e.i64(int64(v.Version))
	e.str(v.EffectiveFrom)
	e.str(v.Settings)
	e.str(v.Reason)
	e.i64(v.CreatedBy)
	e.at(v.CreatedAt)
	return e.b
}

// appendSummaryVersion appends v's canonical bytes (SummaryVersionV1) to dst.
func appendSummaryVersion(dst []byte, v *models.SummaryVersion) []byte {
	e := enc{b: dst}
	e.header(&SummaryVersionV1)
	e.i64(v.UserID)
	e.str(v.ClientID)
	e.i64(v.SummaryID)
	e.i64(int64(v.Number))
	e.str(string(v.Kind))
	e.i64(int64(v.Year))
	e.i64(int64(v.Quarter))
	e.str(v.Content.Text)
	e.str(v.Content.WorkDone)
	e.str(v.Content.Results)
	e.str(v.Content.Experience)
	e.str(v.Content.Support)
	e.i64(v.AuthorID)
	e.at(v.SubmittedAt)
	e.str(v.DueDate)
	e.boolean(v.Late)
	e.str(v.Snapshot)
	return e.b
}

// appendSummaryReview appends r's canonical bytes (SummaryReviewV1) to dst.
func appendSummaryReview(dst []byte, r *models.SummaryReview) []byte {
	e := enc{b: dst}
	e.header(&SummaryReviewV1)
	e.i64(r.VersionID)
	e.i64(r.SummaryID)
	e.i64(r.ReviewerID)
	e.str(string(r.Decision))
	e.str(r.Comment)
	e.at(r.CreatedAt)
	return e.b
}

// Append appends the canonical bytes of record (a *models.CheckIn, a
// *models.Review, a *models.SummaryVersion, a *models.SummaryReview, a
// *models.PolicyVersion, or a duty's record: kinds_duties.go), in its
// kind's current format, to dst.
// It fails for any other type.
func Append(dst []byte, record any) ([]byte, error) {
	switch r := record.(type) {
	case *models.CheckIn:
		return appendCheckIn(dst, r), nil
	case *models.Review:
		if r.Plain() {
			return appendReview(dst, r), nil
		}
	case *models.SummaryVersion:
		return appendSummaryVersion(dst, r), nil
	case *models.SummaryReview:
		return appendSummaryReview(dst, r), nil
	case *models.PolicyVersion:
		return appendPolicy(dst, r), nil
	case *models.ActivityRecord:
		return appendActivity(dst, r), nil
	case *models.ActivityReview:
		if r.Seq <= 1 {
			return appendActivityReview(dst, r), nil
		}
	case *models.ContactReveal:
		return appendContactReveal(dst, r), nil
	case *models.SpotCheckRecord:
		return appendSpotCheck(dst, r), nil
	case *models.Finding:
		return appendFinding(dst, r), nil
	case *models.Escalation:
		return appendEscalation(dst, r), nil
	case *models.AccessBatchRecord:
		return appendAccessBatch(dst, r), nil
	}
	if out, ok := appendDuty(dst, record); ok {
		return out, nil
	}
	if out, ok := appendCorrection(dst, record); ok {
		return out, nil
	}
	return dst, fmt.Errorf("ledger: no leaf kind for %T", record)
}

// Canonical returns the canonical bytes of record; see Append.
func Canonical(record any) ([]byte, error) { return Append(make([]byte, 0, 512), record) }

// Key returns the natural key of record, the key its leaf is stored
// under; it fails for a type Append does not know.
func Key(record any) (models.LeafKey, error) {
	switch r := record.(type) {
	case *models.CheckIn:
		return r.LeafKey(), nil
	case *models.Review:
		return r.LeafKey(), nil
	case *models.Seminar, *models.SeminarTalk, *models.KeyWorkTickOff, *models.KeyWorkRuling,
		*models.SummaryVersion, *models.SummaryReview, *models.PolicyVersion,
		*models.ActivityReview, *models.MakeUp, *models.MakeUpDecision, *models.Absence, *models.AbsenceWithdrawal,
		*models.ActivityRecord, *models.ContactReveal, *models.SpotCheckRecord, *models.Finding, *models.Escalation,
		*models.AccessBatchRecord:
		return r.(models.Ledgered).LeafKey(), nil
	}
	return models.LeafKey{}, fmt.Errorf("ledger: no leaf kind for %T", record)
}

// LeafOf returns record's key and leaf hash, as written with the record.
func LeafOf(record any) (models.Leaf, error) {
	k, err := Key(record)
	if err != nil {
		return models.Leaf{}, err
	}
	b, err := Canonical(record)
	if err != nil {
		return models.Leaf{}, err
	}
	return models.Leaf{Key: k, Hash: HashLeaf(b)}, nil
}
