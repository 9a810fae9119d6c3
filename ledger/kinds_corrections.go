package ledger

import "github.com/henan-youth/onsite/models"

// The layouts of corrections: rulings that supersede earlier ones on
// check-ins and activities, make-up requests (补卡) and their decisions,
// approved absences and their withdrawals.

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

// appendCorrection appends the canonical bytes of a correction's record
// to dst; false for any other record. A first ruling on a check-in that
// names no region is a plain review (ReviewV1) and not handled here.
func appendCorrection(dst []byte, record any) ([]byte, bool) {
	switch r := record.(type) {
	case *models.Review:
		return appendRuling(dst, r), true
	case *models.ActivityReview:
		return appendActivityRuling(dst, r), true
	case *models.MakeUp:
		return appendMakeUp(dst, r), true
	case *models.MakeUpDecision:
		return appendMakeUpDecision(dst, r), true
	case *models.Absence:
		return appendAbsence(dst, r), true
	case *models.AbsenceWithdrawal:
		return appendAbsenceWithdrawal(dst, r), true
	}
	return dst, false
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
