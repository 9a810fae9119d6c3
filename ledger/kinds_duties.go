package ledger

import "github.com/henan-youth/onsite/models"

// The layouts of the duties' evidence: seminars with their draws and
// talks (R9), key-work tick-offs and their rulings (R10). Their database
// ids are not in them, as for check-ins, except a seminar's: its id is
// part of the draw's seed and is assigned before the draw, in the
// transaction that writes the leaf.

// SeminarV1 is the layout of a seminar: its opening, the candidates in
// user-id order with whether each was due, and the drawn speakers in the
// order drawn.
var SeminarV1 = Format{Kind: models.LeafSeminar, Version: 1, Fields: []Field{
	{Name: "id", Type: Int},
	{Name: "opened_by", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "payload_hash", Type: String},
	{Name: "org_unit_id", Type: Int},
	{Name: "title", Type: String},
	{Name: "round_from", Type: String},
	{Name: "round_to", Type: String},
	{Name: "round_groups", Type: String},
	{Name: "speakers", Type: Int},
	{Name: "opened_at", Type: Time},
	{Name: "ledger_size", Type: Int},
	{Name: "ledger_root", Type: String},
	{Name: "algorithm", Type: String},
	{Name: "seed", Type: String},
	{Name: "candidates", Type: List, Elem: []Field{
		{Name: "user_id", Type: Int},
		{Name: "due", Type: Bool},
		{Name: "position", Type: OptInt},
	}},
}}

// SeminarTalkV1 is the layout of a talk.
var SeminarTalkV1 = Format{Kind: models.LeafSeminarTalk, Version: 1, Fields: []Field{
	{Name: "recorded_by", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "payload_hash", Type: String},
	{Name: "seminar_id", Type: Int},
	{Name: "speaker_id", Type: Int},
	{Name: "given_on", Type: String},
	{Name: "title", Type: String},
	{Name: "notes", Type: String},
	{Name: "score", Type: Int},
	{Name: "created_at", Type: Time},
}}

// KeyWorkTickOffV1 is the layout of a tick-off, its photos in order.
var KeyWorkTickOffV1 = Format{Kind: models.LeafKeyWorkTickOff, Version: 1, Fields: []Field{
	{Name: "submitted_by", Type: Int},
	{Name: "client_id", Type: String},
	{Name: "payload_hash", Type: String},
	{Name: "item_id", Type: Int},
	{Name: "statement", Type: String},
	{Name: "activities", Type: String},
	{Name: "created_at", Type: Time},
	{Name: "photos", Type: List, Elem: []Field{
		{Name: "sha256", Type: String},
		{Name: "size", Type: Int},
		{Name: "content_type", Type: String},
	}},
}}

// KeyWorkRulingV1 is the layout of a ruling on a tick-off.
var KeyWorkRulingV1 = Format{Kind: models.LeafKeyWorkRuling, Version: 1, Fields: []Field{
	{Name: "tick_off_id", Type: Int},
	{Name: "decided_by", Type: Int},
	{Name: "decision", Type: String},
	{Name: "comment", Type: String},
	{Name: "created_at", Type: Time},
}}

// appendSeminar appends s's canonical bytes (SeminarV1) to dst; its
// candidates go in the order they are held (the store reads them by user
// id).
func appendSeminar(dst []byte, s *models.Seminar) []byte {
	e := enc{b: dst}
	e.header(&SeminarV1)
	e.i64(s.ID)
	e.i64(s.OpenedBy)
	e.str(s.ClientID)
	e.str(s.PayloadHash)
	e.i64(s.OrgUnitID)
	e.str(s.Title)
	e.str(s.RoundFrom)
	e.str(s.RoundTo)
	e.str(s.RoundGroups)
	e.i64(int64(s.Speakers))
	e.at(s.OpenedAt)
	e.i64(s.LedgerSize)
	e.str(s.LedgerRoot)
	e.str(s.Algorithm)
	e.str(s.Seed)
	e.count(len(s.Candidates))
	for _, c := range s.Candidates {
		e.i64(c.UserID)
		e.boolean(c.Due)
		var pos *int64
		if c.Position != nil {
			p := int64(*c.Position)
			pos = &p
		}
		e.optInt(pos)
	}
	return e.b
}

// appendSeminarTalk appends t's canonical bytes (SeminarTalkV1) to dst.
func appendSeminarTalk(dst []byte, t *models.SeminarTalk) []byte {
	e := enc{b: dst}
	e.header(&SeminarTalkV1)
	e.i64(t.RecordedBy)
	e.str(t.ClientID)
	e.str(t.PayloadHash)
	e.i64(t.SeminarID)
	e.i64(t.SpeakerID)
	e.str(t.GivenOn)
	e.str(t.Title)
	e.str(t.Notes)
	e.i64(int64(t.Score))
	e.at(t.CreatedAt)
	return e.b
}

// appendKeyWorkTickOff appends t's canonical bytes (KeyWorkTickOffV1) to
// dst.
func appendKeyWorkTickOff(dst []byte, t *models.KeyWorkTickOff) []byte {
	e := enc{b: dst}
	e.header(&KeyWorkTickOffV1)
	e.i64(t.SubmittedBy)
	e.str(t.ClientID)
	e.str(t.PayloadHash)
	e.i64(t.ItemID)
	e.str(t.Statement)
	e.str(t.Activities)
	e.at(t.CreatedAt)
	e.count(len(t.Photos))
	for _, p := range t.Photos {
		e.str(p.SHA256)
		e.i64(p.Size)
		e.str(p.ContentType)
	}
	return e.b
}

// appendKeyWorkRuling appends r's canonical bytes (KeyWorkRulingV1) to dst.
func appendKeyWorkRuling(dst []byte, r *models.KeyWorkRuling) []byte {
	e := enc{b: dst}
	e.header(&KeyWorkRulingV1)
	e.i64(r.TickOffID)
	e.i64(r.DecidedBy)
	e.str(string(r.Decision))
	e.str(r.Comment)
	e.at(r.CreatedAt)
	return e.b
}

// appendDuty appends the canonical bytes of a duty's record, reporting
// whether record is one.
func appendDuty(dst []byte, record any) ([]byte, bool) {
	switch r := record.(type) {
	case *models.Seminar:
		return appendSeminar(dst, r), true
	case *models.SeminarTalk:
		return appendSeminarTalk(dst, r), true
	case *models.KeyWorkTickOff:
		return appendKeyWorkTickOff(dst, r), true
	case *models.KeyWorkRuling:
		return appendKeyWorkRuling(dst, r), true
	}
	return dst, false
}
