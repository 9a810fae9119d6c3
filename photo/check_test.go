package photo

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/henan-youth/onsite/internal/testimage"
)

// The activity the tests' photos document: an interview in 兰考县 at 10:00
// Beijing time.
var (
	cst      = time.FixedZone("CST", 8*3600)
	activity = Fix{Lat: 34.8200, Lon: 114.8100, Time: time.Date(2026, 11, 16, 10, 0, 0, 0, cst)}
)

func TestInspect(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		name      string
		data      []byte
		wantGPS   bool
		lat, lon  float64
		wantTaken time.Time // zero = none
	}{
		{"jpeg with gps and time", testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: 34.8215, Lon: 114.8123, Taken: "2026:11:16 10:20:00", Offset: "+08:00"})),
			true, 34.8215, 114.8123, time.Date(2026, 11, 16, 10, 20, 0, 0, cst)},
		{"southern and western hemispheres", testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: -33.8688, Lon: -70.6693})),
			true, -33.8688, -70.6693, time.Time{}},
		{"time without offset is Beijing time", testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{Taken: "2026:11:16 10:05:00"})),
			false, 0, 0, time.Date(2026, 11, 16, 10, 5, 0, 0, cst)},
		{"time without offset, GPS stamp in UTC wins", testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: 34.82, Lon: 114.81,
			Taken: "2026:11:16 03:10:00", GPSDate: "2026:11:16", GPSH: 2, GPSM: 10})),
			true, 34.82, 114.81, time.Date(2026, 11, 16, 2, 10, 0, 0, time.UTC)},
		{"offset wins over the GPS stamp", testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: 34.82, Lon: 114.81,
			Taken: "2026:11:16 10:10:00", Offset: "+08:00", GPSDate: "2026:11:16", GPSH: 9, GPSM: 0})),
			true, 34.82, 114.81, time.Date(2026, 11, 16, 10, 10, 0, 0, cst)},
		{"gps at 0,0 means no fix", testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true})), false, 0, 0, time.Time{}},
		{"jpeg without exif", testimage.JPEG(t, nil), false, 0, 0, time.Time{}},
		{"jpeg with exif that does not parse", testimage.JPEG(t, []byte("MM\x00\x2a\x00\x00\xff\xf0garbage")), false, 0, 0, time.Time{}},
		{"png eXIf", testimage.PNG(t, [2][]byte{[]byte("eXIf"), testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: 34.9, Lon: 114.7, Taken: "2026:11:16 09:00:00", Offset: "+08:00"})}),
			true, 34.9, 114.7, time.Date(2026, 11, 16, 9, 0, 0, 0, cst)},
		{"heic exif item", testimage.HEIC(testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: 34.8, Lon: 114.8, Taken: "2026:11:16 11:00:00", Offset: "+08:00"}), "heic", "mif1", "heic"),
			true, 34.8, 114.8, time.Date(2026, 11, 16, 11, 0, 0, 0, cst)},
	}
	for _, tt := range tests {
		m, err := Inspect(tt.data, p.Location)
		if err != nil {
			t.Errorf("%s: Inspect: %v", tt.name, err)
			continue
		}
		if m.HasGPS != tt.wantGPS || math.Abs(m.Lat-tt.lat) > 1e-6 || math.Abs(m.Lon-tt.lon) > 1e-6 {
			t.Errorf("%s: position: got %v %.6f,%.6f, want %v %.6f,%.6f", tt.name, m.HasGPS, m.Lat, m.Lon, tt.wantGPS, tt.lat, tt.lon)
		}
		if !m.Taken.Equal(tt.wantTaken) {
			t.Errorf("%s: taken: got %v, want %v", tt.name, m.Taken, tt.wantTaken)
		}
	}
}

func TestInspectRefusesNonImages(t *testing.T) {
	if _, err := Inspect([]byte("%PDF-1.4\n%âãÏÓ\n"), time.UTC); err == nil {
		t.Error("Inspect of a PDF body: got nil error")
	}
}

// TestCompare goes from image bytes to flags, as the activity use case will.
func TestCompare(t *testing.T) {
	p := DefaultPolicy()
	at := func(lat, lon float64, taken, offset string) []byte {
		return testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: lat, Lon: lon, Taken: taken, Offset: offset}))
	}
	tests := []struct {
		name string
		data []byte
		want []Flag
	}{
		{"consistent: 200 m away, 20 min later", at(34.8215, 114.8123, "2026:11:16 10:20:00", "+08:00"), nil},
		{"50 km away", at(35.2700, 114.8100, "2026:11:16 10:20:00", "+08:00"), []Flag{FlagLocationMismatch}},
		{"6.5 h later", at(34.8215, 114.8123, "2026:11:16 16:30:00", "+08:00"), []Flag{FlagTimeMismatch}},
		{"a day before and far away", at(34.7466, 113.6254, "2026:11:15 10:00:00", "+08:00"), []Flag{FlagLocationMismatch, FlagTimeMismatch}},
		{"exactly 6 h later", at(34.8215, 114.8123, "2026:11:16 16:00:00", "+08:00"), nil},
		{"6 h later by a naive Beijing time", at(34.8215, 114.8123, "2026:11:16 16:00:01", ""), []Flag{FlagTimeMismatch}},
		{"no EXIF at all", testimage.JPEG(t, nil), nil},
	}
	for _, tt := range tests {
		m, err := Inspect(tt.data, p.Location)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []Flag
		for _, f := range Compare(m, activity, p) {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got flags %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCompareNumbers(t *testing.T) {
	p := DefaultPolicy()
	m := Meta{HasGPS: true, Lat: 35.2700, Lon: 114.8100, Taken: activity.Time.Add(-7 * time.Hour)}
	flags := Compare(m, activity, p)
	if len(flags) != 2 {
		t.Fatalf("got %d flags, want 2: %+v", len(flags), flags)
	}
	loc, tm := flags[0], flags[1]
	if loc.Unit != "m" || loc.Limit != 1000 || math.Abs(loc.Value-50038) > 100 {
		t.Errorf("location flag: got %.0f %s, limit %.0f; want about 50038 m, limit 1000", loc.Value, loc.Unit, loc.Limit)
	}
	if got, want := loc.Detail, "photo taken 50.0 km from the activity's position, limit 1.0 km"; got != want {
		t.Errorf("location detail: got %q, want %q", got, want)
	}
	if tm.Unit != "h" || tm.Value != 7 || tm.Limit != 6 {
		t.Errorf("time flag: got %v %s, limit %v; want 7 h, limit 6", tm.Value, tm.Unit, tm.Limit)
	}
	if got, want := tm.Detail, "photo taken 7.0 h before the activity, limit 6.0 h"; got != want {
		t.Errorf("time detail: got %q, want %q", got, want)
	}
}

func TestPolicyValidate(t *testing.T) {
	ok := DefaultPolicy()
	tests := []struct {
		name   string
		change func(*Policy)
		valid  bool
	}{
		{"default", func(*Policy) {}, true},
		{"zero distance", func(p *Policy) { p.MaxDistanceM = 0 }, false},
		{"NaN distance", func(p *Policy) { p.MaxDistanceM = math.NaN() }, false},
		{"infinite distance", func(p *Policy) { p.MaxDistanceM = math.Inf(1) }, false},
		{"negative time", func(p *Policy) { p.MaxTimeOffset = -time.Hour }, false},
		{"no zone", func(p *Policy) { p.Location = nil }, false},
	}
	for _, tt := range tests {
		p := ok
		tt.change(&p)
		if err := p.Validate(); (err == nil) != tt.valid {
			t.Errorf("%s: Validate: got %v, want valid %v", tt.name, err, tt.valid)
		}
	}
}
