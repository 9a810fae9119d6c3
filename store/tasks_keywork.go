package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// The key-work lists (清单销号): lists and items are their unit's, read
// like dispatch lists; an item's row carries its current state, and every
// change, tick-off and ruling is a row of its own.

// checkOwner refuses an owner who is not an enabled user of the subtree of
// unit: items are assigned within the unit that owns the list.
func (s *Store) checkOwner(db *gorm.DB, unitID, ownerID int64) error {
	var unit models.OrgUnit
	if err := db.Select("path").First(&unit, unitID).Error; err != nil {
		return mapErr(err)
	}
	var n int64
	err := db.Model(&models.User{}).Where("id = ? AND disabled = ? AND org_unit_id IN (?)", ownerID, false,
		s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path))).Count(&n).Error
	if err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return models.E(models.CodeInvalid, "user %d is not an active member of the list's unit or a unit below it", ownerID)
	}
	return nil
}

// addItem stores a new item of list and its first change.
func (s *Store) addItem(tx *gorm.DB, p *authz.Principal, l *models.KeyWorkList, it *models.KeyWorkItem) error {
	if err := s.checkOwner(tx, l.OrgUnitID, it.OwnerID); err != nil {
		return err
	}
	it.ListID, it.CreatedBy, it.Status = l.ID, p.UserID, models.KeyWorkOpen
	if err := tx.Create(it).Error; err != nil {
		return err
	}
	return tx.Create(&models.KeyWorkChange{ItemID: it.ID, ActorID: p.UserID, Title: it.Title, Standard: it.Standard,
		OwnerID: it.OwnerID, Deadline: it.Deadline, Reason: "created", CreatedAt: it.CreatedAt}).Error
}

// CreateKeyWorkList stores a key-work list with its items for p, who must
// reach its unit with WriteTasks (FORBIDDEN otherwise). When p already
// created a list under its client id it stores nothing and returns that
// list and true (CONFLICT for another payload). INVALID for an owner
// outside the unit's subtree.
func (s *Store) CreateKeyWorkList(ctx context.Context, p *authz.Principal, l *models.KeyWorkList, items []*models.KeyWorkItem) (*models.KeyWorkList, bool, error) {
	db := s.db.WithContext(ctx)
	if err := s.checkUnit(db, p, authz.WriteTasks, l.OrgUnitID); err != nil {
		return nil, false, err
	}
	var prior models.KeyWorkList
	if err := db.Where("created_by = ? AND client_id = ?", p.UserID, l.ClientID).Limit(1).Find(&prior).Error; err != nil {
		return nil, false, mapErr(err)
	}
	if prior.ID != 0 {
		if prior.PayloadHash != l.PayloadHash {
			return nil, false, models.E(models.CodeConflict, "clientId %q was already used for another list", l.ClientID)
		}
		return &prior, true, nil
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		l.CreatedBy = p.UserID
		if err := tx.Create(l).Error; err != nil {
			return err
		}
		for _, it := range items {
			if err := s.addItem(tx, p, l, it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return l, false, nil
}

// AddKeyWorkItem adds an item to a list for p, who may write the list's
// unit's tasks (FORBIDDEN otherwise; NOT_FOUND for an unknown list). A
// resend under the item's client id returns the stored item and true, or
// CONFLICT when it differs.
func (s *Store) AddKeyWorkItem(ctx context.Context, p *authz.Principal, it *models.KeyWorkItem) (*models.KeyWorkItem, bool, error) {
	if _, err := reach(p, authz.WriteTasks); err != nil {
		return nil, false, err
	}
	var out *models.KeyWorkItem
	replayed := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var l models.KeyWorkList
		if err := tx.First(&l, it.ListID).Error; err != nil {
			return notFoundOr(err, "key-work list", it.ListID)
		}
		if err := s.checkUnit(tx, p, authz.WriteTasks, l.OrgUnitID); err != nil {
			return err
		}
		var prior models.KeyWorkChange
		err := tx.Where("item_id = (SELECT id FROM key_work_items WHERE list_id = ? AND client_id = ?)", l.ID, it.ClientID).
			Order("id").Limit(1).Find(&prior).Error
		if err != nil {
			return err
		}
		if prior.ID != 0 {
			if prior.Title != it.Title || prior.Standard != it.Standard || prior.OwnerID != it.OwnerID || prior.Deadline != it.Deadline {
				return models.E(models.CodeConflict, "clientId %q was already used for another item of list %d", it.ClientID, l.ID)
			}
			var stored models.KeyWorkItem
			out, replayed = &stored, true
			return tx.First(&stored, prior.ItemID).Error
		}
		out = it
		return s.addItem(tx, p, &l, it)
	})
	if err != nil {
		return nil, false, err
	}
	return out, replayed, nil
}

// writableItem reads item id, locked on MySQL, for a writer p of its
// list's unit: NOT_FOUND for an unknown id, FORBIDDEN outside p's reach.
func (s *Store) writableItem(tx *gorm.DB, p *authz.Principal, id int64) (*models.KeyWorkItem, *models.KeyWorkList, error) {
	var it models.KeyWorkItem
	if err := s.locking(tx).First(&it, id).Error; err != nil {
		return nil, nil, notFoundOr(err, "key-work item", id)
	}
	var l models.KeyWorkList
	if err := tx.First(&l, it.ListID).Error; err != nil {
		return nil, nil, mapErr(err)
	}
	return &it, &l, s.checkUnit(tx, p, authz.WriteTasks, l.OrgUnitID)
}

// locking adds FOR UPDATE on MySQL; SQLite's single writer serialises.
func (s *Store) locking(tx *gorm.DB) *gorm.DB {
	if s.driver == DriverMySQL {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

// ReviseKeyWorkItem changes an item's title, standard, owner or deadline
// and records the change with its reason; a new deadline makes the item
// due for an overdue reminder again. FORBIDDEN outside p's reach;
// NOT_FOUND for an unknown item; CONFLICT for an item already ticked off.
func (s *Store) ReviseKeyWorkItem(ctx context.Context, p *authz.Principal, c *models.KeyWorkChange) (*models.KeyWorkItem, error) {
	if _, err := reach(p, authz.WriteTasks); err != nil {
		return nil, err
	}
	var out *models.KeyWorkItem
	err := s.tx(ctx, func(tx *gorm.DB) error {
		it, l, err := s.writableItem(tx, p, c.ItemID)
		if err != nil {
			return err
		}
		if it.Status == models.KeyWorkDone {
			return models.E(models.CodeConflict, "key-work item %d is ticked off; it is not changed", it.ID)
		}
		if err := s.checkOwner(tx, l.OrgUnitID, c.OwnerID); err != nil {
			return err
		}
		up := map[string]any{"title": c.Title, "standard": c.Standard, "owner_id": c.OwnerID, "deadline": c.Deadline, "updated_at": c.CreatedAt}
		if c.Deadline != it.Deadline {
			up["overdue_notified_at"] = nil
		}
		if err := tx.Model(&models.KeyWorkItem{}).Where("id = ?", it.ID).Updates(up).Error; err != nil {
			return err
		}
		c.ActorID = p.UserID
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		out = it
		return tx.First(out, it.ID).Error
	})
	return out, err
}

// NewTickOff is a tick-off to store: the row with its photos, the ids of
// the activities it links and its ledger leaf.
type NewTickOff struct {
	TickOff    *models.KeyWorkTickOff
	Activities []int64
	Leaf       models.Leaf
}

// TickOff stores p's tick-off of an item p owns, with its photos and leaf,
// and marks the item SUBMITTED. It returns the tick-off stored and whether
// it is the stored original of a resend of (p, ClientID) (CONFLICT when
// that has another payload). FORBIDDEN for an item p does not own, or a
// linked activity that is not p's; NOT_FOUND for an unknown item; CONFLICT
// when the item is not OPEN (a tick-off waits, or it is ticked off).
func (s *Store) TickOff(ctx context.Context, p *authz.Principal, n NewTickOff) (*models.KeyWorkTickOff, bool, error) {
	if _, err := reach(p, authz.ReportTasks); err != nil {
		return nil, false, err
	}
	t := n.TickOff
	var out *models.KeyWorkTickOff
	replayed := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var prior models.KeyWorkTickOff
		if err := tx.Where("submitted_by = ? AND client_id = ?", p.UserID, t.ClientID).Limit(1).Find(&prior).Error; err != nil {
			return err
		}
		if prior.ID != 0 {
			if prior.PayloadHash != t.PayloadHash {
				return models.E(models.CodeConflict, "clientId %q was already used for another tick-off", t.ClientID)
			}
			out, replayed = &prior, true
			return s.withPhotos(tx, []*models.KeyWorkTickOff{out})
		}
		var it models.KeyWorkItem
		if err := s.locking(tx).First(&it, t.ItemID).Error; err != nil {
			return notFoundOr(err, "key-work item", t.ItemID)
		}
		if it.OwnerID != p.UserID {
			return models.E(models.CodeForbidden, "key-work item %d is assigned to someone else; its owner ticks it off", it.ID)
		}
		if it.Status != models.KeyWorkOpen {
			return models.E(models.CodeConflict, "key-work item %d is %s; only an OPEN item is ticked off", it.ID, it.Status)
		}
		if len(n.Activities) > 0 {
			var mine int64
			if err := tx.Model(&models.Activity{}).Where("id IN ? AND user_id = ?", n.Activities, p.UserID).Count(&mine).Error; err != nil {
				return err
			}
			if int(mine) != len(n.Activities) {
				return models.E(models.CodeForbidden, "a linked activity is not one of yours")
			}
		}
		t.SubmittedBy = p.UserID
		if err := tx.Omit("Photos").Create(t).Error; err != nil {
			return err
		}
		for i := range t.Photos {
			t.Photos[i].TickOffID, t.Photos[i].Position = t.ID, i
		}
		if len(t.Photos) > 0 {
			if err := tx.Create(&t.Photos).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&models.KeyWorkItem{}).Where("id = ?", it.ID).
			Updates(map[string]any{"status": models.KeyWorkSubmitted, "updated_at": t.CreatedAt}).Error; err != nil {
			return err
		}
		l := insertLeaves([]models.Leaf{n.Leaf}, s.db.Config.NowFunc())
		out = t
		return tx.Exec(l.sql, l.args...).Error
	})
	if err != nil {
		return nil, false, err
	}
	return out, replayed, nil
}

// RuleTickOff stores p's ruling on the tick-off an item waits on, and its
// leaf, and sets the item DONE (CONFIRM) or OPEN again (RETURN). A resend
// of the same ruling by p returns the stored one and true. FORBIDDEN
// outside p's reach or for one's own tick-off; NOT_FOUND for an unknown
// tick-off; CONFLICT when it is already ruled on, or is not the one the
// item waits on.
func (s *Store) RuleTickOff(ctx context.Context, p *authz.Principal, r *models.KeyWorkRuling, leaf models.Leaf) (*models.KeyWorkRuling, bool, error) {
	if _, err := reach(p, authz.WriteTasks); err != nil {
		return nil, false, err
	}
	var out *models.KeyWorkRuling
	replayed := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var t models.KeyWorkTickOff
		if err := tx.First(&t, r.TickOffID).Error; err != nil {
			return notFoundOr(err, "tick-off", r.TickOffID)
		}
		it, _, err := s.writableItem(tx, p, t.ItemID)
		if err != nil {
			return err
		}
		if t.SubmittedBy == p.UserID {
			return models.E(models.CodeForbidden, "nobody confirms their own tick-off")
		}
		var prior models.KeyWorkRuling
		if err := tx.Where("tick_off_id = ?", t.ID).Limit(1).Find(&prior).Error; err != nil {
			return err
		}
		if prior.ID != 0 {
			if prior.DecidedBy != p.UserID || prior.Decision != r.Decision || prior.Comment != r.Comment {
				return models.E(models.CodeConflict, "tick-off %d has already been ruled on", t.ID)
			}
			out, replayed = &prior, true
			return nil
		}
		var latest int64
		if err := tx.Model(&models.KeyWorkTickOff{}).Select("MAX(id)").Where("item_id = ?", it.ID).Scan(&latest).Error; err != nil {
			return err
		}
		if it.Status != models.KeyWorkSubmitted || latest != t.ID {
			return models.E(models.CodeConflict, "key-work item %d is not waiting on tick-off %d", it.ID, t.ID)
		}
		r.DecidedBy = p.UserID
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		status := models.KeyWorkOpen
		if r.Decision == models.KeyWorkConfirm {
			status = models.KeyWorkDone
		}
		if err := tx.Model(&models.KeyWorkItem{}).Where("id = ?", it.ID).
			Updates(map[string]any{"status": status, "updated_at": r.CreatedAt}).Error; err != nil {
			return err
		}
		l := insertLeaves([]models.Leaf{leaf}, s.db.Config.NowFunc())
		out = r
		return tx.Exec(l.sql, l.args...).Error
	})
	if err != nil {
		return nil, false, err
	}
	return out, replayed, nil
}

// withPhotos reads the photos of tick-offs, in position order.
func (s *Store) withPhotos(db *gorm.DB, ts []*models.KeyWorkTickOff) error {
	byID := map[int64]*models.KeyWorkTickOff{}
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		byID[t.ID] = t
		t.Photos = nil
		ids = append(ids, t.ID)
	}
	for chunk := range chunks(ids, 1000) {
		var photos []models.KeyWorkPhoto
		if err := db.Where("tick_off_id IN ?", chunk).Order("tick_off_id, position").Find(&photos).Error; err != nil {
			return mapErr(err)
		}
		for _, ph := range photos {
			byID[ph.TickOffID].Photos = append(byID[ph.TickOffID].Photos, ph)
		}
	}
	return nil
}

// findTickOffs runs q (FROM key_work_tick_offs AS r) into tick-offs with
// their photos, for the ledger.
func findTickOffs(q *gorm.DB) ([]models.Ledgered, error) {
	var rows []*models.KeyWorkTickOff
	if err := q.Select("r.*").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	if err := (&Store{}).withPhotos(q.Session(&gorm.Session{NewDB: true}), rows); err != nil {
		return nil, err
	}
	out := make([]models.Ledgered, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out, nil
}

// ClaimOverdue marks up to limit items overdue on date today (not DONE,
// deadline before today, owner not yet told) as told, one by one so that
// two servers never claim the same item, and returns those it claimed.
// The server only.
func (s *Store) ClaimOverdue(ctx context.Context, p *authz.Principal, today string, limit int) ([]*models.KeyWorkItem, error) {
	if !p.IsSystem() {
		return nil, models.E(models.CodeForbidden, "only the server sends reminders")
	}
	db := s.db.WithContext(ctx)
	var rows []*models.KeyWorkItem
	err := db.Where("status <> ? AND deadline < ? AND overdue_notified_at IS NULL", models.KeyWorkDone, today).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	now := s.now().UTC()
	var out []*models.KeyWorkItem
	for _, it := range rows {
		res := db.Model(&models.KeyWorkItem{}).Where("id = ? AND overdue_notified_at IS NULL", it.ID).Update("overdue_notified_at", now)
		if res.Error != nil {
			return out, mapErr(res.Error)
		}
		if res.RowsAffected == 1 {
			out = append(out, it)
		}
	}
	return out, nil
}

// UnclaimOverdue gives up the claim on an item whose reminder could not be
// sent, so a later run sends it. The server only.
func (s *Store) UnclaimOverdue(ctx context.Context, p *authz.Principal, itemID int64) error {
	if !p.IsSystem() {
		return models.E(models.CodeForbidden, "only the server sends reminders")
	}
	return mapErr(s.db.WithContext(ctx).Model(&models.KeyWorkItem{}).Where("id = ?", itemID).Update("overdue_notified_at", nil).Error)
}
