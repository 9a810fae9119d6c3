package spotcheck

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/models"
)

func TestStratum(t *testing.T) {
	c := Candidate{UserID: 1, Date: "2026-03-02", City: "410200", Flags: Blocking}
	for _, tc := range []struct {
		by   []Dimension
		want string
	}{
		{nil, "all"},
		{[]Dimension{ByCity}, "city=410200"},
		{[]Dimension{ByMakeUp, ByCity}, "city=410200/makeup=no"}, // in the order of Dimensions, whatever the plan's
		{[]Dimension{ByCity, ByFlagClass, ByMakeUp}, "city=410200/flags=BLOCKING/makeup=no"},
	} {
		if got := c.Stratum(tc.by); got != tc.want {
			t.Errorf("Stratum(%v) = %q, want %q", tc.by, got, tc.want)
		}
	}
	if got := (Candidate{MadeUp: true}).Stratum([]Dimension{ByCity, ByMakeUp}); got != "city=none/makeup=yes" {
		t.Errorf("no city, made up: got %q", got)
	}
}

func TestPlanRoundTrip(t *testing.T) {
	for _, p := range []Plan{
		{PerStratum: 3},
		{By: []Dimension{ByFlagClass, ByCity}, PerStratum: 2, Sizes: map[string]int{"city=410200/flags=BLOCKING": 5, "city=none/flags=CLEAN": 0}},
	} {
		got, err := ParsePlan(p.String())
		if err != nil || got.String() != p.String() {
			t.Errorf("%s: read back %s, %v", p, got, err)
		}
	}
	if got := (Plan{By: []Dimension{ByMakeUp, ByCity}, PerStratum: 1}).String(); got != "by=CITY,MAKE_UP;per=1" {
		t.Errorf("String = %q", got)
	}
	for _, bad := range []string{"", "by=;per=x", "by=COLOR;per=1", "by=CITY,CITY;per=1", "by=;per=1001", "per=1;by=",
		"by=CITY;per=1;size[city=1]=x", "by=CITY;per=1;size[no-equals]=2", "by=MAKE_UP,CITY;per=1"} {
		if _, err := ParsePlan(bad); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("ParsePlan(%q): %v, want INVALID", bad, err)
		}
	}
}

// candidates are n cadres × days cadre-days, the first cadres' days in
// city A and blocked, the rest in city B and clean.
func candidates(cadres, days int, by []Dimension) []Entry {
	var out []Entry
	for u := 1; u <= cadres; u++ {
		for d := 1; d <= days; d++ {
			c := Candidate{UserID: int64(u), Date: fmt.Sprintf("2026-03-%02d", d), City: "410200", Flags: Clean}
			if u%3 == 0 {
				c.City, c.Flags = "410100", Blocking
			}
			out = append(out, Entry{c.UserID, c.Date, c.Stratum(by)})
		}
	}
	return out
}

// TestDrawIsStratifiedAndReproducible: each stratum gives its size (or
// all it has), the same seed gives the same sample whatever the order of
// the candidates, and another seed another sample.
func TestDrawIsStratifiedAndReproducible(t *testing.T) {
	by := []Dimension{ByCity, ByFlagClass}
	cands := candidates(30, 20, by)
	plan := Plan{By: by, PerStratum: 4, Sizes: map[string]int{"city=410100/flags=BLOCKING": 7}}
	seed := []byte("seed-1")
	got := Draw(seed, plan, cands)
	count := map[string]int{}
	for _, e := range got {
		count[e.Stratum]++
	}
	if want := map[string]int{"city=410200/flags=CLEAN": 4, "city=410100/flags=BLOCKING": 7}; fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("per stratum: got %v, want %v", count, want)
	}
	reversed := slices.Clone(cands)
	slices.Reverse(reversed)
	if again := Draw(seed, plan, reversed); !slices.Equal(again, got) {
		t.Errorf("the candidates' order changed the draw")
	}
	if other := Draw([]byte("seed-2"), plan, cands); slices.Equal(other, got) {
		t.Errorf("another seed drew the same sample")
	}
	small := Draw(seed, Plan{By: by, PerStratum: 1000}, cands[:5])
	if len(small) != 5 {
		t.Errorf("a stratum smaller than its size: drew %d of 5", len(small))
	}
	if !slices.IsSortedFunc(got, byUserDate) {
		t.Errorf("sample not in (user, date) order")
	}
}

// TestRankIsItsDefinition: the rank is SHA-256(seed \n user \n date), as
// docs/inspectors.md tells an inspector to compute it by hand:
// printf 'abc\n42\n2026-03-02' | sha256sum
func TestRankIsItsDefinition(t *testing.T) {
	if got, want := Rank([]byte("abc"), 42, "2026-03-02"), "b1e8af4df624b139275d86e61f2a45f6bcd450716e3b9be7bb29494a7c107fb2"; got != want {
		t.Errorf("Rank = %s, want %s", got, want)
	}
}

func document(t *testing.T) *Document {
	t.Helper()
	by := []Dimension{ByCity}
	cands := candidates(12, 5, by)
	plan := Plan{By: by, PerStratum: 3}
	seed := []byte{1, 2, 3, 4}
	return &Document{Format: DocumentFormat, Version: 1, Plan: plan.String(), Seed: "01020304", Candidates: cands,
		CandidatesHash: CandidatesHash(cands), Sample: Draw(seed, plan, cands)}
}

// TestVerify: a document verifies as drawn; a swapped sample entry, a
// dropped or added candidate, a changed seed or stratum each fail, named.
func TestVerify(t *testing.T) {
	if problems := document(t).Verify(); problems != nil {
		t.Fatalf("as drawn: %v", problems)
	}
	for name, tc := range map[string]struct {
		change func(d *Document)
		want   string
	}{
		"sample swapped": {func(d *Document) { d.Sample[0] = d.Candidates[len(d.Candidates)-1] }, "sample:"},
		"candidate dropped": {func(d *Document) {
			for i, c := range d.Candidates {
				if !slices.Contains(d.Sample, c) {
					d.Candidates = slices.Delete(d.Candidates, i, i+1)
					break
				}
			}
		}, "candidates: their hash"},
		"seed changed":     {func(d *Document) { d.Seed = "01020305" }, "sample:"},
		"stratum renamed":  {func(d *Document) { d.Candidates[0].Stratum = "flags=CLEAN" }, "is not one of the plan's dimensions"},
		"candidate twice":  {func(d *Document) { d.Candidates = append(d.Candidates, d.Candidates[0]) }, "appears twice"},
		"another document": {func(d *Document) { d.Format = "x" }, "not an onsite-spot-check"},
	} {
		d := document(t)
		tc.change(d)
		problems := d.Verify()
		if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
			t.Errorf("%s: problems %v, want one with %q", name, problems, tc.want)
		}
	}
}
