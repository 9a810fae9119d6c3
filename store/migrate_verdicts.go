package store

import "gorm.io/gorm"

// Step 61, frozen like the baseline: never edit.

type v61User struct {
	ID           int64 `gorm:"primaryKey"`
	FactsVersion int64 `gorm:"not null;default:0"`
}

func (v61User) TableName() string { return "users" }

type v61StoredVerdict struct {
	UserID       int64  `gorm:"primaryKey;autoIncrement:false"`
	Year         int    `gorm:"primaryKey;autoIncrement:false"`
	Quarter      int    `gorm:"primaryKey;autoIncrement:false"`
	FactsVersion int64  `gorm:"not null"`
	Basis        string `gorm:"size:200;not null"`
	Brief        string `gorm:"type:text;not null"`
	Results      string `gorm:"type:text;not null"`
}

func (v61StoredVerdict) TableName() string { return "stored_verdicts" }

// migrateStoredVerdicts is step 61: the cadres' facts versions and the
// verdicts stored for reports.
func migrateStoredVerdicts(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&v61User{}, "FactsVersion"); err != nil {
		return err
	}
	return tx.Migrator().AutoMigrate(&v61StoredVerdict{})
}
