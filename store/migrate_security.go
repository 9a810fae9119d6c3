package store

import (
	"time"

	"gorm.io/gorm"
)

// Steps 5 and 6: account security. Frozen structs, as the baseline's: never
// edit them; a later change is a later step.

// v5User is the columns step 5 adds to users.
type v5User struct {
	AuthVersion        int64      `gorm:"not null;default:0"`
	AuthChangedAt      *time.Time `gorm:"index:idx_users_auth_changed"`
	MustChangePassword bool       `gorm:"not null;default:false"`
	PasswordChangedAt  *time.Time
	LoginGeneration    int64 `gorm:"not null;default:0"`
}

func (v5User) TableName() string { return "users" }

// v5RefreshToken is the columns step 5 adds to refresh_tokens.
type v5RefreshToken struct {
	SessionExpiresAt *time.Time
	IdleSeconds      int64  `gorm:"not null;default:0"`
	RevokeReason     string `gorm:"size:32;not null;default:''"`
}

func (v5RefreshToken) TableName() string { return "refresh_tokens" }

// migrateAccountSecurity is step 5: the auth version and password flags of
// users, and the session policy of refresh tokens.
func migrateAccountSecurity(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, c := range []string{"AuthVersion", "AuthChangedAt", "MustChangePassword", "PasswordChangedAt", "LoginGeneration"} {
		if !m.HasColumn(&v5User{}, c) {
			if err := m.AddColumn(&v5User{}, c); err != nil {
				return err
			}
		}
	}
	if !m.HasIndex(&v5User{}, "idx_users_auth_changed") {
		if err := m.CreateIndex(&v5User{}, "idx_users_auth_changed"); err != nil {
			return err
		}
	}
	for _, c := range []string{"SessionExpiresAt", "IdleSeconds", "RevokeReason"} {
		if !m.HasColumn(&v5RefreshToken{}, c) {
			if err := m.AddColumn(&v5RefreshToken{}, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// v6AuditEntry is the security audit log as step 6 creates it.
type v6AuditEntry struct {
	ID         int64     `gorm:"primaryKey"`
	Seq        int64     `gorm:"not null;uniqueIndex"`
	At         time.Time `gorm:"not null;index"`
	ActorID    *int64    `gorm:"index"`
	Actor      string    `gorm:"size:128;not null"`
	ActorRole  string    `gorm:"size:32;not null"`
	ClientAddr string    `gorm:"size:64;not null"`
	Action     string    `gorm:"size:64;not null;index"`
	TargetType string    `gorm:"size:32;not null"`
	TargetID   string    `gorm:"size:64;not null"`
	Detail     string    `gorm:"size:1000;not null"`
	Outcome    string    `gorm:"size:16;not null"`
	PrevHash   string    `gorm:"size:64;not null"`
	Hash       string    `gorm:"size:64;not null"`
}

func (v6AuditEntry) TableName() string { return "security_audit" }

// v6AuditHead is the audit chain's head: one row (id 1) holding the last
// sequence number and hash, locked by every append so that appends form
// one chain; and where retention cut the chain, the last pruned entry's
// sequence number and hash, from which the verifier starts.
type v6AuditHead struct {
	ID         int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq        int64  `gorm:"not null"`
	Hash       string `gorm:"size:64;not null"`
	PrunedSeq  int64  `gorm:"not null"`
	PrunedHash string `gorm:"size:64;not null"`
}

func (v6AuditHead) TableName() string { return "security_audit_head" }

// migrateAuditLog is step 6: the security audit log and its chain head.
func migrateAuditLog(tx *gorm.DB) error {
	if err := tx.Migrator().AutoMigrate(&v6AuditEntry{}, &v6AuditHead{}); err != nil {
		return err
	}
	genesis := "0000000000000000000000000000000000000000000000000000000000000000"
	return tx.Where(v6AuditHead{ID: 1}).FirstOrCreate(&v6AuditHead{ID: 1, Hash: genesis, PrunedHash: genesis}).Error
}
