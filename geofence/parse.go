package geofence

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/models"
)

// Warning is a problem in imported data that does not stop the import: today
// only a ring that crosses or touches itself.
type Warning struct {
	Feature  int    // index of the feature in the collection
	Code     string // the feature's code
	Name     string // the feature's name
	Part     int    // index of the polygon within the feature's MultiPolygon (0 for a Polygon)
	Ring     int    // index of the ring within the polygon: 0 exterior, 1… holes
	Location orb.Point
	Message  string
}

// String returns the warning as one line naming the feature, ring and place.
func (w Warning) String() string {
	return fmt.Sprintf("%s, part %d ring %d: %s near [%.6f, %.6f]",
		featureLabel(w.Feature, w.Code, w.Name), w.Part, w.Ring, w.Message, w.Location[0], w.Location[1])
}

type rawCollection struct {
	Type     string          `json:"type"`
	Datum    json.RawMessage `json:"datum"`
	Features []rawFeature    `json:"features"`
}

type rawFeature struct {
	Type       string       `json:"type"`
	Properties properties   `json:"properties"`
	Geometry   *rawGeometry `json:"geometry"`
}

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// ParseFeatureCollection reads a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features into regions of the given kind.
//
// Feature properties: "code" or else "adcode" (string or integer; required and
// unique within the file), "adcode_official", "name", "city_adcode" and
// "city_name" or else "parent_code" and "parent_name", "center" ([lon, lat])
// and "datum". The datum of a feature is its own "datum" property if present,
// else the collection's top-level "datum" member, else the datum argument. A
// datum string is read up to its first space, "(" or ";", so the descriptive
// "GCJ-02 (Amap/AutoNavi offset …)" of the bundled file names GCJ02.
//
// Every ring must be closed, have at least 4 positions, finite coordinates
// within ±180/±90 and non-zero area. Rings that cross or touch themselves are
// not rejected: each place where that happens is returned as a Warning.
//
// On any rejection it returns a CodeInvalid error whose message names the
// feature (index, code, name) and, for geometry, the part and ring, and no
// regions. Only the first problem found is reported.
func ParseFeatureCollection(data []byte, kind models.RegionKind, datum Datum) ([]Region, []Warning, error) {
	if !kind.Valid() {
		return nil, nil, models.E(models.CodeInvalid, "unknown region kind %q", kind)
	}
	fc, datum, err := decodeCollection(data, datum)
	if err != nil {
		return nil, nil, err
	}
	regions := make([]Region, 0, len(fc.Features))
	var warnings []Warning
	seen := make(map[string]int, len(fc.Features))
	for i := range fc.Features {
		r, ws, err := parseFeature(i, &fc.Features[i], kind, datum)
		if err != nil {
			return nil, nil, err
		}
		if j, dup := seen[r.Code]; dup {
			return nil, nil, models.E(models.CodeInvalid, "%s: code %q is already used by feature %d",
				featureLabel(i, r.Code, r.Name), r.Code, j)
		}
		seen[r.Code] = i
		regions = append(regions, r)
		warnings = append(warnings, ws...)
	}
	return regions, warnings, nil
}

// decodeCollection decodes the collection and returns it with the datum its
// features default to: the top-level "datum" member if present, else datum.
func decodeCollection(data []byte, datum Datum) (*rawCollection, Datum, error) {
	if datum != "" && !datum.Valid() {
		return nil, "", models.E(models.CodeInvalid, "unknown datum %q", datum)
	}
	var fc rawCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, "", models.E(models.CodeInvalid, "region file is not valid JSON: %v", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, "", models.E(models.CodeInvalid, "region file has type %q, want FeatureCollection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, "", models.E(models.CodeInvalid, "region file has no features")
	}
	if len(fc.Datum) > 0 && !isNull(fc.Datum) {
		d, err := datumValue(fc.Datum)
		if err != nil {
			return nil, "", models.E(models.CodeInvalid, "collection datum: %s", message(err))
		}
		datum = d
	}
	return &fc, datum, nil
}

// parseFeature turns one feature into a Region. Errors name the feature.
func parseFeature(i int, f *rawFeature, kind models.RegionKind, datum Datum) (Region, []Warning, error) {
	r := Region{Kind: kind, Datum: datum}
	if err := readProperties(&r, f.Properties); err != nil {
		return r, nil, models.E(models.CodeInvalid, "%s: %s", featureLabel(i, r.Code, r.Name), message(err))
	}
	label := featureLabel(i, r.Code, r.Name)
	if f.Type != "Feature" {
		return r, nil, models.E(models.CodeInvalid, "%s: type %q, want Feature", label, f.Type)
	}
	if r.Code == "" {
		return r, nil, models.E(models.CodeInvalid, "%s: no code (want a \"code\" or \"adcode\" property)", label)
	}
	if !r.Datum.Valid() {
		return r, nil, models.E(models.CodeInvalid, "%s: no datum (give one in the file or to the import)", label)
	}
	mp, err := readGeometry(f.Geometry)
	if err != nil {
		return r, nil, models.E(models.CodeInvalid, "%s: %s", label, message(err))
	}
	if err := validateMultiPolygon(mp); err != nil {
		return r, nil, models.E(models.CodeInvalid, "%s, %s", label, message(err))
	}
	r.Geometry = mp
	ws := selfIntersections(mp)
	for k := range ws {
		ws[k].Feature, ws[k].Code, ws[k].Name = i, r.Code, r.Name
	}
	return r, ws, nil
}

// properties are a feature's properties, undecoded.
type properties map[string]json.RawMessage

// readProperties fills the descriptive fields of r from a feature's properties.
func readProperties(r *Region, p properties) error {
	var errs [7]error
	r.Code, errs[0] = p.text("code", "adcode")
	r.Name, errs[1] = p.text("name")
	r.OfficialCode, errs[2] = p.text("adcode_official")
	parent, parentName := "parent_code", "parent_name"
	if _, ok := p["city_adcode"]; ok {
		parent, parentName = "city_adcode", "city_name"
	}
	r.ParentCode, errs[3] = p.text(parent)
	r.ParentName, errs[4] = p.text(parentName)
	if v, ok := p.get("datum"); ok {
		r.Datum, errs[5] = datumValue(v)
	}
	if v, ok := p.get("center"); ok {
		var c orb.Point
		c, errs[6] = centerValue(v)
		r.Center = &c
	}
	return cmp.Or(errs[:]...)
}

// get returns the value of key if it is present and not null.
func (p properties) get(key string) (json.RawMessage, bool) {
	v, ok := p[key]
	return v, ok && !isNull(v)
}

// text returns the first of keys that is present and not null, as text: a
// string, or a number as written. It returns "" if none is present and an
// error if the value is of another type.
func (p properties) text(keys ...string) (string, error) {
	for _, k := range keys {
		v, ok := p.get(k)
		if !ok {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			return strings.TrimSpace(s), nil
		}
		var n json.Number
		if err := json.Unmarshal(v, &n); err == nil {
			return n.String(), nil
		}
		return "", fmt.Errorf("property %q must be a string or a number", k)
	}
	return "", nil
}

// datumValue parses a datum string, ignoring any description after the name.
func datumValue(v json.RawMessage) (Datum, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("datum must be a string")
	}
	name, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	name, _, _ = strings.Cut(name, "(")
	name, _, _ = strings.Cut(name, ";")
	d, err := ParseDatum(name)
	if err != nil {
		return "", fmt.Errorf("unknown datum %q", s)
	}
	return d, nil
}

// centerValue parses a [lon, lat] label point.
func centerValue(v json.RawMessage) (orb.Point, error) {
	var c []float64
	if err := json.Unmarshal(v, &c); err != nil || len(c) < 2 {
		return orb.Point{}, fmt.Errorf("center must be [lon, lat]")
	}
	p := orb.Point{c[0], c[1]}
	if err := checkPoint(p); err != nil {
		return p, fmt.Errorf("center: %s", message(err))
	}
	return p, nil
}

// readGeometry decodes a Polygon or MultiPolygon into a MultiPolygon.
func readGeometry(g *rawGeometry) (orb.MultiPolygon, error) {
	if g == nil {
		return nil, fmt.Errorf("geometry is null, want Polygon or MultiPolygon")
	}
	var polys [][][][]float64
	var err error
	switch g.Type {
	case "Polygon":
		var c [][][]float64
		err = json.Unmarshal(g.Coordinates, &c)
		polys = [][][][]float64{c}
	case "MultiPolygon":
		err = json.Unmarshal(g.Coordinates, &polys)
	default:
		return nil, fmt.Errorf("geometry type %q is not Polygon or MultiPolygon", g.Type)
	}
	if err != nil {
		return nil, badCoordinates(g, err)
	}
	mp := make(orb.MultiPolygon, len(polys))
	for i := range polys {
		if mp[i], err = toPolygon(polys[i]); err != nil {
			return nil, fmt.Errorf("part %d %v", i, err)
		}
	}
	return mp, nil
}

// badCoordinates explains why coordinates did not decode: it names the part,
// ring and position of the first value that is not a finite number when it
// finds one, else it reports err.
func badCoordinates(g *rawGeometry, err error) error {
	d := json.NewDecoder(bytes.NewReader(g.Coordinates))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return fmt.Errorf("%s coordinates: %v", g.Type, err)
	}
	polys, _ := v.([]any)
	if g.Type == "Polygon" {
		polys = []any{v}
	}
	for i, poly := range polys {
		rings, _ := poly.([]any)
		for j, ring := range rings {
			positions, _ := ring.([]any)
			for k, pos := range positions {
				nums, _ := pos.([]any)
				for _, n := range nums {
					if num, ok := n.(json.Number); !ok || !finite(num) {
						return fmt.Errorf("part %d ring %d: position %d: %v is not a finite number", i, j, k, n)
					}
				}
			}
		}
	}
	return fmt.Errorf("%s coordinates: %v", g.Type, err)
}

// finite reports whether n is a number a float64 can hold.
func finite(n json.Number) bool {
	_, err := n.Float64()
	return err == nil
}

// toPolygon converts decoded rings, rejecting positions with fewer than two
// numbers. Extra numbers (altitude) are dropped.
func toPolygon(c [][][]float64) (orb.Polygon, error) {
	p := make(orb.Polygon, len(c))
	for r, ring := range c {
		p[r] = make(orb.Ring, len(ring))
		for k, pos := range ring {
			if len(pos) < 2 {
				return nil, fmt.Errorf("ring %d: position %d has %d numbers, want [lon, lat]", r, k, len(pos))
			}
			p[r][k] = orb.Point{pos[0], pos[1]}
		}
	}
	return p, nil
}

// featureLabel names a feature in messages: its index, then code and name when known.
func featureLabel(i int, code, name string) string {
	s := fmt.Sprintf("feature %d", i)
	if code != "" {
		s += fmt.Sprintf(" (code %s", code)
		if name != "" {
			s += " " + name
		}
		s += ")"
	} else if name != "" {
		s += fmt.Sprintf(" (%s)", name)
	}
	return s
}

func isNull(v json.RawMessage) bool {
	return string(bytes.TrimSpace(v)) == "null"
}

// message returns the client-safe text of err: the Message of a models.Error,
// else err.Error().
func message(err error) string {
	if e, ok := err.(*models.Error); ok {
		return e.Message
	}
	return err.Error()
}
