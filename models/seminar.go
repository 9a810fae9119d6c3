package models

import "time"

// Seminar is a work seminar after a dispatch round (R9): a supervisor opens
// it for an org unit and a round, and the server draws its speakers at
// random from the round's cadres in the same transaction. It is never
// edited: the opening, the candidate list and the draw are one ledgered
// record, so anyone can recompute the draw from it (seminar.Recompute).
type Seminar struct {
	ID          int64  `gorm:"primaryKey"`
	OpenedBy    int64  `gorm:"not null;uniqueIndex:idx_seminar_client"`
	ClientID    string `gorm:"size:64;not null;uniqueIndex:idx_seminar_client"`
	PayloadHash string `gorm:"size:64;not null"`
	OrgUnitID   int64  `gorm:"not null;index"`
	Title       string `gorm:"size:200;not null"`
	// The round: cadres of the unit's subtree with a DISPATCH assignment in
	// force on some day of [RoundFrom, RoundTo]; with RoundGroups, only
	// those groups' assignments that ended within the period.
	RoundFrom   string    `gorm:"size:10;not null"`
	RoundTo     string    `gorm:"size:10;not null"`
	RoundGroups string    `gorm:"size:1000;not null"` // work group ids, ascending, comma-separated; "" for none
	Speakers    int       `gorm:"not null"`           // how many speakers were asked for
	OpenedAt    time.Time `gorm:"not null"`
	// The ledger's signed tree at opening, part of the seed: a value
	// nobody chooses, public in the checkpoints.
	LedgerSize int64  `gorm:"not null"`
	LedgerRoot string `gorm:"size:64;not null"` // hex; "" for the empty tree
	Algorithm  string `gorm:"size:32;not null"` // the draw's algorithm version
	Seed       string `gorm:"size:64;not null"` // hex SHA-256 of the draw's preimage

	// Candidates are the round's cadres by user id, the speakers among
	// them with their Position; rows of seminar_candidates.
	Candidates []SeminarCandidate `gorm:"-"`
}

// SeminarCandidate is one cadre of a seminar's round: whether it was due
// to speak (no talk yet in the half year when the seminar opened) and,
// when drawn, its place among the speakers.
type SeminarCandidate struct {
	ID        int64 `gorm:"primaryKey"`
	SeminarID int64 `gorm:"not null;uniqueIndex:idx_seminar_candidate"`
	UserID    int64 `gorm:"not null;uniqueIndex:idx_seminar_candidate;index"`
	Due       bool  `gorm:"not null"`
	Position  *int  // 1 for the first speaker drawn; nil when not drawn
}

// SeminarTalk is what a drawn speaker said at a seminar and how it was
// scored for the annual appraisal (研讨情况纳入年度考核). It is never edited:
// a correction is a new row, and the latest by id is the talk.
type SeminarTalk struct {
	ID          int64     `gorm:"primaryKey"`
	RecordedBy  int64     `gorm:"not null;uniqueIndex:idx_talk_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_talk_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	SeminarID   int64     `gorm:"not null;index"`
	SpeakerID   int64     `gorm:"not null;index:idx_talk_speaker,priority:1"`
	GivenOn     string    `gorm:"size:10;not null;index:idx_talk_speaker,priority:2"` // Asia/Shanghai date
	Title       string    `gorm:"size:200;not null"`
	Notes       string    `gorm:"type:text;not null"`
	Score       int       `gorm:"not null"` // 0–100
	CreatedAt   time.Time `gorm:"not null"`
}

// LeafKey returns the seminar's natural key, (opened_by, client_id).
func (s *Seminar) LeafKey() LeafKey {
	return LeafKey{Kind: LeafSeminar, Num: s.OpenedBy, Text: s.ClientID}
}

// RecordID returns the seminar's id.
func (s *Seminar) RecordID() int64 { return s.ID }

// LeafKey returns the talk's natural key, (recorded_by, client_id).
func (t *SeminarTalk) LeafKey() LeafKey {
	return LeafKey{Kind: LeafSeminarTalk, Num: t.RecordedBy, Text: t.ClientID}
}

// RecordID returns the talk's id.
func (t *SeminarTalk) RecordID() int64 { return t.ID }
