package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// ImportSummary counts what an import did.
type ImportSummary struct {
	Created, Updated, Unchanged int
}

// RegionGeometry is a region with one version of its geometry: what an
// import stores and what LoadRegions returns.
type RegionGeometry struct {
	Region  models.Region        // kind, code and names (the import sets ID and CurrentVersion)
	Version models.RegionVersion // datum, hash, GeoJSON, bounding box, centre (the import sets the rest)
}

// ImportRegions stores regions in one transaction. A new (kind, code) is
// created at version 1; a known one whose geometry hash or datum differs
// gets a new version, the old ones kept; the same geometry again changes
// nothing (names are refreshed). Admins and the system only (FORBIDDEN).
func (s *Store) ImportRegions(ctx context.Context, p *authz.Principal, regions []RegionGeometry, source string) (ImportSummary, error) {
	var sum ImportSummary
	if r, err := reach(p, authz.WriteRegions); err != nil {
		return sum, err
	} else if r != authz.All {
		return sum, models.E(models.CodeForbidden, "only an admin may import regions")
	}
	var by *int64
	if p.UserID > 0 {
		by = &p.UserID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		for i := range regions {
			outcome, err := s.importRegion(tx, &regions[i], source, by)
			if err != nil {
				return err
			}
			switch outcome {
			case 0:
				sum.Unchanged++
			case 1:
				sum.Created++
			default:
				sum.Updated++
			}
		}
		return nil
	})
	return sum, err
}

// importRegion stores one region and reports 0 unchanged, 1 created or 2 a
// new version.
func (s *Store) importRegion(tx *gorm.DB, g *RegionGeometry, source string, by *int64) (int, error) {
	var r models.Region
	err := tx.Where("kind = ? AND code = ?", g.Region.Kind, g.Region.Code).First(&r).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, err
	}
	outcome := 1
	if err == nil {
		var cur models.RegionVersion
		if err := tx.Where("region_id = ? AND version = ?", r.ID, r.CurrentVersion).First(&cur).Error; err != nil {
			return 0, err
		}
		outcome = 2
		if cur.Hash == g.Version.Hash && cur.Datum == g.Version.Datum {
			outcome = 0
		}
	}
	r.Kind, r.Code, r.OfficialCode, r.Name = g.Region.Kind, g.Region.Code, g.Region.OfficialCode, g.Region.Name
	r.ParentCode, r.ParentName = g.Region.ParentCode, g.Region.ParentName
	if outcome != 0 {
		r.CurrentVersion++
	}
	if err := tx.Save(&r).Error; err != nil {
		return 0, err
	}
	g.Region = r
	if outcome == 0 {
		return 0, nil
	}
	v := g.Version
	v.ID, v.RegionID, v.Version, v.Source, v.CreatedBy = 0, r.ID, r.CurrentVersion, source, by
	return outcome, tx.Create(&v).Error
}

// LoadRegions returns every region with its current version, for the
// region index (authz.ReadRegions).
func (s *Store) LoadRegions(ctx context.Context, p *authz.Principal) ([]RegionGeometry, error) {
	if _, err := reach(p, authz.ReadRegions); err != nil {
		return nil, err
	}
	var regs []models.Region
	if err := s.db.WithContext(ctx).Order("id").Find(&regs).Error; err != nil {
		return nil, mapErr(err)
	}
	var vers []models.RegionVersion
	err := s.db.WithContext(ctx).Table("region_versions").Select("region_versions.*").
		Joins("JOIN regions ON regions.id = region_versions.region_id AND region_versions.version = regions.current_version").
		Scan(&vers).Error
	if err != nil {
		return nil, mapErr(err)
	}
	byRegion := make(map[int64]models.RegionVersion, len(vers))
	for _, v := range vers {
		byRegion[v.RegionID] = v
	}
	out := make([]RegionGeometry, 0, len(regs))
	for _, r := range regs {
		v, ok := byRegion[r.ID]
		if !ok {
			return nil, models.E(models.CodeInternal, "region %s has no version %d", r.Code, r.CurrentVersion)
		}
		out = append(out, RegionGeometry{Region: r, Version: v})
	}
	return out, nil
}

// RegionGeneration returns a number that changes whenever a region version
// is added, so a server can tell cheaply whether to reload its index.
func (s *Store) RegionGeneration(ctx context.Context, p *authz.Principal) (int64, error) {
	if _, err := reach(p, authz.ReadRegions); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&models.RegionVersion{}).Select("COALESCE(MAX(id), 0)").Scan(&n).Error
	return n, mapErr(err)
}

// RegionFilter narrows ListRegions.
type RegionFilter struct {
	Kind       *models.RegionKind
	ParentCode *string
}

// ListRegions pages through regions.
func (s *Store) ListRegions(ctx context.Context, p *authz.Principal, f RegionFilter, page Page) ([]*models.Region, PageInfo, error) {
	if _, err := reach(p, authz.ReadRegions); err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Region{})
	if f.Kind != nil {
		q = q.Where("kind = ?", *f.Kind)
	}
	if f.ParentCode != nil {
		q = q.Where("parent_code = ?", *f.ParentCode)
	}
	return list(q, "regions", page, func(r *models.Region) int64 { return r.ID })
}

// Region returns one region; NOT_FOUND when absent.
func (s *Store) Region(ctx context.Context, p *authz.Principal, id int64) (*models.Region, error) {
	if _, err := reach(p, authz.ReadRegions); err != nil {
		return nil, err
	}
	var r models.Region
	if err := s.db.WithContext(ctx).First(&r, id).Error; err != nil {
		return nil, notFoundOr(err, "region", id)
	}
	return &r, nil
}

// RegionVersions returns every version of a region, oldest first.
func (s *Store) RegionVersions(ctx context.Context, p *authz.Principal, regionID int64) ([]*models.RegionVersion, error) {
	if _, err := reach(p, authz.ReadRegions); err != nil {
		return nil, err
	}
	var rows []*models.RegionVersion
	err := s.db.WithContext(ctx).Where("region_id = ?", regionID).Order("version").Find(&rows).Error
	return rows, mapErr(err)
}

// RegionsByID loads regions for a data loader.
func (s *Store) RegionsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.Region, error) {
	if _, err := reach(p, authz.ReadRegions); err != nil {
		return nil, err
	}
	var rows []*models.Region
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.Region) int64 { return r.ID }), nil
}

// CurrentVersions loads the version in force of several regions (a data
// loader batch), keyed by region id.
func (s *Store) CurrentVersions(ctx context.Context, p *authz.Principal, regionIDs []int64) (map[int64]*models.RegionVersion, error) {
	if _, err := reach(p, authz.ReadRegions); err != nil {
		return nil, err
	}
	var rows []*models.RegionVersion
	err := s.db.WithContext(ctx).Table("region_versions").Select("region_versions.*").
		Joins("JOIN regions ON regions.id = region_versions.region_id AND regions.current_version = region_versions.version").
		Where("region_versions.region_id IN ?", regionIDs).Scan(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.RegionVersion) int64 { return r.RegionID }), nil
}
