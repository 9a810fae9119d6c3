package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// KeyWorkLists pages through the key-work lists p may read (orgUnitID:
// those of that unit only), oldest first.
func (s *Store) KeyWorkLists(ctx context.Context, p *authz.Principal, orgUnitID *int64, page Page) ([]*models.KeyWorkList, PageInfo, error) {
	scope, err := s.listScope(ctx, p, "key_work_lists.org_unit_id")
	if err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.KeyWorkList{}).Scopes(scope)
	if orgUnitID != nil {
		q = q.Where("key_work_lists.org_unit_id = ?", *orgUnitID)
	}
	return list(q, "key_work_lists", page, func(l *models.KeyWorkList) int64 { return l.ID })
}

// KeyWorkListsByID loads the lists p may read (a data-loader batch).
func (s *Store) KeyWorkListsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.KeyWorkList, error) {
	scope, err := s.listScope(ctx, p, "key_work_lists.org_unit_id")
	if err != nil {
		return nil, err
	}
	var rows []*models.KeyWorkList
	if err := s.db.WithContext(ctx).Model(&models.KeyWorkList{}).Scopes(scope).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(l *models.KeyWorkList) int64 { return l.ID }), nil
}

// KeyWorkFilter narrows KeyWorkItems.
type KeyWorkFilter struct {
	ListID    *int64
	OrgUnitID *int64 // items of the lists of this unit's subtree
	OwnerID   *int64
	Status    *models.KeyWorkStatus
	// OverdueOn, when set (a date), keeps the items not ticked off whose
	// deadline is before it.
	OverdueOn string
}

// itemQuery is the items of the lists p may read.
func (s *Store) itemQuery(ctx context.Context, p *authz.Principal) (*gorm.DB, error) {
	scope, err := s.listScope(ctx, p, "key_work_lists.org_unit_id")
	if err != nil {
		return nil, err
	}
	return s.db.WithContext(ctx).Model(&models.KeyWorkItem{}).
		Where("key_work_items.list_id IN (?)", s.db.Model(&models.KeyWorkList{}).Select("key_work_lists.id").Scopes(scope)), nil
}

// KeyWorkItems pages through the key-work items p may read, by id.
// NOT_FOUND for an unknown unit.
func (s *Store) KeyWorkItems(ctx context.Context, p *authz.Principal, f KeyWorkFilter, page Page) ([]*models.KeyWorkItem, PageInfo, error) {
	q, err := s.itemQuery(ctx, p)
	if err != nil {
		return nil, PageInfo{}, err
	}
	if f.ListID != nil {
		q = q.Where("key_work_items.list_id = ?", *f.ListID)
	}
	if f.OrgUnitID != nil {
		var unit models.OrgUnit
		if err := s.db.WithContext(ctx).Select("path").First(&unit, *f.OrgUnitID).Error; err != nil {
			return nil, PageInfo{}, notFoundOr(err, "org unit", *f.OrgUnitID)
		}
		q = q.Where("key_work_items.list_id IN (?)", s.db.Model(&models.KeyWorkList{}).Select("id").
			Where("org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path))))
	}
	if f.OwnerID != nil {
		q = q.Where("key_work_items.owner_id = ?", *f.OwnerID)
	}
	if f.Status != nil {
		q = q.Where("key_work_items.status = ?", *f.Status)
	}
	if f.OverdueOn != "" {
		q = q.Where("key_work_items.status <> ? AND key_work_items.deadline < ?", models.KeyWorkDone, f.OverdueOn)
	}
	return list(q, "key_work_items", page, func(it *models.KeyWorkItem) int64 { return it.ID })
}

// KeyWorkItemsByID loads the items p may read (a data-loader batch).
func (s *Store) KeyWorkItemsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.KeyWorkItem, error) {
	q, err := s.itemQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	var rows []*models.KeyWorkItem
	if err := q.Where("key_work_items.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(it *models.KeyWorkItem) int64 { return it.ID }), nil
}

// ItemsOf returns the items of lists p may read, by list, by id (a
// data-loader batch).
func (s *Store) ItemsOf(ctx context.Context, p *authz.Principal, listIDs []int64) (map[int64][]*models.KeyWorkItem, error) {
	q, err := s.itemQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	var rows []*models.KeyWorkItem
	if err := q.Where("key_work_items.list_id IN ?", listIDs).Order("key_work_items.id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.KeyWorkItem{}
	for _, it := range rows {
		out[it.ListID] = append(out[it.ListID], it)
	}
	return out, nil
}

// visibleItems is the ids of the items among ids that p may read.
func (s *Store) visibleItems(ctx context.Context, p *authz.Principal, ids []int64) (*gorm.DB, error) {
	q, err := s.itemQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	return q.Select("key_work_items.id").Where("key_work_items.id IN ?", ids), nil
}

// ChangesOf returns the changes of items p may read, by item, oldest
// first (a data-loader batch).
func (s *Store) ChangesOf(ctx context.Context, p *authz.Principal, itemIDs []int64) (map[int64][]*models.KeyWorkChange, error) {
	visible, err := s.visibleItems(ctx, p, itemIDs)
	if err != nil {
		return nil, err
	}
	var rows []*models.KeyWorkChange
	if err := s.db.WithContext(ctx).Where("item_id IN (?)", visible).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.KeyWorkChange{}
	for _, c := range rows {
		out[c.ItemID] = append(out[c.ItemID], c)
	}
	return out, nil
}

// TickOffsOf returns the tick-offs of items p may read with their photos,
// by item, oldest first (a data-loader batch).
func (s *Store) TickOffsOf(ctx context.Context, p *authz.Principal, itemIDs []int64) (map[int64][]*models.KeyWorkTickOff, error) {
	visible, err := s.visibleItems(ctx, p, itemIDs)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	var rows []*models.KeyWorkTickOff
	if err := db.Where("item_id IN (?)", visible).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	if err := s.withPhotos(db, rows); err != nil {
		return nil, err
	}
	out := map[int64][]*models.KeyWorkTickOff{}
	for _, t := range rows {
		out[t.ItemID] = append(out[t.ItemID], t)
	}
	return out, nil
}

// RulingsOf returns the rulings on tick-offs of items p may read, by
// tick-off (a data-loader batch).
func (s *Store) RulingsOf(ctx context.Context, p *authz.Principal, tickOffIDs []int64) (map[int64]*models.KeyWorkRuling, error) {
	q, err := s.itemQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	tickOffs := s.db.Model(&models.KeyWorkTickOff{}).Select("id").Where("id IN ? AND item_id IN (?)", tickOffIDs, q.Select("key_work_items.id"))
	var rows []*models.KeyWorkRuling
	if err := s.db.WithContext(ctx).Where("tick_off_id IN (?)", tickOffs).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.KeyWorkRuling) int64 { return r.TickOffID }), nil
}

// KeyWorkPhoto returns a tick-off photo by content hash among those p may
// read, for serving it; NOT_FOUND when none.
func (s *Store) KeyWorkPhoto(ctx context.Context, p *authz.Principal, sha256 string) (*models.KeyWorkPhoto, error) {
	q, err := s.itemQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	tickOffs := s.db.Model(&models.KeyWorkTickOff{}).Select("id").Where("item_id IN (?)", q.Select("key_work_items.id"))
	var ph models.KeyWorkPhoto
	if err := s.db.WithContext(ctx).Where("sha256 = ? AND tick_off_id IN (?)", sha256, tickOffs).Order("id").Take(&ph).Error; err != nil {
		return nil, notFoundOr(err, "photo", sha256)
	}
	return &ph, nil
}
