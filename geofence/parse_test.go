package geofence

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/models"
)

// Small GeoJSON builders for the tests.

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func feature(props, geometry string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{%s},"geometry":%s}`, props, geometry)
}

// square is the closed ring of a square of side d degrees at (x, y).
func square(x, y, d float64) string {
	return fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]", x, y, x+d, y, x+d, y+d, x, y+d, x, y)
}

func polygon(rings ...string) string {
	return `{"type":"Polygon","coordinates":[` + strings.Join(rings, ",") + `]}`
}

func multiPolygon(polys ...string) string {
	return `{"type":"MultiPolygon","coordinates":[` + strings.Join(polys, ",") + `]}`
}

func TestParseFeatureCollection(t *testing.T) {
	data := `{"type":"FeatureCollection","datum":"WGS-84 (from OSM)","features":[` +
		feature(`"adcode":410102,"adcode_official":410199,"name":"中原区","city_adcode":410100,"city_name":"郑州市","center":[113.05,34.05],"datum":"GCJ-02"`,
			polygon(square(113, 34, 0.1), square(113.04, 34.04, 0.02))) + `,` +
		feature(`"code":"ZZU-1","name":"郑州大学","parent_code":"ZZU","parent_name":"郑州大学"`,
			multiPolygon("["+square(113.5, 34.5, 0.01)+"]", "["+square(113.52, 34.5, 0.01)+"]")) + `]}`
	rs, ws, err := ParseFeatureCollection([]byte(data), models.RegionCampus, BD09)
	if err != nil {
		t.Fatalf("ParseFeatureCollection: %v", err)
	}
	if len(ws) != 0 {
		t.Errorf("warnings = %v, want none", ws)
	}
	want := []struct {
		code, official, name, parent, parentName string
		datum                                    Datum
		center                                   *orb.Point
		parts, rings0                            int
	}{
		{"410102", "410199", "中原区", "410100", "郑州市", GCJ02, &orb.Point{113.05, 34.05}, 1, 2},
		{"ZZU-1", "", "郑州大学", "ZZU", "郑州大学", WGS84, nil, 2, 1},
	}
	if len(rs) != len(want) {
		t.Fatalf("regions = %d, want %d", len(rs), len(want))
	}
	for i, w := range want {
		r := rs[i]
		if r.Kind != models.RegionCampus || r.Code != w.code || r.OfficialCode != w.official || r.Name != w.name ||
			r.ParentCode != w.parent || r.ParentName != w.parentName || r.Datum != w.datum {
			t.Errorf("region %d = %+v, want %+v", i, r, w)
		}
		if (r.Center == nil) != (w.center == nil) || (r.Center != nil && *r.Center != *w.center) {
			t.Errorf("region %d center = %v, want %v", i, r.Center, w.center)
		}
		if len(r.Geometry) != w.parts || len(r.Geometry[0]) != w.rings0 {
			t.Errorf("region %d geometry = %d parts, %d rings in part 0; want %d, %d", i, len(r.Geometry), len(r.Geometry[0]), w.parts, w.rings0)
		}
	}
}

func TestParseDatumPrecedence(t *testing.T) {
	tests := []struct {
		name     string
		topLevel string // JSON member, "" for none
		property string // feature property, "" for none
		arg      Datum
		want     Datum
	}{
		{"argument only", ``, ``, WGS84, WGS84},
		{"top level overrides argument", `"datum":"GCJ-02 (Amap/AutoNavi offset coordinates, NOT raw WGS84); copied",`, ``, WGS84, GCJ02},
		{"property overrides both", `"datum":"GCJ02",`, `"datum":"bd09",`, WGS84, BD09},
		{"property without argument", ``, `"datum":"WGS-84",`, "", WGS84},
		{"null property ignored", ``, `"datum":null,`, GCJ02, GCJ02},
	}
	for _, tt := range tests {
		data := `{"type":"FeatureCollection",` + tt.topLevel + `"features":[` +
			feature(tt.property+`"code":"a"`, polygon(square(113, 34, 0.1))) + `]}`
		rs, _, err := ParseFeatureCollection([]byte(data), models.RegionCounty, tt.arg)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := rs[0].Datum; got != tt.want {
			t.Errorf("%s: datum = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// Each rejection rule, with the parts of the message that must name the
// feature and the ring.
func TestParseRejects(t *testing.T) {
	ok := feature(`"code":"ok","name":"好"`, polygon(square(113, 34, 0.1)))
	tests := []struct {
		name  string
		data  string
		kind  models.RegionKind
		datum Datum
		want  []string // substrings of the message
	}{
		{"not JSON", `{"type":`, models.RegionCounty, GCJ02, []string{"not valid JSON"}},
		{"not a collection", `{"type":"Feature"}`, models.RegionCounty, GCJ02, []string{"FeatureCollection"}},
		{"empty collection", collection(), models.RegionCounty, GCJ02, []string{"no features"}},
		{"unknown kind", collection(ok), "PROVINCE", GCJ02, []string{"kind"}},
		{"unknown datum argument", collection(ok), models.RegionCounty, "ED50", []string{"datum"}},
		{"unknown datum property", collection(feature(`"code":"x","datum":"CGCS2000"`, polygon(square(113, 34, 0.1)))),
			models.RegionCounty, GCJ02, []string{"feature 0", "unknown datum"}},
		{"no datum anywhere", collection(ok), models.RegionCounty, "", []string{"feature 0", "no datum"}},
		{"missing code", collection(ok, feature(`"name":"无名"`, polygon(square(114, 34, 0.1)))),
			models.RegionCounty, GCJ02, []string{"feature 1", "无名", "no code"}},
		{"duplicate code", collection(ok, feature(`"adcode":"ok","name":"又"`, polygon(square(114, 34, 0.1)))),
			models.RegionCounty, GCJ02, []string{"feature 1", "code ok", `"ok" is already used by feature 0`}},
		{"bad code type", collection(feature(`"code":true`, polygon(square(113, 34, 0.1)))),
			models.RegionCounty, GCJ02, []string{"feature 0", `"code"`}},
		{"bad center", collection(feature(`"code":"c","center":[113]`, polygon(square(113, 34, 0.1)))),
			models.RegionCounty, GCJ02, []string{"feature 0", "center"}},
		{"point geometry", collection(feature(`"code":"p"`, `{"type":"Point","coordinates":[113,34]}`)),
			models.RegionCounty, GCJ02, []string{"feature 0 (code p)", `"Point"`}},
		{"null geometry", collection(feature(`"code":"n"`, `null`)),
			models.RegionCounty, GCJ02, []string{"feature 0 (code n)", "null"}},
		{"unclosed ring", collection(ok, feature(`"code":"u","name":"开"`, polygon(square(114, 34, 0.1), "[[114.02,34.02],[114.05,34.02],[114.05,34.05],[114.02,34.05]]"))),
			models.RegionCounty, GCJ02, []string{"feature 1 (code u 开)", "part 0 ring 1", "not closed"}},
		{"too few positions", collection(feature(`"code":"t"`, polygon("[[113,34],[113.1,34],[113,34]]"))),
			models.RegionCounty, GCJ02, []string{"feature 0 (code t)", "part 0 ring 0", "3 positions"}},
		{"position with one number", collection(feature(`"code":"o"`, polygon("[[113,34],[113.1],[113.1,34.1],[113,34]]"))),
			models.RegionCounty, GCJ02, []string{"feature 0 (code o)", "part 0", "ring 0", "position 1"}},
		{"longitude out of range", collection(feature(`"code":"r"`, multiPolygon("["+square(113, 34, 0.1)+"]", "["+square(180, 34, 0.1)+"]"))),
			models.RegionCounty, GCJ02, []string{"feature 0 (code r)", "part 1 ring 0", "out of range"}},
		{"latitude out of range", collection(feature(`"code":"r"`, polygon(square(113, 89.95, 0.1)))),
			models.RegionCounty, GCJ02, []string{"part 0 ring 0", "out of range"}},
		{"non-finite number", collection(feature(`"code":"f"`, multiPolygon("["+square(113, 34, 0.1)+"]", "["+square(114, 34, 0.1)+",[[113,34],[1e999,34],[113.1,34.1],[113,34]]]"))),
			models.RegionCounty, GCJ02, []string{"feature 0 (code f)", "part 1 ring 1: position 1: 1e999 is not a finite number"}},
		{"string coordinate", collection(feature(`"code":"s"`, polygon(`[[113,34],["x",34],[113.1,34.1],[113,34]]`))),
			models.RegionCounty, GCJ02, []string{"feature 0 (code s)", "part 0 ring 0: position 1: x is not a finite number"}},
		{"malformed coordinates", collection(feature(`"code":"m"`, polygon(`{"a":1}`))),
			models.RegionCounty, GCJ02, []string{"feature 0 (code m)", "Polygon coordinates"}},
		{"zero area", collection(feature(`"code":"z"`, polygon("[[113,34],[113.1,34.1],[113.2,34.2],[113,34]]"))),
			models.RegionCounty, GCJ02, []string{"feature 0 (code z)", "part 0 ring 0", "zero area"}},
		{"empty multipolygon", collection(feature(`"code":"e"`, multiPolygon())),
			models.RegionCounty, GCJ02, []string{"feature 0 (code e)", "no polygons"}},
		{"polygon without rings", collection(feature(`"code":"e"`, polygon())),
			models.RegionCounty, GCJ02, []string{"feature 0 (code e)", "part 0", "no rings"}},
	}
	for _, tt := range tests {
		rs, _, err := ParseFeatureCollection([]byte(tt.data), tt.kind, tt.datum)
		if err == nil {
			t.Errorf("%s: got %d regions, want an error", tt.name, len(rs))
			continue
		}
		if got := models.CodeOf(err); got != models.CodeInvalid {
			t.Errorf("%s: error code = %s, want INVALID", tt.name, got)
		}
		msg := message(err)
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q lacks %q", tt.name, msg, w)
			}
		}
	}
}

// A bow-tie ring and a ring that touches itself load, with one warning per
// offending segment pair naming feature, ring and place.
func TestParseSelfIntersectionWarnings(t *testing.T) {
	// A lopsided bow-tie (non-zero area): A–B crosses C–D at (113.12, 34.12).
	//
	//   D (113, 34.3)
	//   |\
	//   | \   B (113.2, 34.2)
	//   |  \ /|
	//   |   X |
	//   |  / \|
	//   A     C (113.2, 34)
	bowTie := "[[113,34],[113.2,34.2],[113.2,34],[113,34.3],[113,34]]"
	// Two triangles that touch at one vertex, (114, 35): four segment pairs
	// meet there, reported once.
	//
	//   (113,36) +-----+ (115,36)
	//             \   /
	//              \ /
	//               + (114,35)
	//              / \
	//             /   \
	//   (113,34) +-----+ (115,34)
	pinch := "[[113,34],[115,34],[114,35],[115,36],[113,36],[114,35],[113,34]]"
	data := collection(
		feature(`"code":"ok"`, polygon(square(110, 34, 0.5))),
		feature(`"code":"bow","name":"蝴蝶"`, polygon(bowTie)),
		feature(`"code":"pinch"`, multiPolygon("["+square(110, 30, 0.5)+"]", "["+pinch+"]")),
	)
	rs, ws, err := ParseFeatureCollection([]byte(data), models.RegionCounty, GCJ02)
	if err != nil {
		t.Fatalf("ParseFeatureCollection: %v", err)
	}
	if len(rs) != 3 {
		t.Fatalf("regions = %d, want 3", len(rs))
	}
	want := []Warning{
		{Feature: 1, Code: "bow", Name: "蝴蝶", Part: 0, Ring: 0, Location: orb.Point{113.12, 34.12}},
		{Feature: 2, Code: "pinch", Part: 1, Ring: 0, Location: orb.Point{114, 35}},
	}
	if len(ws) != len(want) {
		t.Fatalf("warnings = %v, want %d", ws, len(want))
	}
	for i, w := range want {
		got := ws[i]
		if got.Feature != w.Feature || got.Code != w.Code || got.Name != w.Name || got.Part != w.Part || got.Ring != w.Ring ||
			math.Abs(got.Location[0]-w.Location[0]) > 1e-9 || math.Abs(got.Location[1]-w.Location[1]) > 1e-9 {
			t.Errorf("warning %d = %+v, want %+v", i, got, w)
		}
		if s := got.String(); !strings.Contains(s, fmt.Sprintf("feature %d", w.Feature)) || !strings.Contains(s, "ring 0") {
			t.Errorf("warning %d String() = %q, want it to name the feature and ring", i, s)
		}
	}
}

// Rings with adjacent segments folding back on each other, and consecutive
// duplicate positions, are handled: a spike is a warning, a duplicate is not.
func TestRingSelfIntersectionsEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		ring orb.Ring
		want int
	}{
		{"square", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, 0},
		{"duplicate position", orb.Ring{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, 0},
		{"spike", orb.Ring{{0, 0}, {2, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, 2}, // fold-back at (2,0), touch at (1,0)
		{"triangle", orb.Ring{{0, 0}, {1, 0}, {0, 1}, {0, 0}}, 0},
		{"figure eight", orb.Ring{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}, 1},
	}
	for _, tt := range tests {
		if got := len(ringSelfIntersections(tt.ring)); got != tt.want {
			t.Errorf("%s: %d warnings, want %d", tt.name, got, tt.want)
		}
	}
}

// ValidateGeometry catches what JSON cannot express.
func TestValidateGeometry(t *testing.T) {
	sq := orb.Ring{{113, 34}, {113.1, 34}, {113.1, 34.1}, {113, 34.1}, {113, 34}}
	nan := append(orb.Ring(nil), sq...)
	nan[2] = orb.Point{math.NaN(), 34.1}
	inf := append(orb.Ring(nil), sq...)
	inf[1] = orb.Point{113.1, math.Inf(-1)}
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		want string // "" for valid
	}{
		{"valid", orb.MultiPolygon{{sq}}, ""},
		{"NaN", orb.MultiPolygon{{sq}, {nan}}, "part 1 ring 0: position 2 is not finite"},
		{"infinity", orb.MultiPolygon{{sq, inf}}, "part 0 ring 1: position 1 is not finite"},
		{"nil", nil, "no polygons"},
	}
	for _, tt := range tests {
		err := ValidateGeometry(tt.mp)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: ValidateGeometry = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || models.CodeOf(err) != models.CodeInvalid):
			t.Errorf("%s: ValidateGeometry = %v, want INVALID containing %q", tt.name, err, tt.want)
		}
	}
}

func TestGeometryHash(t *testing.T) {
	a := orb.MultiPolygon{{{{113, 34}, {113.1, 34}, {113.1, 34.1}, {113, 34}}}}
	moved := orb.MultiPolygon{{{{113, 34}, {113.1, 34}, {113.1, 34.100001}, {113, 34}}}}
	split := orb.MultiPolygon{{{{113, 34}, {113.1, 34}}, {{113.1, 34.1}, {113, 34}}}}
	negZero := orb.MultiPolygon{{{{math.Copysign(0, -1), 34}, {0.1, 34}, {0.1, 34.1}, {0, 34}}}}
	posZero := orb.MultiPolygon{{{{0, 34}, {0.1, 34}, {0.1, 34.1}, {0, 34}}}}
	tests := []struct {
		name string
		x, y orb.MultiPolygon
		same bool
	}{
		{"identical copies", a, orb.MultiPolygon{{{{113, 34}, {113.1, 34}, {113.1, 34.1}, {113, 34}}}}, true},
		{"moved vertex", a, moved, false},
		{"same positions, other rings", a, split, false},
		{"-0 and +0", negZero, posZero, true},
		{"empty and nil", orb.MultiPolygon{}, nil, true},
	}
	for _, tt := range tests {
		hx, hy := GeometryHash(tt.x), GeometryHash(tt.y)
		if got := hx == hy; got != tt.same {
			t.Errorf("%s: hashes equal = %v, want %v", tt.name, got, tt.same)
		}
		if len(hx) != 64 {
			t.Errorf("%s: hash %q has %d characters, want 64", tt.name, hx, len(hx))
		}
	}
}
