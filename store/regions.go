package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"gorm.io/gorm"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
)

// ImportSummary counts what an import did.
type ImportSummary struct {
	Created, Updated, Unchanged int
}

// ImportRegions stores regions in one transaction. A new (kind, code) is
// created at version 1; a known one whose geometry hash differs gets a new
// version, the old ones kept; the same geometry again changes nothing (names
// are refreshed). Admin only (FORBIDDEN).
func (s *Store) ImportRegions(ctx context.Context, p *auth.Principal, regions []geofence.Region, source string) (ImportSummary, error) {
	var sum ImportSummary
	if r, err := reach(p, OpWriteRegions); err != nil {
		return sum, err
	} else if r != ReachAll {
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
func (s *Store) importRegion(tx *gorm.DB, g *geofence.Region, source string, by *int64) (int, error) {
	hash := geofence.GeometryHash(g.Geometry)
	var r models.Region
	err := tx.Where("kind = ? AND code = ?", string(g.Kind), g.Code).First(&r).Error
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
		if cur.Hash == hash && cur.Datum == string(g.Datum) {
			outcome = 0
		}
	}
	r.Kind, r.Code, r.OfficialCode, r.Name = models.RegionKind(g.Kind), g.Code, g.OfficialCode, g.Name
	r.ParentCode, r.ParentName = g.ParentCode, g.ParentName
	if outcome != 0 {
		r.CurrentVersion++
	}
	if err := tx.Save(&r).Error; err != nil {
		return 0, err
	}
	g.ID, g.Version = r.ID, r.CurrentVersion
	if outcome == 0 {
		return 0, nil
	}
	v, err := newVersion(g, hash, source, by)
	if err != nil {
		return 0, err
	}
	return outcome, tx.Create(v).Error
}

func newVersion(g *geofence.Region, hash, source string, by *int64) (*models.RegionVersion, error) {
	raw, err := json.Marshal(geojson.NewGeometry(g.Geometry))
	if err != nil {
		return nil, models.Wrap(models.CodeInvalid, err, "geometry cannot be encoded")
	}
	b := g.Geometry.Bound()
	v := &models.RegionVersion{RegionID: g.ID, Version: g.Version, Datum: string(g.Datum), Hash: hash, GeoJSON: string(raw),
		MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1], Source: source, CreatedBy: by}
	if g.Center != nil {
		v.CenterLon, v.CenterLat = &g.Center[0], &g.Center[1]
	}
	return v, nil
}

// LoadRegions returns every region at its current version, ready for
// geofence.NewIndex. A stored geometry that no longer decodes is INTERNAL.
func (s *Store) LoadRegions(ctx context.Context) ([]geofence.Region, error) {
	type row struct {
		models.Region
		Datum     string
		GeoJSON   string `gorm:"column:geo_json"`
		CenterLon *float64
		CenterLat *float64
	}
	var rows []row
	err := s.db.WithContext(ctx).Table("regions").
		Select("regions.*, region_versions.datum, region_versions.geo_json, region_versions.center_lon, region_versions.center_lat").
		Joins("JOIN region_versions ON region_versions.region_id = regions.id AND region_versions.version = regions.current_version").
		Order("regions.id").Scan(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]geofence.Region, 0, len(rows))
	for _, r := range rows {
		g, err := geojson.UnmarshalGeometry([]byte(r.GeoJSON))
		if err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "stored geometry of region "+r.Code+" does not decode")
		}
		reg := geofence.Region{ID: r.ID, Version: r.CurrentVersion, Kind: geofence.Kind(r.Kind), Code: r.Code, OfficialCode: r.OfficialCode,
			Name: r.Name, ParentCode: r.ParentCode, ParentName: r.ParentName, Datum: geofence.Datum(r.Datum)}
		switch geom := g.Geometry().(type) {
		case orb.MultiPolygon:
			reg.Geometry = geom
		case orb.Polygon:
			reg.Geometry = orb.MultiPolygon{geom}
		}
		if r.CenterLon != nil && r.CenterLat != nil {
			reg.Center = &orb.Point{*r.CenterLon, *r.CenterLat}
		}
		out = append(out, reg)
	}
	return out, nil
}

// RegionGeneration returns a number that changes whenever a region version
// is added, so a server can tell cheaply whether to reload its index.
func (s *Store) RegionGeneration(ctx context.Context) (int64, error) {
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
func (s *Store) ListRegions(ctx context.Context, p *auth.Principal, f RegionFilter, page Page) ([]*models.Region, PageInfo, error) {
	if _, err := reach(p, OpReadRegions); err != nil {
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
func (s *Store) Region(ctx context.Context, p *auth.Principal, id int64) (*models.Region, error) {
	if _, err := reach(p, OpReadRegions); err != nil {
		return nil, err
	}
	var r models.Region
	if err := s.db.WithContext(ctx).First(&r, id).Error; err != nil {
		return nil, notFoundOr(err, "region", id)
	}
	return &r, nil
}

// RegionVersions returns every version of a region, oldest first.
func (s *Store) RegionVersions(ctx context.Context, p *auth.Principal, regionID int64) ([]*models.RegionVersion, error) {
	if _, err := reach(p, OpReadRegions); err != nil {
		return nil, err
	}
	var rows []*models.RegionVersion
	err := s.db.WithContext(ctx).Where("region_id = ?", regionID).Order("version").Find(&rows).Error
	return rows, mapErr(err)
}

// RegionsByID loads regions for a data loader.
func (s *Store) RegionsByID(ctx context.Context, p *auth.Principal, ids []int64) (map[int64]*models.Region, error) {
	if _, err := reach(p, OpReadRegions); err != nil {
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
func (s *Store) CurrentVersions(ctx context.Context, p *auth.Principal, regionIDs []int64) (map[int64]*models.RegionVersion, error) {
	if _, err := reach(p, OpReadRegions); err != nil {
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
