// Package regiondata embeds the region boundaries that onsite ships with.
//
// The only data set today is henan_counties.geojson: the 157 county-level units
// of Henan province (156 districts, counties and county-level cities under 17
// prefecture-level cities, plus 济源市 419001) in the post-2021 layout. The
// boundaries come from Aliyun DataV.GeoAtlas areas_v3, which is derived from
// AutoNavi/Amap, as mirrored by github.com/zhChuXiao/ChinaGeoJson. Coordinates
// are GCJ-02 (not raw WGS-84) and were copied unmodified from the source; the
// file records this at the top level and in every feature's "datum" property.
//
// The boundaries are simplified linework and are not an officially approved map
// (they carry no 审图号). They are internal test fixtures: do not republish them
// as a map. Amap/DataV terms apply to the geometry. README.md, embedded beside
// the data and returned by Provenance, is the full provenance note: source
// commits, licence, datum check, counts and known caveats (two non-official
// adcodes, small gaps and overlaps across city borders, one self-intersection
// on the 南召县/方城县 border).
package regiondata

import _ "embed"

//go:embed henan_counties.geojson
var henanCounties []byte

//go:embed README.md
var readme []byte

// HenanCounties returns the GeoJSON FeatureCollection of Henan's 157 county-level
// units (GCJ-02). It returns a fresh copy on every call, so callers may modify
// it; it never fails.
func HenanCounties() []byte {
	return append([]byte(nil), henanCounties...)
}

// Provenance returns the provenance note (Markdown) that describes where the
// embedded data comes from and its caveats. It returns a fresh copy on every
// call; it never fails.
func Provenance() string {
	return string(readme)
}
