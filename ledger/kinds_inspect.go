package ledger

import "github.com/henan-youth/onsite/models"

// The discipline group's own records — draws, findings, escalations — and
// the access log's batches are evidence too.

// SpotCheckV1 is the layout of a draw: its plan, seed, the hash of its
// candidates (spotcheck.CandidatesHash; the candidates themselves are
// served with the draw) and its sample in (user, date) order.
var SpotCheckV1 = Format{Kind: models.LeafSpotCheck, Version: 1, Fields: []Field{
	{Name: "inspector_id", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "org_unit_id", Type: OptInt},
	{Name: "from_date", Type: String},
	{Name: "to_date", Type: String},
	{Name: "plan", Type: String},
	{Name: "seed", Type: String},
	{Name: "candidates", Type: Int},
	{Name: "candidates_hash", Type: String},
	{Name: "notes", Type: String},
	{Name: "created_at", Type: Time},
	{Name: "sample", Type: List, Elem: []Field{
		{Name: "user_id", Type: Int},
		{Name: "date", Type: String},
		{Name: "stratum", Type: String},
	}},
}}

// FindingV1 is the layout of a finding.
var FindingV1 = Format{Kind: models.LeafFinding, Version: 1, Fields: []Field{
	{Name: "inspector_id", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "subject_id", Type: Int},
	{Name: "item_id", Type: OptInt},
	{Name: "outcome", Type: String},
	{Name: "notes", Type: String},
	{Name: "refs", Type: String}, // the stored JSON text, byte for byte
	{Name: "interviewee_id", Type: OptInt},
	{Name: "call_outcome", Type: String},
	{Name: "created_at", Type: Time},
}}

// EscalationV1 is the layout of an escalation.
var EscalationV1 = Format{Kind: models.LeafEscalation, Version: 1, Fields: []Field{
	{Name: "finding_id", Type: Int},
	{Name: "inspector_id", Type: Int},
	{Name: "target_kind", Type: String},
	{Name: "target_id", Type: Int},
	{Name: "reason", Type: String},
	{Name: "created_at", Type: Time},
}}

// AccessBatchV1 is the layout of a batch of the access log.
var AccessBatchV1 = Format{Kind: models.LeafAccessBatch, Version: 1, Fields: []Field{
	{Name: "ref", Type: String},
	{Name: "created_at", Type: Time},
	{Name: "entries", Type: List, Elem: []Field{
		{Name: "at", Type: Time},
		{Name: "reader_id", Type: Int},
		{Name: "reader_name", Type: String},
		{Name: "reader_role", Type: String},
		{Name: "cadre_id", Type: Int},
		{Name: "what", Type: String},
		{Name: "query", Type: String},
		{Name: "request_id", Type: String},
		{Name: "client_addr", Type: String},
	}},
}}

// appendSpotCheck appends r's canonical bytes (SpotCheckV1).
func appendSpotCheck(dst []byte, r *models.SpotCheckRecord) []byte {
	s := r.SpotCheck
	e := enc{b: dst}
	e.header(&SpotCheckV1)
	e.i64(s.InspectorID)
	e.str(s.ClientID)
	e.optInt(s.OrgUnitID)
	e.str(s.FromDate)
	e.str(s.ToDate)
	e.str(s.Plan)
	e.str(s.Seed)
	e.i64(int64(s.Candidates))
	e.str(s.CandidatesHash)
	e.str(s.Notes)
	e.at(s.CreatedAt)
	e.count(len(r.Sample))
	for _, c := range r.Sample {
		e.i64(c.UserID)
		e.str(c.Date)
		e.str(c.Stratum)
	}
	return e.b
}

// appendFinding appends f's canonical bytes (FindingV1).
func appendFinding(dst []byte, f *models.Finding) []byte {
	e := enc{b: dst}
	e.header(&FindingV1)
	e.i64(f.InspectorID)
	e.str(f.ClientID)
	e.i64(f.SubjectID)
	e.optInt(f.ItemID)
	e.str(string(f.Outcome))
	e.str(f.Notes)
	e.str(f.Refs)
	e.optInt(f.IntervieweeID)
	e.str(string(f.CallOutcome))
	e.at(f.CreatedAt)
	return e.b
}

// appendEscalation appends x's canonical bytes (EscalationV1).
func appendEscalation(dst []byte, x *models.Escalation) []byte {
	e := enc{b: dst}
	e.header(&EscalationV1)
	e.i64(x.FindingID)
	e.i64(x.InspectorID)
	e.str(string(x.TargetKind))
	e.i64(x.TargetID)
	e.str(x.Reason)
	e.at(x.CreatedAt)
	return e.b
}

// appendAccessBatch appends r's canonical bytes (AccessBatchV1).
func appendAccessBatch(dst []byte, r *models.AccessBatchRecord) []byte {
	e := enc{b: dst}
	e.header(&AccessBatchV1)
	e.str(r.Batch.Ref)
	e.at(r.Batch.CreatedAt)
	e.count(len(r.Entries))
	for _, a := range r.Entries {
		e.at(a.At)
		e.i64(a.ReaderID)
		e.str(a.ReaderName)
		e.str(a.ReaderRole)
		e.i64(a.CadreID)
		e.str(string(a.What))
		e.str(a.Query)
		e.str(a.RequestID)
		e.str(a.ClientAddr)
	}
	return e.b
}
