package store

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// ownerQueries read, for records of a kind, whose evidence each is: the
// record's id and its cadre's user id.
var ownerQueries = map[models.LeafKind]string{
	models.LeafCheckIn:        "SELECT id, user_id FROM check_ins WHERE id IN ?",
	models.LeafReview:         "SELECT r.id, c.user_id FROM reviews r JOIN check_ins c ON c.id = r.check_in_id WHERE r.id IN ?",
	models.LeafActivity:       "SELECT id, user_id FROM activities WHERE id IN ?",
	models.LeafActivityReview: "SELECT r.id, a.user_id FROM activity_reviews r JOIN activities a ON a.id = r.activity_id WHERE r.id IN ?",
	models.LeafContactReveal: "SELECT r.id, a.user_id FROM contact_reveals r JOIN interviewees i ON i.id = r.interviewee_id " +
		"JOIN activities a ON a.id = i.activity_id WHERE r.id IN ?",
	models.LeafFinding: "SELECT id, subject_id FROM findings WHERE id IN ?",
}

// RecordOwners returns the cadre each record of kind with the given ids
// is evidence of, by record id; ids that name no record are absent. For
// the discipline group; INVALID for a kind that is not a cadre's
// evidence.
func (s *Store) RecordOwners(ctx context.Context, p *authz.Principal, kind models.LeafKind, ids []int64) (map[int64]int64, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	q, ok := ownerQueries[kind]
	if !ok {
		return nil, models.E(models.CodeInvalid, "%s is not a record of a cadre's evidence", kind)
	}
	out := map[int64]int64{}
	for chunk := range chunks(ids, 1000) {
		rows, err := s.db.WithContext(ctx).Raw(q, chunk).Rows()
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			var id, owner int64
			if err := rows.Scan(&id, &owner); err != nil {
				rows.Close()
				return nil, mapErr(err)
			}
			out[id] = owner
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// PhotoOwners returns the cadres whose activities hold each photo, by
// content hash; hashes no activity holds are absent. For the discipline
// group.
func (s *Store) PhotoOwners(ctx context.Context, p *authz.Principal, shas []string) (map[string][]int64, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	var rows []struct {
		SHA256 string
		UserID int64
	}
	err := s.db.WithContext(ctx).Raw("SELECT DISTINCT p.sha256, a.user_id FROM activity_photos p JOIN activities a ON a.id = p.activity_id "+
		"WHERE p.sha256 IN ? ORDER BY a.user_id", shas).Scan(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[string][]int64{}
	for _, r := range rows {
		out[r.SHA256] = append(out[r.SHA256], r.UserID)
	}
	return out, nil
}
