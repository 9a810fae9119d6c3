package tasks

import (
	"context"
	"fmt"
	"strconv"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// MaxTasks bounds the tasks of one dispatch list.
const MaxTasks = 50

// DispatchInput is a quarterly dispatch task list as a supervisor issues
// it.
type DispatchInput struct {
	ClientID  string // unique per issuer; a resend returns the list issued first
	OrgUnitID int64
	Year      int
	Quarter   int
	Title     string
	Briefing  string // the briefing on the county's recent key work; may be empty
	Tasks     []TaskInput
}

// TaskInput is one task of a list.
type TaskInput struct {
	Title    string
	Standard string // what done means; may be empty
	DueOn    string // YYYY-MM-DD within the quarter; empty for its end
}

func (in *DispatchInput) validate() (compliance.Quarter, error) {
	q := compliance.Quarter{Year: in.Year, Q: in.Quarter}
	if err := clientID(in.ClientID); err != nil {
		return q, err
	}
	if in.Year < 2000 || in.Year > 2100 || !q.Valid() {
		return q, models.E(models.CodeInvalid, "a quarter is a year 2000–2100 and a quarter 1–4")
	}
	if err := text("title", in.Title, 1, 200); err != nil {
		return q, err
	}
	if err := text("briefing", in.Briefing, 0, 20000); err != nil {
		return q, err
	}
	if len(in.Tasks) == 0 || len(in.Tasks) > MaxTasks {
		return q, models.E(models.CodeInvalid, "a list has 1–%d tasks", MaxTasks)
	}
	first, last := q.FirstDate().String(), q.LastDate().String()
	for i, t := range in.Tasks {
		field := fmt.Sprintf("task %d", i+1)
		if err := text(field+" title", t.Title, 1, 500); err != nil {
			return q, err
		}
		if err := text(field+" standard", t.Standard, 0, 5000); err != nil {
			return q, err
		}
		if t.DueOn == "" {
			continue
		}
		if err := date(field+" dueOn", t.DueOn); err != nil {
			return q, err
		}
		if t.DueOn < first || t.DueOn > last {
			return q, models.E(models.CodeInvalid, "%s is due on %s, outside %s", field, t.DueOn, q)
		}
	}
	return q, nil
}

func (in *DispatchInput) payloadHash() string {
	parts := []string{itoa(in.OrgUnitID), strconv.Itoa(in.Year), strconv.Itoa(in.Quarter), in.Title, in.Briefing}
	for _, t := range in.Tasks {
		parts = append(parts, t.Title, t.Standard, t.DueOn)
	}
	return fingerprint(parts...)
}

// Issue issues a quarterly dispatch task list with its tasks and first
// briefing, and tells the cadres it is addressed to (those of the unit's
// subtree dispatched in the quarter). It returns the list and whether it
// is the stored original of a resend. INVALID for malformed input;
// FORBIDDEN unless p may write the unit's tasks; NOT_FOUND for an unknown
// unit; CONFLICT when p used the client id for another list; UNAVAILABLE
// when the database fails (the outcome is then unknown, and a resend with
// the same client id is always safe).
func (s *Service) Issue(ctx context.Context, p *authz.Principal, in DispatchInput) (*models.DispatchTaskList, bool, error) {
	if _, err := authz.Check(p, authz.WriteTasks); err != nil {
		return nil, false, err
	}
	q, err := in.validate()
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	n := store.NewDispatchList{List: &models.DispatchTaskList{ClientID: in.ClientID, PayloadHash: in.payloadHash(), OrgUnitID: in.OrgUnitID,
		Year: in.Year, Quarter: in.Quarter, PeriodFrom: q.FirstDate().String(), PeriodTo: q.LastDate().String(), Title: in.Title, IssuedAt: now}}
	for i, t := range in.Tasks {
		n.Tasks = append(n.Tasks, &models.DispatchTask{Position: i + 1, Title: t.Title, Standard: t.Standard, DueOn: t.DueOn})
	}
	if in.Briefing != "" {
		n.Briefing = &models.DispatchBriefing{Text: in.Briefing, CreatedAt: now}
	}
	l, replayed, err := s.Store.IssueDispatchList(ctx, p, n)
	if err != nil || replayed {
		return l, replayed, err
	}
	to, err := s.Store.DispatchRecipients(ctx, p, l.ID)
	if err != nil {
		s.logger().WarnContext(ctx, "dispatch list recipients not read; nobody told", "list", l.ID, "err", err)
	}
	s.notify(ctx, to, KindAssigned, "下沉工作任务清单："+l.Title,
		fmt.Sprintf("%d年第%d季度下沉工作任务清单已下发，共 %d 项任务，请按时报告进展。", l.Year, l.Quarter, len(n.Tasks)))
	return l, false, nil
}

// Brief adds a briefing on the county's recent key work to a list, before
// a trip (regionID: the county it is about, nil for all). INVALID for
// empty or overlong text; FORBIDDEN unless p may write the list's unit's
// tasks; NOT_FOUND for an unknown list.
func (s *Service) Brief(ctx context.Context, p *authz.Principal, listID int64, regionID *int64, briefing string) (*models.DispatchBriefing, error) {
	if err := text("briefing", briefing, 1, 20000); err != nil {
		return nil, err
	}
	b := &models.DispatchBriefing{ListID: listID, RegionID: regionID, Text: briefing, CreatedAt: s.now()}
	return b, s.Store.AddBriefing(ctx, p, b)
}

// Report records p's progress on a task of a list addressed to p; the
// latest report is where the task stands, the earlier ones its history.
// INVALID for an unknown state or an overlong note; FORBIDDEN for a list
// not addressed to p; NOT_FOUND for an unknown task. A resend after
// UNAVAILABLE may record the same report twice, which changes nothing the
// latest report says.
func (s *Service) Report(ctx context.Context, p *authz.Principal, taskID int64, status models.TaskProgress, note string) (*models.DispatchTaskReport, error) {
	if !status.Valid() {
		return nil, models.E(models.CodeInvalid, "unknown progress %q", status)
	}
	if err := text("note", note, 0, 5000); err != nil {
		return nil, err
	}
	r := &models.DispatchTaskReport{TaskID: taskID, Status: status, Note: note, CreatedAt: s.now()}
	return r, s.Store.ReportProgress(ctx, p, r)
}
