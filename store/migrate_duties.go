package store

import (
	"time"

	"gorm.io/gorm"
)

// The seminar (step 35) and task-list (step 36) tables, frozen like the
// baseline: never edit.

type v35Seminar struct {
	ID          int64     `gorm:"primaryKey"`
	OpenedBy    int64     `gorm:"not null;uniqueIndex:idx_seminar_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_seminar_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	OrgUnitID   int64     `gorm:"not null;index"`
	Title       string    `gorm:"size:200;not null"`
	RoundFrom   string    `gorm:"size:10;not null"`
	RoundTo     string    `gorm:"size:10;not null"`
	RoundGroups string    `gorm:"size:1000;not null"`
	Speakers    int       `gorm:"not null"`
	OpenedAt    time.Time `gorm:"not null"`
	LedgerSize  int64     `gorm:"not null"`
	LedgerRoot  string    `gorm:"size:64;not null"`
	Algorithm   string    `gorm:"size:32;not null"`
	Seed        string    `gorm:"size:64;not null"`
}

func (v35Seminar) TableName() string { return "seminars" }

type v35SeminarCandidate struct {
	ID        int64 `gorm:"primaryKey"`
	SeminarID int64 `gorm:"not null;uniqueIndex:idx_seminar_candidate"`
	UserID    int64 `gorm:"not null;uniqueIndex:idx_seminar_candidate;index"`
	Due       bool  `gorm:"not null"`
	Position  *int
}

func (v35SeminarCandidate) TableName() string { return "seminar_candidates" }

type v35SeminarTalk struct {
	ID          int64     `gorm:"primaryKey"`
	RecordedBy  int64     `gorm:"not null;uniqueIndex:idx_talk_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_talk_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	SeminarID   int64     `gorm:"not null;index"`
	SpeakerID   int64     `gorm:"not null;index:idx_talk_speaker,priority:1"`
	GivenOn     string    `gorm:"size:10;not null;index:idx_talk_speaker,priority:2"`
	Title       string    `gorm:"size:200;not null"`
	Notes       string    `gorm:"type:text;not null"`
	Score       int       `gorm:"not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (v35SeminarTalk) TableName() string { return "seminar_talks" }

func migrateSeminars(tx *gorm.DB) error {
	return tx.Migrator().AutoMigrate(&v35Seminar{}, &v35SeminarCandidate{}, &v35SeminarTalk{})
}

type v36DispatchTaskList struct {
	ID          int64     `gorm:"primaryKey"`
	IssuedBy    int64     `gorm:"not null;uniqueIndex:idx_dtl_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_dtl_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	OrgUnitID   int64     `gorm:"not null;index:idx_dtl_unit,priority:1"`
	Year        int       `gorm:"not null;index:idx_dtl_unit,priority:2"`
	Quarter     int       `gorm:"not null;index:idx_dtl_unit,priority:3"`
	PeriodFrom  string    `gorm:"size:10;not null"`
	PeriodTo    string    `gorm:"size:10;not null"`
	Title       string    `gorm:"size:200;not null"`
	IssuedAt    time.Time `gorm:"not null"`
}

func (v36DispatchTaskList) TableName() string { return "dispatch_task_lists" }

type v36DispatchTask struct {
	ID       int64  `gorm:"primaryKey"`
	ListID   int64  `gorm:"not null;index"`
	Position int    `gorm:"not null"`
	Title    string `gorm:"size:500;not null"`
	Standard string `gorm:"type:text;not null"`
	DueOn    string `gorm:"size:10;not null"`
}

func (v36DispatchTask) TableName() string { return "dispatch_tasks" }

type v36DispatchBriefing struct {
	ID        int64 `gorm:"primaryKey"`
	ListID    int64 `gorm:"not null;index"`
	RegionID  *int64
	Text      string    `gorm:"type:text;not null"`
	AuthorID  int64     `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (v36DispatchBriefing) TableName() string { return "dispatch_briefings" }

type v36DispatchTaskReport struct {
	ID        int64     `gorm:"primaryKey"`
	TaskID    int64     `gorm:"not null;index:idx_dtr_task_user,priority:1"`
	UserID    int64     `gorm:"not null;index:idx_dtr_task_user,priority:2;index"`
	Status    string    `gorm:"size:16;not null"`
	Note      string    `gorm:"type:text;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (v36DispatchTaskReport) TableName() string { return "dispatch_task_reports" }

type v36KeyWorkList struct {
	ID          int64     `gorm:"primaryKey"`
	CreatedBy   int64     `gorm:"not null;uniqueIndex:idx_kwl_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_kwl_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	OrgUnitID   int64     `gorm:"not null;index"`
	Title       string    `gorm:"size:200;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (v36KeyWorkList) TableName() string { return "key_work_lists" }

type v36KeyWorkItem struct {
	ID                int64  `gorm:"primaryKey"`
	ListID            int64  `gorm:"not null;uniqueIndex:idx_kwi_client"`
	ClientID          string `gorm:"size:64;not null;uniqueIndex:idx_kwi_client"`
	Title             string `gorm:"size:500;not null"`
	Standard          string `gorm:"type:text;not null"`
	OwnerID           int64  `gorm:"not null;index"`
	Deadline          string `gorm:"size:10;not null"`
	Status            string `gorm:"size:16;not null;index"`
	OverdueNotifiedAt *time.Time
	CreatedBy         int64     `gorm:"not null"`
	CreatedAt         time.Time `gorm:"not null"`
	UpdatedAt         time.Time `gorm:"not null"`
}

func (v36KeyWorkItem) TableName() string { return "key_work_items" }

type v36KeyWorkChange struct {
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

func (v36KeyWorkChange) TableName() string { return "key_work_changes" }

type v36KeyWorkTickOff struct {
	ID          int64     `gorm:"primaryKey"`
	SubmittedBy int64     `gorm:"not null;uniqueIndex:idx_kwt_client"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_kwt_client"`
	PayloadHash string    `gorm:"size:64;not null"`
	ItemID      int64     `gorm:"not null;index"`
	Statement   string    `gorm:"type:text;not null"`
	Activities  string    `gorm:"size:2000;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (v36KeyWorkTickOff) TableName() string { return "key_work_tick_offs" }

type v36KeyWorkPhoto struct {
	ID          int64  `gorm:"primaryKey"`
	TickOffID   int64  `gorm:"not null;index"`
	Position    int    `gorm:"not null"`
	SHA256      string `gorm:"column:sha256;size:64;not null;index"`
	Size        int64  `gorm:"not null"`
	ContentType string `gorm:"size:32;not null"`
	TakenAt     *time.Time
}

func (v36KeyWorkPhoto) TableName() string { return "key_work_photos" }

type v36KeyWorkRuling struct {
	ID        int64     `gorm:"primaryKey"`
	TickOffID int64     `gorm:"not null;uniqueIndex"`
	DecidedBy int64     `gorm:"not null"`
	Decision  string    `gorm:"size:16;not null"`
	Comment   string    `gorm:"size:1000;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (v36KeyWorkRuling) TableName() string { return "key_work_rulings" }

func migrateTaskLists(tx *gorm.DB) error {
	return tx.Migrator().AutoMigrate(&v36DispatchTaskList{}, &v36DispatchTask{}, &v36DispatchBriefing{}, &v36DispatchTaskReport{},
		&v36KeyWorkList{}, &v36KeyWorkItem{}, &v36KeyWorkChange{}, &v36KeyWorkTickOff{}, &v36KeyWorkPhoto{}, &v36KeyWorkRuling{})
}
