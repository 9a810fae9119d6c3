package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// The summaries of R8. A summary row holds the workflow state and the
// cadre's draft, changed in place; every submission is a new version row
// and every decision a new review row, each written with its ledger leaf
// in one transaction that locks the summary row, so a summary's versions
// are numbered 1, 2, … without gaps and a version is decided once.

// SummaryKey names one summary: a cadre's of a kind and period.
type SummaryKey struct {
	UserID  int64
	Kind    models.SummaryKind
	Year    int
	Quarter int // 1–4; 0 for an annual report
}

// reviewOp is the operation that reviews summaries of kind.
func reviewOp(kind models.SummaryKind) authz.Op {
	if kind == models.SummaryAnnual {
		return authz.ReviewReports
	}
	return authz.ReviewSummaries
}

// ownSummaries refuses unless p writes summaries and userID is p itself:
// a summary is written by its cadre alone.
func ownSummaries(p *authz.Principal, userID int64) error {
	if _, err := reach(p, authz.WriteSummaries); err != nil {
		return err
	}
	if p.UserID != userID || p.IsSystem() {
		return models.E(models.CodeForbidden, "a summary is written and submitted by its cadre only")
	}
	return nil
}

// EnsureSummary returns p's summary of key, creating it as an empty draft
// when there is none. FORBIDDEN unless key is p's own.
func (s *Store) EnsureSummary(ctx context.Context, p *authz.Principal, key SummaryKey) (*models.Summary, error) {
	if err := ownSummaries(p, key.UserID); err != nil {
		return nil, err
	}
	if err := s.createSummary(ctx, key); err != nil {
		return nil, err
	}
	var sm models.Summary
	err := s.db.WithContext(ctx).Where("user_id = ? AND kind = ? AND year = ? AND quarter = ?", key.UserID, key.Kind, key.Year, key.Quarter).Take(&sm).Error
	return &sm, mapErr(err)
}

// createSummary stores an empty draft of key unless the summary exists.
// It runs on its own, before the transaction that locks the row: two
// requests creating one summary then never meet inside transactions.
func (s *Store) createSummary(ctx context.Context, key SummaryKey) error {
	sm := models.Summary{UserID: key.UserID, Kind: key.Kind, Year: key.Year, Quarter: key.Quarter, Status: models.SummaryDraft}
	return mapErr(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&sm).Error)
}

// lockSummary reads the summary of key under its row lock; NOT_FOUND when
// there is none.
func lockSummary(tx *gorm.DB, key SummaryKey) (*models.Summary, error) {
	var sm models.Summary
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("user_id = ? AND kind = ? AND year = ? AND quarter = ?", key.UserID, key.Kind, key.Year, key.Quarter).Take(&sm).Error
	if err != nil {
		return nil, notFoundOr(err, "summary of user", key.UserID)
	}
	return &sm, nil
}

// SaveSummaryDraft stores c as p's draft of key at time at, creating the
// summary when there is none. The draft of a summary waiting for review or
// accepted cannot change (CONFLICT); FORBIDDEN unless key is p's own.
func (s *Store) SaveSummaryDraft(ctx context.Context, p *authz.Principal, key SummaryKey, c models.SummaryContent, at time.Time) (*models.Summary, error) {
	if err := ownSummaries(p, key.UserID); err != nil {
		return nil, err
	}
	if err := s.createSummary(ctx, key); err != nil {
		return nil, err
	}
	var out *models.Summary
	err := s.tx(ctx, func(tx *gorm.DB) error {
		sm, err := lockSummary(tx, key)
		if err != nil {
			return err
		}
		if err := editable(sm); err != nil {
			return err
		}
		sm.Draft, sm.DraftSavedAt = c, &at
		out = sm
		return tx.Model(sm).Select("draft_body", "draft_work_done", "draft_results", "draft_experience", "draft_support",
			"draft_saved_at", "updated_at").Updates(sm).Error
	})
	return out, err
}

// editable refuses a change to a summary waiting for review or accepted.
func editable(sm *models.Summary) error {
	switch sm.Status {
	case models.SummarySubmitted:
		return models.E(models.CodeConflict, "the %s of %s was submitted (version %d) and waits for review: it cannot be changed; it can be revised once returned",
			noun(sm.Kind), sm.Period(), sm.Versions)
	case models.SummaryAccepted:
		return models.E(models.CodeConflict, "the %s of %s was accepted: it cannot be changed", noun(sm.Kind), sm.Period())
	}
	return nil
}

func noun(kind models.SummaryKind) string {
	if kind == models.SummaryAnnual {
		return "annual report"
	}
	return "summary"
}

// SummaryVersionByClientID returns cadre userID's submission sent with
// clientID, for callers that may read it; NOT_FOUND when there is none.
func (s *Store) SummaryVersionByClientID(ctx context.Context, p *authz.Principal, userID int64, clientID string) (*models.SummaryVersion, error) {
	if err := s.ownerScope(ctx, p, authz.ReadSummaries, userID); err != nil {
		return nil, err
	}
	var v models.SummaryVersion
	err := s.db.WithContext(ctx).Where("user_id = ? AND client_id = ?", userID, clientID).Take(&v).Error
	if err != nil {
		return nil, notFoundOr(err, "submission", clientID)
	}
	return &v, nil
}

// SubmitSummary stores version v of its summary with its ledger leaf,
// makes the summary SUBMITTED with v's content as its draft, and sends
// note to the summary's reviewers (the supervisors of the nearest unit
// above the cadre that has any, or the annual report's receivers), in one
// transaction. v.Number must be one more than the versions stored, or
// CONFLICT (another submission came first). Refusals: FORBIDDEN unless v
// is p's own; CONFLICT while the summary waits for review or once it is
// accepted, and for a clientId used before.
func (s *Store) SubmitSummary(ctx context.Context, p *authz.Principal, v *models.SummaryVersion, leaf models.Leaf, note models.Notification) (*models.Summary, error) {
	if err := ownSummaries(p, v.UserID); err != nil {
		return nil, err
	}
	var out *models.Summary
	err := s.tx(ctx, func(tx *gorm.DB) error {
		sm, err := lockSummary(tx, SummaryKey{UserID: v.UserID, Kind: v.Kind, Year: v.Year, Quarter: v.Quarter})
		if err != nil {
			return err
		}
		if err := editable(sm); err != nil {
			return err
		}
		if sm.ID != v.SummaryID || sm.Versions != v.Number-1 {
			return models.E(models.CodeConflict, "the %s of %s changed while it was being submitted; retry", noun(sm.Kind), sm.Period())
		}
		if err := tx.Create(v).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "clientId %q was already used for another submission", v.ClientID)
			}
			return err
		}
		ins := insertLeaves([]models.Leaf{leaf}, s.db.Config.NowFunc())
		if err := tx.Exec(ins.sql, ins.args...).Error; err != nil {
			return err
		}
		at := v.SubmittedAt
		sm.Status, sm.Versions, sm.Draft, sm.DraftSavedAt = models.SummarySubmitted, v.Number, v.Content, &at
		if err := tx.Model(sm).Select("status", "versions", "draft_body", "draft_work_done", "draft_results", "draft_experience",
			"draft_support", "draft_saved_at", "updated_at").Updates(sm).Error; err != nil {
			return err
		}
		if err := touchFacts(tx, sm.UserID); err != nil {
			return err
		}
		to, err := s.reviewersOf(tx, v.UserID, v.Kind)
		if err != nil {
			return err
		}
		out = sm
		return insertNotes(tx, fanOut(note, to))
	})
	return out, err
}

// reviewersOf returns the users who review cadre userID's summaries of
// kind: for an annual report every receiver whose unit is the cadre's or
// above it; for a quarterly summary the supervisors of the nearest such
// unit that has any. Disabled accounts are left out.
func (s *Store) reviewersOf(tx *gorm.DB, userID int64, kind models.SummaryKind) ([]int64, error) {
	var path string
	err := tx.Raw("SELECT o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = ?", userID).Row().Scan(&path)
	if err != nil {
		return nil, mapErr(err)
	}
	var units []int64
	depth := map[int64]int{}
	for i, part := range strings.Split(strings.Trim(path, "/"), "/") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "malformed org-unit path")
		}
		units, depth[id] = append(units, id), i
	}
	type row struct {
		ID        int64
		OrgUnitID int64
	}
	var rows []row
	q := tx.Table("users").Select("users.id, users.org_unit_id").Where("users.disabled = ? AND users.org_unit_id IN ?", false, units)
	if kind == models.SummaryAnnual {
		q = q.Joins("JOIN report_receivers rr ON rr.user_id = users.id")
	} else {
		q = q.Where("users.role = ?", models.RoleSupervisor)
	}
	if err := q.Order("users.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	deepest := -1
	for _, r := range rows {
		deepest = max(deepest, depth[r.OrgUnitID])
	}
	var out []int64
	for _, r := range rows {
		if kind == models.SummaryAnnual || depth[r.OrgUnitID] == deepest {
			out = append(out, r.ID)
		}
	}
	return out, nil
}

// fanOut copies note to each user.
func fanOut(note models.Notification, users []int64) []*models.Notification {
	out := make([]*models.Notification, len(users))
	for i, u := range users {
		n := note
		n.UserID = u
		out[i] = &n
	}
	return out
}

// ReviewSummary records decision r on the version it names — the latest
// version of a SUBMITTED summary — with its ledger leaf, moves the summary
// to ACCEPTED or RETURNED and sends note to the cadre, in one transaction.
// A resend of a decision already stored (same reviewer, decision and
// comment) returns it with replayed set. Refusals: FORBIDDEN outside p's
// reach (supervisors: the cadre's subtree; an annual report: only a
// receiver an administrator named) and for one's own summary; NOT_FOUND
// for an unknown summary; CONFLICT when the summary does not wait for
// review or the version was decided otherwise.
func (s *Store) ReviewSummary(ctx context.Context, p *authz.Principal, r *models.SummaryReview, leaf models.Leaf, note models.Notification) (sm *models.Summary, replayed bool, err error) {
	var head models.Summary
	if err := s.db.WithContext(ctx).First(&head, r.SummaryID).Error; err != nil {
		return nil, false, notFoundOr(err, "summary", r.SummaryID)
	}
	if err := s.CanReview(ctx, p, &head); err != nil {
		return nil, false, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		locked, err := lockSummary(tx, SummaryKey{UserID: head.UserID, Kind: head.Kind, Year: head.Year, Quarter: head.Quarter})
		if err != nil {
			return err
		}
		var prior models.SummaryReview
		switch err := tx.Where("version_id = ?", r.VersionID).Take(&prior).Error; {
		case err == nil:
			if prior.ReviewerID == r.ReviewerID && prior.Decision == r.Decision && prior.Comment == r.Comment {
				*r, sm, replayed = prior, locked, true
				return nil
			}
			return models.E(models.CodeConflict, "version %d of the %s of %s was decided already (%s)", locked.Versions, noun(locked.Kind), locked.Period(), prior.Decision)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		var latest int64
		if err := tx.Raw("SELECT id FROM summary_versions WHERE summary_id = ? AND number = ?", locked.ID, locked.Versions).Row().Scan(&latest); err != nil {
			return notFoundOr(err, "version of summary", locked.ID)
		}
		if locked.Status != models.SummarySubmitted || latest != r.VersionID {
			return models.E(models.CodeConflict, "the %s of %s is %s: only a submitted version waiting for review is decided", noun(locked.Kind), locked.Period(), locked.Status)
		}
		if err := tx.Create(r).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "the version was decided by another reviewer just now")
			}
			return err
		}
		ins := insertLeaves([]models.Leaf{leaf}, s.db.Config.NowFunc())
		if err := tx.Exec(ins.sql, ins.args...).Error; err != nil {
			return err
		}
		locked.Status = models.SummaryReturned
		if r.Decision == models.SummaryAccept {
			locked.Status = models.SummaryAccepted
		}
		if err := tx.Model(locked).Select("status", "updated_at").Updates(locked).Error; err != nil {
			return err
		}
		if err := touchFacts(tx, locked.UserID); err != nil {
			return err
		}
		sm = locked
		note.UserID = locked.UserID
		return insertNotes(tx, []*models.Notification{&note})
	})
	return sm, replayed, err
}

// CanReview refuses (FORBIDDEN) unless p may decide on sm: a supervisor of
// the cadre's subtree, never the cadre itself; for an annual report only a
// receiver an administrator named.
func (s *Store) CanReview(ctx context.Context, p *authz.Principal, sm *models.Summary) error {
	op := reviewOp(sm.Kind)
	if _, err := reach(p, op); err != nil {
		return err
	}
	if sm.UserID == p.UserID {
		return models.E(models.CodeForbidden, "nobody reviews their own %s", noun(sm.Kind))
	}
	db := s.db.WithContext(ctx)
	var owner models.User
	if err := db.Select("org_unit_id").First(&owner, sm.UserID).Error; err != nil {
		return mapErr(err)
	}
	if err := s.checkUnit(db, p, op, owner.OrgUnitID); err != nil {
		return err
	}
	if sm.Kind != models.SummaryAnnual || p.IsSystem() {
		return nil
	}
	var n int64
	if err := db.Model(&models.ReportReceiver{}).Where("user_id = ?", p.UserID).Count(&n).Error; err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return models.E(models.CodeForbidden, "annual reports are received by the secretaries' team (书记班子): an administrator names its members")
	}
	return nil
}
