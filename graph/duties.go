package graph

import (
	"context"
	"sync"

	"github.com/vikstrous/dataloadgen"

	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/tasks"
)

// dutyLoaders batch the lookups of seminar and task-list fields within a
// request; every fetch goes through the store with the caller's
// principal.
type dutyLoaders struct {
	talks     lazyLoader[[]*models.SeminarTalk]      // by seminar id
	tasks     lazyLoader[[]*models.DispatchTask]     // by list id
	briefings lazyLoader[[]*models.DispatchBriefing] // by list id
	changes   lazyLoader[[]*models.KeyWorkChange]    // by item id
	tickOffs  lazyLoader[[]*models.KeyWorkTickOff]   // by item id
	rulings   lazyLoader[*models.KeyWorkRuling]      // by tick-off id
	items     lazyLoader[*models.KeyWorkItem]

	mu      sync.Mutex
	reports map[int64]*dataloadgen.Loader[int64, *models.DispatchTaskReport] // by user, then task id: the latest report
}

func (l *loaders) talks() *dataloadgen.Loader[int64, []*models.SeminarTalk] {
	return l.duties.talks.get(func(ctx context.Context, ids []int64) (map[int64][]*models.SeminarTalk, error) {
		return l.s.TalksOf(ctx, caller(ctx), ids)
	})
}

func (l *loaders) dispatchTasks() *dataloadgen.Loader[int64, []*models.DispatchTask] {
	return l.duties.tasks.get(func(ctx context.Context, ids []int64) (map[int64][]*models.DispatchTask, error) {
		return l.s.TasksOf(ctx, caller(ctx), ids)
	})
}

func (l *loaders) briefings() *dataloadgen.Loader[int64, []*models.DispatchBriefing] {
	return l.duties.briefings.get(func(ctx context.Context, ids []int64) (map[int64][]*models.DispatchBriefing, error) {
		return l.s.BriefingsOf(ctx, caller(ctx), ids)
	})
}

func (l *loaders) keyWorkChanges() *dataloadgen.Loader[int64, []*models.KeyWorkChange] {
	return l.duties.changes.get(func(ctx context.Context, ids []int64) (map[int64][]*models.KeyWorkChange, error) {
		return l.s.ChangesOf(ctx, caller(ctx), ids)
	})
}

func (l *loaders) tickOffs() *dataloadgen.Loader[int64, []*models.KeyWorkTickOff] {
	return l.duties.tickOffs.get(func(ctx context.Context, ids []int64) (map[int64][]*models.KeyWorkTickOff, error) {
		return l.s.TickOffsOf(ctx, caller(ctx), ids)
	})
}

func (l *loaders) rulings() *dataloadgen.Loader[int64, *models.KeyWorkRuling] {
	return l.duties.rulings.get(func(ctx context.Context, ids []int64) (map[int64]*models.KeyWorkRuling, error) {
		return l.s.RulingsOf(ctx, caller(ctx), ids)
	})
}

func (l *loaders) keyWorkItem() *dataloadgen.Loader[int64, *models.KeyWorkItem] {
	return l.duties.items.get(func(ctx context.Context, ids []int64) (map[int64]*models.KeyWorkItem, error) {
		return l.s.KeyWorkItemsByID(ctx, caller(ctx), ids)
	})
}

// latestReport is user's latest report on tasks, a loader per user.
func (l *loaders) latestReport(user int64) *dataloadgen.Loader[int64, *models.DispatchTaskReport] {
	d := &l.duties
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reports == nil {
		d.reports = map[int64]*dataloadgen.Loader[int64, *models.DispatchTaskReport]{}
	}
	if ld := d.reports[user]; ld != nil {
		return ld
	}
	ld := dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*models.DispatchTaskReport, error) {
		return l.s.LatestReports(ctx, caller(ctx), user, ids)
	}, dataloadgen.WithWait(loaderWait))
	d.reports[user] = ld
	return ld
}

// nameOf is the display name of a user a record the caller may read
// names (its author, owner or speaker), read as the server; "" when the
// account is gone.
func nameOf(ctx context.Context, id int64) (string, error) {
	u, err := load(ctx, loadersFrom(ctx).person(), id)
	if err != nil || u == nil {
		return "", err
	}
	return u.DisplayName, nil
}

func seminarConn(rows []*models.Seminar, pi store.PageInfo) *model.SeminarConnection {
	return &model.SeminarConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.Seminar) int64 { return r.ID },
		func(c string, r *models.Seminar) *model.SeminarEdge { return &model.SeminarEdge{Cursor: c, Node: r} })}
}

func dispatchListConn(rows []*models.DispatchTaskList, pi store.PageInfo) *model.DispatchTaskListConnection {
	return &model.DispatchTaskListConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.DispatchTaskList) int64 { return r.ID },
		func(c string, r *models.DispatchTaskList) *model.DispatchTaskListEdge {
			return &model.DispatchTaskListEdge{Cursor: c, Node: r}
		})}
}

func taskReportConn(rows []*models.DispatchTaskReport, pi store.PageInfo) *model.TaskReportConnection {
	return &model.TaskReportConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.DispatchTaskReport) int64 { return r.ID },
		func(c string, r *models.DispatchTaskReport) *model.TaskReportEdge {
			return &model.TaskReportEdge{Cursor: c, Node: r}
		})}
}

func keyWorkListConn(rows []*models.KeyWorkList, pi store.PageInfo) *model.KeyWorkListConnection {
	return &model.KeyWorkListConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.KeyWorkList) int64 { return r.ID },
		func(c string, r *models.KeyWorkList) *model.KeyWorkListEdge {
			return &model.KeyWorkListEdge{Cursor: c, Node: r}
		})}
}

func keyWorkItemConn(rows []*models.KeyWorkItem, pi store.PageInfo) *model.KeyWorkItemConnection {
	return &model.KeyWorkItemConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.KeyWorkItem) int64 { return r.ID },
		func(c string, r *models.KeyWorkItem) *model.KeyWorkItemEdge {
			return &model.KeyWorkItemEdge{Cursor: c, Node: r}
		})}
}

func dispatchInput(in model.IssueDispatchTaskListInput) tasks.DispatchInput {
	out := tasks.DispatchInput{ClientID: in.ClientID, OrgUnitID: in.OrgUnitID, Year: in.Year, Quarter: in.Quarter, Title: in.Title,
		Briefing: deref(in.Briefing)}
	for _, t := range in.Tasks {
		out.Tasks = append(out.Tasks, tasks.TaskInput{Title: t.Title, Standard: deref(t.Standard), DueOn: deref(t.DueOn)})
	}
	return out
}

func itemInput(in *model.KeyWorkItemInput) tasks.ItemInput {
	return tasks.ItemInput{ClientID: in.ClientID, Title: in.Title, Standard: in.Standard, OwnerID: in.OwnerID, Deadline: in.Deadline}
}

func tickOffInput(in model.TickOffInput) tasks.TickOffInput {
	out := tasks.TickOffInput{ClientID: in.ClientID, ItemID: in.ItemID, Statement: in.Statement, ActivityIDs: in.ActivityIds}
	for _, u := range in.Photos {
		out.Photos = append(out.Photos, tasks.Photo{Filename: u.Filename, Open: opener(u)})
	}
	return out
}
