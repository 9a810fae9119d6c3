package compliance

import (
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/henan-youth/onsite/models"
)

// TestDefaults: the defaults are those of docs/rules.md.
func TestDefaults(t *testing.T) {
	want := map[string]string{
		"r2.days": "10", "r2.trips": "2", "r2.tripDays": "3", "r2.reading": "DEFAULT",
		"r3.days": "50", "r3.grassrootsDeptDays": "60", "r4.campusDays": "1",
		"r6.forumsYouth": "1", "r6.forumsCadre": "1", "r6.interviewsYouth": "10", "r6.interviewsCadre": "10",
		"r7.lectures": "2", "r8.summaryDueDays": "10", "r8.reportDueDays": "10", "r9.talks": "1", "exceptions": "PRO_RATA", "makeUps": "2",
	}
	got := map[string]string{}
	p := DefaultPolicy()
	for _, k := range Keys() {
		got[k.Name] = k.Get(p)
		if k.Default != k.Get(p) {
			t.Errorf("%s: default %q, DefaultPolicy has %q", k.Name, k.Default, k.Get(p))
		}
		if k.Label == "" || k.LabelEN == "" {
			t.Errorf("%s has no label", k.Name)
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("defaults:\ngot  %v\nwant %v", got, want)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
}

func TestKeyCheck(t *testing.T) {
	days, _ := KeyNamed("r2.days")
	reading, _ := KeyNamed("r2.reading")
	tests := []struct {
		k     Key
		value string
		ok    bool
	}{
		{days, "0", true}, {days, "90", true}, {days, "91", false}, {days, "-1", false},
		{days, "08", false}, {days, "+8", false}, {days, " 8", false}, {days, "8.0", false}, {days, "", false},
		{reading, "STRICT", true}, {reading, "DEFAULT", true}, {reading, "strict", false}, {reading, "", false},
	}
	for _, tt := range tests {
		err := tt.k.Check(tt.value)
		if (err == nil) != tt.ok || (err != nil && models.CodeOf(err) != models.CodeInvalid) {
			t.Errorf("%s.Check(%q) = %v, want ok=%v", tt.k.Name, tt.value, err, tt.ok)
		}
	}
	if _, ok := KeyNamed("r2.nope"); ok {
		t.Error("KeyNamed found an unknown key")
	}
}

// TestEveryCombinationFits: the ranges of the keys keep every combination
// usable, so that no unit's override makes another's impossible.
func TestEveryCombinationFits(t *testing.T) {
	p := DefaultPolicy()
	for _, k := range Keys() {
		v := k.Default
		if k.Kind == KindInt {
			v = strconv.Itoa(k.Max)
		}
		if err := k.set(&p, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("the largest values: %v", err)
	}
	if fit := visitsThatFit(make90(true), make([]int64, 90), p.MinTripDays); fit < p.MinTrips {
		t.Errorf("%d visits of %d days do not fit in 90 days (%d do)", p.MinTrips, p.MinTripDays, fit)
	}
}

func make90(v bool) []bool {
	out := make([]bool, 90)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestResolve(t *testing.T) {
	root := Unit{ID: 1, Code: "410000", Name: "共青团河南省委"}
	kaifeng := Unit{ID: 2, Code: "410200", Name: "开封团市委"}
	lankaoUnit := Unit{ID: 3, Code: "410225", Name: "兰考县团委"}
	luoyang := Unit{ID: 4, Code: "410300", Name: "洛阳团市委"}
	baseline := map[string]string{}
	for _, k := range Keys() {
		baseline[k.Name] = k.Default
	}
	versions := []Version{
		{UnitID: 1, Number: 1, From: PlanStart, Values: baseline},
		{UnitID: 2, Number: 1, From: date(t, "2026-10-01"), Values: map[string]string{"r2.days": "8", "r2.reading": "STRICT"}},
		{UnitID: 3, Number: 1, From: date(t, "2026-10-01"), Values: map[string]string{"r2.days": "12"}},
		{UnitID: 2, Number: 2, From: date(t, "2027-01-01"), Values: map[string]string{"r2.reading": "STRICT"}},
		{UnitID: 1, Number: 2, From: date(t, "2026-12-01"), Values: map[string]string{"r2.days": "9"}},
	}
	tests := []struct {
		name    string
		path    []Unit
		on      string
		version string
		days    string
		source  string // unit code and version of r2.days, "default" for none
	}{
		{"before the plan: the defaults", []Unit{root, kaifeng}, "2022-02-28", "default", "10", "default"},
		{"the baseline", []Unit{root, kaifeng}, "2026-09-30", "410000:v1", "10", "410000 v1"},
		{"the city's override from its date", []Unit{root, kaifeng}, "2026-10-01", "410000:v1/410200:v1", "8", "410200 v1"},
		{"the neighbour keeps the province's", []Unit{root, luoyang}, "2026-10-01", "410000:v1", "10", "410000 v1"},
		{"the county's own beats its city's", []Unit{root, kaifeng, lankaoUnit}, "2026-10-01", "410000:v1/410200:v1/410225:v1", "12", "410225 v1"},
		{"a later province version does not beat the city's", []Unit{root, kaifeng}, "2026-12-01", "410000:v2/410200:v1", "8", "410200 v1"},
		{"the neighbour follows the province's second version", []Unit{root, luoyang}, "2026-12-01", "410000:v2", "9", "410000 v2"},
		{"the city's next version inherits again", []Unit{root, kaifeng}, "2027-01-01", "410000:v2/410200:v2", "9", "410000 v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eff, err := Resolve(tt.path, versions, date(t, tt.on))
			if err != nil {
				t.Fatal(err)
			}
			src := eff.Sources["r2.days"]
			where := "default"
			if !src.Default() {
				where = src.Unit.Code + " v" + strconv.Itoa(src.Version)
			}
			if eff.Version != tt.version || strconv.Itoa(eff.Policy.MinDays) != tt.days || where != tt.source {
				t.Errorf("got %s, r2.days %d from %s; want %s, %s from %s", eff.Version, eff.Policy.MinDays, where, tt.version, tt.days, tt.source)
			}
		})
	}
	// A version is the unit's whole document: a key the province's second
	// version leaves out is the default again, not the first version's.
	eff, _ := Resolve([]Unit{root, luoyang}, versions, date(t, "2026-12-01"))
	if src := eff.Sources["r2.trips"]; !src.Default() {
		t.Errorf("r2.trips from %+v, want the default", src)
	}
}

func TestResolveRefusesABadStoredValue(t *testing.T) {
	_, err := Resolve([]Unit{{ID: 1, Code: "x"}}, []Version{{UnitID: 1, Number: 1, From: PlanStart, Values: map[string]string{"r2.days": "many"}}}, PlanStart)
	if models.CodeOf(err) != models.CodeInternal {
		t.Errorf("got %v, want INTERNAL", err)
	}
	eff, err := Resolve([]Unit{{ID: 1, Code: "x"}}, []Version{{UnitID: 1, Number: 1, From: PlanStart, Values: map[string]string{"r0.gone": "1"}}}, PlanStart)
	if err != nil || eff.Policy != DefaultPolicy() {
		t.Errorf("an unknown key: %v, %+v; want it skipped", err, eff.Policy)
	}
}

func TestTimeline(t *testing.T) {
	path := []Unit{{ID: 1, Code: "p"}, {ID: 2, Code: "c"}}
	versions := []Version{
		{UnitID: 1, Number: 1, From: date(t, "2022-03-01"), Values: map[string]string{"r3.days": "50"}},
		{UnitID: 2, Number: 1, From: date(t, "2026-10-01"), Values: map[string]string{"r3.days": "45"}},
		{UnitID: 9, Number: 1, From: date(t, "2026-05-01"), Values: map[string]string{"r3.days": "1"}}, // not on the path
	}
	tl, err := BuildTimeline(path, versions)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range []string{"2022-02-28", "2022-03-01", "2026-05-01", "2026-09-30", "2026-10-01", "2030-01-01"} {
		e := tl.At(date(t, d))
		got = append(got, e.Version+" "+strconv.Itoa(e.Policy.YearDays))
	}
	want := []string{"default 50", "p:v1 50", "p:v1 50", "p:v1 50", "p:v1/c:v1 45", "p:v1/c:v1 45"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestChoicesFitTheirCost: graph's complexity charges three choices a key.
func TestChoicesFitTheirCost(t *testing.T) {
	for _, k := range Keys() {
		if len(k.Choices) > 3 {
			t.Errorf("%s offers %d choices; raise choicesPerKey in graph/complexity.go", k.Name, len(k.Choices))
		}
	}
}
