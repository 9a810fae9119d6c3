package store

import (
	"context"
	"fmt"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// CountingFacts reads what deciding whether activities count needs, for
// those of users whose activities p may read, dated in [from, to]: the
// activities (the columns the decision reads: kind, date, place, status),
// their latest rulings and corrections, and the cadres' counted days in the
// period (ActivityFacts' Days hold only those; a missing key is a day not
// counted). Five statements whatever the number of users and activities.
func (s *Store) CountingFacts(ctx context.Context, p *authz.Principal, users []int64, from, to string) ([]*models.Activity, *ActivityFacts, error) {
	q, err := s.activityQuery(ctx, p, ActivityFilter{UserIDs: users, From: from, To: to})
	if err != nil {
		return nil, nil, err
	}
	var acts []*models.Activity // scanned by hand: a unit's report reads a hundred thousand
	rows, err := q.Select("activities.id, activities.user_id, activities.kind, activities.local_date, activities.region_id, activities.located, activities.status").Rows()
	if err != nil {
		return nil, nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		a := &models.Activity{}
		if err := rows.Scan(&a.ID, &a.UserID, &a.Kind, &a.LocalDate, &a.RegionID, &a.Located, &a.Status); err != nil {
			return nil, nil, mapErr(err)
		}
		acts = append(acts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, mapErr(err)
	}
	out := &ActivityFacts{Reviews: map[int64]*models.ActivityReview{}, CorrectedBy: map[int64]int64{}, Days: map[DayKey]models.PresenceDay{}}
	if len(acts) == 0 {
		return acts, out, nil
	}
	db := s.db.WithContext(ctx)
	// Joined from the activities read, by their (user, date) index: MariaDB
	// runs an IN subquery here as a scan of the other table.
	const ofActs = "JOIN activities a ON a.id = %s AND a.user_id IN ? AND a.local_date >= ? AND a.local_date <= ?"
	var revs []*models.ActivityReview
	err = db.Joins(fmt.Sprintf(ofActs, "activity_reviews.activity_id"), users, from, to).
		Order("activity_reviews.activity_id, activity_reviews.seq").Find(&revs).Error
	if err != nil {
		return nil, nil, mapErr(err)
	}
	for _, r := range revs { // the latest of each, by seq, last
		out.Reviews[r.ActivityID] = r
	}
	var corr []struct {
		ID       int64
		Corrects int64
	}
	err = db.Model(&models.Activity{}).Select("activities.id, activities.corrects").Joins(fmt.Sprintf(ofActs, "activities.corrects"), users, from, to).
		Order("activities.id").Scan(&corr).Error
	if err != nil {
		return nil, nil, mapErr(err)
	}
	for _, c := range corr {
		out.CorrectedBy[c.Corrects] = c.ID
	}
	var days []models.PresenceDay
	err = db.Select("user_id, date, region_id, accepted, first_at, last_at, counted").
		Where("user_id IN ? AND date >= ? AND date <= ? AND counted = ?", users, from, to, true).Find(&days).Error
	if err != nil {
		return nil, nil, mapErr(err)
	}
	for _, d := range days {
		out.Days[DayKey{d.UserID, d.Date, d.RegionID}] = d
	}
	return acts, out, nil
}
