package store

import (
	"gorm.io/gorm"

	"github.com/henan-youth/onsite/models"
)

// The readers of ledgered kinds whose record spans rows: an activity with
// its photos, a draw with its sample, an access-log batch with its
// entries. Each reads the main rows with q, then their parts in one more
// statement.

// fresh is a session on q's connection and context without q's clauses.
func fresh(q *gorm.DB) *gorm.DB { return q.Session(&gorm.Session{NewDB: true}) }

func findActivities(q *gorm.DB) ([]models.Ledgered, error) {
	var rows []*models.Activity
	if err := q.Select("r.*").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]models.Ledgered, len(rows))
	byID := make(map[int64]*models.ActivityRecord, len(rows))
	ids := make([]int64, len(rows))
	for i, a := range rows {
		rec := &models.ActivityRecord{Activity: a}
		out[i], byID[a.ID], ids[i] = rec, rec, a.ID
	}
	for chunk := range chunks(ids, 1000) {
		var photos []*models.ActivityPhoto
		if err := fresh(q).Where("activity_id IN ?", chunk).Order("activity_id, position").Find(&photos).Error; err != nil {
			return nil, mapErr(err)
		}
		for _, p := range photos {
			byID[p.ActivityID].Photos = append(byID[p.ActivityID].Photos, p)
		}
	}
	return out, nil
}

func findSpotChecks(q *gorm.DB) ([]models.Ledgered, error) {
	var rows []*models.SpotCheck
	if err := q.Select("r.*").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]models.Ledgered, len(rows))
	for i, sc := range rows {
		rec := &models.SpotCheckRecord{SpotCheck: sc}
		if err := fresh(q).Where("spot_check_id = ? AND sampled = ?", sc.ID, true).Order("user_id, date").Find(&rec.Sample).Error; err != nil {
			return nil, mapErr(err)
		}
		out[i] = rec
	}
	return out, nil
}

func findAccessBatches(q *gorm.DB) ([]models.Ledgered, error) {
	var rows []*models.AccessBatch
	if err := q.Select("r.*").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]models.Ledgered, len(rows))
	byID := make(map[int64]*models.AccessBatchRecord, len(rows))
	ids := make([]int64, len(rows))
	for i, b := range rows {
		rec := &models.AccessBatchRecord{Batch: b}
		out[i], byID[b.ID], ids[i] = rec, rec, b.ID
	}
	for chunk := range chunks(ids, 1000) {
		var entries []*models.AccessEntry
		if err := fresh(q).Where("batch_id IN ?", chunk).Order("id").Find(&entries).Error; err != nil {
			return nil, mapErr(err)
		}
		for _, e := range entries {
			byID[e.BatchID].Entries = append(byID[e.BatchID].Entries, e)
		}
	}
	return out, nil
}
