// Package demo builds a demonstration province into a database: the
// provincial League committee's departments and the 18 city committees,
// supervisors and discipline inspectors, some 300 dispatched cadres in work
// groups on real counties, and two quarters of evidence — check-ins with
// GPS jitter (live and synced offline, with a few anomalies), rulings,
// interviews, forums with photos and lectures — and the paperwork around
// it: make-up requests (补卡) approved, refused and pending, approved
// absences (调训, leave; one withdrawn), a seminar whose drawn speakers
// spoke (R9), and work summaries (R8) — of the previous quarter mostly
// accepted, some returned and resubmitted, a few late, a few never
// submitted; of the current one drafts and submissions waiting for review.
// Annual reports are written only when the demo ends in January–March (the
// previous year's, then due); later in a year none is due yet. All of it is
// made through the same services as the API, from a fixed seed, so that
// the same seed gives the same province. Some cadres meet every rule and
// some miss each, so every verdict has an example.
package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/henan-youth/onsite/absence"
	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/makeup"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/seminar"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/summary"
)

// Deps are the services the demo seeds through.
type Deps struct {
	Store      *store.Store
	Accounts   *account.Service
	CheckIns   *checkin.Service
	Activities *activity.Service
	Clock      *Clock // the clock every service reads; the demo moves it

	// The paperwork's services; each one nil makes none of its records.
	Summaries *summary.Service
	MakeUps   *makeup.Service
	Absences  *absence.Service
	Seminars  *seminar.Service
}

// Options choose the province.
type Options struct {
	Seed     uint64    // the same seed gives the same province
	Cadres   int       // dispatched cadres, about; 300 by default
	Today    time.Time // the demo's last day; its quarter and the one before are filled
	Password string    // every demo account's password
	Log      io.Writer // progress lines; nil for none
}

// Account is a sign-in of the demo, for the README and the console tests.
type Account struct {
	Username, Role, Unit string
}

// Summary is what Seed made.
type Summary struct {
	Units, Cadres, Groups, CheckIns, Activities, Reviews int

	Summaries, Returned, Reports int // work summaries, of them returned once, annual reports
	MakeUps, Absences, Withdrawn int // make-up requests, approved absences, of them withdrawn
	Seminars, Talks              int

	Accounts []Account // one of each kind
}

// Clock is a clock the demo sets; services read it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// seeder carries one Seed run.
type seeder struct {
	d    Deps
	o    Options
	rng  *rand.Rand
	sys  *authz.Principal
	out  Summary
	loc  *time.Location
	root int64

	cadres  []*cadre
	sups    map[string]*person // by city code, "province" for the provincial supervisor
	inspect *person
	county  map[string][]county // by city code
}

// person is a signed-in demo account.
type person struct {
	user *models.User
	p    *authz.Principal
}

// Seed builds the province. It fails with CONFLICT when the database holds
// more than the bootstrap (its org units or accounts), and with the
// services' errors otherwise.
func Seed(ctx context.Context, d Deps, o Options) (*Summary, error) {
	if o.Cadres <= 0 {
		o.Cadres = 300
	}
	s := &seeder{d: d, o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed)), sys: authz.System("demo"),
		loc: d.CheckIns.Policy.Location, sups: map[string]*person{}, county: map[string][]county{}}
	if err := s.empty(ctx); err != nil {
		return nil, err
	}
	steps := []struct {
		what string
		do   func(context.Context) error
	}{
		{"counties", s.loadCounties}, {"org units and accounts", s.organise}, {"work groups and assignments", s.dispatch},
		{"evidence", s.evidence}, {"make-ups, absences, seminar and summaries", s.paperwork},
	}
	for _, st := range steps {
		s.logf("demo: %s…", st.what)
		if err := st.do(ctx); err != nil {
			return nil, fmt.Errorf("demo %s: %w", st.what, err)
		}
	}
	return &s.out, nil
}

func (s *seeder) logf(format string, args ...any) {
	if s.o.Log != nil {
		fmt.Fprintf(s.o.Log, format+"\n", args...)
	}
}

// empty refuses a database that holds more than the bootstrap.
func (s *seeder) empty(ctx context.Context) error {
	units, _, err := s.d.Store.ListOrgUnits(ctx, s.sys, nil, store.Page{First: 2})
	if err != nil {
		return err
	}
	if len(units) != 1 {
		return models.E(models.CodeConflict, "the database already holds org units besides the root: the demo needs a fresh one")
	}
	s.root = units[0].ID
	return nil
}

// organise creates the departments and city committees with their
// supervisors, two discipline inspectors and the cadres.
func (s *seeder) organise(ctx context.Context) error {
	unit := func(code, name string, kind models.OrgUnitKind) (*models.OrgUnit, error) {
		u, err := s.d.Store.CreateOrgUnit(ctx, s.sys, store.OrgUnitInput{ParentID: &s.root, Code: &code, Name: &name, Kind: &kind})
		s.out.Units++
		return u, err
	}
	perCadre := max(3, s.o.Cadres/(len(departments)+len(cities))) // a small demo staffs the first units only
	for _, dep := range departments {
		u, err := unit(dep.code, dep.name, models.OrgDepartment)
		if err != nil {
			return err
		}
		if err := s.staff(ctx, u, dep.latin, "", perCadre, dep.grassroots); err != nil {
			return err
		}
	}
	for _, c := range cities {
		u, err := unit(c.code+"-tw", "共青团"+c.name+"委员会", models.OrgCity)
		if err != nil {
			return err
		}
		sup, err := s.account(ctx, "sup-"+c.latin, models.RoleSupervisor, u.ID, models.RankDivision, false)
		if err != nil {
			return err
		}
		s.sups[c.code] = sup
		if err := s.staff(ctx, u, c.latin, c.code, perCadre, false); err != nil {
			return err
		}
	}
	var err error
	if s.sups["province"], err = s.account(ctx, "sup-province", models.RoleSupervisor, s.root, models.RankBureau, false); err != nil {
		return err
	}
	if s.inspect, err = s.account(ctx, "jiwei-1", models.RoleDiscipline, s.root, models.RankDivision, false); err != nil {
		return err
	}
	if _, err = s.account(ctx, "jiwei-2", models.RoleDiscipline, s.root, models.RankSection, false); err != nil {
		return err
	}
	s.out.Accounts = []Account{{"sup-province", "SUPERVISOR", "共青团河南省委"}, {"sup-kaifeng", "SUPERVISOR", "共青团开封市委员会"},
		{"jiwei-1", "DISCIPLINE", "纪检监察组"}, {s.cadres[0].user.Username, "CADRE", "团省委办公室"}}
	return nil
}

// staff creates n cadres of unit; a division-rank cadre leads every
// group of two or three. home is the city whose counties its groups go
// to ("" for provincial departments: any city).
func (s *seeder) staff(ctx context.Context, u *models.OrgUnit, latin, home string, n int, grassroots bool) error {
	n = min(n, s.o.Cadres-len(s.cadres))
	for i := range n {
		rank := []models.Rank{models.RankStaff, models.RankSection}[s.rng.IntN(2)]
		if i%3 == 0 {
			rank = models.RankDivision
		}
		p, err := s.account(ctx, fmt.Sprintf("%s-%02d", latin, i+1), models.RoleCadre, u.ID, rank, grassroots)
		if err != nil {
			return err
		}
		s.cadres = append(s.cadres, &cadre{person: p, unit: u, home: home, profile: s.profile()})
		s.out.Cadres++
	}
	return nil
}

// account creates a demo account with the demo password, already
// changed (so the demo's accounts sign in at once), and signs it in on
// its own device.
func (s *seeder) account(ctx context.Context, username string, role models.Role, unitID int64, rank models.Rank, grassroots bool) (*person, error) {
	display := name(s.rng)
	first := "Demo-first-" + username
	_, err := s.d.Accounts.CreateUser(ctx, s.sys, store.UserInput{Username: &username, DisplayName: &display, Role: &role,
		OrgUnitID: &unitID, Rank: &rank, GrassrootsDept: &grassroots}, first)
	if err != nil {
		return nil, err
	}
	device := username + "-phone"
	sess, err := s.d.Accounts.Login(ctx, username, first, device, "")
	if err != nil {
		return nil, err
	}
	if err := s.d.Accounts.ChangePassword(ctx, sess.Principal, first, s.o.Password); err != nil {
		return nil, err
	}
	if sess, err = s.d.Accounts.Login(ctx, username, s.o.Password, device, ""); err != nil {
		return nil, err
	}
	return &person{user: sess.User, p: sess.Principal}, nil
}
