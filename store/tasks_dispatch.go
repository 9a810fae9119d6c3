package store

import (
	"context"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// Task lists belong to org units. A list is read by the cadres and
// supervisors of its unit and of the units below it (the cadres it is
// addressed to, and their supervisors), by supervisors of the units above
// it, and by the discipline group and admins; a progress report is the
// reporter's own record (ReadTasks' reach over users).

// ancestry returns the ids of the units on a materialized path "/1/4/9/":
// the unit and every unit above it.
func ancestry(path string) []int64 {
	var out []int64
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// listScope restricts a query on a table of lists, whose org unit column
// is column, to those p may read.
func (s *Store) listScope(ctx context.Context, p *authz.Principal, column string) (func(*gorm.DB) *gorm.DB, error) {
	r, err := reach(p, authz.ReadTasks)
	if err != nil {
		return nil, err
	}
	if r == authz.All {
		return func(db *gorm.DB) *gorm.DB { return db }, nil
	}
	prefix, err := s.subtreePrefix(s.db.WithContext(ctx), p)
	if err != nil {
		return nil, err
	}
	above := ancestry(prefix)
	if r == authz.Self {
		return func(db *gorm.DB) *gorm.DB { return db.Where(column+" IN ?", above) }, nil
	}
	return func(db *gorm.DB) *gorm.DB {
		return db.Where("("+column+" IN ? OR "+column+" IN (?))", above,
			s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(prefix)))
	}, nil
}

// NewDispatchList is a dispatch task list to issue: its tasks in order,
// and the first briefing (nil when none).
type NewDispatchList struct {
	List     *models.DispatchTaskList
	Tasks    []*models.DispatchTask
	Briefing *models.DispatchBriefing
}

// IssueDispatchList stores a list with its tasks and briefing for p, who
// must reach its unit with WriteTasks (FORBIDDEN otherwise; NOT_FOUND for
// an unknown unit). When p already issued a list under its client id it
// stores nothing and returns that list and true: CONFLICT when it has
// another payload.
func (s *Store) IssueDispatchList(ctx context.Context, p *authz.Principal, n NewDispatchList) (*models.DispatchTaskList, bool, error) {
	db := s.db.WithContext(ctx)
	if err := s.checkUnit(db, p, authz.WriteTasks, n.List.OrgUnitID); err != nil {
		return nil, false, err
	}
	var prior models.DispatchTaskList
	if err := db.Where("issued_by = ? AND client_id = ?", p.UserID, n.List.ClientID).Limit(1).Find(&prior).Error; err != nil {
		return nil, false, mapErr(err)
	}
	if prior.ID != 0 {
		if prior.PayloadHash != n.List.PayloadHash {
			return nil, false, models.E(models.CodeConflict, "clientId %q was already used for another list", n.List.ClientID)
		}
		return &prior, true, nil
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		n.List.IssuedBy = p.UserID
		if err := tx.Create(n.List).Error; err != nil {
			return err
		}
		for _, t := range n.Tasks {
			t.ListID = n.List.ID
		}
		if err := tx.Create(&n.Tasks).Error; err != nil {
			return err
		}
		if n.Briefing != nil {
			n.Briefing.ListID, n.Briefing.AuthorID = n.List.ID, p.UserID
			return tx.Create(n.Briefing).Error
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return n.List, false, nil
}

// writableList reads list id for a writer p of its unit: NOT_FOUND for an
// unknown id, FORBIDDEN outside p's reach.
func (s *Store) writableList(db *gorm.DB, p *authz.Principal, id int64) (*models.DispatchTaskList, error) {
	var l models.DispatchTaskList
	if err := db.First(&l, id).Error; err != nil {
		return nil, notFoundOr(err, "task list", id)
	}
	return &l, s.checkUnit(db, p, authz.WriteTasks, l.OrgUnitID)
}

// AddBriefing adds a briefing to a dispatch list, for p who may write the
// list's unit's tasks (FORBIDDEN otherwise; NOT_FOUND for an unknown
// list).
func (s *Store) AddBriefing(ctx context.Context, p *authz.Principal, b *models.DispatchBriefing) error {
	if _, err := reach(p, authz.WriteTasks); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if _, err := s.writableList(tx, p, b.ListID); err != nil {
			return err
		}
		b.AuthorID = p.UserID
		return tx.Create(b).Error
	})
}

// DispatchRecipients returns the cadres a list is addressed to: those of
// its unit's subtree, not disabled, with a DISPATCH assignment in force on
// some day of its quarter, by id. For writers of the list's unit.
func (s *Store) DispatchRecipients(ctx context.Context, p *authz.Principal, listID int64) ([]int64, error) {
	db := s.db.WithContext(ctx)
	l, err := s.writableList(db, p, listID)
	if err != nil {
		return nil, err
	}
	var unit models.OrgUnit
	if err := db.Select("path").First(&unit, l.OrgUnitID).Error; err != nil {
		return nil, mapErr(err)
	}
	var ids []int64
	err = db.Model(&models.User{}).Where("users.disabled = ? AND users.org_unit_id IN (?) AND users.id IN (?)", false,
		s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path)),
		s.db.Table("assignments").Select("user_id").Where("purpose = ? AND valid_from <= ? AND (valid_to = '' OR valid_to >= ?)",
			models.PurposeDispatch, l.PeriodTo, l.PeriodFrom)).
		Order("users.id").Pluck("users.id", &ids).Error
	return ids, mapErr(err)
}

// ReportProgress stores p's progress report on a task of a list addressed
// to p: a list of p's unit or a unit above it, for a quarter in which p
// held a DISPATCH assignment. NOT_FOUND for an unknown task; FORBIDDEN for
// a list not addressed to p, or a role that does not report.
func (s *Store) ReportProgress(ctx context.Context, p *authz.Principal, r *models.DispatchTaskReport) error {
	if _, err := reach(p, authz.ReportTasks); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var t models.DispatchTask
		if err := tx.First(&t, r.TaskID).Error; err != nil {
			return notFoundOr(err, "task", r.TaskID)
		}
		var l models.DispatchTaskList
		if err := tx.First(&l, t.ListID).Error; err != nil {
			return mapErr(err)
		}
		prefix, err := s.subtreePrefix(tx, p)
		if err != nil {
			return err
		}
		var dispatched int64
		err = tx.Table("assignments").Where("user_id = ? AND purpose = ? AND valid_from <= ? AND (valid_to = '' OR valid_to >= ?)",
			p.UserID, models.PurposeDispatch, l.PeriodTo, l.PeriodFrom).Count(&dispatched).Error
		if err != nil {
			return err
		}
		if dispatched == 0 || !containsID(ancestry(prefix), l.OrgUnitID) {
			return models.E(models.CodeForbidden, "task list %d is not addressed to you: it is for the cadres of its unit dispatched in %d Q%d",
				l.ID, l.Year, l.Quarter)
		}
		r.UserID = p.UserID
		return tx.Create(r).Error
	})
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// DispatchListFilter narrows DispatchLists.
type DispatchListFilter struct {
	OrgUnitID *int64 // lists issued by this unit
	Year      *int
	Quarter   *int
}

// DispatchLists pages through the dispatch task lists p may read, oldest
// first.
func (s *Store) DispatchLists(ctx context.Context, p *authz.Principal, f DispatchListFilter, page Page) ([]*models.DispatchTaskList, PageInfo, error) {
	scope, err := s.listScope(ctx, p, "dispatch_task_lists.org_unit_id")
	if err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.DispatchTaskList{}).Scopes(scope)
	if f.OrgUnitID != nil {
		q = q.Where("dispatch_task_lists.org_unit_id = ?", *f.OrgUnitID)
	}
	if f.Year != nil {
		q = q.Where("dispatch_task_lists.year = ?", *f.Year)
	}
	if f.Quarter != nil {
		q = q.Where("dispatch_task_lists.quarter = ?", *f.Quarter)
	}
	return list(q, "dispatch_task_lists", page, func(l *models.DispatchTaskList) int64 { return l.ID })
}

// DispatchListsByID loads the lists p may read (a data-loader batch).
func (s *Store) DispatchListsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.DispatchTaskList, error) {
	scope, err := s.listScope(ctx, p, "dispatch_task_lists.org_unit_id")
	if err != nil {
		return nil, err
	}
	var rows []*models.DispatchTaskList
	if err := s.db.WithContext(ctx).Model(&models.DispatchTaskList{}).Scopes(scope).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(l *models.DispatchTaskList) int64 { return l.ID }), nil
}

// visibleLists is the ids of the dispatch lists among ids that p may read.
func (s *Store) visibleLists(ctx context.Context, p *authz.Principal, ids []int64) (*gorm.DB, error) {
	scope, err := s.listScope(ctx, p, "dispatch_task_lists.org_unit_id")
	if err != nil {
		return nil, err
	}
	return s.db.Model(&models.DispatchTaskList{}).Select("id").Scopes(scope).Where("id IN ?", ids), nil
}

// TasksOf returns the tasks of lists p may read, by list, in order (a
// data-loader batch).
func (s *Store) TasksOf(ctx context.Context, p *authz.Principal, listIDs []int64) (map[int64][]*models.DispatchTask, error) {
	visible, err := s.visibleLists(ctx, p, listIDs)
	if err != nil {
		return nil, err
	}
	var rows []*models.DispatchTask
	if err := s.db.WithContext(ctx).Where("list_id IN (?)", visible).Order("list_id, position").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.DispatchTask{}
	for _, t := range rows {
		out[t.ListID] = append(out[t.ListID], t)
	}
	return out, nil
}

// BriefingsOf returns the briefings of lists p may read, by list, oldest
// first (a data-loader batch).
func (s *Store) BriefingsOf(ctx context.Context, p *authz.Principal, listIDs []int64) (map[int64][]*models.DispatchBriefing, error) {
	visible, err := s.visibleLists(ctx, p, listIDs)
	if err != nil {
		return nil, err
	}
	var rows []*models.DispatchBriefing
	if err := s.db.WithContext(ctx).Where("list_id IN (?)", visible).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.DispatchBriefing{}
	for _, b := range rows {
		out[b.ListID] = append(out[b.ListID], b)
	}
	return out, nil
}

// ReportFilter narrows Reports.
type ReportFilter struct {
	ListID *int64
	TaskID *int64
	UserID *int64
}

// Reports pages through the progress reports p may read (those of users
// in ReadTasks' reach) on lists p may read, oldest first: every report,
// so the history.
func (s *Store) Reports(ctx context.Context, p *authz.Principal, f ReportFilter, page Page) ([]*models.DispatchTaskReport, PageInfo, error) {
	q, err := s.reportQuery(ctx, p)
	if err != nil {
		return nil, PageInfo{}, err
	}
	if f.ListID != nil {
		q = q.Where("dispatch_task_reports.task_id IN (SELECT id FROM dispatch_tasks WHERE list_id = ?)", *f.ListID)
	}
	if f.TaskID != nil {
		q = q.Where("dispatch_task_reports.task_id = ?", *f.TaskID)
	}
	if f.UserID != nil {
		q = q.Where("dispatch_task_reports.user_id = ?", *f.UserID)
	}
	return list(q, "dispatch_task_reports", page, func(r *models.DispatchTaskReport) int64 { return r.ID })
}

func (s *Store) reportQuery(ctx context.Context, p *authz.Principal) (*gorm.DB, error) {
	users, err := s.userScope(ctx, p, authz.ReadTasks)
	if err != nil {
		return nil, err
	}
	lists, err := s.listScope(ctx, p, "dispatch_task_lists.org_unit_id")
	if err != nil {
		return nil, err
	}
	tasks := s.db.Model(&models.DispatchTask{}).Select("dispatch_tasks.id").
		Where("dispatch_tasks.list_id IN (?)", s.db.Model(&models.DispatchTaskList{}).Select("dispatch_task_lists.id").Scopes(lists))
	return s.db.WithContext(ctx).Model(&models.DispatchTaskReport{}).
		Where("dispatch_task_reports.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(users)).
		Where("dispatch_task_reports.task_id IN (?)", tasks), nil
}

// LatestReports returns user's latest report on each of tasks, for those p
// may read (a data-loader batch); tasks without one are absent.
func (s *Store) LatestReports(ctx context.Context, p *authz.Principal, userID int64, taskIDs []int64) (map[int64]*models.DispatchTaskReport, error) {
	q, err := s.reportQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	latest := s.db.Model(&models.DispatchTaskReport{}).Select("MAX(id)").
		Where("user_id = ? AND task_id IN ?", userID, taskIDs).Group("task_id")
	var rows []*models.DispatchTaskReport
	if err := q.Where("dispatch_task_reports.id IN (?)", latest).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.DispatchTaskReport) int64 { return r.TaskID }), nil
}
