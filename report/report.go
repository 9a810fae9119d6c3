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
	// Batch is how many cadres' facts one round of reads covers; 900 when
	// zero. A round is a fixed number of statements. Under 1,000: MariaDB
	// runs an IN list of 1,000 values or more (in_predicate_conversion_
	// threshold) as a join with a derived table, three times slower here.
	Batch int
}

func (s *Service) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return 900
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

// Report is a quarter's report on an org unit's subtree. The briefs of
// all its cadres' verdicts are read when first asked for (totals, filters,
// policy versions): stored ones that hold, the others judged in batches
// (verdict.Service.Briefs); a page of rows reads its cadres' verdicts
// only.
type Report struct {
	Unit          *models.OrgUnit
	Year, Quarter int
	Cadres        []*models.User // in id order
	Closing       *models.QuarterClosing

	s  *Service
	p  *authz.Principal
	mu sync.Mutex
	// results holds the verdicts read or judged so far, by user; briefs
	// the briefs of the others; all says every cadre is in one of them.
	results map[int64][]compliance.Result
	briefs  map[int64][]verdict.Brief
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
		results: map[int64][]compliance.Result{}, briefs: map[int64][]verdict.Brief{}}, nil
}

// evaluate reads or judges the verdicts of those of users not yet read, in
// batches of Service.Batch; stored is false for users known to have no
// stored verdict that holds.
func (r *Report) evaluate(ctx context.Context, users []*models.User, stored bool) error {
	var todo []*models.User
	for _, u := range users {
		if _, ok := r.results[u.ID]; !ok {
			todo = append(todo, u)
		}
	}
	return r.s.judge(ctx, r.p, todo, r.Year, r.Quarter, stored, func(j judged) error {
		for id, res := range j.results {
			r.results[id] = res
		}
		return nil
	})
}

// everyone reads the briefs of every cadre's verdicts once, judging those
// without stored ones that hold.
func (r *Report) everyone(ctx context.Context) error {
	if r.all {
		return nil
	}
	briefs, stale, err := r.s.Verdicts.Briefs(ctx, r.p, r.Unit, r.Cadres, r.Year, r.Quarter)
	if err != nil {
		return err
	}
	r.briefs = briefs
	if err := r.evaluate(ctx, stale, false); err != nil {
		return err
	}
	r.all = true
	return nil
}

// brief returns the briefs of user id's verdicts.
func (r *Report) brief(id int64) []verdict.Brief {
	if res, ok := r.results[id]; ok {
		return verdict.BriefOf(res)
	}
	return r.briefs[id]
}

// Totals returns the verdicts of every cadre counted per rule and item, in
// rule then item order.
func (r *Report) Totals(ctx context.Context) ([]Totals, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.everyone(ctx); err != nil {
		return nil, err
	}
	return totalsOf(r.Cadres, r.brief), nil
}

// totalsOf counts the verdicts of users, as brief gives them.
func totalsOf(users []*models.User, brief func(int64) []verdict.Brief) []Totals {
	byKey := map[[2]string]*Totals{}
	for _, u := range users {
		for _, res := range brief(u.ID) {
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
	return sorted(byKey)
}

// sorted returns the totals by (rule, item) in rule then item order.
func sorted(byKey map[[2]string]*Totals) []Totals {
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
		for _, res := range r.brief(u.ID) {
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

func (f Filter) keeps(results []verdict.Brief) bool {
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
	after, err := checkPage(page)
	if err != nil {
		return nil, store.PageInfo{}, 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	filtered := f.OnlyFailing || f.Rule != ""
	if filtered {
		if err := r.everyone(ctx); err != nil {
			return nil, store.PageInfo{}, 0, err
		}
	}
	kept, info, total := pageOf(r.Cadres, after, page.First, func(u *models.User) bool { return !filtered || f.keeps(r.brief(u.ID)) })
	rows, err := r.rows(ctx, kept)
	return rows, info, total, err
}

// checkPage refuses a page size outside 1–store.MaxPageSize or a malformed
// cursor (INVALID) and returns the user id the cursor names (0: none).
func checkPage(page store.Page) (int64, error) {
	if page.First <= 0 || page.First > store.MaxPageSize {
		return 0, models.E(models.CodeInvalid, "first must be 1–%d", store.MaxPageSize)
	}
	if page.After == "" {
		return 0, nil
	}
	return store.ParseCursor(page.After)
}

// pageOf returns the first first of users (in id order) after user id
// after that keep keeps, the page's info, and how many keep keeps in all.
func pageOf(users []*models.User, after int64, first int, keep func(*models.User) bool) ([]*models.User, store.PageInfo, int) {
	var kept []*models.User
	total := 0
	for _, u := range users {
		if !keep(u) {
			continue
		}
		total++
		if u.ID > after && len(kept) <= first {
			kept = append(kept, u)
		}
	}
	info := store.PageInfo{HasNextPage: len(kept) > first}
	if info.HasNextPage {
		kept = kept[:first]
	}
	if len(kept) > 0 {
		info.EndCursor = store.Cursor(kept[len(kept)-1].ID)
	}
	return kept, info, total
}

// rows reads users' verdicts and compares them with their frozen ones.
func (r *Report) rows(ctx context.Context, users []*models.User) ([]Row, error) {
	if err := r.evaluate(ctx, users, true); err != nil {
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

// judged is one batch of cadres with their verdicts.
type judged struct {
	users   []*models.User
	results map[int64][]compliance.Result
	err     error
}

// judge calls fn with the verdicts of users for (year, quarter), a batch
// at a time and in order: stored ones that hold and the others judged
// (verdict.Service.Judge), or, unless stored, all judged (Unit). The next
// batch is read while fn handles one, so the database and the rules run
// side by side. It stops at the first error, fn's or a read's.
func (s *Service) judge(ctx context.Context, p *authz.Principal, users []*models.User, year, quarter int, stored bool, fn func(judged) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Judged verdicts are stored by a goroutine of their own, a batch
	// behind, so the database writes one batch while the next is judged.
	toStore := make(chan []*models.StoredVerdict, 1)
	storeErr := make(chan error, 1)
	go func() {
		var err error
		for rows := range toStore {
			if err == nil {
				err = s.Store.StoreVerdicts(ctx, rows)
			}
		}
		storeErr <- err
	}()
	next := make(chan judged, 1)
	go func() {
		defer close(next)
		defer close(toStore)
		for start := 0; start < len(users); start += s.batch() {
			batch := users[start:min(start+s.batch(), len(users))]
			var res map[int64][]compliance.Result
			var err error
			if stored {
				res, err = s.Verdicts.Judge(ctx, p, batch, year, quarter)
			} else {
				var rows []*models.StoredVerdict
				if res, rows, err = s.Verdicts.Unit(ctx, p, batch, year, quarter); err == nil {
					toStore <- rows
				}
			}
			select {
			case next <- judged{users: batch, results: res, err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for j := range next {
		if j.err != nil {
			return j.err
		}
		if err := fn(j); err != nil {
			return err
		}
	}
	if err := <-storeErr; err != nil {
		return err
	}
	return ctx.Err()
}
