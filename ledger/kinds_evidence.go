package ledger

import "github.com/henan-youth/onsite/models"

// The youth-work evidence: activities with their photos, rulings on them,
// and the discipline group's reveals of an interviewee's contact. Like a
// check-in's, their database ids are not in them.

// ActivityV1 is the layout of an activity with its photos' content
// hashes (the blob store's keys), so the ledger covers the photos too.
// The interviewee and the needs are not in it: an interviewee's contact
// is erased by retention, and names stay out of exports.
var ActivityV1 = Format{Kind: models.LeafActivity, Version: 1, Fields: []Field{
	{Name: "user_id", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "payload_hash", Type: String},
	{Name: "kind", Type: String},
	{Name: "lat", Type: Float},
	{Name: "lon", Type: Float},
	{Name: "accuracy_m", Type: Float},
	{Name: "coord_system", Type: String},
	{Name: "wgs_lat", Type: Float},
	{Name: "wgs_lon", Type: Float},
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
	{Name: "located", Type: List, Elem: []Field{
		{Name: "region_id", Type: Int},
		{Name: "region_version", Type: Int},
		{Name: "verdict", Type: String},
		{Name: "edge_distance_m", Type: Float},
	}},
	{Name: "flags", Type: String}, // the stored JSON text, byte for byte
	{Name: "status", Type: String},
	{Name: "topic", Type: String},
	{Name: "notes", Type: String},
	{Name: "participants", Type: Int},
	{Name: "host_org", Type: String},
	{Name: "participant_list", Type: String}, // the stored JSON text
	{Name: "corrects", Type: OptInt},
	{Name: "policy_version", Type: String},
	{Name: "photos", Type: List, Elem: []Field{
		{Name: "position", Type: Int},
		{Name: "sha256", Type: String},
		{Name: "size", Type: Int},
		{Name: "content_type", Type: String},
	}},
}}

// ActivityReviewV1 is the layout of a ruling on an activity.
var ActivityReviewV1 = Format{Kind: models.LeafActivityReview, Version: 1, Fields: []Field{
	{Name: "activity_id", Type: Int},
	{Name: "reviewer_id", Type: Int},
	{Name: "decision", Type: String},
	{Name: "reason", Type: String},
	{Name: "created_at", Type: Time},
}}

// ContactRevealV1 is the layout of a reveal of an interviewee's contact.
var ContactRevealV1 = Format{Kind: models.LeafContactReveal, Version: 1, Fields: []Field{
	{Name: "actor_id", Type: Int},
	{Name: "ref", Type: String},
	{Name: "interviewee_id", Type: Int},
	{Name: "reason", Type: String},
	{Name: "created_at", Type: Time},
}}

// appendActivity appends r's canonical bytes (ActivityV1) to dst.
func appendActivity(dst []byte, r *models.ActivityRecord) []byte {
	a := r.Activity
	e := enc{b: dst}
	e.header(&ActivityV1)
	e.i64(a.UserID)
	e.str(a.ClientID)
	e.str(a.PayloadHash)
	e.str(string(a.Kind))
	e.f64(a.Lat)
	e.f64(a.Lon)
	e.f64(a.AccuracyM)
	e.str(a.CoordSystem)
	e.f64(a.WGSLat)
	e.f64(a.WGSLon)
	e.boolean(a.MockLocation)
	e.str(a.DeviceID)
	e.at(a.DeviceTime)
	e.at(a.ReceivedAt)
	e.at(a.OccurredAt)
	e.str(a.LocalDate)
	e.boolean(a.Offline)
	e.optInt(a.RegionID)
	e.i64(int64(a.RegionVersion))
	e.str(a.Verdict)
	e.f64(a.EdgeDistanceM)
	e.count(len(a.Located))
	for _, l := range a.Located {
		e.i64(l.RegionID)
		e.i64(int64(l.RegionVersion))
		e.str(l.Verdict)
		e.f64(l.EdgeDistanceM)
	}
	e.str(a.Flags)
	e.str(string(a.Status))
	e.str(a.Topic)
	e.str(a.Notes)
	e.i64(int64(a.Participants))
	e.str(a.HostOrg)
	e.str(a.ParticipantList)
	e.optInt(a.Corrects)
	e.str(a.PolicyVersion)
	e.count(len(r.Photos))
	for _, p := range r.Photos {
		e.i64(int64(p.Position))
		e.str(p.SHA256)
		e.i64(p.Size)
		e.str(p.ContentType)
	}
	return e.b
}

// appendActivityReview appends r's canonical bytes (ActivityReviewV1).
func appendActivityReview(dst []byte, r *models.ActivityReview) []byte {
	e := enc{b: dst}
	e.header(&ActivityReviewV1)
	e.i64(r.ActivityID)
	e.i64(r.ReviewerID)
	e.str(string(r.Decision))
	e.str(r.Reason)
	e.at(r.CreatedAt)
	return e.b
}

// appendContactReveal appends r's canonical bytes (ContactRevealV1).
func appendContactReveal(dst []byte, r *models.ContactReveal) []byte {
	e := enc{b: dst}
	e.header(&ContactRevealV1)
	e.i64(r.ActorID)
	e.str(r.Ref)
	e.i64(r.IntervieweeID)
	e.str(r.Reason)
	e.at(r.CreatedAt)
	return e.b
}
