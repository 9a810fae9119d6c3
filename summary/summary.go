// Package summary is R8's written reporting: a cadre's quarterly work
// summary (每季度提交工作小结) and annual written report to the secretaries'
// team (每年度向书记班子书面报告), each drafted, submitted, accepted or
// returned with a comment, revised and submitted again.
//
// A submission, top to bottom (Submit):
//
//  1. validate the input; a resend of a clientId returns what it stored;
//  2. ensure the summary row and read how many versions it has;
//  3. take the snapshot: the period's numbers as the cadre sees them now
//     (days and trips from the check-ins, youth work and follow-ups);
//  4. build the version — its number, due date and whether it is late —
//     and its ledger leaf;
//  5. in one transaction: store the version, its leaf and the summary's new
//     state, and notify the reviewers.
//
// A review (Review) is the same shape: the decision on the latest version,
// its leaf, the summary's new state and the cadre's notification in one
// transaction. Reminders of due and overdue summaries are in reminders.go.
package summary

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// Service writes and reads summaries and reports.
type Service struct {
	Store      *store.Store
	CheckIns   *checkin.Service  // days and trips of a quarter
	Verdicts   R2Source          // R2's verdict of a quarter
	Activities *activity.Service // youth work and follow-ups of a quarter
	Rules      compliance.Policy // R2, R6 and R7's numbers
	Policy     Policy
	Now        func() time.Time
}

// R2Source gives a cadre's R2 verdict for a quarter (verdict.Service).
type R2Source interface {
	R2(ctx context.Context, p *authz.Principal, userID int64, year, quarter int) (compliance.Result, error)
}

// MaxSectionBytes bounds a text or a section: what a MySQL TEXT column
// holds, less room for four-byte characters (about 20,000 Chinese
// characters).
const MaxSectionBytes = 60000

// Submission is a cadre's submission of its summary or report.
type Submission struct {
	ClientID string // client-generated, unique per cadre: a resend with it is safe
	Kind     models.SummaryKind
	Year     int
	Quarter  int // 1–4 for a quarterly summary; ignored for an annual report
	Content  models.SummaryContent
}

// Get returns cadre userID's summary of kind for year and quarter, for
// callers that may read it; nil without error when the cadre has none.
// INVALID for a bad period.
func (s *Service) Get(ctx context.Context, p *authz.Principal, userID int64, kind models.SummaryKind, year, quarter int) (*models.Summary, error) {
	per, err := PeriodOf(kind, year, quarter)
	if err != nil {
		return nil, err
	}
	sm, err := s.Store.Summary(ctx, p, store.SummaryKey{UserID: userID, Kind: kind, Year: per.Year, Quarter: per.Quarter})
	if models.CodeOf(err) == models.CodeNotFound {
		if _, err := authz.Check(p, authz.ReadSummaries); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return sm, err
}

// SaveDraft stores c as p's draft of its summary of kind for year and
// quarter (creating it). INVALID for a bad period, one not begun or an
// oversized text; CONFLICT while it waits for review or once accepted;
// FORBIDDEN for roles that write none.
func (s *Service) SaveDraft(ctx context.Context, p *authz.Principal, kind models.SummaryKind, year, quarter int, c models.SummaryContent) (*models.Summary, error) {
	per, err := s.period(kind, year, quarter)
	if err != nil {
		return nil, err
	}
	if err := checkContent(per.Kind(), c, false); err != nil {
		return nil, err
	}
	key := store.SummaryKey{UserID: p.UserID, Kind: per.Kind(), Year: per.Year, Quarter: per.Quarter}
	return s.Store.SaveSummaryDraft(ctx, p, key, clean(per.Kind(), c), s.Now().UTC().Truncate(time.Millisecond))
}

// Submit submits p's summary of in.Period with in's content: steps 1–5 of
// the package comment. It returns the summary and the stored version, with
// replayed set when in.ClientID was stored before with the same content.
// Refusals: INVALID for a bad input, a period not begun or an empty text or
// section; CONFLICT while the summary waits for review, once accepted, and
// for a clientId used for other content; FORBIDDEN for roles that submit
// none. UNAVAILABLE leaves the outcome unknown: resending the same input
// with the same clientId is always safe.
func (s *Service) Submit(ctx context.Context, p *authz.Principal, in Submission) (*models.Summary, *models.SummaryVersion, bool, error) {
	if _, err := authz.Check(p, authz.WriteSummaries); err != nil {
		return nil, nil, false, err
	}
	if !models.ValidClientID(in.ClientID) {
		return nil, nil, false, models.E(models.CodeInvalid, "clientId must be 1–64 characters of A–Z, a–z, 0–9, '-', '_', '.', ':'")
	}
	per, err := s.period(in.Kind, in.Year, in.Quarter)
	if err != nil {
		return nil, nil, false, err
	}
	kind := in.Kind
	if err := checkContent(kind, in.Content, true); err != nil {
		return nil, nil, false, err
	}
	content := clean(kind, in.Content)
	if sm, v, err := s.replay(ctx, p, in.ClientID, per, content); sm != nil || err != nil {
		return sm, v, sm != nil, err
	}
	key := store.SummaryKey{UserID: p.UserID, Kind: kind, Year: per.Year, Quarter: per.Quarter}
	sm, err := s.Store.EnsureSummary(ctx, p, key)
	if err != nil {
		return nil, nil, false, err
	}
	nums, err := s.numbers(ctx, p, p.UserID, per)
	if err != nil {
		return nil, nil, false, err
	}
	snap, err := encode(nums)
	if err != nil {
		return nil, nil, false, err
	}
	at := nums.TakenAt
	v := &models.SummaryVersion{SummaryID: sm.ID, Number: sm.Versions + 1, UserID: p.UserID, ClientID: in.ClientID, Kind: kind,
		Year: per.Year, Quarter: per.Quarter, Content: content, AuthorID: p.UserID, SubmittedAt: at,
		DueDate: s.Policy.DueDate(per).String(), Late: s.Policy.Late(per, at), Snapshot: snap}
	leaf, err := ledger.LeafOf(v)
	if err != nil {
		return nil, nil, false, models.Wrap(models.CodeInternal, err, "ledger leaf of a submission")
	}
	note := models.Notification{Kind: models.NotifySummarySubmitted, RefType: "summary", RefID: &sm.ID,
		Title: fmt.Sprintf("%s 的%s待审阅", p.Username, title(kind, per)),
		Body:  fmt.Sprintf("%s submitted version %d of the %s of %s; it waits for your review.", p.Username, v.Number, noun(kind), per)}
	sm, err = s.Store.SubmitSummary(ctx, p, v, leaf, note)
	if models.CodeOf(err) == models.CodeConflict {
		if rsm, rv, rerr := s.replay(ctx, p, in.ClientID, per, content); rsm != nil || rerr != nil { // a resend committed first
			return rsm, rv, rsm != nil, rerr
		}
	}
	if err != nil {
		return nil, nil, false, err
	}
	return sm, v, false, nil
}

// replay finds p's stored submission of clientID: the summary and the
// version when it is per's with content c, CONFLICT when it is not, and
// nothing when none is stored.
func (s *Service) replay(ctx context.Context, p *authz.Principal, clientID string, per Period, c models.SummaryContent) (*models.Summary, *models.SummaryVersion, error) {
	v, err := s.Store.SummaryVersionByClientID(ctx, p, p.UserID, clientID)
	if models.CodeOf(err) == models.CodeNotFound {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if v.Content != c || v.Kind != per.Kind() || v.Year != per.Year || v.Quarter != per.Quarter {
		return nil, nil, models.E(models.CodeConflict, "clientId %q was already used for another submission", clientID)
	}
	sm, err := s.Store.SummaryByID(ctx, p, v.SummaryID)
	return sm, v, err
}

// Review records p's decision on the version of summary id waiting for
// review: ACCEPT, or RETURN with a comment (INVALID without one). The
// cadre is notified. version, when not 0, is the version number the
// reviewer read: CONFLICT when the latest is another, so that a resent
// decision never lands on a newer submission. A resend of the same
// decision is answered with the summary as it stands; see
// store.ReviewSummary for the refusals.
func (s *Service) Review(ctx context.Context, p *authz.Principal, id int64, version int, d models.SummaryDecision, comment string) (*models.Summary, error) {
	comment = strings.TrimSpace(comment)
	if d != models.SummaryAccept && d != models.SummaryReturn {
		return nil, models.E(models.CodeInvalid, "unknown decision %q", d)
	}
	if d == models.SummaryReturn && comment == "" {
		return nil, models.E(models.CodeInvalid, "a returned summary needs a comment saying what to revise")
	}
	if utf8.RuneCountInString(comment) > 2000 {
		return nil, models.E(models.CodeInvalid, "a comment has at most 2000 characters")
	}
	sm, err := s.Store.SummaryByID(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CanReview(ctx, p, sm); err != nil {
		return nil, err
	}
	vs, err := s.Store.SummaryVersions(ctx, p, []int64{sm.ID})
	if err != nil {
		return nil, err
	}
	if len(vs[sm.ID]) == 0 {
		return nil, models.E(models.CodeConflict, "the %s of %s has not been submitted", noun(sm.Kind), sm.Period())
	}
	v := vs[sm.ID][len(vs[sm.ID])-1]
	if version != 0 && version != v.Number {
		if version > 0 && version < v.Number {
			v = vs[sm.ID][version-1] // a resend of a decision on an older version: the store replays it or refuses
		} else {
			return nil, models.E(models.CodeConflict, "version %d does not exist; the latest is %d", version, v.Number)
		}
	}
	r := &models.SummaryReview{VersionID: v.ID, SummaryID: sm.ID, ReviewerID: p.UserID, Decision: d, Comment: comment,
		CreatedAt: s.Now().UTC().Truncate(time.Millisecond)}
	leaf, err := ledger.LeafOf(r)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "ledger leaf of a decision")
	}
	per := Period{Year: sm.Year, Quarter: sm.Quarter}
	note := models.Notification{Kind: models.NotifySummaryAccepted, RefType: "summary", RefID: &sm.ID,
		Title: fmt.Sprintf("%s已通过", title(sm.Kind, per)),
		Body:  fmt.Sprintf("Version %d of your %s of %s was accepted. %s", v.Number, noun(sm.Kind), per, comment)}
	if d == models.SummaryReturn {
		note.Kind, note.Title = models.NotifySummaryReturned, fmt.Sprintf("%s被退回修改", title(sm.Kind, per))
		note.Body = fmt.Sprintf("Version %d of your %s of %s was returned: %s", v.Number, noun(sm.Kind), per, comment)
	}
	note.Body = strings.TrimSpace(note.Body)
	sm, _, err = s.Store.ReviewSummary(ctx, p, r, leaf, note)
	return sm, err
}

// period returns the period of a summary of kind to write: INVALID for a
// bad one (PeriodOf) or one that has not begun, as there is nothing to
// summarise yet.
func (s *Service) period(kind models.SummaryKind, year, quarter int) (Period, error) {
	per, err := PeriodOf(kind, year, quarter)
	if err != nil {
		return Period{}, err
	}
	if presence.DateOf(s.Now(), s.Policy.Location).Before(per.First()) {
		return Period{}, models.E(models.CodeInvalid, "%s has not begun", per)
	}
	return per, nil
}

// checkContent refuses a text or section over MaxSectionBytes, and for a
// submission an empty one.
func checkContent(kind models.SummaryKind, c models.SummaryContent, submit bool) error {
	fields := []struct{ name, text string }{{"text", c.Text}}
	if kind == models.SummaryAnnual {
		fields = []struct{ name, text string }{{"workDone (下沉开展工作情况)", c.WorkDone}, {"results (取得的成效)", c.Results},
			{"experience (探索的经验)", c.Experience}, {"support (从同级党委政府和上级团组织得到的具体支持)", c.Support}}
	}
	for _, f := range fields {
		if len(f.text) > MaxSectionBytes {
			return models.E(models.CodeInvalid, "%s is too long: at most %d bytes (about 20,000 Chinese characters)", f.name, MaxSectionBytes)
		}
		if submit && strings.TrimSpace(f.text) == "" {
			return models.E(models.CodeInvalid, "%s is empty: write it before submitting", f.name)
		}
	}
	return nil
}

// clean keeps only the fields of kind.
func clean(kind models.SummaryKind, c models.SummaryContent) models.SummaryContent {
	if kind == models.SummaryAnnual {
		c.Text = ""
	} else {
		c = models.SummaryContent{Text: c.Text}
	}
	return c
}

func noun(kind models.SummaryKind) string {
	if kind == models.SummaryAnnual {
		return "annual report"
	}
	return "work summary"
}

// title names the summary for the cadre: "2026年第4季度工作小结".
func title(kind models.SummaryKind, per Period) string {
	if kind == models.SummaryAnnual {
		return fmt.Sprintf("%d年度书面报告", per.Year)
	}
	return fmt.Sprintf("%d年第%d季度工作小结", per.Year, per.Quarter)
}

// Live is a summary's numbers now, beside the snapshot of its latest
// version.
type Live struct {
	Numbers *Numbers
	// Changes are the numbers that differ from the latest version's
	// snapshot; none before the first submission or when nothing changed.
	Changes []Change
}

// Live computes sm's numbers as p sees them now and compares them with
// latest's snapshot (nil: none submitted). The refusals of the check-in
// and activity reads (NOT_FOUND for a cadre out of reach).
func (s *Service) Live(ctx context.Context, p *authz.Principal, sm *models.Summary, latest *models.SummaryVersion) (*Live, error) {
	now, err := s.numbers(ctx, p, sm.UserID, Period{Year: sm.Year, Quarter: sm.Quarter})
	if err != nil {
		return nil, err
	}
	out := &Live{Numbers: now, Changes: []Change{}}
	if latest != nil {
		was, err := Snapshot(latest)
		if err != nil {
			return nil, err
		}
		out.Changes = append(out.Changes, Diff(was, now)...)
	}
	return out, nil
}

// DueDate returns the last day sm is on time, "YYYY-MM-DD".
func (s *Service) DueDate(sm *models.Summary) string {
	return s.Policy.DueDate(Period{Year: sm.Year, Quarter: sm.Quarter}).String()
}

// Overdue reports whether sm's due date has passed with nothing submitted.
func (s *Service) Overdue(sm *models.Summary) bool {
	due := s.Policy.DueDate(Period{Year: sm.Year, Quarter: sm.Quarter})
	return sm.Versions == 0 && presence.DateOf(s.Now(), s.Policy.Location).After(due)
}

// Late reports whether a summary with versions (oldest first) was first
// submitted after its due date.
func Late(versions []*models.SummaryVersion) bool { return len(versions) > 0 && versions[0].Late }

// List pages through the summaries of kind for year and quarter of the
// cadres of unit unitID's subtree that p may read, with the given status
// when not nil. INVALID for a bad period.
func (s *Service) List(ctx context.Context, p *authz.Principal, unitID int64, kind models.SummaryKind, year, quarter int, status *models.SummaryStatus, page store.Page) ([]*models.Summary, store.PageInfo, error) {
	per, err := PeriodOf(kind, year, quarter)
	if err != nil {
		return nil, store.PageInfo{}, err
	}
	f := store.SummaryFilter{OrgUnitID: unitID, Kind: per.Kind(), Year: per.Year, Quarter: per.Quarter, Status: status}
	return s.Store.ListSummaries(ctx, p, f, page)
}

// Missing pages through the cadres of unit unitID's subtree that p may
// read who were dispatched during the period of kind for year and quarter
// and have submitted nothing for it. INVALID for a bad period.
func (s *Service) Missing(ctx context.Context, p *authz.Principal, unitID int64, kind models.SummaryKind, year, quarter int, page store.Page) ([]*models.User, store.PageInfo, error) {
	per, err := PeriodOf(kind, year, quarter)
	if err != nil {
		return nil, store.PageInfo{}, err
	}
	f := store.SummaryFilter{OrgUnitID: unitID, Kind: per.Kind(), Year: per.Year, Quarter: per.Quarter}
	return s.Store.MissingSummaries(ctx, p, f, per.First().String(), per.Last().String(), page)
}
