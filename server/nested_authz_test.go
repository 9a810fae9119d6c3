package main

import (
	"strings"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestSupervisorCannotReachOtherUnitThroughNesting: a supervisor of unit B
// reaches unit A's users through no path — root lists, single lookups,
// nested org-unit fields, parents or devices.
func TestSupervisorCannotReachOtherUnitThroughNesting(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b)
		admin := s.login(t, "admin", s.AdminPW, "d").Login.AccessToken
		ids := map[string]string{}
		for _, u := range []string{"A", "B"} {
			var out struct{ CreateOrgUnit struct{ ID string } }
			s.post(t, admin, `mutation($c: String!) { createOrgUnit(input: {code: $c, name: $c, kind: COUNTY, parentId: "1"}) { id } }`,
				map[string]any{"c": "unit-" + u}).into(t, &out)
			ids[u] = out.CreateOrgUnit.ID
		}
		create := `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`
		for _, u := range []struct{ name, role, unit string }{{"secret-cadre-a", "CADRE", "A"}, {"supB", "SUPERVISOR", "B"}, {"cadreB", "CADRE", "B"}} {
			var out struct{ CreateUser struct{ ID string } }
			s.post(t, admin, create, map[string]any{"in": map[string]any{"username": u.name, "password": initialPassword, "role": u.role, "orgUnitId": ids[u.unit]}}).into(t, &out)
			ids[u.name] = out.CreateUser.ID
		}
		s.activate(t, "secret-cadre-a", "password-1", "phone")
		sup := s.activate(t, "supB", "password-1", "phone").Login.AccessToken

		for name, q := range map[string]string{
			"users":            `{ users(first: 100) { edges { node { username } } } }`,
			"users in A":       `{ users(orgUnitId: "` + ids["A"] + `") { edges { node { username } } } }`,
			"subtree of root":  `{ users(orgUnitId: "1", subtree: true) { edges { node { username } } } }`,
			"user by id":       `{ user(id: "` + ids["secret-cadre-a"] + `") { username } }`,
			"orgUnit A users":  `{ orgUnit(id: "` + ids["A"] + `") { users { edges { node { username } } } } }`,
			"all units' users": `{ orgUnits(first: 20) { edges { node { users(first: 20) { edges { node { username } } } } } } }`,
			"via parent":       `{ me { orgUnit { parent { children { edges { node { users { edges { node { username } } } } } } } } } }`,
			"devices":          `{ devices(userId: "` + ids["secret-cadre-a"] + `") { edges { node { user { username } } } } }`,
		} {
			r := s.post(t, sup, q, nil)
			if strings.Contains(r.Raw, "secret-cadre-a") {
				t.Errorf("%s: supervisor of B sees A's cadre: %s", name, r.Raw)
			}
			if len(r.Errors) > 0 {
				t.Errorf("%s: %s (want empty results, not an error)", name, r.Raw)
			}
		}
		// Positive control: the same queries do show B's cadre.
		if r := s.post(t, sup, `{ users(orgUnitId: "1", subtree: true) { edges { node { username } } } }`, nil); !strings.Contains(r.Raw, "cadreB") {
			t.Errorf("supervisor does not see its own cadre: %s", r.Raw)
		}
	})
}
