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

// RulingV1 is the layout of every ruling on a check-in that is not a
// plain first ruling (ReviewV1): one superseding an earlier ruling, or a
// confirmation naming the region the check-in counts at.
var RulingV1 = Format{Kind: models.LeafRuling, Version: 1, Fields: []Field{
	{Name: "check_in_id", Type: Int},
	{Name: "seq", Type: Int},
	{Name: "reviewer_id", Type: Int},
	{Name: "decision", Type: String},
	{Name: "region_id", Type: OptInt},
	{Name: "reason", Type: String},
	{Name: "created_at", Type: Time},
}}

// ActivityRulingV1 is the layout of a ruling that supersedes an earlier
// ruling on an activity.
var ActivityRulingV1 = Format{Kind: models.LeafActivityRuling, Version: 1, Fields: []Field{
	{Name: "activity_id", Type: Int},
	{Name: "seq", Type: Int},
	{Name: "reviewer_id", Type: Int},
	{Name: "decision", Type: String},
	{Name: "reason", Type: String},
	{Name: "created_at", Type: Time},
}}

// MakeUpV1 is the layout of a make-up request; photo_hashes (the stored
// JSON text) covers its photos.
var MakeUpV1 = Format{Kind: models.LeafMakeUp, Version: 1, Fields: []Field{
	{Name: "user_id", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "payload_hash", Type: String},
	{Name: "date", Type: String},
	{Name: "region_id", Type: Int},
	{Name: "reason", Type: String},
	{Name: "witness_name", Type: String},
	{Name: "witness_title", Type: String},
	{Name: "photo_hashes", Type: String},
	{Name: "device_id", Type: String},
	{Name: "created_at", Type: Time},
}}

// MakeUpDecisionV1 is the layout of a decision on a make-up request.
var MakeUpDecisionV1 = Format{Kind: models.LeafMakeUpDecision, Version: 1, Fields: []Field{
	{Name: "make_up_id", Type: Int},
	{Name: "decider_id", Type: Int},
	{Name: "decision", Type: String},
	{Name: "reason", Type: String},
	{Name: "created_at", Type: Time},
}}

// AbsenceV1 is the layout of an approved absence.
var AbsenceV1 = Format{Kind: models.LeafAbsence, Version: 1, Fields: []Field{
	{Name: "user_id", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "kind", Type: String},
	{Name: "from_date", Type: String},
	{Name: "to_date", Type: String},
	{Name: "reason", Type: String},
	{Name: "approved_by", Type: Int},
	{Name: "created_at", Type: Time},
}}

// AbsenceWithdrawalV1 is the layout of the withdrawal of an absence.
var AbsenceWithdrawalV1 = Format{Kind: models.LeafAbsenceWithdrawal, Version: 1, Fields: []Field{
	{Name: "absence_id", Type: Int},
	{Name: "actor_id", Type: Int},
	{Name: "reason", Type: String},
	{Name: "created_at", Type: Time},
}}

// formats lists every format Decode reads.
var formats = []*Format{&CheckInV1, &ReviewV1, &RulingV1, &ActivityRulingV1, &MakeUpV1, &MakeUpDecisionV1,
	&AbsenceV1, &AbsenceWithdrawalV1}

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

// appendRuling appends r's canonical bytes (RulingV1) to dst.
func appendRuling(dst []byte, r *models.Review) []byte {
	e := enc{b: dst}
	e.header(&RulingV1)
	e.i64(r.CheckInID)
	e.i64(int64(r.Seq))
	e.i64(r.ReviewerID)
	e.str(string(r.Decision))
	e.optInt(r.RegionID)
	e.str(r.Reason)
	e.at(r.CreatedAt)
	return e.b
}

// appendActivityRuling appends r's canonical bytes (ActivityRulingV1).
func appendActivityRuling(dst []byte, r *models.ActivityReview) []byte {
	e := enc{b: dst}
	e.header(&ActivityRulingV1)
	e.i64(r.ActivityID)
	e.i64(int64(r.Seq))
	e.i64(r.ReviewerID)
	e.str(string(r.Decision))
	e.str(r.Reason)
	e.at(r.CreatedAt)
	return e.b
}

// appendMakeUp appends m's canonical bytes (MakeUpV1) to dst.
func appendMakeUp(dst []byte, m *models.MakeUp) []byte {
	e := enc{b: dst}
	e.header(&MakeUpV1)
	e.i64(m.UserID)
	e.str(m.ClientID)
	e.str(m.PayloadHash)
	e.str(m.Date)
	e.i64(m.RegionID)
	e.str(m.Reason)
	e.str(m.WitnessName)
	e.str(m.WitnessTitle)
	e.str(m.PhotoHashes)
	e.str(m.DeviceID)
	e.at(m.CreatedAt)
	return e.b
}

// appendMakeUpDecision appends d's canonical bytes (MakeUpDecisionV1).
func appendMakeUpDecision(dst []byte, d *models.MakeUpDecision) []byte {
	e := enc{b: dst}
	e.header(&MakeUpDecisionV1)
	e.i64(d.MakeUpID)
	e.i64(d.DeciderID)
	e.str(string(d.Decision))
	e.str(d.Reason)
	e.at(d.CreatedAt)
	return e.b
}

// appendAbsence appends a's canonical bytes (AbsenceV1) to dst.
func appendAbsence(dst []byte, a *models.Absence) []byte {
	e := enc{b: dst}
	e.header(&AbsenceV1)
	e.i64(a.UserID)
	e.str(a.ClientID)
	e.str(string(a.Kind))
	e.str(a.FromDate)
	e.str(a.ToDate)
	e.str(a.Reason)
	e.i64(a.ApprovedBy)
	e.at(a.CreatedAt)
	return e.b
}

// appendAbsenceWithdrawal appends w's canonical bytes (AbsenceWithdrawalV1).
func appendAbsenceWithdrawal(dst []byte, w *models.AbsenceWithdrawal) []byte {
	e := enc{b: dst}
	e.header(&AbsenceWithdrawalV1)
	e.i64(w.AbsenceID)
	e.i64(w.ActorID)
	e.str(w.Reason)
	e.at(w.CreatedAt)
	return e.b
}

// Append appends the canonical bytes of record (a *models.CheckIn,
// *models.Review — ReviewV1 for a plain first ruling, RulingV1 for any
// other —, *models.ActivityReview, *models.MakeUp, *models.MakeUpDecision,
// *models.Absence or *models.AbsenceWithdrawal), in its kind's current
// format, to dst. It fails for any other type.
func Append(dst []byte, record any) ([]byte, error) {
	switch r := record.(type) {
	case *models.CheckIn:
		return appendCheckIn(dst, r), nil
	case *models.Review:
		if r.Plain() {
			return appendReview(dst, r), nil
		}
		return appendRuling(dst, r), nil
	case *models.ActivityReview:
		return appendActivityRuling(dst, r), nil
	case *models.MakeUp:
		return appendMakeUp(dst, r), nil
	case *models.MakeUpDecision:
		return appendMakeUpDecision(dst, r), nil
	case *models.Absence:
		return appendAbsence(dst, r), nil
	case *models.AbsenceWithdrawal:
		return appendAbsenceWithdrawal(dst, r), nil
	}
	return dst, fmt.Errorf("ledger: no leaf kind for %T", record)
}

// Canonical returns the canonical bytes of record; see Append.
func Canonical(record any) ([]byte, error) { return Append(make([]byte, 0, 512), record) }

// Key returns the natural key of record, the key its leaf is stored
// under; it fails for a type Append does not know.
func Key(record any) (models.LeafKey, error) {
	switch r := record.(type) {
	case *models.CheckIn, *models.Review, *models.ActivityReview, *models.MakeUp, *models.MakeUpDecision,
		*models.Absence, *models.AbsenceWithdrawal:
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
