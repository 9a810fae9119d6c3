package graph

import (
	"context"
	"errors"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// loaders batch the field resolvers' lookups within one request. Every
// fetch goes through the store with the caller's principal, so nested fields
// are authorized exactly like root fields.
type loaders struct {
	orgUnit   *dataloadgen.Loader[int64, *models.OrgUnit]
	user      *dataloadgen.Loader[int64, *models.User]
	devices   *dataloadgen.Loader[int64, []*models.Device]
	region    *dataloadgen.Loader[int64, *models.Region]
	current   *dataloadgen.Loader[int64, *models.RegionVersion] // by region id
	checkIn   *dataloadgen.Loader[int64, *models.CheckIn]
	review    *dataloadgen.Loader[int64, *models.Review] // by check-in id
	workGroup *dataloadgen.Loader[int64, *models.WorkGroup]
	members   *dataloadgen.Loader[int64, []*models.User] // by work group id
	regs      *regions.Service                           // in memory: read without batching
}

// loaderWait is how long a loader collects keys before it fetches. Sibling
// fields resolve concurrently within microseconds, so 1 ms still batches
// them; the library's default (16 ms) would add that much to every answer
// that crosses a loader.
const loaderWait = time.Millisecond

func newLoaders(s *store.Store, regs *regions.Service) *loaders {
	return &loaders{
		regs: regs,
		orgUnit: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*models.OrgUnit, error) {
			return s.OrgUnitsByID(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
		user: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*models.User, error) {
			return s.UsersByID(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
		devices: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64][]*models.Device, error) {
			return s.DevicesByUser(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
		region: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*models.Region, error) {
			return regionsByID(ctx, s, regs, ids)
		}, dataloadgen.WithWait(loaderWait)),
		current: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*models.RegionVersion, error) {
			return s.CurrentVersions(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
		checkIn: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*models.CheckIn, error) {
			return s.CheckInsByID(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
		review: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*models.Review, error) {
			return s.ReviewsByCheckIn(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
		workGroup: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*models.WorkGroup, error) {
			return s.WorkGroupsByID(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
		members: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64][]*models.User, error) {
			return s.WorkGroupMembers(ctx, caller(ctx), ids)
		}, dataloadgen.WithWait(loaderWait)),
	}
}

// loadRegion answers from the regions in memory at once — no batch wait,
// no goroutine; only an id the index lacks goes through the loader (and the
// store). Every role may read regions, so the check is the role's alone.
func loadRegion(ctx context.Context, id int64) (*models.Region, error) {
	l := loadersFrom(ctx)
	if l.regs != nil {
		if _, err := store.Authorize(caller(ctx), store.OpReadRegions); err != nil {
			return nil, err
		}
		if r := l.regs.Get(id); r != nil {
			return r, nil
		}
	}
	return load(ctx, l.region, id)
}

// regionsByID answers from the in-memory regions (every role may read
// regions) and asks the store only for ids the index lacks.
func regionsByID(ctx context.Context, s *store.Store, regs *regions.Service, ids []int64) (map[int64]*models.Region, error) {
	if _, err := store.Authorize(caller(ctx), store.OpReadRegions); err != nil {
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
func caller(ctx context.Context) *auth.Principal {
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
