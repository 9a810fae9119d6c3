// Package report is the use case of the supervisors' unit reports: a
// quarter's verdicts of every cadre of an org unit's subtree with totals
// per rule, the annual appraisal (考核), closing a quarter (its verdicts
// frozen as records) and the same reports as spreadsheets. Every verdict
// is verdict.Service.Unit's, so a row equals the cadre's own verdicts.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/verdict"
)

// Service builds reports.
type Service struct {
	Store    *store.Store
	Verdicts *verdict.Service
	Location *time.Location // Asia/Shanghai: the generation time in exports
	Now      func() time.Time
	// Batch is how many cadres' facts one round of reads covers; 500 when
	// zero. A round is a fixed number of statements.
	Batch int
}

func (s *Service) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return 500
}

// Totals counts one rule's (and item's) verdicts over a unit's cadres.
type Totals struct {
	Rule, Item                           string
	Cadres                               int
	Met, OnTrack, AtRisk, Missed, Exempt int
}

// Row is one cadre's verdicts in a report, with what changed since the
// quarter was closed.
type Row struct {
	User                *models.User
	Rules               []compliance.Result
	ChangedSinceClosing []Change
}

// Change is a verdict that differs from the one frozen when the quarter
// was closed (in status or numbers): both values.
type Change struct {
	Rule, Item             string
	Closed, Now            compliance.Status
	ClosedMessage, Message string
}

// Report is a quarter's report on an org unit's subtree. The verdicts of
// all its cadres are computed when first asked for (totals, filters,
// policy versions), in batches; a page of rows alone reads only its
// cadres.
type Report struct {
	Unit          *models.OrgUnit
	Year, Quarter int
	Cadres        []*models.User // in id order
	Closing       *models.QuarterClosing

	s  *Service
	p  *authz.Principal
	mu sync.Mutex
	// results holds the verdicts computed so far, by user; all says every
	// cadre's are in it.
	results map[int64][]compliance.Result
	all     bool
}

// Period is the quarter's name, e.g. 2026Q4.
func (r *Report) Period() string { return compliance.Quarter{Year: r.Year, Q: r.Quarter}.String() }

// Report returns the report on unitID's subtree for quarter (year,
// quarter): its cadres are the users there with an assignment (a county
// dispatch or a campus link) in force on some day of the quarter. For
// supervisors of the unit or above, the discipline group and the system
// administrator: FORBIDDEN outside the caller's reach or for other roles,
// NOT_FOUND for an unknown unit, INVALID for a bad quarter, UNAVAILABLE
// when the database fails.
func (s *Service) Report(ctx context.Context, p *authz.Principal, unitID int64, year, quarter int) (*Report, error) {
	q := compliance.Quarter{Year: year, Q: quarter}
	if !q.Valid() || year < 2000 || year > 2100 {
		return nil, models.E(models.CodeInvalid, "quarter must be 1–4 of a year between 2000 and 2100")
	}
	unit, err := s.Store.ReportUnit(ctx, p, authz.ReadCompliance, unitID)
	if err != nil {
		return nil, err
	}
	cadres, err := s.Store.ReportCadres(ctx, p, unit, q.FirstDate().String(), q.LastDate().String())
	if err != nil {
		return nil, err
	}
	closing, err := s.Store.QuarterClosing(ctx, unit, year, quarter)
	if err != nil {
		return nil, err
	}
	return &Report{Unit: unit, Year: year, Quarter: quarter, Cadres: cadres, Closing: closing, s: s, p: p,
		results: map[int64][]compliance.Result{}}, nil
}

// evaluate computes the verdicts of those of users not yet computed, in
// batches of Service.Batch.
func (r *Report) evaluate(ctx context.Context, users []*models.User) error {
	var todo []*models.User
	for _, u := range users {
		if _, ok := r.results[u.ID]; !ok {
			todo = append(todo, u)
		}
	}
	for len(todo) > 0 {
		n := min(len(todo), r.s.batch())
		got, err := r.s.Verdicts.Unit(ctx, r.p, todo[:n], r.Year, r.Quarter)
		if err != nil {
			return err
		}
		for id, res := range got {
			r.results[id] = res
		}
		todo = todo[n:]
	}
	return nil
}

// everyone computes every cadre's verdicts once.
func (r *Report) everyone(ctx context.Context) error {
	if r.all {
		return nil
	}
	if err := r.evaluate(ctx, r.Cadres); err != nil {
		return err
	}
	r.all = true
	return nil
}

// Totals returns the verdicts of every cadre counted per rule and item, in
// rule then item order.
func (r *Report) Totals(ctx context.Context) ([]Totals, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.everyone(ctx); err != nil {
		return nil, err
	}
	return r.totals(), nil
}

func (r *Report) totals() []Totals {
	byKey := map[[2]string]*Totals{}
	for _, u := range r.Cadres {
		for _, res := range r.results[u.ID] {
			t := byKey[[2]string{res.Rule, res.Item}]
			if t == nil {
				t = &Totals{Rule: res.Rule, Item: res.Item}
				byKey[[2]string{res.Rule, res.Item}] = t
			}
			t.Cadres++
			switch res.Status {
			case compliance.StatusMet:
				t.Met++
			case compliance.StatusOnTrack:
				t.OnTrack++
			case compliance.StatusAtRisk:
				t.AtRisk++
			case compliance.StatusMissed:
				t.Missed++
			case compliance.StatusExempt:
				t.Exempt++
			}
		}
	}
	out := make([]Totals, 0, len(byKey))
	for _, t := range byKey {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return ruleOrder(out[i].Rule) < ruleOrder(out[j].Rule)
		}
		return out[i].Item < out[j].Item
	})
	return out
}

// ruleOrder sorts R10 after R9.
func ruleOrder(rule string) string {
	if len(rule) == 2 {
		return "R0" + rule[1:]
	}
	return rule
}

// PolicyVersions returns the policy versions every cadre's verdicts used,
// sorted.
func (r *Report) PolicyVersions(ctx context.Context) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.everyone(ctx); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []string{}
	for _, u := range r.Cadres {
		for _, res := range r.results[u.ID] {
			if res.PolicyVersion != "" && !seen[res.PolicyVersion] {
				seen[res.PolicyVersion] = true
				out = append(out, res.PolicyVersion)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// Filter narrows the rows of a report.
type Filter struct {
	// OnlyFailing keeps cadres with some AT_RISK or MISSED verdict (of
	// Rule, when set).
	OnlyFailing bool
	// Rule, alone, keeps cadres with a verdict of that rule.
	Rule string
}

func (f Filter) keeps(results []compliance.Result) bool {
	for _, res := range results {
		if f.Rule != "" && res.Rule != f.Rule {
			continue
		}
		if !f.OnlyFailing || res.Status == compliance.StatusAtRisk || res.Status == compliance.StatusMissed {
			return true
		}
	}
	return false
}

// Rows returns a page of the report's rows in user-id order (the cursor is
// store.Cursor of the last user id), with the total the filter keeps.
// Without a filter only the page's cadres are evaluated. INVALID for a
// malformed cursor or page size.
func (r *Report) Rows(ctx context.Context, f Filter, page store.Page) ([]Row, store.PageInfo, int, error) {
	if page.First <= 0 || page.First > store.MaxPageSize {
		return nil, store.PageInfo{}, 0, models.E(models.CodeInvalid, "first must be 1–%d", store.MaxPageSize)
	}
	var after int64
	if page.After != "" {
		var err error
		if after, err = store.ParseCursor(page.After); err != nil {
			return nil, store.PageInfo{}, 0, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	filtered := f.OnlyFailing || f.Rule != ""
	if filtered {
		if err := r.everyone(ctx); err != nil {
			return nil, store.PageInfo{}, 0, err
		}
	}
	var kept []*models.User
	total := 0
	for _, u := range r.Cadres {
		if filtered && !f.keeps(r.results[u.ID]) {
			continue
		}
		total++
		if u.ID > after && len(kept) <= page.First {
			kept = append(kept, u)
		}
	}
	info := store.PageInfo{HasNextPage: len(kept) > page.First}
	if info.HasNextPage {
		kept = kept[:page.First]
	}
	if len(kept) > 0 {
		info.EndCursor = store.Cursor(kept[len(kept)-1].ID)
	}
	rows, err := r.rows(ctx, kept)
	return rows, info, total, err
}

// rows evaluates users and compares them with their frozen verdicts.
func (r *Report) rows(ctx context.Context, users []*models.User) ([]Row, error) {
	if err := r.evaluate(ctx, users); err != nil {
		return nil, err
	}
	var frozen map[int64][]*models.ClosedVerdict
	if r.Closing != nil && len(users) > 0 {
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		var err error
		if frozen, err = r.s.Store.ClosedVerdicts(ctx, r.p, ids, r.Year, r.Quarter); err != nil {
			return nil, err
		}
	}
	out := make([]Row, len(users))
	for i, u := range users {
		out[i] = Row{User: u, Rules: r.results[u.ID], ChangedSinceClosing: changes(frozen[u.ID], r.results[u.ID])}
	}
	return out, nil
}

// changes lists the verdicts whose status or numbers differ from the
// frozen ones; a verdict no longer given is not listed.
func changes(frozen []*models.ClosedVerdict, now []compliance.Result) []Change {
	out := []Change{}
	for _, f := range frozen {
		for _, res := range now {
			if res.Rule != f.Rule || res.Item != f.Item {
				continue
			}
			if string(res.Status) != f.Status || encodeNumbers(res.Numbers) != f.Numbers {
				out = append(out, Change{Rule: f.Rule, Item: f.Item, Closed: compliance.Status(f.Status), Now: res.Status,
					ClosedMessage: f.Message, Message: res.Message})
			}
		}
	}
	return out
}

// number is a verdict's number as a frozen verdict keeps it.
type number struct {
	Name     string `json:"name"`
	Value    int    `json:"value"`
	Required int    `json:"required"`
	Full     int    `json:"full"`
}

// encodeNumbers returns numbers as JSON, the same bytes for the same
// numbers.
func encodeNumbers(ns []compliance.Number) string {
	out := make([]number, len(ns))
	for i, n := range ns {
		out[i] = number{Name: n.Name, Value: n.Value, Required: n.Required, Full: n.Full}
	}
	b, _ := json.Marshal(out) // a slice of plain structs always encodes
	return string(b)
}

// ComplianceExportPath is where the report of (year, quarter) for unitID is
// served as a spreadsheet, relative to the server.
func ComplianceExportPath(unitID int64, year, quarter int) string {
	return fmt.Sprintf("/export/compliance.xlsx?orgUnitId=%d&year=%d&quarter=%d", unitID, year, quarter)
}
