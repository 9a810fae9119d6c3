package store

import (
	"context"
	"strconv"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// summaryQuery returns the summaries p may read (authz.ReadSummaries: a
// cadre its own, supervisors their subtree's, the discipline group and
// admins all).
func (s *Store) summaryQuery(ctx context.Context, p *authz.Principal) (*gorm.DB, error) {
	scope, err := s.userScope(ctx, p, authz.ReadSummaries)
	if err != nil {
		return nil, err
	}
	return s.db.WithContext(ctx).Model(&models.Summary{}).
		Where("summaries.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope)), nil
}

// Summary returns the summary of key, for callers that may read the
// cadre's summaries; NOT_FOUND when there is none or it is out of reach.
func (s *Store) Summary(ctx context.Context, p *authz.Principal, key SummaryKey) (*models.Summary, error) {
	q, err := s.summaryQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	var sm models.Summary
	err = q.Where("summaries.user_id = ? AND summaries.kind = ? AND summaries.year = ? AND summaries.quarter = ?",
		key.UserID, key.Kind, key.Year, key.Quarter).Take(&sm).Error
	if err != nil {
		return nil, notFoundOr(err, "summary "+models.PeriodName(key.Year, key.Quarter)+" of user", key.UserID)
	}
	return &sm, nil
}

// SummaryByID returns summary id, for callers that may read it; NOT_FOUND
// otherwise.
func (s *Store) SummaryByID(ctx context.Context, p *authz.Principal, id int64) (*models.Summary, error) {
	q, err := s.summaryQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	var sm models.Summary
	if err := q.Where("summaries.id = ?", id).Take(&sm).Error; err != nil {
		return nil, notFoundOr(err, "summary", id)
	}
	return &sm, nil
}

// SummaryVersions loads the versions of summaries p may read (a
// data-loader batch), by summary id, oldest first.
func (s *Store) SummaryVersions(ctx context.Context, p *authz.Principal, summaryIDs []int64) (map[int64][]*models.SummaryVersion, error) {
	q, err := s.summaryQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	var rows []*models.SummaryVersion
	err = s.db.WithContext(ctx).Where("summary_id IN ? AND summary_id IN (?)", summaryIDs, q.Select("summaries.id")).
		Order("summary_id, number").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := make(map[int64][]*models.SummaryVersion, len(summaryIDs))
	for _, v := range rows {
		out[v.SummaryID] = append(out[v.SummaryID], v)
	}
	return out, nil
}

// SummaryReviews loads the decisions on versions p may read (a data-loader
// batch), by version id.
func (s *Store) SummaryReviews(ctx context.Context, p *authz.Principal, versionIDs []int64) (map[int64]*models.SummaryReview, error) {
	q, err := s.summaryQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	var rows []*models.SummaryReview
	err = s.db.WithContext(ctx).Where("version_id IN ? AND summary_id IN (?)", versionIDs, q.Select("summaries.id")).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.SummaryReview) int64 { return r.VersionID }), nil
}

// SummaryFilter narrows ListSummaries and MissingSummaries.
type SummaryFilter struct {
	OrgUnitID int64 // the unit whose subtree's cadres are listed
	Kind      models.SummaryKind
	Year      int
	Quarter   int                   // 0 for annual reports
	Status    *models.SummaryStatus // ListSummaries only
}

// subtreeUsers restricts q (on users) to the subtree of unit unitID;
// NOT_FOUND for an unknown unit.
func (s *Store) subtreeUsers(ctx context.Context, q *gorm.DB, unitID int64) (*gorm.DB, error) {
	var unit models.OrgUnit
	if err := s.db.WithContext(ctx).Select("path").First(&unit, unitID).Error; err != nil {
		return nil, notFoundOr(err, "org unit", unitID)
	}
	return q.Where("users.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path))), nil
}

// ListSummaries pages through the summaries of f's period of the cadres
// in f's unit's subtree that p may read.
func (s *Store) ListSummaries(ctx context.Context, p *authz.Principal, f SummaryFilter, page Page) ([]*models.Summary, PageInfo, error) {
	q, err := s.summaryQuery(ctx, p)
	if err != nil {
		return nil, PageInfo{}, err
	}
	users, err := s.subtreeUsers(ctx, s.db.Model(&models.User{}).Select("users.id"), f.OrgUnitID)
	if err != nil {
		return nil, PageInfo{}, err
	}
	q = q.Where("summaries.user_id IN (?) AND summaries.kind = ? AND summaries.year = ? AND summaries.quarter = ?",
		users, f.Kind, f.Year, f.Quarter)
	if f.Status != nil {
		q = q.Where("summaries.status = ?", *f.Status)
	}
	return list(q, "summaries", page, func(r *models.Summary) int64 { return r.ID })
}

// missing returns the cadres expected to submit f's summary who have not:
// enabled cadres with a DISPATCH assignment overlapping [first, last] (the
// period) and no submitted version for it.
func (s *Store) missing(q *gorm.DB, f SummaryFilter, first, last string) *gorm.DB {
	return q.Where("users.role = ? AND users.disabled = ?", models.RoleCadre, false).
		Where("EXISTS (SELECT 1 FROM assignments a WHERE a.user_id = users.id AND a.purpose = ? AND (a.valid_to = '' OR a.valid_to >= ?) AND a.valid_from <= ?)",
			models.PurposeDispatch, first, last).
		Where("NOT EXISTS (SELECT 1 FROM summaries sm WHERE sm.user_id = users.id AND sm.kind = ? AND sm.year = ? AND sm.quarter = ? AND sm.versions > 0)",
			f.Kind, f.Year, f.Quarter)
}

// MissingSummaries pages through the cadres of f's unit's subtree that p
// may read summaries of who were dispatched in the period [first, last]
// and have submitted nothing for it.
func (s *Store) MissingSummaries(ctx context.Context, p *authz.Principal, f SummaryFilter, first, last string, page Page) ([]*models.User, PageInfo, error) {
	scope, err := s.userScope(ctx, p, authz.ReadSummaries)
	if err != nil {
		return nil, PageInfo{}, err
	}
	q, err := s.subtreeUsers(ctx, s.db.WithContext(ctx).Model(&models.User{}).Scopes(scope), f.OrgUnitID)
	if err != nil {
		return nil, PageInfo{}, err
	}
	return list(s.missing(q, f, first, last), "users", page, func(u *models.User) int64 { return u.ID })
}

// RemindMissing sends note, under dedupe key key, to up to limit cadres
// with ids above after who are expected to submit f's summary (every unit)
// and have not, and returns the last id it looked at (0 when there was
// none left). Each batch is one statement: a batch is sent whole or not at
// all, and one sent before is skipped, so a run stopped midway is finished
// by the next. The server's own work: FORBIDDEN for users.
func (s *Store) RemindMissing(ctx context.Context, p *authz.Principal, f SummaryFilter, first, last string, note models.Notification, key string, after int64, limit int) (int64, error) {
	if !p.IsSystem() {
		return 0, models.E(models.CodeForbidden, "only the server sends reminders")
	}
	var ids []int64
	q := s.missing(s.db.WithContext(ctx).Model(&models.User{}), f, first, last).Where("users.id > ?", after)
	if err := q.Order("users.id").Limit(limit).Pluck("users.id", &ids).Error; err != nil {
		return 0, mapErr(err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	notes := fanOut(note, ids)
	for _, n := range notes {
		n.DedupeKey = &key
	}
	if _, err := s.AddNotifications(ctx, p, notes); err != nil {
		return 0, err
	}
	return ids[len(ids)-1], nil
}

// SetReportReceiver marks user userID a receiver of annual reports (a
// member of the secretaries' team), or unmarks it, and records the change
// in the security audit log. Administrators only (authz.SetReceivers);
// INVALID for a user who is not a supervisor (only supervisors review);
// NOT_FOUND for an unknown user.
func (s *Store) SetReportReceiver(ctx context.Context, p *authz.Principal, userID int64, receives bool) error {
	if _, err := reach(p, authz.SetReceivers); err != nil {
		return err
	}
	var u models.User
	if err := s.db.WithContext(ctx).First(&u, userID).Error; err != nil {
		return notFoundOr(err, "user", userID)
	}
	if receives && u.Role != models.RoleSupervisor {
		return models.E(models.CodeInvalid, "%s is a %s: only supervisors receive annual reports", u.Username, u.Role)
	}
	return s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		var err error
		if receives {
			err = tx.Exec(s.ignore()+" INTO report_receivers (user_id, set_by, set_at) VALUES (?, ?, ?)", userID, p.UserID, s.now().UTC()).Error
		} else {
			err = tx.Exec("DELETE FROM report_receivers WHERE user_id = ?", userID).Error
		}
		if err != nil {
			return err
		}
		return record(AuditEvent{Action: models.AuditUserUpdate, TargetType: "user", TargetID: strconv.FormatInt(userID, 10),
			Detail: "receives annual reports (书记班子): " + strconv.FormatBool(receives), Outcome: models.AuditSuccess})
	})
}

// ignore is INSERT that skips a row whose key is stored already.
func (s *Store) ignore() string {
	if s.driver == DriverMySQL {
		return "INSERT IGNORE"
	}
	return "INSERT OR IGNORE"
}

// ReportReceivers returns the receivers of annual reports whose accounts p
// may read, by id.
func (s *Store) ReportReceivers(ctx context.Context, p *authz.Principal) ([]*models.User, error) {
	scope, err := s.userScope(ctx, p, authz.ReadUsers)
	if err != nil {
		return nil, err
	}
	var rows []*models.User
	err = s.db.WithContext(ctx).Scopes(scope).Where("users.id IN (SELECT user_id FROM report_receivers)").Order("users.id").Find(&rows).Error
	return rows, mapErr(err)
}
