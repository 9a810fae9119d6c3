package main

import (
	"strings"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

type locateOut struct {
	Locate struct {
		Ambiguous bool
		Message   string
		Best      *struct {
			Verdict string
			Region  struct{ Code, Name, Kind string }
		}
		Candidates []struct {
			Verdict       string
			EdgeDistanceM float64
			Region        struct{ Code, Name string }
		}
	}
}

const locateQuery = `query($lat: Float!, $lon: Float!, $acc: Float!, $cs: CoordSystem!) {
  locate(lat: $lat, lon: $lon, accuracy: $acc, coordSystem: $cs) {
    ambiguous message best { verdict region { code name kind } }
    candidates { verdict edgeDistanceM region { code name } }
  }
}`

func TestBundledCountiesAndLocate(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b)
		tok := s.login(t, "admin", s.AdminPW, "d").Login.AccessToken

		count, after := 0, ""
		for {
			var page struct {
				Regions struct {
					Edges []struct {
						Node struct{ Code, Name, ParentName string }
					}
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			s.post(t, tok, `query($a: String) { regions(kind: COUNTY, first: 100, after: $a) { edges { node { code name parentName } } pageInfo { hasNextPage endCursor } } }`,
				map[string]any{"a": after}).into(t, &page)
			count += len(page.Regions.Edges)
			if !page.Regions.PageInfo.HasNextPage {
				break
			}
			after = page.Regions.PageInfo.EndCursor
		}
		if count != 157 {
			t.Errorf("bundled counties = %d, want 157", count)
		}

		// 兰考县's label point, GCJ-02 from the data, and the same place as raw GPS.
		for _, tc := range []struct {
			name     string
			lat, lon float64
			cs       string
		}{
			{"GCJ-02", 34.829899, 114.820572, "GCJ02"},
			{"WGS-84", 34.831160, 114.814649, "WGS84"},
		} {
			var out locateOut
			s.post(t, tok, locateQuery, map[string]any{"lat": tc.lat, "lon": tc.lon, "acc": 15, "cs": tc.cs}).into(t, &out)
			if out.Locate.Best == nil || out.Locate.Best.Region.Name != "兰考县" || out.Locate.Best.Verdict != "INSIDE" {
				t.Errorf("%s: best = %+v, want INSIDE 兰考县", tc.name, out.Locate.Best)
			}
			if !strings.Contains(out.Locate.Message, "兰考县") {
				t.Errorf("%s: message %q", tc.name, out.Locate.Message)
			}
		}
		var outside locateOut
		s.post(t, tok, locateQuery, map[string]any{"lat": 30.5, "lon": 113.0, "acc": 10, "cs": "GCJ02"}).into(t, &outside)
		if outside.Locate.Best != nil || len(outside.Locate.Candidates) != 0 {
			t.Errorf("point in Hubei located as %+v", outside.Locate)
		}
		for name, vars := range map[string]map[string]any{
			"latitude out of range": {"lat": 91.0, "lon": 113.0, "acc": 10, "cs": "GCJ02"},
			"negative accuracy":     {"lat": 34.8, "lon": 114.8, "acc": -1, "cs": "GCJ02"},
		} {
			if r := s.post(t, tok, locateQuery, vars); r.Code() != "INVALID" {
				t.Errorf("%s: %s, want INVALID", name, r.Raw)
			}
		}
	})
}

const syntheticCampus = `{"type":"FeatureCollection","features":[{"type":"Feature",
 "properties":{"code":"SYN-CAMPUS-1","name":"Synthetic campus 1 (not a real outline)","parent_code":"410100","parent_name":"郑州市"},
 "geometry":{"type":"Polygon","coordinates":[[[113.520,34.810],[113.530,34.810],[113.530,34.820],[113.520,34.820],[113.520,34.810]]]}}]}`

func TestImportCampusWithoutRestart(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b)
		tok := s.login(t, "admin", s.AdminPW, "d").Login.AccessToken
		imp := `mutation($g: String!) { importRegions(kind: CAMPUS, coordSystem: WGS84, geojson: $g) { created updated unchanged warnings } }`
		type result struct {
			ImportRegions struct{ Created, Updated, Unchanged int }
		}
		var r1, r2, r3 result
		s.post(t, tok, imp, map[string]any{"g": syntheticCampus}).into(t, &r1)
		s.post(t, tok, imp, map[string]any{"g": syntheticCampus}).into(t, &r2)
		s.post(t, tok, imp, map[string]any{"g": strings.Replace(syntheticCampus, "113.530,34.820", "113.531,34.821", 1)}).into(t, &r3)
		if r1.ImportRegions.Created != 1 || r2.ImportRegions.Unchanged != 1 || r3.ImportRegions.Updated != 1 {
			t.Errorf("imports = %+v %+v %+v, want created, unchanged, updated", r1, r2, r3)
		}
		var out locateOut
		s.post(t, tok, locateQuery, map[string]any{"lat": 34.815, "lon": 113.525, "acc": 10, "cs": "WGS84"}).into(t, &out)
		if out.Locate.Best == nil || out.Locate.Best.Region.Code != "SYN-CAMPUS-1" || out.Locate.Best.Region.Kind != "CAMPUS" {
			t.Errorf("locate in the new campus: %+v", out.Locate)
		}
		var reg struct {
			Regions struct {
				Edges []struct {
					Node struct {
						Version  int
						Geometry string
						Versions []struct{ Version int }
					}
				}
			}
		}
		s.post(t, tok, `{ regions(kind: CAMPUS) { edges { node { version geometry versions { version } } } } }`, nil).into(t, &reg)
		if n := reg.Regions.Edges[0].Node; n.Version != 2 || len(n.Versions) != 2 || !strings.Contains(n.Geometry, "113.531") {
			t.Errorf("campus after re-import = %+v, want version 2 of 2 with the new corner", n)
		}

		bad := strings.Replace(syntheticCampus, "[113.520,34.810]]]", "[113.520,34.811]]]", 1) // unclosed ring
		r := s.post(t, tok, imp, map[string]any{"g": bad})
		if r.Code() != "INVALID" || !strings.Contains(r.Raw, "SYN-CAMPUS-1") {
			t.Errorf("unclosed ring: %s, want INVALID naming the feature", r.Raw)
		}
	})
}
