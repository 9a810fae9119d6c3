package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// FixRow is a check-in as the anomaly detectors read it.
type FixRow struct {
	ID            int64
	UserID        int64
	LocalDate     string
	WGSLat        float64 `gorm:"column:wgs_lat"`
	WGSLon        float64 `gorm:"column:wgs_lon"`
	AccuracyM     float64 `gorm:"column:accuracy_m"`
	Verdict       string
	EdgeDistanceM float64 `gorm:"column:edge_distance_m"`
}

// ActivityTime is an activity's cadre and the time it is dated by.
type ActivityTime struct {
	ID         int64
	UserID     int64
	OccurredAt time.Time
}

// PhotoRow is an activity's photo with its perceptual hash, if hashed.
type PhotoRow struct {
	ActivityID int64
	UserID     int64
	SHA256     string `gorm:"column:sha256"`
	PHash      *int64 `gorm:"column:phash"`
}

// CadreFacts is what the anomaly detectors read: of the cadres in a
// scope, their check-ins, on-site days, activities (dated in the period)
// and devices (bound in it), and their earlier DISCREPANCY findings; and
// the photos of every cadre's activities in the period, since a photo may
// be reused across units.
type CadreFacts struct {
	Cadres        []int64         // in id order
	UnitOf        map[int64]int64 // each cadre's org unit
	Fixes         []FixRow
	Days          []models.PresenceDay
	Devices       []models.Device
	Activities    []ActivityTime
	Photos        []PhotoRow
	Discrepancies map[int64]int
	MakeUps       map[int64]int // make-up requests for dates in the period, decided or not
}

// CadreFacts reads the facts of the cadres of org unit unitID's subtree
// (every cadre when nil) for dates in [from, to]; for the discipline
// group (FORBIDDEN otherwise). NOT_FOUND for an unknown unit.
func (s *Store) CadreFacts(ctx context.Context, p *authz.Principal, unitID *int64, from, to string) (*CadreFacts, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	cadres, err := s.cadresUnder(db, unitID)
	if err != nil {
		return nil, err
	}
	out := &CadreFacts{UnitOf: map[int64]int64{}, Discrepancies: map[int64]int{}, MakeUps: map[int64]int{}}
	var users []models.User
	if err := db.Model(&models.User{}).Select("id, org_unit_id").Where("id IN (?)", cadres).Order("id").Find(&users).Error; err != nil {
		return nil, mapErr(err)
	}
	for _, u := range users {
		out.Cadres = append(out.Cadres, u.ID)
		out.UnitOf[u.ID] = u.OrgUnitID
	}
	first, err := time.Parse("2006-01-02", from)
	if err != nil {
		return nil, models.E(models.CodeInvalid, "from: a date YYYY-MM-DD")
	}
	last, err := time.Parse("2006-01-02", to)
	if err != nil {
		return nil, models.E(models.CodeInvalid, "to: a date YYYY-MM-DD")
	}
	reads := []func() error{
		func() error {
			return db.Model(&models.CheckIn{}).Select("id, user_id, local_date, wgs_lat, wgs_lon, accuracy_m, verdict, edge_distance_m").
				Where("user_id IN (?) AND local_date >= ? AND local_date <= ?", cadres, from, to).Order("id").Scan(&out.Fixes).Error
		},
		func() error {
			return db.Where("user_id IN (?) AND date >= ? AND date <= ?", cadres, from, to).Order("user_id, date").Find(&out.Days).Error
		},
		func() error {
			// The day before and after cover every zone's reading of the period's dates.
			return db.Where("user_id IN (?) AND requested_at >= ? AND requested_at < ?", cadres, first.Add(-24*time.Hour), last.Add(48*time.Hour)).
				Order("id").Find(&out.Devices).Error
		},
		func() error {
			return db.Model(&models.Activity{}).Select("id, user_id, occurred_at").
				Where("user_id IN (?) AND local_date >= ? AND local_date <= ?", cadres, from, to).Order("id").Scan(&out.Activities).Error
		},
		func() error {
			return db.Raw("SELECT p.activity_id, a.user_id, p.sha256, h.phash FROM activity_photos p JOIN activities a ON a.id = p.activity_id "+
				"LEFT JOIN photo_phashes h ON h.sha256 = p.sha256 WHERE a.local_date >= ? AND a.local_date <= ? ORDER BY p.id", from, to).
				Scan(&out.Photos).Error
		},
		func() error {
			var rows []struct {
				SubjectID int64
				N         int
			}
			err := db.Model(&models.Finding{}).Select("subject_id, COUNT(*) AS n").Where("outcome = ? AND subject_id IN (?)",
				models.FindingDiscrepancy, cadres).Group("subject_id").Scan(&rows).Error
			for _, r := range rows {
				out.Discrepancies[r.SubjectID] = r.N
			}
			return err
		},
		func() error {
			var rows []struct {
				UserID int64
				N      int
			}
			err := db.Model(&models.MakeUp{}).Select("user_id, COUNT(*) AS n").Where("user_id IN (?) AND date >= ? AND date <= ?",
				cadres, from, to).Group("user_id").Scan(&rows).Error
			for _, r := range rows {
				out.MakeUps[r.UserID] = r.N
			}
			return err
		},
	}
	for _, read := range reads {
		if err := read(); err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// PhotosToHash returns up to limit content hashes of activity photos that
// have no perceptual hash yet. The server only.
func (s *Store) PhotosToHash(ctx context.Context, p *authz.Principal, limit int) ([]string, error) {
	if !p.IsSystem() {
		return nil, models.E(models.CodeForbidden, "only the server hashes photos")
	}
	var out []string
	err := s.db.WithContext(ctx).Raw("SELECT DISTINCT p.sha256 FROM activity_photos p LEFT JOIN photo_phashes h ON h.sha256 = p.sha256 "+
		"WHERE h.sha256 IS NULL ORDER BY p.sha256 LIMIT ?", limit).Scan(&out).Error
	return out, mapErr(err)
}

// SavePhotoHash stores a photo's perceptual hash (nil: not decodable); a
// photo hashed already keeps its hash. The server only.
func (s *Store) SavePhotoHash(ctx context.Context, p *authz.Principal, h *models.PhotoHash) error {
	if !p.IsSystem() {
		return models.E(models.CodeForbidden, "only the server hashes photos")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(h).Error
	})
}
