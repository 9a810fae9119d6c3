package models

import "time"

// SpotCheck is a random draw of cadre-days (随机抽查) by an inspector:
// the candidates (every cadre-day of the scope and period with a
// check-in), their strata, the plan (which dimensions stratify and how
// many to draw from each stratum) and the seed, recorded so that anyone
// can recompute the draw (package spotcheck). Never edited.
type SpotCheck struct {
	ID             int64  `gorm:"primaryKey"`
	InspectorID    int64  `gorm:"not null;uniqueIndex:idx_spot_check_client"`
	ClientID       string `gorm:"size:64;not null;uniqueIndex:idx_spot_check_client"`
	OrgUnitID      *int64 // the scope: cadres of this unit's subtree; nil for every cadre
	FromDate       string `gorm:"size:10;not null"`
	ToDate         string `gorm:"size:10;not null"`
	Plan           string `gorm:"size:2000;not null"` // spotcheck.Plan.String(): dimensions and sizes
	Seed           string `gorm:"size:64;not null"`   // hex
	Candidates     int    `gorm:"not null"`
	CandidatesHash string `gorm:"size:64;not null"` // spotcheck.CandidatesHash, hex
	Notes          string `gorm:"size:1000;not null"`
	CreatedAt      time.Time
}

// SpotCheckCandidate is one cadre-day a draw chose from, with its stratum;
// Sampled marks the ones drawn (the draw's items).
type SpotCheckCandidate struct {
	ID          int64  `gorm:"primaryKey"`
	SpotCheckID int64  `gorm:"not null;index:idx_spot_candidate,priority:1"`
	UserID      int64  `gorm:"not null"`
	Date        string `gorm:"size:10;not null"`
	Stratum     string `gorm:"size:200;not null"`
	Sampled     bool   `gorm:"not null;index:idx_spot_candidate,priority:2"`
}

// FindingOutcome is what an inspector found when checking evidence.
type FindingOutcome string

// Outcomes.
const (
	FindingConfirmed    FindingOutcome = "CONFIRMED"    // the evidence holds
	FindingDiscrepancy  FindingOutcome = "DISCREPANCY"  // it does not; may be escalated to a ruling
	FindingUnverifiable FindingOutcome = "UNVERIFIABLE" // it could not be checked either way
)

// Valid reports whether o is a defined outcome.
func (o FindingOutcome) Valid() bool {
	return o == FindingConfirmed || o == FindingDiscrepancy || o == FindingUnverifiable
}

// CallOutcome is how a call-back to an interviewee went (团员青年评议).
type CallOutcome string

// Call outcomes.
const (
	CallReached     CallOutcome = "REACHED"     // reached, and neither confirmed nor denied the interview
	CallConfirmed   CallOutcome = "CONFIRMED"   // reached, and confirmed the interview
	CallDenied      CallOutcome = "DENIED"      // reached, and denied it took place
	CallUnreachable CallOutcome = "UNREACHABLE" // not reached
)

// Valid reports whether o is a defined call outcome.
func (o CallOutcome) Valid() bool {
	return o == CallReached || o == CallConfirmed || o == CallDenied || o == CallUnreachable
}

// Finding is an inspector's finding on a sampled cadre-day or on any
// record: the outcome, notes, the evidence it rests on, who and when; for
// a call-back, the interviewee called and how the call went. Findings are
// evidence: ledgered, never edited.
type Finding struct {
	ID            int64          `gorm:"primaryKey"`
	InspectorID   int64          `gorm:"not null;uniqueIndex:idx_finding_client"`
	ClientID      string         `gorm:"size:64;not null;uniqueIndex:idx_finding_client"`
	SubjectID     int64          `gorm:"not null;index"` // the cadre whose evidence it is about
	ItemID        *int64         `gorm:"index"`          // the sampled cadre-day (SpotCheckCandidate), if any
	Outcome       FindingOutcome `gorm:"size:16;not null"`
	Notes         string         `gorm:"type:text;not null"`
	Refs          string         `gorm:"type:text;not null"` // JSON array of evidence references, e.g. ["checkin:12","photo:ab…"]
	IntervieweeID *int64         // a call-back's interviewee
	CallOutcome   CallOutcome    `gorm:"size:16;not null;default:''"` // "" unless a call-back
	CreatedAt     time.Time
}

// Escalation is a DISCREPANCY finding escalated into a ruling that
// overturns a record of its cadre's evidence (a check-in or an activity).
// One per finding; never edited. The overturn itself is the corrections'
// record.
type Escalation struct {
	ID          int64    `gorm:"primaryKey"`
	FindingID   int64    `gorm:"not null;uniqueIndex"`
	InspectorID int64    `gorm:"not null"`
	TargetKind  LeafKind `gorm:"size:16;not null"` // LeafCheckIn or LeafActivity
	TargetID    int64    `gorm:"not null"`
	Reason      string   `gorm:"size:1000;not null"`
	CreatedAt   time.Time
}

// AccessWhat is the kind of a cadre's data that someone else read.
type AccessWhat string

// What was read.
const (
	AccessPresence   AccessWhat = "PRESENCE"   // check-ins, rulings on them, on-site days, reports, their ledger entries
	AccessActivities AccessWhat = "ACTIVITIES" // activities with their parts and photos, youth-work summaries, follow-ups
	AccessContact    AccessWhat = "CONTACT"    // an interviewee's contact in clear
)

// AccessRead is one read to log: of which cadre's data, what kind, by
// which query (the GraphQL operation and field, or the endpoint).
type AccessRead struct {
	CadreID int64
	What    AccessWhat
	Query   string
}

// AccessBatch is a group of access-log entries written in one transaction
// with one ledger leaf; Ref is its natural key.
type AccessBatch struct {
	ID        int64  `gorm:"primaryKey"`
	Ref       string `gorm:"size:36;not null;uniqueIndex"`
	Entries   int    `gorm:"not null"`
	CreatedAt time.Time
}

// AccessEntry is one read of a cadre's data by someone else: who (id,
// name, role, address), what, when, by which query and request. Kept at
// least 180 days (the server never deletes them); append-only.
type AccessEntry struct {
	ID         int64      `gorm:"primaryKey"`
	BatchID    int64      `gorm:"not null;index"`
	At         time.Time  `gorm:"not null"`
	ReaderID   int64      `gorm:"not null;index:idx_access_reader,priority:1"`
	ReaderName string     `gorm:"size:128;not null"`
	ReaderRole string     `gorm:"size:32;not null"`
	CadreID    int64      `gorm:"not null;index:idx_access_cadre,priority:1"`
	What       AccessWhat `gorm:"size:16;not null"`
	Query      string     `gorm:"size:200;not null"`
	RequestID  string     `gorm:"size:32;not null"`
	ClientAddr string     `gorm:"size:64;not null"`
}

// TableName is the access log's table.
func (AccessEntry) TableName() string { return "access_log" }

// PhotoHash is a photo's perceptual hash, by its content hash: nil when
// the photo is not decodable here (HEIC).
type PhotoHash struct {
	SHA256   string `gorm:"column:sha256;primaryKey;size:64"`
	PHash    *int64 `gorm:"column:phash"` // the 64-bit DCT hash's bits
	HashedAt time.Time
}

// TableName is the perceptual hashes' table.
func (PhotoHash) TableName() string { return "photo_phashes" }

// LeafKey returns the finding's natural key, (inspector_id, client_id).
func (f *Finding) LeafKey() LeafKey {
	return LeafKey{Kind: LeafFinding, Num: f.InspectorID, Text: f.ClientID}
}

// RecordID returns the finding's id.
func (f *Finding) RecordID() int64 { return f.ID }

// LeafKey returns the escalation's natural key, its finding.
func (e *Escalation) LeafKey() LeafKey { return LeafKey{Kind: LeafEscalation, Num: e.FindingID} }

// RecordID returns the escalation's id.
func (e *Escalation) RecordID() int64 { return e.ID }

// SpotCheckRecord is a draw as the ledger holds it: the row and its
// sample, in (user, date) order.
type SpotCheckRecord struct {
	SpotCheck *SpotCheck
	Sample    []*SpotCheckCandidate
}

// LeafKey returns the draw's natural key, (inspector_id, client_id).
func (r *SpotCheckRecord) LeafKey() LeafKey {
	return LeafKey{Kind: LeafSpotCheck, Num: r.SpotCheck.InspectorID, Text: r.SpotCheck.ClientID}
}

// RecordID returns the draw's id.
func (r *SpotCheckRecord) RecordID() int64 { return r.SpotCheck.ID }

// AccessBatchRecord is a batch of the access log as the ledger holds it:
// the batch and its entries, in id order.
type AccessBatchRecord struct {
	Batch   *AccessBatch
	Entries []*AccessEntry
}

// LeafKey returns the batch's natural key, its ref.
func (r *AccessBatchRecord) LeafKey() LeafKey {
	return LeafKey{Kind: LeafAccessBatch, Text: r.Batch.Ref}
}

// RecordID returns the batch's id.
func (r *AccessBatchRecord) RecordID() int64 { return r.Batch.ID }
