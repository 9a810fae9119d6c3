// Package spotcheck is the discipline group's random spot check (随机抽查)
// as arithmetic anyone can redo: the strata of cadre-days, the plan of how
// many to draw from each, a draw that depends only on the seed and the
// candidates, and the document that carries a draw to an inspector's own
// machine, where Verify recomputes it. It is pure: no clock, no database,
// no randomness of its own (the seed is given).
package spotcheck

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/henan-youth/onsite/models"
)

// Dimension is what a draw may stratify cadre-days by.
type Dimension string

// The dimensions.
const (
	ByCity      Dimension = "CITY"       // the city of the region the day's check-ins were recorded against
	ByFlagClass Dimension = "FLAG_CLASS" // CLEAN, FLAGGED or BLOCKING: the worst flag of the day's check-ins
	ByMakeUp    Dimension = "MAKE_UP"    // whether the day counted on a make-up request (补卡)
)

// Dimensions lists every dimension in the order a stratum names them.
func Dimensions() []Dimension { return []Dimension{ByCity, ByFlagClass, ByMakeUp} }

// FlagClass is the worst flag raised on a cadre-day's check-ins.
type FlagClass string

// Flag classes.
const (
	Clean    FlagClass = "CLEAN"    // no flag
	Flagged  FlagClass = "FLAGGED"  // only flags that do not block (LATE_SYNC)
	Blocking FlagClass = "BLOCKING" // a flag that blocks counting until review
)

// Candidate is a cadre-day a draw may choose, with what its strata are
// made of.
type Candidate struct {
	UserID int64
	Date   string    // YYYY-MM-DD, Asia/Shanghai
	City   string    // a city's code, "" when no region holds the day's check-ins
	Flags  FlagClass // the worst flag of the day's check-ins
	MadeUp bool      // counted on a make-up request
}

// Stratum names c's stratum under the dimensions by: their values in the
// order of Dimensions, e.g. "city=410200/flags=BLOCKING"; "all" when by is
// empty.
func (c Candidate) Stratum(by []Dimension) string {
	var parts []string
	for _, d := range Dimensions() {
		if !slices.Contains(by, d) {
			continue
		}
		switch d {
		case ByCity:
			city := c.City
			if city == "" {
				city = "none"
			}
			parts = append(parts, "city="+city)
		case ByFlagClass:
			parts = append(parts, "flags="+string(c.Flags))
		case ByMakeUp:
			parts = append(parts, "makeup="+map[bool]string{true: "yes", false: "no"}[c.MadeUp])
		}
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, "/")
}

// MaxSize bounds what a draw takes from one stratum, and MaxSizes the
// strata a plan sizes one by one.
const (
	MaxSize  = 1000
	MaxSizes = 200
)

// Plan is how a draw stratifies: the dimensions, the number drawn from
// each stratum, and other numbers for strata named in Sizes.
type Plan struct {
	By         []Dimension
	PerStratum int
	Sizes      map[string]int // by stratum name; overrides PerStratum
}

// Size returns how many the plan draws from stratum.
func (p Plan) Size(stratum string) int {
	if n, ok := p.Sizes[stratum]; ok {
		return n
	}
	return p.PerStratum
}

// Validate returns INVALID for an unknown or repeated dimension, a size
// outside 0…MaxSize, more than MaxSizes sized strata or an empty stratum
// name.
func (p Plan) Validate() error {
	for i, d := range p.By {
		if !slices.Contains(Dimensions(), d) || slices.Contains(p.By[:i], d) {
			return models.E(models.CodeInvalid, "stratify by each of %v at most once; not %q", Dimensions(), d)
		}
	}
	if p.PerStratum < 0 || p.PerStratum > MaxSize {
		return models.E(models.CodeInvalid, "draw 0–%d from each stratum", MaxSize)
	}
	if len(p.Sizes) > MaxSizes {
		return models.E(models.CodeInvalid, "at most %d strata sized one by one", MaxSizes)
	}
	for s, n := range p.Sizes {
		if !(s == "all" || validStratum(s)) || n < 0 || n > MaxSize {
			return models.E(models.CodeInvalid, "stratum %q: a name and a size of 0–%d", s, MaxSize)
		}
	}
	return nil
}

// validStratum reports whether s is made of name=value parts.
func validStratum(s string) bool {
	for _, part := range strings.Split(s, "/") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || k == "" || v == "" || strings.ContainsAny(k+v, ";=[]\n") {
			return false
		}
	}
	return true
}

// String is the plan as recorded with the draw, one way only:
// "by=CITY,FLAG_CLASS;per=2" followed by ";size[STRATUM]=N" for each
// sized stratum in byte order. ParsePlan reads it back.
func (p Plan) String() string {
	var by []string
	for _, d := range Dimensions() {
		if slices.Contains(p.By, d) {
			by = append(by, string(d))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "by=%s;per=%d", strings.Join(by, ","), p.PerStratum)
	for _, s := range slices.Sorted(maps.Keys(p.Sizes)) {
		fmt.Fprintf(&b, ";size[%s]=%d", s, p.Sizes[s])
	}
	return b.String()
}

// ParsePlan reads a plan written by String; INVALID for anything else.
func ParsePlan(s string) (Plan, error) {
	bad := models.E(models.CodeInvalid, "not a plan: %q", s)
	parts := strings.Split(s, ";")
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "by=") || !strings.HasPrefix(parts[1], "per=") {
		return Plan{}, bad
	}
	var p Plan
	if by := strings.TrimPrefix(parts[0], "by="); by != "" {
		for _, d := range strings.Split(by, ",") {
			p.By = append(p.By, Dimension(d))
		}
	}
	per, err := strconv.Atoi(strings.TrimPrefix(parts[1], "per="))
	if err != nil {
		return Plan{}, bad
	}
	p.PerStratum = per
	for _, part := range parts[2:] {
		rest, ok := strings.CutPrefix(part, "size[")
		i := strings.LastIndex(rest, "]=")
		if !ok || i < 0 {
			return Plan{}, bad
		}
		n, err := strconv.Atoi(rest[i+2:])
		if err != nil {
			return Plan{}, bad
		}
		if p.Sizes == nil {
			p.Sizes = map[string]int{}
		}
		p.Sizes[rest[:i]] = n
	}
	if err := p.Validate(); err != nil {
		return Plan{}, err
	}
	if p.String() != s {
		return Plan{}, bad
	}
	return p, nil
}
