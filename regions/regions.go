// Package regions keeps the live county and campus index: it loads the
// stored regions into a geofence.Index at start (importing the bundled Henan
// counties into an empty database first), answers Locate from memory, and
// swaps in a new index after an import — without a restart.
package regions

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regiondata"
	"github.com/henan-youth/onsite/store"
)

// BundledSource names the bundled county data in region versions.
const BundledSource = "bundled: DataV.GeoAtlas areas_v3 via github.com/zhChuXiao/ChinaGeoJson (regiondata/README.md)"

// Service holds the current index. It is safe for concurrent use.
type Service struct {
	store *store.Store
	log   *slog.Logger
	cur   atomic.Pointer[snapshot]
	gen   atomic.Int64 // store generation the index was built from
	mu    sync.Mutex   // serialises reloads
	// system is the principal the service reads regions as, and imports
	// the bundled counties as.
	system *authz.Principal
}

// snapshot is one loaded set of regions: the index and the regions by id.
type snapshot struct {
	idx  *geofence.Index
	byID map[int64]*models.Region
}

func newSnapshot(regs []geofence.Region) *snapshot {
	s := &snapshot{idx: geofence.NewIndex(regs), byID: make(map[int64]*models.Region, len(regs))}
	for _, r := range regs {
		s.byID[r.ID] = &models.Region{ID: r.ID, Kind: models.RegionKind(r.Kind), Code: r.Code, OfficialCode: r.OfficialCode,
			Name: r.Name, ParentCode: r.ParentCode, ParentName: r.ParentName, CurrentVersion: r.Version}
	}
	return s
}

// New loads the index. On a database without counties it first imports the
// bundled 157 Henan counties. It fails if the store fails or stored geometry
// does not decode.
func New(ctx context.Context, st *store.Store, log *slog.Logger) (*Service, error) {
	s := &Service{store: st, log: log, system: authz.System("regions")}
	kind := models.RegionCounty
	rows, _, err := st.ListRegions(ctx, s.system, store.RegionFilter{Kind: &kind}, store.Page{First: 1})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		sum, warns, err := s.importData(ctx, s.system, models.RegionCounty, geofence.GCJ02, regiondata.HenanCounties(), BundledSource)
		if err != nil {
			return nil, err
		}
		log.Info("imported the bundled Henan counties", "created", sum.Created, "warnings", len(warns))
	}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// ByID returns the regions of the index in force with the given ids,
// as the store would (current versions); ids not in the index are absent.
// It reads memory only, so answers that name regions cost no query.
func (s *Service) ByID(ids []int64) map[int64]*models.Region {
	cur := s.cur.Load()
	out := make(map[int64]*models.Region, len(ids))
	for _, id := range ids {
		if r, ok := cur.byID[id]; ok {
			copy := *r
			out[id] = &copy
		}
	}
	return out
}

// Get returns a copy of region id from the regions in force, or nil.
func (s *Service) Get(id int64) *models.Region {
	r, ok := s.cur.Load().byID[id]
	if !ok {
		return nil
	}
	copy := *r
	return &copy
}

// Index returns the index in force.
func (s *Service) Index() *geofence.Index { return s.cur.Load().idx }

// Locate finds the regions at (lat, lon) given in datum with the fix's
// accuracy radius. Bad coordinates, accuracy or datum are INVALID.
func (s *Service) Locate(lat, lon, accuracyM float64, datum geofence.Datum) (geofence.Result, error) {
	return s.cur.Load().idx.Locate(orb.Point{lon, lat}, datum, accuracyM)
}

// Reload rebuilds the index from the store if a region version was added
// since the last build (by this or another server).
func (s *Service) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	gen, err := s.store.RegionGeneration(ctx, s.system)
	if err != nil {
		return err
	}
	if s.cur.Load() != nil && gen == s.gen.Load() {
		return nil
	}
	stored, err := s.store.LoadRegions(ctx, s.system)
	if err != nil {
		return err
	}
	regs := make([]geofence.Region, len(stored))
	for i := range stored {
		if regs[i], err = fromStored(stored[i]); err != nil {
			return err
		}
	}
	s.cur.Store(newSnapshot(regs))
	s.gen.Store(gen)
	s.log.Info("region index loaded", "regions", len(regs), "generation", gen)
	return nil
}

// Import parses a GeoJSON FeatureCollection of kind, whose coordinates are
// in datum unless the file says otherwise (OpenStreetMap exports are WGS84),
// and stores it (new
// regions, new versions for changed geometry, nothing for unchanged), then
// reloads the index. Invalid geometry is INVALID naming the feature and ring;
// self-intersections come back as warnings. Admin only (FORBIDDEN).
func (s *Service) Import(ctx context.Context, p *authz.Principal, kind models.RegionKind, datum geofence.Datum, data []byte, source string) (store.ImportSummary, []geofence.Warning, error) {
	sum, warns, err := s.importData(ctx, p, kind, datum, data, source)
	if err != nil {
		return sum, warns, err
	}
	return sum, warns, s.Reload(ctx)
}

func (s *Service) importData(ctx context.Context, p *authz.Principal, kind models.RegionKind, datum geofence.Datum, data []byte, source string) (store.ImportSummary, []geofence.Warning, error) {
	if !kind.Valid() {
		return store.ImportSummary{}, nil, models.E(models.CodeInvalid, "unknown region kind %q", kind)
	}
	if !datum.Valid() {
		return store.ImportSummary{}, nil, models.E(models.CodeInvalid, "unknown datum %q", datum)
	}
	regs, warns, err := geofence.ParseFeatureCollection(data, kind, datum)
	if err != nil {
		return store.ImportSummary{}, warns, err
	}
	for _, w := range warns {
		s.log.Warn("region geometry warning", "warning", w.String())
	}
	rows := make([]store.RegionGeometry, len(regs))
	for i := range regs {
		if rows[i], err = toStored(regs[i]); err != nil {
			return store.ImportSummary{}, warns, err
		}
	}
	sum, err := s.store.ImportRegions(ctx, p, rows, source)
	return sum, warns, err
}

// toStored encodes a parsed region for the store: its geometry as GeoJSON
// with its hash, bounding box and centre. INVALID when the geometry cannot
// be encoded.
func toStored(g geofence.Region) (store.RegionGeometry, error) {
	raw, err := json.Marshal(geojson.NewGeometry(g.Geometry))
	if err != nil {
		return store.RegionGeometry{}, models.Wrap(models.CodeInvalid, err, "geometry of "+g.Code+" cannot be encoded")
	}
	b := g.Geometry.Bound()
	v := models.RegionVersion{Datum: string(g.Datum), Hash: geofence.GeometryHash(g.Geometry), GeoJSON: string(raw),
		MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]}
	if g.Center != nil {
		v.CenterLon, v.CenterLat = &g.Center[0], &g.Center[1]
	}
	r := models.Region{Kind: g.Kind, Code: g.Code, OfficialCode: g.OfficialCode, Name: g.Name, ParentCode: g.ParentCode, ParentName: g.ParentName}
	return store.RegionGeometry{Region: r, Version: v}, nil
}

// fromStored decodes a stored region for the index. INTERNAL when its
// geometry no longer decodes.
func fromStored(row store.RegionGeometry) (geofence.Region, error) {
	r, v := row.Region, row.Version
	g, err := geojson.UnmarshalGeometry([]byte(v.GeoJSON))
	if err != nil {
		return geofence.Region{}, models.Wrap(models.CodeInternal, err, "stored geometry of region "+r.Code+" does not decode")
	}
	out := geofence.Region{ID: r.ID, Version: r.CurrentVersion, Kind: r.Kind, Code: r.Code, OfficialCode: r.OfficialCode,
		Name: r.Name, ParentCode: r.ParentCode, ParentName: r.ParentName, Datum: geofence.Datum(v.Datum)}
	switch geom := g.Geometry().(type) {
	case orb.MultiPolygon:
		out.Geometry = geom
	case orb.Polygon:
		out.Geometry = orb.MultiPolygon{geom}
	}
	if v.CenterLon != nil && v.CenterLat != nil {
		out.Center = &orb.Point{*v.CenterLon, *v.CenterLat}
	}
	return out, nil
}

// Message is the sentence the phone shows for a located point.
func Message(r geofence.Result) string {
	best := Choose(r, nil)
	switch {
	case best == nil:
		return "不在任何下沉地区内 (not inside any county or campus)"
	case best.Verdict == geofence.Inside && !Ambiguous(r, best):
		return "你在" + best.Region.Name + "内 (inside " + best.Region.Name + ")"
	case best.Contains:
		return "你在" + best.Region.Name + "边界附近，定位精度不足以确认 (near the edge of " + best.Region.Name + "; accuracy too low to confirm)"
	}
	return "你在" + best.Region.Name + "边界外附近 (just outside " + best.Region.Name + ")"
}
