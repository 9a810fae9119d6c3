package models

import "time"

// Task lists (R10) come in the plan's two kinds: the quarterly dispatch task
// list a unit issues to its dispatched cadres, on which each cadre reports
// progress per task; and an org unit's key-work list, whose items are
// ticked off (清单销号) with evidence and a supervisor's confirmation.
// Neither is ever deleted: reports, changes, tick-offs and rulings are new
// rows.

// DispatchTaskList is a unit's quarterly task list for its dispatched
// cadres (每季度下发下沉工作任务清单); it is never edited, and its briefings
// are added as their own rows.
type DispatchTaskList struct {
	ID          int64     `gorm:"primaryKey"`
	IssuedBy    int64     `gorm:"not null;uniqueIndex:idx_dtl_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_dtl_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	OrgUnitID   int64     `gorm:"not null;index:idx_dtl_unit,priority:1"`
	Year        int       `gorm:"not null;index:idx_dtl_unit,priority:2"`
	Quarter     int       `gorm:"not null;index:idx_dtl_unit,priority:3"`
	PeriodFrom  string    `gorm:"size:10;not null"` // the quarter's first day
	PeriodTo    string    `gorm:"size:10;not null"` // and its last
	Title       string    `gorm:"size:200;not null"`
	IssuedAt    time.Time `gorm:"not null"`
}

// DispatchTask is one task of a dispatch task list.
type DispatchTask struct {
	ID       int64  `gorm:"primaryKey"`
	ListID   int64  `gorm:"not null;index"`
	Position int    `gorm:"not null"` // 1-based
	Title    string `gorm:"size:500;not null"`
	Standard string `gorm:"type:text;not null"` // what done means; may be empty
	DueOn    string `gorm:"size:10;not null"`   // YYYY-MM-DD; "" for the quarter's end
}

// DispatchBriefing is a briefing on the county's recent key work before a
// trip (每次下沉任务前…通报近期县域重点工作推进落实情况), attached to a list.
type DispatchBriefing struct {
	ID        int64     `gorm:"primaryKey"`
	ListID    int64     `gorm:"not null;index"`
	RegionID  *int64    // the county it is about; nil for every county of the list
	Text      string    `gorm:"type:text;not null"`
	AuthorID  int64     `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// TaskProgress is where a cadre says a dispatch task stands.
type TaskProgress string

// Progress states.
const (
	ProgressNotStarted TaskProgress = "NOT_STARTED"
	ProgressInProgress TaskProgress = "IN_PROGRESS"
	ProgressDone       TaskProgress = "DONE"
	ProgressBlocked    TaskProgress = "BLOCKED"
)

// Valid reports whether p is a defined state.
func (p TaskProgress) Valid() bool {
	return p == ProgressNotStarted || p == ProgressInProgress || p == ProgressDone || p == ProgressBlocked
}

// DispatchTaskReport is one progress report of a cadre on a task; the
// latest by id is where the task stands for that cadre.
type DispatchTaskReport struct {
	ID        int64        `gorm:"primaryKey"`
	TaskID    int64        `gorm:"not null;index:idx_dtr_task_user,priority:1"`
	UserID    int64        `gorm:"not null;index:idx_dtr_task_user,priority:2;index"`
	Status    TaskProgress `gorm:"size:16;not null"`
	Note      string       `gorm:"type:text;not null"`
	CreatedAt time.Time    `gorm:"not null"`
}

// KeyWorkList is an org unit's list of key work (清单销号机制): each item has an
// owner, a standard and a deadline, and is ticked off when done.
type KeyWorkList struct {
	ID          int64     `gorm:"primaryKey"`
	CreatedBy   int64     `gorm:"not null;uniqueIndex:idx_kwl_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_kwl_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	OrgUnitID   int64     `gorm:"not null;index"`
	Title       string    `gorm:"size:200;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

// KeyWorkStatus is where a key-work item stands.
type KeyWorkStatus string

// Item states: OPEN until its owner ticks it off, SUBMITTED while the
// tick-off waits for a supervisor, DONE (销号) once confirmed; a returned
// tick-off makes it OPEN again.
const (
	KeyWorkOpen      KeyWorkStatus = "OPEN"
	KeyWorkSubmitted KeyWorkStatus = "SUBMITTED"
	KeyWorkDone      KeyWorkStatus = "DONE"
)

// Valid reports whether s is a defined state.
func (s KeyWorkStatus) Valid() bool {
	return s == KeyWorkOpen || s == KeyWorkSubmitted || s == KeyWorkDone
}

// KeyWorkItem is one item of a key-work list. Its row carries the current
// owner, standard, deadline and status; every change is also a
// KeyWorkChange, and the tick-offs and rulings are rows of their own.
type KeyWorkItem struct {
	ID       int64         `gorm:"primaryKey"`
	ListID   int64         `gorm:"not null;uniqueIndex:idx_kwi_client"`
	ClientID string        `gorm:"size:64;not null;uniqueIndex:idx_kwi_client"`
	Title    string        `gorm:"size:500;not null"`
	Standard string        `gorm:"type:text;not null"` // 标准要求
	OwnerID  int64         `gorm:"not null;index"`     // 职责分工
	Deadline string        `gorm:"size:10;not null"`   // 完成期限, YYYY-MM-DD inclusive
	Status   KeyWorkStatus `gorm:"size:16;not null;index"`
	// OverdueNotifiedAt is when the owner was told the item is overdue;
	// nil until then, and again after the deadline moves.
	OverdueNotifiedAt *time.Time
	CreatedBy         int64     `gorm:"not null"`
	CreatedAt         time.Time `gorm:"not null"`
	UpdatedAt         time.Time `gorm:"not null"`
}

// KeyWorkChange is an item as set by its creation or by a revision, with
// who set it and why; the history of owners and deadlines.
type KeyWorkChange struct {
	ID        int64     `gorm:"primaryKey"`
	ItemID    int64     `gorm:"not null;index"`
	ActorID   int64     `gorm:"not null"`
	Title     string    `gorm:"size:500;not null"`
	Standard  string    `gorm:"type:text;not null"`
	OwnerID   int64     `gorm:"not null"`
	Deadline  string    `gorm:"size:10;not null"`
	Reason    string    `gorm:"size:1000;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// KeyWorkTickOff is an owner's claim that an item is done, with its
// evidence: a statement, photos (in the blob store) and links to the
// owner's activities. It is never edited; a supervisor confirms or
// returns it (KeyWorkRuling).
type KeyWorkTickOff struct {
	ID          int64     `gorm:"primaryKey"`
	SubmittedBy int64     `gorm:"not null;uniqueIndex:idx_kwt_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_kwt_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	ItemID      int64     `gorm:"not null;index"`
	Statement   string    `gorm:"type:text;not null"`
	Activities  string    `gorm:"size:2000;not null"` // linked activity ids, ascending, comma-separated; "" for none
	CreatedAt   time.Time `gorm:"not null"`

	Photos []KeyWorkPhoto `gorm:"-"` // rows of key_work_photos, by position
}

// KeyWorkPhoto is one photo of a tick-off: its content hash (the blob
// store's key) and what its content said.
type KeyWorkPhoto struct {
	ID          int64  `gorm:"primaryKey"`
	TickOffID   int64  `gorm:"not null;index"`
	Position    int    `gorm:"not null"`
	SHA256      string `gorm:"column:sha256;size:64;not null;index"`
	Size        int64  `gorm:"not null"`
	ContentType string `gorm:"size:32;not null"`
	TakenAt     *time.Time
}

// KeyWorkDecision is a supervisor's ruling on a tick-off.
type KeyWorkDecision string

// Decisions: CONFIRM ticks the item off (销号); RETURN sends it back to its
// owner with a comment.
const (
	KeyWorkConfirm KeyWorkDecision = "CONFIRM"
	KeyWorkReturn  KeyWorkDecision = "RETURN"
)

// KeyWorkRuling is the ruling on a tick-off; one per tick-off, never
// edited.
type KeyWorkRuling struct {
	ID        int64           `gorm:"primaryKey"`
	TickOffID int64           `gorm:"not null;uniqueIndex"`
	DecidedBy int64           `gorm:"not null"`
	Decision  KeyWorkDecision `gorm:"size:16;not null"`
	Comment   string          `gorm:"size:1000;not null"`
	CreatedAt time.Time       `gorm:"not null"`
}

// LeafKey returns the tick-off's natural key, (submitted_by, client_id).
func (t *KeyWorkTickOff) LeafKey() LeafKey {
	return LeafKey{Kind: LeafKeyWorkTickOff, Num: t.SubmittedBy, Text: t.ClientID}
}

// RecordID returns the tick-off's id.
func (t *KeyWorkTickOff) RecordID() int64 { return t.ID }

// LeafKey returns the ruling's natural key, its tick-off (one ruling each).
func (r *KeyWorkRuling) LeafKey() LeafKey { return LeafKey{Kind: LeafKeyWorkRuling, Num: r.TickOffID} }

// RecordID returns the ruling's id.
func (r *KeyWorkRuling) RecordID() int64 { return r.ID }
