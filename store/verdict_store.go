package store

import (
	"context"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/models"
)

// A cadre's verdicts are stored with the facts version they were computed
// from (models.StoredVerdict). Every transaction that changes what the
// verdicts read bumps the version of the cadres it touches (touchFacts), in
// the same transaction, so a stored verdict never outlives its facts.

// touchFacts bumps the facts version of users in tx. Writers lock a cadre's
// row first (txPerCadre, EvidenceTx) or write no row a check-in batch
// writes, so the update adds no lock order of its own.
func touchFacts(tx *gorm.DB, users ...int64) error {
	users = distinct(users)
	if len(users) == 0 {
		return nil
	}
	return tx.Model(&models.User{}).Where("id IN ?", users).
		UpdateColumn("facts_version", gorm.Expr("facts_version + 1")).Error
}

// touchFactsStmt is touchFacts as a statement of an evidence transaction's
// round.
func touchFactsStmt(users []int64) stmt {
	users = distinct(users)
	args := make([]any, len(users))
	for i, u := range users {
		args[i] = u
	}
	return stmt{sql: "UPDATE users SET facts_version = facts_version + 1 WHERE id IN " + marks(len(users)), args: args}
}

// distinct returns ids sorted, without repeats.
func distinct(ids []int64) []int64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// StoredVerdicts returns the stored verdicts of (year, quarter) of those of
// users that have one, by user; with their full results when full, else
// with their briefs only. One statement. UNAVAILABLE when the database
// fails.
func (s *Store) StoredVerdicts(ctx context.Context, users []int64, year, quarter int, full bool) (map[int64]*models.StoredVerdict, error) {
	out := make(map[int64]*models.StoredVerdict, len(users))
	if len(users) == 0 {
		return out, nil
	}
	cols := []string{"user_id", "year", "quarter", "facts_version", "basis", "brief"}
	if full {
		cols = append(cols, "results")
	}
	var rows []*models.StoredVerdict
	err := s.db.WithContext(ctx).Select(cols).Where("user_id IN ? AND year = ? AND quarter = ?", users, year, quarter).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	for _, r := range rows {
		out[r.UserID] = r
	}
	return out, nil
}

// StoredBriefsIn returns the briefs of the stored verdicts of (year,
// quarter) of every user of unit's subtree that has one, by user: what a
// unit's totals read. One statement, whatever the size of the unit.
// UNAVAILABLE when the database fails.
func (s *Store) StoredBriefsIn(ctx context.Context, unit *models.OrgUnit, year, quarter int) (map[int64]*models.StoredVerdict, error) {
	rows, err := s.db.WithContext(ctx).Table("stored_verdicts sv").
		Select("sv.user_id, sv.facts_version, sv.basis, sv.brief").
		Joins("JOIN users u ON u.id = sv.user_id JOIN org_units o ON o.id = u.org_unit_id").
		Where("o.path LIKE ? AND sv.year = ? AND sv.quarter = ?", likePrefix(unit.Path), year, quarter).Rows()
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[int64]*models.StoredVerdict{}
	for rows.Next() { // scanned by hand: a unit holds thousands
		v := &models.StoredVerdict{Year: year, Quarter: quarter}
		if err := rows.Scan(&v.UserID, &v.FactsVersion, &v.Basis, &v.Brief); err != nil {
			return nil, mapErr(err)
		}
		out[v.UserID] = v
	}
	return out, mapErr(rows.Err())
}

// storeVerdictsChunk is how many verdicts one statement stores.
const storeVerdictsChunk = 500

// StoreVerdicts stores verdicts, each replacing the one stored for its
// cadre and quarter, in statements of up to 500 rows in user order (so two
// writers lock in the same order). Outside any transaction: a stored
// verdict is derived data, labelled with what it was computed from, so
// one written late by a slower report is found stale, never wrong.
// UNAVAILABLE when the database fails.
func (s *Store) StoreVerdicts(ctx context.Context, verdicts []*models.StoredVerdict) error {
	verdicts = slices.Clone(verdicts)
	slices.SortFunc(verdicts, func(a, b *models.StoredVerdict) int {
		if a.UserID != b.UserID {
			return int(a.UserID - b.UserID)
		}
		return (a.Year*10 + a.Quarter) - (b.Year*10 + b.Quarter)
	})
	db := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "year"}, {Name: "quarter"}},
		DoUpdates: clause.AssignmentColumns([]string{"facts_version", "basis", "brief", "results"}),
	})
	for start := 0; start < len(verdicts); start += storeVerdictsChunk {
		if err := db.Create(verdicts[start:min(start+storeVerdictsChunk, len(verdicts))]).Error; err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// RootUnits returns the ids of the org units without a parent, in id
// order: the subtrees that together hold every cadre. UNAVAILABLE when the
// database fails.
func (s *Store) RootUnits(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&models.OrgUnit{}).Where("parent_id IS NULL").Order("id").Pluck("id", &ids).Error
	return ids, mapErr(err)
}
