package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/henan-youth/onsite/activity"

	"github.com/vikstrous/dataloadgen"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// loaders batch the field resolvers' lookups within one request. Every
// fetch goes through the store with the caller's principal, so nested fields
// are authorized exactly like root fields. A request builds only the
// loaders its fields use (most use one or none): the methods below create
// each on first use.
type loaders struct {
	s         *store.Store
	regs      *regions.Service // in memory: read without batching
	orgUnits  lazyLoader[*models.OrgUnit]
	users     lazyLoader[*models.User]
	deviceSet lazyLoader[[]*models.Device]
	regionSet lazyLoader[*models.Region]
	versions  lazyLoader[*models.RegionVersion] // by region id
	checkIns  lazyLoader[*models.CheckIn]
	reviews   lazyLoader[*models.Review] // by check-in id
	groups    lazyLoader[*models.WorkGroup]
	memberSet lazyLoader[[]*models.User] // by work group id
	acts      activityLoaders
	duties    dutyLoaders // seminars and task lists (duties.go)
	sums      summaryLoaders
	corr      correctionLoaders
	inspect   inspectLoaders
	people    lazyLoader[*models.User] // read as the server: names in visible records only
}

// loaderWait is how long a loader collects keys before it fetches. Sibling
// fields resolve concurrently within microseconds, so 1 ms still batches
// them; the library's default (16 ms) would add that much to every answer
// that crosses a loader.
const loaderWait = time.Millisecond

// lazyLoader is a loader by int64 id, built on first use; concurrent
// resolvers of one request share it.
type lazyLoader[V any] struct {
	once sync.Once
	l    *dataloadgen.Loader[int64, V]
}

func (z *lazyLoader[V]) get(fetch func(ctx context.Context, ids []int64) (map[int64]V, error)) *dataloadgen.Loader[int64, V] {
	z.once.Do(func() { z.l = dataloadgen.NewMappedLoader(fetch, dataloadgen.WithWait(loaderWait)) })
	return z.l
}

func newLoaders(s *store.Store, regs *regions.Service, acts *activity.Service) *loaders {
	return &loaders{s: s, regs: regs, acts: activityLoaders{svc: acts}}
}

func (l *loaders) orgUnit() *dataloadgen.Loader[int64, *models.OrgUnit] {
	return l.orgUnits.get(func(ctx context.Context, ids []int64) (map[int64]*models.OrgUnit, error) {
		return l.s.OrgUnitsByID(ctx, caller(ctx), ids)
	})
}

func (l *loaders) user() *dataloadgen.Loader[int64, *models.User] {
	return l.users.get(func(ctx context.Context, ids []int64) (map[int64]*models.User, error) {
		return l.s.UsersByID(ctx, caller(ctx), ids)
	})
}

func (l *loaders) devices() *dataloadgen.Loader[int64, []*models.Device] {
	return l.deviceSet.get(func(ctx context.Context, ids []int64) (map[int64][]*models.Device, error) {
		return l.s.DevicesByUser(ctx, caller(ctx), ids)
	})
}

func (l *loaders) region() *dataloadgen.Loader[int64, *models.Region] {
	return l.regionSet.get(func(ctx context.Context, ids []int64) (map[int64]*models.Region, error) {
		return regionsByID(ctx, l.s, l.regs, ids)
	})
}

func (l *loaders) current() *dataloadgen.Loader[int64, *models.RegionVersion] {
	return l.versions.get(func(ctx context.Context, ids []int64) (map[int64]*models.RegionVersion, error) {
		return l.s.CurrentVersions(ctx, caller(ctx), ids)
	})
}

func (l *loaders) checkIn() *dataloadgen.Loader[int64, *models.CheckIn] {
	return l.checkIns.get(func(ctx context.Context, ids []int64) (map[int64]*models.CheckIn, error) {
		return l.s.CheckInsByID(ctx, caller(ctx), ids)
	})
}

func (l *loaders) review() *dataloadgen.Loader[int64, *models.Review] {
	return l.reviews.get(func(ctx context.Context, ids []int64) (map[int64]*models.Review, error) {
		return l.s.ReviewsByCheckIn(ctx, caller(ctx), ids)
	})
}

func (l *loaders) workGroup() *dataloadgen.Loader[int64, *models.WorkGroup] {
	return l.groups.get(func(ctx context.Context, ids []int64) (map[int64]*models.WorkGroup, error) {
		return l.s.WorkGroupsByID(ctx, caller(ctx), ids)
	})
}

func (l *loaders) members() *dataloadgen.Loader[int64, []*models.User] {
	return l.memberSet.get(func(ctx context.Context, ids []int64) (map[int64][]*models.User, error) {
		return l.s.WorkGroupMembers(ctx, caller(ctx), ids)
	})
}

// person loads users that a record the caller may read names — a
// review's reviewer — whether or not the caller may read their accounts.
// It reads as the server itself, so its users serve only their display
// name and role, and its ids come only from records already read with the
// caller's principal.
func (l *loaders) person() *dataloadgen.Loader[int64, *models.User] {
	return l.people.get(func(ctx context.Context, ids []int64) (map[int64]*models.User, error) {
		return l.s.UsersByID(ctx, authz.System("names in records the caller may read"), ids)
	})
}

// loadRegion answers from the regions in memory at once — no batch wait,
// no goroutine; only an id the index lacks goes through the loader (and the
// store). Every role may read regions, so the check is the role's alone.
func loadRegion(ctx context.Context, id int64) (*models.Region, error) {
	l := loadersFrom(ctx)
	if l.regs != nil {
		if _, err := authz.Check(caller(ctx), authz.ReadRegions); err != nil {
			return nil, err
		}
		if r := l.regs.Get(id); r != nil {
			return r, nil
		}
	}
	return load(ctx, l.region(), id)
}

// regionsByID answers from the in-memory regions (every role may read
// regions) and asks the store only for ids the index lacks.
func regionsByID(ctx context.Context, s *store.Store, regs *regions.Service, ids []int64) (map[int64]*models.Region, error) {
	if _, err := authz.Check(caller(ctx), authz.ReadRegions); err != nil {
		return nil, err
	}
	found := map[int64]*models.Region{}
	if regs != nil {
		found = regs.ByID(ids)
	}
	var missing []int64
	for _, id := range ids {
		if found[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return found, nil
	}
	more, err := s.RegionsByID(ctx, caller(ctx), missing)
	for id, r := range more {
		found[id] = r
	}
	return found, err
}

// caller is the principal for a loader fetch; nil (refused by the store)
// when the request is not signed in.
func caller(ctx context.Context) *authz.Principal {
	p, _ := principal(ctx)
	return p
}

func loadersFrom(ctx context.Context) *loaders {
	return ctx.Value(keyLoaders).(*loaders)
}

// load runs a loader and turns "not in the batch result" (absent or not
// visible to the caller) into a nil value without error.
func load[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], id int64) (V, error) {
	v, err := l.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		var zero V
		return zero, nil
	}
	return v, err
}
