package demo

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// county is a real county with a point deep inside it (GCJ-02): its label
// point when a 300 m circle around it lies inside the county alone.
type county struct {
	id     int64
	name   string
	city   string
	anchor orb.Point
}

// profile is how a cadre behaves over a quarter.
type profile int

const (
	diligent   profile = iota // meets every rule
	borderline                // enough days, one trip too short (R2 missed)
	lax                       // few days (R2 and R3 behind)
	suspicious                // enough days, with anomalies for the inspectors
)

// profile draws a cadre's behaviour: mostly diligent, some of each other.
func (s *seeder) profile() profile {
	switch r := s.rng.IntN(100); {
	case r < 62:
		return diligent
	case r < 77:
		return borderline
	case r < 90:
		return lax
	}
	return suspicious
}

// cadre is a dispatched demo cadre and where it goes.
type cadre struct {
	*person
	unit    *models.OrgUnit
	home    string // city code of its committee; "" for provincial departments
	profile profile
	county  county  // its dispatch county
	rotated *county // the county it is rotated to in the current quarter, if any
	rotate  string  // the date of the rotation
	tripsQ  [][]int // per quarter filled, the trips' day offsets
}

// loadCounties reads the counties and an inside point of each.
func (s *seeder) loadCounties(ctx context.Context) error {
	kind := models.RegionCounty
	rows, _, err := s.d.Store.ListRegions(ctx, s.sys, store.RegionFilter{Kind: &kind}, store.Page{First: 100})
	if err != nil {
		return err
	}
	all := rows
	for len(rows) == 100 {
		after := store.Cursor(rows[len(rows)-1].ID)
		if rows, _, err = s.d.Store.ListRegions(ctx, s.sys, store.RegionFilter{Kind: &kind}, store.Page{First: 100, After: after}); err != nil {
			return err
		}
		all = append(all, rows...)
	}
	geo, err := s.d.Store.LoadRegions(ctx, s.sys)
	if err != nil {
		return err
	}
	centre := map[int64]orb.Point{}
	for _, g := range geo {
		if g.Version.CenterLon != nil {
			centre[g.Region.ID] = orb.Point{*g.Version.CenterLon, *g.Version.CenterLat}
		}
	}
	for _, r := range all {
		p, ok := centre[r.ID]
		if !ok || !s.insideAlone(p, r.ID, 300) {
			continue
		}
		s.county[r.ParentCode] = append(s.county[r.ParentCode], county{id: r.ID, name: r.Name, city: r.ParentCode, anchor: p})
	}
	if len(s.county) == 0 {
		return fmt.Errorf("no county with a usable label point")
	}
	return nil
}

// insideAlone reports whether a circle of accM around p (GCJ-02) lies
// inside region id and is recorded against it.
func (s *seeder) insideAlone(p orb.Point, id int64, accM float64) bool {
	res, err := s.d.CheckIns.Regions.Locate(p[1], p[0], accM, geofence.GCJ02)
	if err != nil {
		return false
	}
	c := regions.Choose(res, nil)
	return c != nil && c.Region.ID == id && c.Verdict == geofence.Inside && !regions.Ambiguous(res, c)
}

// dispatch forms the work groups (R1: a division-rank leader and one or
// two organ cadres of the same unit) and assigns each to a county of its
// city (provincial departments: any city), from the start of the
// previous quarter; a few cadres are rotated (R5) in the current quarter.
func (s *seeder) dispatch(ctx context.Context) error {
	from := s.quarters()[0].start
	var group []*cadre
	flush := func() error {
		if len(group) < 2 {
			group = nil
			return nil
		}
		ids := make([]int64, len(group))
		for i, c := range group {
			ids[i] = c.user.ID
		}
		city := group[0].home
		if city == "" {
			city = cities[s.rng.IntN(len(cities))].code
		}
		pool := s.county[city]
		if len(pool) == 0 {
			pool = s.county["410200"]
		}
		to := pool[s.rng.IntN(len(pool))]
		g, err := s.d.Store.CreateWorkGroup(ctx, s.sys, store.WorkGroupInput{Name: fmt.Sprintf("%s工作组%d", to.name, s.out.Groups+1),
			OrgUnitID: group[0].unit.ID, LeaderID: group[0].user.ID, MemberIDs: ids})
		if err != nil {
			return err
		}
		s.out.Groups++
		if _, err := s.d.Store.Assign(ctx, s.sys, store.AssignInput{WorkGroupID: &g.ID, RegionID: to.id,
			Purpose: models.PurposeDispatch, ValidFrom: from}); err != nil {
			return err
		}
		for _, c := range group {
			c.county = to
		}
		group = nil
		return nil
	}
	for _, c := range s.cadres {
		if c.user.Rank.DivisionOrAbove() {
			if err := flush(); err != nil {
				return err
			}
		}
		group = append(group, c)
	}
	if err := flush(); err != nil {
		return err
	}
	return s.rotations(ctx)
}

// rotations rotates a few diligent cadres to a neighbouring county in the
// middle of the current quarter: their days count toward the assignment
// valid on each date (R5).
func (s *seeder) rotations(ctx context.Context) error {
	q := s.quarters()[1]
	on := q.start
	if d := q.days / 2; d > 0 {
		on = q.day(d)
	}
	n := 0
	for _, c := range s.cadres {
		if n == 3 || c.profile != diligent || c.county.id == 0 {
			continue
		}
		pool := s.county[c.county.city]
		if len(pool) < 2 {
			continue
		}
		as, _, err := s.d.Store.ListAssignments(ctx, s.sys, store.AssignmentFilter{UserID: &c.user.ID}, store.Page{First: 5})
		if err != nil || len(as) == 0 {
			return err
		}
		next := pool[(indexOf(pool, c.county.id)+1)%len(pool)]
		if _, err := s.d.Store.Rotate(ctx, s.sys, as[0].ID, next.id, on); err != nil {
			return err
		}
		c.rotated, c.rotate = &next, on
		n++
	}
	return nil
}

func indexOf(pool []county, id int64) int {
	for i, c := range pool {
		if c.id == id {
			return i
		}
	}
	return 0
}
