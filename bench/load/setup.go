package main

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/henan-youth/onsite/presence"
)

// GraphQL documents of the setup phase.
const (
	loginDoc = `mutation($u: String!, $p: String!, $d: String!) {
  login(username: $u, password: $p, deviceId: $d) { accessToken refreshToken mustChangePassword user { id orgUnit { id } } }
}`
	// firstLoginDoc asks only for what a session that must change its
	// password may read.
	firstLoginDoc = `mutation($u: String!, $p: String!, $d: String!) {
  login(username: $u, password: $p, deviceId: $d) { accessToken mustChangePassword user { id } }
}`
	changePasswordDoc = `mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }`
	refreshDoc        = `mutation($t: String!) {
  refreshToken(refreshToken: $t) { accessToken refreshToken }
}`
	regionsDoc = `query($after: String) {
  regions(kind: COUNTY, first: 100, after: $after) { edges { node { id code } } pageInfo { hasNextPage endCursor } }
}`
	createOrgUnitDoc = `mutation($in: OrgUnitInput!) { createOrgUnit(input: $in) { id } }`
	orgUnitsDoc      = `query($parent: ID, $after: String) {
  orgUnits(parentId: $parent, first: 100, after: $after) { edges { node { id code } } pageInfo { hasNextPage endCursor } }
}`
	createUserDoc = `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`
	usersDoc      = `query($unit: ID, $after: String) {
  users(orgUnitId: $unit, first: 100, after: $after) { edges { node { id username } } pageInfo { hasNextPage endCursor } }
}`
	assignDoc = `mutation($in: AssignInput!) { assign(input: $in) { id } }`
)

// phone is one simulated cadre with its own bound device. Only its own
// goroutine touches it while the load runs.
type phone struct {
	idx      int
	username string
	deviceID string
	userID   int64
	county   *county
	token    string
	refresh  string
	src      *rand.ChaCha8 // client ids
	rng      *rand.Rand    // everything else
	rec      *recorder
	wire     *wire // its own connection in the load phases
	// due is when the phone's schedule (-rate) meant its next request to
	// go out; zero without -rate, and once that request is recorded.
	due time.Time
	// created: this run created the cadre, whose first sign-in replaces
	// the initial password with the run's.
	created bool
}

// initialPassword is what the admin gives a cadre the load tool creates;
// the cadre's first sign-in changes it to -password, as the server asks.
func initialPassword(password string) string { return "Initial-" + password }

// fleet is what setup produced: the load org unit and its phones.
type fleet struct {
	orgUnitID int64
	phones    []*phone
}

// eachNode pages through the one connection doc returns (its variables
// vars plus "after"), calling visit for every node until visit returns true
// or the pages end; it reports whether visit stopped it.
func eachNode[N any](ctx context.Context, cl *client, tok, doc string, vars map[string]any, visit func(N) bool) (bool, error) {
	var after any
	for {
		page := map[string]any{"after": after}
		for k, v := range vars {
			page[k] = v
		}
		var out map[string]struct {
			Edges    []struct{ Node N }
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
		r := retrying(ctx, func() *response { return cl.do(ctx, tok, doc, page) })
		if err := r.decode(&out); err != nil {
			return false, err
		}
		if len(out) != 1 {
			return false, fmt.Errorf("want one connection in %.200s", r.Data)
		}
		for _, conn := range out {
			for _, e := range conn.Edges {
				if visit(e.Node) {
					return true, nil
				}
			}
			if !conn.PageInfo.HasNextPage {
				return false, nil
			}
			after = conn.PageInfo.EndCursor
		}
	}
}

// setup creates (or finds, on a rerun with the same run id) the org unit and
// cadres, assigns each to a county round-robin, and logs every phone in on
// its own device. It fails on the first step that cannot be completed.
func setup(ctx context.Context, cfg *config, cl *client, at *atlas, log io.Writer) (*fleet, error) {
	var admin struct {
		Login struct {
			AccessToken string
			User        struct{ OrgUnit struct{ ID string } }
		}
	}
	r := retrying(ctx, func() *response {
		return cl.do(ctx, "", loginDoc, map[string]any{"u": cfg.adminUser, "p": cfg.adminPassword, "d": "load-admin-" + cfg.runID})
	})
	if err := r.decode(&admin); err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	tok := admin.Login.AccessToken
	if err := mapRegions(ctx, cl, tok, at); err != nil {
		return nil, err
	}
	unit, err := ensureOrgUnit(ctx, cl, tok, admin.Login.User.OrgUnit.ID, cfg.runID)
	if err != nil {
		return nil, err
	}
	f := &fleet{orgUnitID: unit}
	var usable []*county
	for _, c := range at.counties {
		if c.RegionID != 0 {
			usable = append(usable, c)
		}
	}
	if len(usable) == 0 {
		return nil, fmt.Errorf("the server knows none of the bundled counties")
	}
	// Client ids come from a fresh random key, so a rerun with the same run
	// id and seed never resends an old id with a new payload (CONFLICT).
	var nonce [8]byte
	_, _ = crand.Read(nonce[:])
	for i := range cfg.phones {
		seed := uint64(cfg.seed)*1_000_003 + uint64(i)
		key := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d/%x", cfg.runID, cfg.seed, i, nonce))
		src := rand.NewChaCha8(key)
		f.phones = append(f.phones, &phone{
			idx:      i,
			username: fmt.Sprintf("load-%s-%04d", cfg.runID, i),
			deviceID: fmt.Sprintf("load-%s-dev-%04d", cfg.runID, i),
			county:   usable[i%len(usable)],
			src:      src,
			rng:      rand.New(rand.NewPCG(seed, uint64(i)+1)),
			rec:      newRecorder(),
		})
	}
	fmt.Fprintf(log, "setup: org unit %d, creating %d cadres in %d counties\n", unit, len(f.phones), min(len(usable), len(f.phones)))
	if err := createUsers(ctx, cfg, cl, tok, f); err != nil {
		return nil, err
	}
	from := time.Now().In(presence.ShanghaiLocation()).AddDate(0, 0, -7).Format(time.DateOnly)
	err = parallel(ctx, cfg.setupConcurrency, len(f.phones), func(i int) error {
		p := f.phones[i]
		in := map[string]any{"userId": id(p.userID), "regionId": id(p.county.RegionID), "purpose": "DISPATCH", "validFrom": from}
		r := retrying(ctx, func() *response { return cl.do(ctx, tok, assignDoc, map[string]any{"in": in}) })
		if err := r.Err(); err != nil && r.Code() != "CONFLICT" {
			return fmt.Errorf("assign %s to %s: %w", p.username, p.county.Name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "setup: assigned; logging %d phones in\n", len(f.phones))
	err = parallel(ctx, cfg.setupConcurrency, len(f.phones), func(i int) error {
		return f.phones[i].login(ctx, cl, cfg.password)
	})
	return f, err
}

// mapRegions fills RegionID of each county from the server's county list,
// matching on the region code.
func mapRegions(ctx context.Context, cl *client, tok string, at *atlas) error {
	byCode := make(map[string]*county, len(at.counties))
	for _, c := range at.counties {
		byCode[c.Code] = c
	}
	_, err := eachNode(ctx, cl, tok, regionsDoc, nil, func(n struct{ ID, Code string }) bool {
		if c := byCode[n.Code]; c != nil {
			c.RegionID, _ = strconv.ParseInt(n.ID, 10, 64)
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("regions: %w", err)
	}
	return nil
}

// ensureOrgUnit creates the run's org unit under parent, or finds it by code
// when it exists already.
func ensureOrgUnit(ctx context.Context, cl *client, tok, parent, runID string) (int64, error) {
	code := "LOAD-" + runID
	in := map[string]any{"parentId": parent, "code": code, "name": "负载测试 " + runID, "kind": "GRASSROOTS"}
	var out struct{ CreateOrgUnit struct{ ID string } }
	r := retrying(ctx, func() *response { return cl.do(ctx, tok, createOrgUnitDoc, map[string]any{"in": in}) })
	if r.Code() != "CONFLICT" {
		if err := r.decode(&out); err != nil {
			return 0, fmt.Errorf("createOrgUnit: %w", err)
		}
		return strconv.ParseInt(out.CreateOrgUnit.ID, 10, 64)
	}
	var found int64
	ok, err := eachNode(ctx, cl, tok, orgUnitsDoc, map[string]any{"parent": parent}, func(n struct{ ID, Code string }) bool {
		found, _ = strconv.ParseInt(n.ID, 10, 64)
		return n.Code == code
	})
	switch {
	case err != nil:
		return 0, fmt.Errorf("orgUnits: %w", err)
	case !ok:
		return 0, fmt.Errorf("org unit %s exists (CONFLICT) but is not a child of %s", code, parent)
	}
	return found, nil
}

// createUsers creates every phone's cadre; users that exist already (a rerun
// with the same run id) are looked up in the org unit instead.
func createUsers(ctx context.Context, cfg *config, cl *client, tok string, f *fleet) error {
	var conflicts atomic.Int64
	err := parallel(ctx, cfg.setupConcurrency, len(f.phones), func(i int) error {
		p := f.phones[i]
		in := map[string]any{"username": p.username, "password": initialPassword(cfg.password), "role": "CADRE",
			"orgUnitId": id(f.orgUnitID), "displayName": fmt.Sprintf("负载 %d %s", p.idx, p.county.Name)}
		r := retrying(ctx, func() *response { return cl.do(ctx, tok, createUserDoc, map[string]any{"in": in}) })
		if r.Code() == "CONFLICT" {
			conflicts.Add(1)
			return nil
		}
		var out struct{ CreateUser struct{ ID string } }
		if err := r.decode(&out); err != nil {
			return fmt.Errorf("createUser %s: %w", p.username, err)
		}
		p.userID, _ = strconv.ParseInt(out.CreateUser.ID, 10, 64)
		p.created = true
		return nil
	})
	if err != nil || conflicts.Load() == 0 {
		return err
	}
	ids := map[string]int64{}
	_, err = eachNode(ctx, cl, tok, usersDoc, map[string]any{"unit": id(f.orgUnitID)}, func(n struct{ ID, Username string }) bool {
		ids[n.Username], _ = strconv.ParseInt(n.ID, 10, 64)
		return false
	})
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	for _, p := range f.phones {
		if p.userID == 0 {
			if p.userID = ids[p.username]; p.userID == 0 {
				return fmt.Errorf("user %s exists (CONFLICT) but is not in org unit %d", p.username, f.orgUnitID)
			}
		}
	}
	return nil
}

// login signs the phone in on its own device (the first login binds it).
// A cadre this run created signs in first with the initial password and
// changes it to password, as the server asks of a new account.
func (p *phone) login(ctx context.Context, cl *client, password string) error {
	var out struct {
		Login struct {
			AccessToken, RefreshToken string
			MustChangePassword        bool
			User                      struct{ ID string }
		}
	}
	signIn := func(doc, pw string) error {
		r := retrying(ctx, func() *response {
			return cl.do(ctx, "", doc, map[string]any{"u": p.username, "p": pw, "d": p.deviceID})
		})
		if err := r.decode(&out); err != nil {
			return fmt.Errorf("login %s: %w", p.username, err)
		}
		return nil
	}
	if p.created {
		if err := signIn(firstLoginDoc, initialPassword(password)); err != nil {
			return err
		}
		if out.Login.MustChangePassword {
			r := retrying(ctx, func() *response {
				return cl.do(ctx, out.Login.AccessToken, changePasswordDoc, map[string]any{"o": initialPassword(password), "n": password})
			})
			if err := r.Err(); err != nil {
				return fmt.Errorf("changePassword %s: %w", p.username, err)
			}
		}
		p.created = false
	}
	if err := signIn(loginDoc, password); err != nil {
		return err
	}
	p.token, p.refresh = out.Login.AccessToken, out.Login.RefreshToken
	uid, _ := strconv.ParseInt(out.Login.User.ID, 10, 64)
	if p.userID != 0 && uid != p.userID {
		return fmt.Errorf("login %s: user id %d, created as %d", p.username, uid, p.userID)
	}
	p.userID = uid
	return nil
}

// renew spends the refresh token for a new pair, after the access token
// expired during a long run. It falls back to a fresh login.
func (p *phone) renew(ctx context.Context, cl *client, password string) error {
	var out struct {
		RefreshToken struct{ AccessToken, RefreshToken string }
	}
	r := cl.do(ctx, "", refreshDoc, map[string]any{"t": p.refresh})
	if err := r.decode(&out); err != nil {
		return p.login(ctx, cl, password)
	}
	p.token, p.refresh = out.RefreshToken.AccessToken, out.RefreshToken.RefreshToken
	return nil
}

// retrying repeats a setup request while it fails transiently (transport,
// RATE_LIMITED, UNAVAILABLE), backing off up to about a minute in total.
func retrying(ctx context.Context, send func() *response) *response {
	wait := 200 * time.Millisecond
	for attempt := 0; ; attempt++ {
		r := send()
		switch r.Code() {
		case codeTransport, "RATE_LIMITED", "UNAVAILABLE":
		default:
			return r
		}
		if attempt == 10 || ctx.Err() != nil {
			return r
		}
		select {
		case <-ctx.Done():
			return r
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// parallel runs fn(0..n-1) on at most workers goroutines and returns the
// first error (remaining items are skipped after one fails).
func parallel(ctx context.Context, workers, n int, fn func(i int) error) error {
	var (
		next  atomic.Int64
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	for range max(1, min(workers, n)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// id formats a database id as a GraphQL ID.
func id(v int64) string { return strconv.FormatInt(v, 10) }
