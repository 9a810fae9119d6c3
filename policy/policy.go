// Package policy is the use case of the versioned policy (docs/rules.md,
// "Policy values"): every threshold of the rules is a key of a policy
// document per org unit, which inherits its parent's values unless it sets
// its own, with an effective date. A change makes a new version (a ledger
// leaf, and an entry of the security audit log); the policy in force for
// a unit on a date says where each value came from.
package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// Service reads and changes policies.
type Service struct {
	Store    *store.Store
	Location *time.Location   // the zone of dates: Asia/Shanghai
	Now      func() time.Time // the server clock
}

// Setting is one value a change sets.
type Setting struct {
	Key   string
	Value string
}

// Change is an edit of a unit's policy, relative to its newest version.
type Change struct {
	OrgUnitID     int64
	EffectiveFrom string    // YYYY-MM-DD: today or later, not before the newest version's
	Set           []Setting // values the unit sets from then on
	Inherit       []string  // keys the unit stops setting: its parent's values apply again
	Reason        string    // why, 1–1000 characters
}

// storedPrecision is the finest time every database keeps: a version's
// time is cut to it before its leaf is hashed.
const storedPrecision = time.Millisecond

// Change makes the next version of a unit's policy: the newest version's
// values with c applied, in force from c.EffectiveFrom. A change applies
// from its date, never before: EffectiveFrom is today or later, and not
// before the unit's newest version (versions take effect in order). The
// version, its ledger leaf and its audit entry are written together.
//
// A change that leaves the newest version as it is (the same values from
// the same date) writes nothing and returns that version with replayed
// true, so resending a change whose answer was lost (UNAVAILABLE) is safe.
//
// It fails with INVALID for a malformed date, a date in the past, an
// unknown key, a value out of its key's range, a key both set and
// inherited or a missing reason; FORBIDDEN outside the caller's reach
// (authz.WritePolicy); NOT_FOUND for an unknown unit; CONFLICT when another
// change of the unit came first (read it again).
func (s *Service) Change(ctx context.Context, p *authz.Principal, c Change) (*models.PolicyVersion, bool, error) {
	reason := strings.TrimSpace(c.Reason)
	if reason == "" || len(reason) > 1000 {
		return nil, false, models.E(models.CodeInvalid, "a policy change needs a reason of 1–1000 characters")
	}
	from, err := presence.ParseDate(c.EffectiveFrom)
	if err != nil {
		return nil, false, err
	}
	if today := presence.DateOf(s.Now(), s.Location); from.Before(today) {
		return nil, false, models.E(models.CodeInvalid, "a policy change applies from its date, not retroactively: effectiveFrom must be %s or later", today)
	}
	latest, err := s.Store.LatestPolicyVersion(ctx, p, c.OrgUnitID)
	if err != nil {
		return nil, false, err
	}
	values := map[string]string{}
	next := 1
	if latest != nil {
		if err := json.Unmarshal([]byte(latest.Settings), &values); err != nil {
			return nil, false, models.Wrap(models.CodeInternal, err, "the stored policy does not parse")
		}
		if from.String() < latest.EffectiveFrom {
			return nil, false, models.E(models.CodeInvalid, "version %d of this unit takes effect on %s: a new version takes effect on that date or later",
				latest.Version, latest.EffectiveFrom)
		}
		next = latest.Version + 1
	}
	changes, err := apply(values, c)
	if err != nil {
		return nil, false, err
	}
	settings := compliance.EncodeSettings(values)
	if latest != nil && latest.Settings == settings && latest.EffectiveFrom == from.String() {
		return latest, true, nil
	}
	v := &models.PolicyVersion{OrgUnitID: c.OrgUnitID, Version: next, EffectiveFrom: from.String(), Settings: settings,
		Reason: reason, CreatedBy: max(p.UserID, 0), CreatedAt: s.Now().UTC().Truncate(storedPrecision)}
	if err := s.write(ctx, p, v, changes); err != nil {
		return nil, false, err
	}
	return v, false, nil
}

// apply applies c's settings to values, returning what changed in words
// for the audit log; INVALID for an unknown key, a value its key refuses or
// a key named twice.
func apply(values map[string]string, c Change) ([]string, error) {
	named := map[string]bool{}
	var changes []string
	for _, st := range c.Set {
		k, ok := compliance.KeyNamed(st.Key)
		if !ok {
			return nil, models.E(models.CodeInvalid, "unknown policy key %q", st.Key)
		}
		if named[st.Key] {
			return nil, models.E(models.CodeInvalid, "policy key %q is named twice", st.Key)
		}
		named[st.Key] = true
		if err := k.Check(st.Value); err != nil {
			return nil, err
		}
		if values[st.Key] != st.Value {
			changes = append(changes, st.Key+"="+st.Value)
		}
		values[st.Key] = st.Value
	}
	for _, key := range c.Inherit {
		if _, ok := compliance.KeyNamed(key); !ok {
			return nil, models.E(models.CodeInvalid, "unknown policy key %q", key)
		}
		if named[key] {
			return nil, models.E(models.CodeInvalid, "policy key %q is named twice", key)
		}
		named[key] = true
		if _, ok := values[key]; ok {
			changes = append(changes, key+" inherited")
		}
		delete(values, key)
	}
	slices.Sort(changes)
	return changes, nil
}

// write stores v with its leaf and its audit entry.
func (s *Service) write(ctx context.Context, p *authz.Principal, v *models.PolicyVersion, changes []string) error {
	leaf, err := ledger.LeafOf(v)
	if err != nil {
		return models.Wrap(models.CodeInternal, err, "ledger leaf of a policy version")
	}
	what := "no value changed"
	if len(changes) > 0 {
		what = strings.Join(changes, ", ")
	}
	return s.Store.AddPolicyVersion(ctx, p, v, leaf, store.AuditEvent{Action: models.AuditPolicyChange, TargetType: "orgunit",
		TargetID: strconv.FormatInt(v.OrgUnitID, 10), Outcome: models.AuditSuccess,
		Detail: fmt.Sprintf("rules policy v%d from %s: %s; reason: %s", v.Version, v.EffectiveFrom, what, v.Reason)})
}

// baselineReason is the reason of every root's first version.
const baselineReason = "行动方案（豫青字〔2022〕8号）的默认值 / the action plan's defaults"

// EnsureBaseline writes, for every root org unit without a policy,
// version 1 holding every key's default, in force from
// compliance.PlanStart, so that every verdict's values come from a
// recorded version whatever later releases change in code. The server
// calls it at start; a server starting at the same moment may write it
// first, which is not an error. It fails with UNAVAILABLE when the
// database does.
func (s *Service) EnsureBaseline(ctx context.Context) error {
	sys := authz.System("policy baseline")
	roots, err := s.Store.UnitsWithoutPolicy(ctx, sys)
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range compliance.Keys() {
		values[k.Name] = k.Default
	}
	for _, u := range roots {
		v := &models.PolicyVersion{OrgUnitID: u.ID, Version: 1, EffectiveFrom: compliance.PlanStart.String(),
			Settings: compliance.EncodeSettings(values), Reason: baselineReason, CreatedAt: s.Now().UTC().Truncate(storedPrecision)}
		err := s.write(ctx, sys, v, []string{"every key at its default"})
		if err != nil && models.CodeOf(err) != models.CodeConflict {
			return err
		}
	}
	return nil
}

// Value is one key's value in force, and where it came from.
type Value struct {
	Key    compliance.Key
	Value  string
	Source compliance.Source
}

// Effective is the policy in force for a unit on a date.
type Effective struct {
	OrgUnitID int64
	Date      presence.Date
	Version   string // compliance.Effective.Version
	Values    []Value
}

// Effective returns the policy in force for unitID on date ("": today),
// every key in compliance.Keys order with its source, for callers that may
// read policies (FORBIDDEN otherwise); NOT_FOUND for an unknown unit,
// INVALID for a malformed date.
func (s *Service) Effective(ctx context.Context, p *authz.Principal, unitID int64, date string) (*Effective, error) {
	on := presence.DateOf(s.Now(), s.Location)
	if date != "" {
		d, err := presence.ParseDate(date)
		if err != nil {
			return nil, err
		}
		on = d
	}
	units, rows, err := s.Store.PolicyPath(ctx, p, unitID)
	if err != nil {
		return nil, err
	}
	path, versions, err := compliance.FromRows(units, rows)
	if err != nil {
		return nil, err
	}
	eff, err := compliance.Resolve(path, versions, on)
	if err != nil {
		return nil, err
	}
	out := &Effective{OrgUnitID: unitID, Date: on, Version: eff.Version}
	for _, k := range compliance.Keys() {
		out.Values = append(out.Values, Value{Key: k, Value: k.Get(eff.Policy), Source: eff.Sources[k.Name]})
	}
	return out, nil
}

// InForce returns the policy in force for unitID on date, resolved, for
// callers that may read policies: what a use case applies (make-up caps).
// The refusals of Effective.
func (s *Service) InForce(ctx context.Context, p *authz.Principal, unitID int64, on presence.Date) (compliance.Effective, error) {
	units, rows, err := s.Store.PolicyPath(ctx, p, unitID)
	if err != nil {
		return compliance.Effective{}, err
	}
	path, versions, err := compliance.FromRows(units, rows)
	if err != nil {
		return compliance.Effective{}, err
	}
	return compliance.Resolve(path, versions, on)
}

// Versions pages through the versions of unitID's policy, oldest first, for
// callers that may read policies (FORBIDDEN otherwise).
func (s *Service) Versions(ctx context.Context, p *authz.Principal, unitID int64, page store.Page) ([]*models.PolicyVersion, store.PageInfo, error) {
	return s.Store.PolicyVersions(ctx, p, unitID, page)
}

// Settings returns a version's values as key and value, in compliance.Keys
// order (keys no longer known last, by name); INTERNAL when they do not
// parse.
func Settings(v *models.PolicyVersion) ([]Setting, error) {
	values := map[string]string{}
	if err := json.Unmarshal([]byte(v.Settings), &values); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "the stored policy does not parse")
	}
	var out []Setting
	for _, k := range compliance.Keys() {
		if val, ok := values[k.Name]; ok {
			out = append(out, Setting{k.Name, val})
			delete(values, k.Name)
		}
	}
	rest := make([]string, 0, len(values))
	for k := range values {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, Setting{k, values[k]})
	}
	return out, nil
}
