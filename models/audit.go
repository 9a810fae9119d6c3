package models

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// AuditAction names what a security audit entry records.
type AuditAction string

// The actions of the security audit log. Features that export data or reveal
// contact details record AuditExport and AuditContactReveal through the same
// store call as the others.
const (
	AuditLoginSuccess     AuditAction = "login.success"
	AuditLoginFailure     AuditAction = "login.failure"
	AuditLoginLockout     AuditAction = "login.lockout" // an account+address pair or an address was locked out
	AuditLogout           AuditAction = "session.logout"
	AuditLogoutEverywhere AuditAction = "session.logoutEverywhere"
	AuditTokenReuse       AuditAction = "session.tokenReuse" // a spent refresh token came back: its session was revoked
	AuditPasswordChange   AuditAction = "password.change"
	AuditPasswordReset    AuditAction = "password.reset"
	AuditUserCreate       AuditAction = "user.create"
	AuditUserUpdate       AuditAction = "user.update" // role, unit, disabled and other account fields
	AuditAccountUnlock    AuditAction = "user.unlock"
	AuditDeviceApprove    AuditAction = "device.approve"
	AuditAdminCreate      AuditAction = "admin.create" // an administrator created by the server at first start or by command
	AuditPolicyChange     AuditAction = "policy.change"
	AuditKeyChange        AuditAction = "key.change"
	AuditExport           AuditAction = "data.export"
	AuditContactReveal    AuditAction = "contact.reveal"
	AuditRetentionPrune   AuditAction = "audit.prune"
)

// AuditOutcome is how the audited action ended.
type AuditOutcome string

// Outcomes.
const (
	AuditSuccess AuditOutcome = "SUCCESS"
	AuditFailure AuditOutcome = "FAILURE" // wrong credentials, refused input
	AuditDenied  AuditOutcome = "DENIED"  // refused by a limit or by authorization
)

// AuditEntry is one row of the security audit log: who (actor), when (At),
// from where (ClientAddr), what (Action on Target, with Detail) and how it
// ended (Outcome). Entries are only appended; each carries the hash of the
// one before it (PrevHash) and its own (Hash, see ChainHash), so editing,
// inserting or deleting a row inside the chain breaks it.
type AuditEntry struct {
	ID         int64        `gorm:"primaryKey"`
	Seq        int64        `gorm:"not null;uniqueIndex"` // position in the chain, from 1, without gaps
	At         time.Time    `gorm:"not null;index"`       // millisecond precision: what every database keeps
	ActorID    *int64       `gorm:"index"`                // nil for the server itself and for unknown usernames
	Actor      string       `gorm:"size:128;not null"`    // the username (as typed, for a failed login), or system:…
	ActorRole  string       `gorm:"size:32;not null"`
	ClientAddr string       `gorm:"size:64;not null"`
	Action     AuditAction  `gorm:"size:64;not null;index"`
	TargetType string       `gorm:"size:32;not null"`
	TargetID   string       `gorm:"size:64;not null"`
	Detail     string       `gorm:"size:1000;not null"`
	Outcome    AuditOutcome `gorm:"size:16;not null"`
	PrevHash   string       `gorm:"size:64;not null"`
	Hash       string       `gorm:"size:64;not null"`
}

// TableName is the audit log's table.
func (AuditEntry) TableName() string { return "security_audit" }

// AuditGenesis is the PrevHash of the first entry of a chain.
const AuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ChainHash returns the hex SHA-256 of the entry's fields and PrevHash: every
// field but ID and Hash, each length-prefixed so that no two entries encode
// alike. At counts in milliseconds since the epoch. It cannot fail.
func (e *AuditEntry) ChainHash() string {
	actor := ""
	if e.ActorID != nil {
		actor = strconv.FormatInt(*e.ActorID, 10)
	}
	fields := []string{"onsite-audit-v1", e.PrevHash, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.At.UnixMilli(), 10),
		actor, e.Actor, e.ActorRole, e.ClientAddr, string(e.Action), e.TargetType, e.TargetID, e.Detail, string(e.Outcome)}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
