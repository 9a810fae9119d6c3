package seminar

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

func inputs(cands ...Candidate) Inputs {
	return Inputs{SeminarID: 12, OpenedAt: time.Date(2026, 7, 1, 2, 0, 0, 123_000_000, time.UTC), OrgUnitID: 5,
		RoundFrom: "2026-04-01", RoundTo: "2026-06-30", Speakers: 2, LedgerSize: 1234,
		LedgerRoot: "ab54c1dd95d1a3c5e6c2f2e0ad1e6f9b07a3f6c1a3bd7a86d3e0b4a2c0d1e2f3", Candidates: cands}
}

func spoke(ids ...int64) []Candidate {
	out := make([]Candidate, len(ids))
	for i, id := range ids {
		out[i] = Candidate{UserID: id}
	}
	return out
}

func due(ids ...int64) []Candidate {
	out := spoke(ids...)
	for i := range out {
		out[i].Due = true
	}
	return out
}

// TestPreimage: the text hashed is the documented one, whatever order the
// candidates come in.
func TestPreimage(t *testing.T) {
	in := inputs(append(spoke(9, 3), due(7)...)...)
	in.RoundGroup = "4,11"
	want := "onsite seminar draw sha256-fisher-yates-v1\nseminar 12\nopened 2026-07-01T02:00:00.123Z\nunit 5\n" +
		"round 2026-04-01 2026-06-30\ngroups 4,11\nspeakers 2\nledger 1234 ab54c1dd95d1a3c5e6c2f2e0ad1e6f9b07a3f6c1a3bd7a86d3e0b4a2c0d1e2f3\n" +
		"candidate 3 spoke\ncandidate 7 due\ncandidate 9 spoke\n"
	if got := Preimage(in); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	empty := inputs(spoke(1)...)
	empty.LedgerSize, empty.LedgerRoot = 0, ""
	if got := Preimage(empty); !strings.Contains(got, "\ngroups -\n") || !strings.Contains(got, "\nledger 0 -\n") {
		t.Errorf("no groups and the empty tree: got\n%s", got)
	}
}

// TestDrawIsPinned: the draw of a fixed record is fixed, so a change to
// the algorithm cannot pass as version 1. The values were recomputed with
// the Python procedure of docs/seminars.md.
func TestDrawIsPinned(t *testing.T) {
	in := inputs(append(due(21, 34, 55), spoke(8, 13)...)...)
	in.Speakers = 4
	got, err := Draw(in)
	if err != nil {
		t.Fatal(err)
	}
	const wantSeed = "00ebe60d59055edd92acbe00c146f2b20d6381ddeedcba43017ac688adff5a61"
	wantSpeakers := []int64{34, 21, 55, 8}
	if got.Seed != wantSeed || !slices.Equal(got.Speakers, wantSpeakers) {
		t.Errorf("got seed %s speakers %v, want %s %v", got.Seed, got.Speakers, wantSeed, wantSpeakers)
	}
}

// TestDraw: the draw is reproducible; due cadres come first; any change to
// the inputs changes the seed; impossible asks are refused.
func TestDraw(t *testing.T) {
	base := inputs(append(due(4, 9), spoke(1, 2, 3, 5, 6, 7, 8, 10)...)...)
	first, err := Draw(base)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := base
	shuffled.Candidates = slices.Clone(base.Candidates)
	slices.Reverse(shuffled.Candidates)
	again, _ := Draw(shuffled)
	if again.Seed != first.Seed || !slices.Equal(again.Speakers, first.Speakers) {
		t.Errorf("the same inputs in another order: got %s %v, want %s %v", again.Seed, again.Speakers, first.Seed, first.Speakers)
	}
	if got := slices.Sorted(slices.Values(first.Speakers)); !slices.Equal(got, []int64{4, 9}) {
		t.Errorf("two speakers with two cadres due: got %v, want both due cadres", first.Speakers)
	}
	three := base
	three.Speakers = 3
	r3, _ := Draw(three)
	if got := slices.Sorted(slices.Values(r3.Speakers[:2])); !slices.Equal(got, []int64{4, 9}) || slices.Contains([]int64{4, 9}, r3.Speakers[2]) {
		t.Errorf("three speakers: got %v, want the two due cadres, then another", r3.Speakers)
	}

	for _, c := range []struct {
		name   string
		change func(*Inputs)
	}{
		{"a cadre left out", func(in *Inputs) { in.Candidates = in.Candidates[1:] }},
		{"a cadre added", func(in *Inputs) { in.Candidates = append(slices.Clone(in.Candidates), Candidate{UserID: 99}) }},
		{"a due flag flipped", func(in *Inputs) {
			in.Candidates = slices.Clone(in.Candidates)
			in.Candidates[3].Due = true
		}},
		{"another seminar id", func(in *Inputs) { in.SeminarID++ }},
		{"another opening time", func(in *Inputs) { in.OpenedAt = in.OpenedAt.Add(time.Millisecond) }},
		{"another ledger root", func(in *Inputs) { in.LedgerRoot = strings.Repeat("0", 64) }},
		{"another round", func(in *Inputs) { in.RoundTo = "2026-06-29" }},
	} {
		in := base
		c.change(&in)
		got, err := Draw(in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Seed == first.Seed {
			t.Errorf("%s: the seed did not change", c.name)
		}
	}

	for _, c := range []struct {
		name string
		in   Inputs
	}{
		{"no speakers", func() Inputs { in := base; in.Speakers = 0; return in }()},
		{"more speakers than cadres", func() Inputs { in := base; in.Speakers = 11; return in }()},
		{"no cadres", inputs()},
		{"a cadre twice", inputs(append(spoke(1, 2), due(2)...)...)},
	} {
		if _, err := Draw(c.in); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%s: got %v, want INVALID", c.name, err)
		}
	}
}

// TestDrawIsUniform: over many seminars each of three cadres is drawn
// about a third of the time, and each of the six orders about a sixth.
// The inputs are fixed, so the counts are too: this is not a flaky test.
func TestDrawIsUniform(t *testing.T) {
	const n = 6000
	first := map[int64]int{}
	orders := map[string]int{}
	for id := range int64(n) {
		in := inputs(spoke(1, 2, 3)...)
		in.SeminarID, in.Speakers = id, 3
		r, err := Draw(in)
		if err != nil {
			t.Fatal(err)
		}
		first[r.Speakers[0]]++
		orders[fmt.Sprint(r.Speakers)]++
	}
	for id, k := range first {
		if k < n/3-150 || k > n/3+150 {
			t.Errorf("cadre %d first %d times of %d, want about %d", id, k, n, n/3)
		}
	}
	if len(orders) != 6 {
		t.Errorf("got %d distinct orders, want 6", len(orders))
	}
	for o, k := range orders {
		if k < n/6-100 || k > n/6+100 {
			t.Errorf("order %s %d times of %d, want about %d", o, k, n, n/6)
		}
	}
}

// TestRecompute: a seminar record recomputes to its seed and speakers; a
// candidate list changed afterwards, or speakers swapped, is found.
func TestRecompute(t *testing.T) {
	in := inputs(append(due(4), spoke(1, 2, 3)...)...)
	res, err := Draw(in)
	if err != nil {
		t.Fatal(err)
	}
	record := func() *models.Seminar {
		s := &models.Seminar{ID: in.SeminarID, OpenedAt: in.OpenedAt, OrgUnitID: in.OrgUnitID, RoundFrom: in.RoundFrom, RoundTo: in.RoundTo,
			Speakers: in.Speakers, LedgerSize: in.LedgerSize, LedgerRoot: in.LedgerRoot, Algorithm: AlgorithmV1, Seed: res.Seed}
		for _, c := range in.Candidates {
			s.Candidates = append(s.Candidates, models.SeminarCandidate{UserID: c.UserID, Due: c.Due})
		}
		for i, sp := range res.Speakers {
			for j := range s.Candidates {
				if s.Candidates[j].UserID == sp {
					pos := i + 1
					s.Candidates[j].Position = &pos
				}
			}
		}
		return s
	}
	if c, err := Recompute(record()); err != nil || !c.OK() {
		t.Errorf("the record as drawn: %+v, %v; want OK", c, err)
	}

	dropped := record()
	i := slices.IndexFunc(dropped.Candidates, func(c models.SeminarCandidate) bool { return c.Position == nil })
	dropped.Candidates = slices.Delete(dropped.Candidates, i, i+1)
	if c, _ := Recompute(dropped); c.SeedMatches {
		t.Errorf("a candidate removed afterwards: the seed still matches")
	}
	swapped := record()
	for j := range swapped.Candidates {
		if swapped.Candidates[j].Position == nil {
			swapped.Candidates[j].Position = swapped.Candidates[0].Position
			swapped.Candidates[0].Position = nil
			break
		}
	}
	if c, _ := Recompute(swapped); !c.SeedMatches || c.SpeakersMatch {
		t.Errorf("another speaker recorded: %+v, want the seed to match and the speakers not", c)
	}
	unknown := record()
	unknown.Algorithm = "v0"
	if _, err := Recompute(unknown); models.CodeOf(err) != models.CodeInvalid {
		t.Errorf("an unknown algorithm: %v, want INVALID", err)
	}
}

// TestParsePreimage: a preimage reads back into the inputs that wrote it,
// so the draw recomputes from the text alone; anything else is refused.
func TestParsePreimage(t *testing.T) {
	in := inputs(append(due(21, 34, 55), spoke(8, 13)...)...)
	in.RoundGroup, in.Speakers = "4,11", 3
	text := Preimage(in)
	got, err := ParsePreimage(text)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Draw(in)
	b, err := Draw(got)
	if err != nil || a.Seed != b.Seed || !slices.Equal(a.Speakers, b.Speakers) {
		t.Errorf("recomputed from the text: %+v, %v; want %+v", b, err, a)
	}
	empty := inputs(spoke(1)...)
	empty.LedgerSize, empty.LedgerRoot = 0, ""
	if got, err := ParsePreimage(Preimage(empty)); err != nil || got.LedgerRoot != "" || got.RoundGroup != "" {
		t.Errorf("dashes: %+v, %v", got, err)
	}
	for name, bad := range map[string]string{
		"another algorithm":   strings.Replace(text, AlgorithmV1, "v0", 1),
		"no final newline":    strings.TrimSuffix(text, "\n"),
		"a state misspelled":  strings.Replace(text, " due\n", " Due\n", 1),
		"candidates reversed": strings.Replace(text, "candidate 8 spoke\ncandidate 13 spoke\n", "candidate 13 spoke\ncandidate 8 spoke\n", 1),
		"a line missing":      strings.Replace(text, "unit 5\n", "", 1),
	} {
		if _, err := ParsePreimage(bad); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%s: %v, want INVALID", name, err)
		}
	}
}
