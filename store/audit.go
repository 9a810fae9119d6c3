package store

import (
	"context"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// MinAuditRetention is the shortest time a security audit entry is kept
// (Cybersecurity Law art. 21: network logs at least six months).
const MinAuditRetention = 180 * 24 * time.Hour

// auditHead is the chain head row (see v6AuditHead).
type auditHead struct {
	ID         int64 `gorm:"primaryKey;autoIncrement:false"`
	Seq        int64
	Hash       string
	PrunedSeq  int64
	PrunedHash string
}

func (auditHead) TableName() string { return "security_audit_head" }

// AuditEvent is what a caller records: the store fills in who from the
// principal, when from its clock, and the chain.
type AuditEvent struct {
	Action     models.AuditAction
	TargetType string // "user", "device", "session", "audit", …; "" when none
	TargetID   string
	Detail     string // what changed, in a few words; cut to 1000 bytes
	Outcome    models.AuditOutcome
}

// auditEntry builds the entry of ev done by p (nil: an unknown caller, as
// a failed login of an unknown name, named by actorName).
func auditEntry(p *authz.Principal, actorName, addr string, ev AuditEvent) models.AuditEntry {
	e := models.AuditEntry{Actor: actorName, ClientAddr: addr, Action: ev.Action, TargetType: ev.TargetType,
		TargetID: ev.TargetID, Detail: cut(ev.Detail, 1000), Outcome: ev.Outcome}
	if p != nil {
		e.Actor, e.ActorRole = p.Username, string(p.Role)
		if p.UserID > 0 {
			id := p.UserID
			e.ActorID = &id
		}
		if addr == "" {
			e.ClientAddr = p.ClientAddr
		}
	}
	e.Actor, e.ClientAddr = cut(e.Actor, 128), cut(e.ClientAddr, 64)
	return e
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Audit appends ev, done by p, to the security audit log in a transaction
// of its own, and writes it to the structured log. p may be nil for a caller
// who is not signed in (a failed login): actorName and addr then say who
// claimed to be whom, and from where. Recording is the server's own work:
// no authorization applies. It fails with UNAVAILABLE when the database does.
func (s *Store) Audit(ctx context.Context, p *authz.Principal, actorName, addr string, ev AuditEvent) error {
	e := auditEntry(p, actorName, addr, ev)
	err := s.tx(ctx, func(tx *gorm.DB) error { return s.appendAudit(tx, &e) })
	if err == nil {
		s.logAudit(e)
	}
	return err
}

// auditedTx runs fn in a transaction in which record appends audit entries
// done by p; the entries are written to the structured log once the
// transaction commits.
func (s *Store) auditedTx(ctx context.Context, p *authz.Principal, fn func(tx *gorm.DB, record func(AuditEvent) error) error) error {
	var done []models.AuditEntry
	err := s.tx(ctx, func(tx *gorm.DB) error {
		done = done[:0]
		return fn(tx, func(ev AuditEvent) error {
			e := auditEntry(p, "", "", ev)
			if err := s.appendAudit(tx, &e); err != nil {
				return err
			}
			done = append(done, e)
			return nil
		})
	})
	if err == nil {
		for _, e := range done {
			s.logAudit(e)
		}
	}
	return err
}

// appendAudit links e to the chain inside tx: it locks the head row, so
// appends are serialised, numbers e after it and stores both.
func (s *Store) appendAudit(tx *gorm.DB, e *models.AuditEntry) error {
	var head auditHead
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&head, 1).Error; err != nil {
		return err
	}
	e.ID = 0
	e.Seq, e.PrevHash = head.Seq+1, head.Hash
	e.At = s.now().UTC().Truncate(time.Millisecond)
	e.Hash = e.ChainHash()
	if err := tx.Create(e).Error; err != nil {
		return err
	}
	return tx.Model(&auditHead{}).Where("id = 1").Updates(map[string]any{"seq": e.Seq, "hash": e.Hash}).Error
}

// Logger returns the structured log the store writes to; services log
// through it what they cannot report to the caller.
func (s *Store) Logger() *slog.Logger { return s.log }

// logAudit writes a committed entry to the structured log.
func (s *Store) logAudit(e models.AuditEntry) {
	actorID := int64(0)
	if e.ActorID != nil {
		actorID = *e.ActorID
	}
	s.log.Info("security audit", "audit_seq", e.Seq, "action", string(e.Action), "outcome", string(e.Outcome),
		"actor", e.Actor, "actor_id", actorID, "actor_role", e.ActorRole, "client_addr", e.ClientAddr,
		"target_type", e.TargetType, "target_id", e.TargetID, "detail", e.Detail, "at", e.At, "hash", e.Hash)
}

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	ActorID  *int64
	Actor    string // the actor's name as recorded (exact)
	Action   string // an action, or a prefix ending in "." such as "login."
	From, To *time.Time
}

// ListAudit pages through the security audit log, newest first, for the
// audit administrator (authz.ReadAudit; FORBIDDEN otherwise).
func (s *Store) ListAudit(ctx context.Context, p *authz.Principal, f AuditFilter, page Page) ([]*models.AuditEntry, PageInfo, error) {
	if _, err := reach(p, authz.ReadAudit); err != nil {
		return nil, PageInfo{}, err
	}
	n := page.First
	if n == 0 {
		n = DefaultPageSize
	}
	if n < 1 || n > MaxPageSize {
		return nil, PageInfo{}, models.E(models.CodeInvalid, "first must be between 1 and %d", MaxPageSize)
	}
	q := s.db.WithContext(ctx).Model(&models.AuditEntry{})
	if page.After != "" {
		id, err := parseCursor(page.After)
		if err != nil {
			return nil, PageInfo{}, err
		}
		q = q.Where("id < ?", id)
	}
	if f.ActorID != nil {
		q = q.Where("actor_id = ?", *f.ActorID)
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	switch {
	case f.Action != "" && f.Action[len(f.Action)-1] == '.':
		q = q.Where("action LIKE ?", f.Action+"%")
	case f.Action != "":
		q = q.Where("action = ?", f.Action)
	}
	if f.From != nil {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("at < ?", f.To.UTC())
	}
	var rows []*models.AuditEntry
	if err := q.Order("id DESC").Limit(n + 1).Find(&rows).Error; err != nil {
		return nil, PageInfo{}, mapErr(err)
	}
	rows, info := trim(rows, n, func(e *models.AuditEntry) int64 { return e.ID })
	return rows, info, nil
}

// AuditVerification is the result of walking the audit chain.
type AuditVerification struct {
	OK       bool
	Checked  int64  // entries whose hash and link were checked
	FirstSeq int64  // the oldest entry kept (retention removed those before it); 0 when empty
	LastSeq  int64  // the head's sequence number
	BrokenAt int64  // the sequence number where the chain first fails; 0 when OK
	Problem  string // what failed there
}

// VerifyAudit walks the whole audit chain from the last pruned entry to
// the head and reports the first entry that does not link: a hash that is
// not its fields' (an edited row), a PrevHash that is not its
// predecessor's, a gap in the sequence (a deleted row), or a head that
// does not match the last entry (a truncated tail). For the audit
// administrator and the server (authz.ReadAudit).
func (s *Store) VerifyAudit(ctx context.Context, p *authz.Principal) (*AuditVerification, error) {
	if _, err := reach(p, authz.ReadAudit); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	var head auditHead
	if err := db.First(&head, 1).Error; err != nil {
		return nil, mapErr(err)
	}
	v := &AuditVerification{OK: true, LastSeq: head.Seq}
	prevSeq, prevHash := head.PrunedSeq, head.PrunedHash
	broken := func(seq int64, problem string) (*AuditVerification, error) {
		v.OK, v.BrokenAt, v.Problem = false, seq, problem
		return v, nil
	}
	const batch = 1000
	for {
		var rows []*models.AuditEntry
		if err := db.Where("seq > ?", prevSeq).Order("seq").Limit(batch).Find(&rows).Error; err != nil {
			return nil, mapErr(err)
		}
		for _, e := range rows {
			if v.FirstSeq == 0 {
				v.FirstSeq = e.Seq
			}
			switch {
			case e.Seq != prevSeq+1:
				return broken(prevSeq+1, "entry "+strconv.FormatInt(prevSeq+1, 10)+" is missing")
			case e.PrevHash != prevHash:
				return broken(e.Seq, "its previous hash does not match the entry before it")
			case e.ChainHash() != e.Hash:
				return broken(e.Seq, "its fields do not match its hash: the entry was changed")
			}
			prevSeq, prevHash = e.Seq, e.Hash
			v.Checked++
		}
		if len(rows) < batch {
			break
		}
	}
	if prevSeq != head.Seq || prevHash != head.Hash {
		return broken(prevSeq+1, "the log ends before the chain's head: entries were removed")
	}
	return v, nil
}

// PruneAudit deletes the oldest audit entries older than keep (at least
// MinAuditRetention; a shorter keep is INVALID): the longest prefix of the
// chain whose entries are all older than now−keep, so no younger entry is
// ever removed, whatever the clocks of the servers that wrote them. The
// head remembers the last removed entry, so the rest still verifies; the
// pruning itself is audited. The server only (a user is FORBIDDEN). It
// returns how many entries were removed.
func (s *Store) PruneAudit(ctx context.Context, p *authz.Principal, keep time.Duration) (int64, error) {
	if !p.IsSystem() {
		return 0, models.E(models.CodeForbidden, "only the server prunes the audit log")
	}
	if keep < MinAuditRetention {
		return 0, models.E(models.CodeInvalid, "audit entries are kept at least %v", MinAuditRetention)
	}
	cutoff := s.now().UTC().Add(-keep)
	var removed int64
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		var head auditHead
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&head, 1).Error; err != nil {
			return err
		}
		var young struct{ Seq *int64 }
		if err := tx.Model(&models.AuditEntry{}).Select("MIN(seq) AS seq").Where("at >= ?", cutoff).Scan(&young).Error; err != nil {
			return err
		}
		limit := head.Seq + 1 // no young entry: every entry is old
		if young.Seq != nil {
			limit = *young.Seq
		}
		var last models.AuditEntry
		err := tx.Where("seq < ?", limit).Order("seq DESC").Limit(1).Find(&last).Error
		if err != nil || last.ID == 0 {
			return err
		}
		res := tx.Where("seq <= ?", last.Seq).Delete(&models.AuditEntry{})
		if res.Error != nil {
			return res.Error
		}
		removed = res.RowsAffected
		if err := tx.Model(&auditHead{}).Where("id = 1").Updates(map[string]any{"pruned_seq": last.Seq, "pruned_hash": last.Hash}).Error; err != nil {
			return err
		}
		return record(AuditEvent{Action: models.AuditRetentionPrune, TargetType: "audit", TargetID: strconv.FormatInt(last.Seq, 10),
			Detail: "removed " + strconv.FormatInt(removed, 10) + " entries older than " + cutoff.Format(time.RFC3339), Outcome: models.AuditSuccess})
	})
	return removed, err
}
