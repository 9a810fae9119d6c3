package compliance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Unit is an org unit on the path a policy is resolved along.
type Unit struct {
	ID   int64
	Code string // e.g. "410200"; names the unit in version strings
	Name string
}

// Version is one version of an org unit's policy document: the values the
// unit sets itself (every other key it inherits), in force from From until
// a later version of the same unit takes over. Versions of one unit are
// numbered from 1 and never change once written.
type Version struct {
	UnitID int64
	Number int
	From   presence.Date
	Values map[string]string // key name → value text
}

// Source says where a value in force came from: a unit's version, or the
// built-in default when no unit on the path sets the key (Unit.ID 0).
type Source struct {
	Unit    Unit
	Version int
	From    presence.Date
}

// Default reports whether the value is the built-in default.
func (s Source) Default() bool { return s.Unit.ID == 0 }

// DefaultVersion names the policy of a date on which no unit of the path
// has a version in force: every value is the built-in default.
const DefaultVersion = "default"

// Effective is the policy in force for a unit on a date.
type Effective struct {
	Policy Policy
	// Version names the versions it is made of, root first: "410000:v1"
	// or "410000:v3/410200:v2" (unit code and version number of every unit
	// on the path with a version in force), or DefaultVersion.
	Version string
	Sources map[string]Source // by key name
}

// Resolve returns the policy in force on date for the last unit of path
// (the root first, each unit the parent of the next). A unit's version in
// force is its highest-numbered version whose From is on or before date;
// each key takes the value of the nearest unit — the unit itself, then its
// parent, up to the root — whose version in force sets it, else the
// default. Keys no longer known are skipped (documents are history). It
// fails with INTERNAL for a stored value its key refuses.
func Resolve(path []Unit, versions []Version, date presence.Date) (Effective, error) {
	inForce := make(map[int64]Version, len(path))
	for _, v := range versions {
		if v.From.After(date) {
			continue
		}
		if cur, ok := inForce[v.UnitID]; !ok || v.Number > cur.Number {
			inForce[v.UnitID] = v
		}
	}
	eff := Effective{Policy: DefaultPolicy(), Sources: make(map[string]Source, len(keys))}
	var names []string
	for _, u := range path {
		if v, ok := inForce[u.ID]; ok {
			names = append(names, fmt.Sprintf("%s:v%d", u.Code, v.Number))
		}
	}
	eff.Version = strings.Join(names, "/")
	if eff.Version == "" {
		eff.Version = DefaultVersion
	}
	for _, k := range keys {
		eff.Sources[k.Name] = Source{}
		for _, u := range slices.Backward(path) {
			v, ok := inForce[u.ID]
			if !ok {
				continue
			}
			text, ok := v.Values[k.Name]
			if !ok {
				continue
			}
			if err := k.set(&eff.Policy, text); err != nil {
				return Effective{}, models.Wrap(models.CodeInternal, err, fmt.Sprintf("stored policy %s v%d", u.Code, v.Number))
			}
			eff.Sources[k.Name] = Source{Unit: u, Version: v.Number, From: v.From}
			break
		}
	}
	return eff, nil
}

// Timeline is the policy in force for one unit on every date: a step
// function that changes on the dates versions take effect.
type Timeline struct {
	steps []step // ascending by from
}

type step struct {
	from presence.Date
	eff  Effective
}

// BuildTimeline resolves the policy of the last unit of path on every date
// a version of a unit on the path takes effect; see Resolve, whose errors
// it returns.
func BuildTimeline(path []Unit, versions []Version) (Timeline, error) {
	onPath := make(map[int64]bool, len(path))
	for _, u := range path {
		onPath[u.ID] = true
	}
	var dates []presence.Date
	for _, v := range versions {
		if onPath[v.UnitID] {
			dates = append(dates, v.From)
		}
	}
	slices.SortFunc(dates, presence.Date.Compare)
	var t Timeline
	for _, d := range slices.Compact(dates) {
		eff, err := Resolve(path, versions, d)
		if err != nil {
			return Timeline{}, err
		}
		t.steps = append(t.steps, step{d, eff})
	}
	return t, nil
}

// At returns the policy in force on d: that of the latest step on or before
// d, or the defaults (DefaultVersion) before the first.
func (t Timeline) At(d presence.Date) Effective {
	for i := len(t.steps) - 1; i >= 0; i-- {
		if !t.steps[i].from.After(d) {
			return t.steps[i].eff
		}
	}
	return Effective{Policy: DefaultPolicy(), Version: DefaultVersion}
}

// FixedTimeline is a timeline with one policy on every date, named version.
func FixedTimeline(p Policy, version string) Timeline {
	return Timeline{steps: []step{{presence.Date{Year: 1, Month: 1, Day: 1}, Effective{Policy: p, Version: version}}}}
}

// FromRows converts stored org units (root first) and policy versions into
// a path and versions for Resolve and BuildTimeline. It fails with
// INTERNAL for a version whose date or settings do not parse.
func FromRows(units []*models.OrgUnit, rows []*models.PolicyVersion) ([]Unit, []Version, error) {
	path := make([]Unit, len(units))
	for i, u := range units {
		path[i] = Unit{ID: u.ID, Code: u.Code, Name: u.Name}
	}
	versions := make([]Version, len(rows))
	for i, r := range rows {
		from, err := presence.ParseDate(r.EffectiveFrom)
		values := map[string]string{}
		if err == nil {
			err = json.Unmarshal([]byte(r.Settings), &values)
		}
		if err != nil {
			return nil, nil, models.Wrap(models.CodeInternal, err, fmt.Sprintf("policy version %d of org unit %d", r.Version, r.OrgUnitID))
		}
		versions[i] = Version{UnitID: r.OrgUnitID, Number: r.Version, From: from, Values: values}
	}
	return path, versions, nil
}

// EncodeSettings returns values as a version stores them: a JSON object
// with sorted keys, the same bytes for the same values.
func EncodeSettings(values map[string]string) string {
	b, _ := json.Marshal(values) // a map of strings always encodes; keys come out sorted
	return string(b)
}
