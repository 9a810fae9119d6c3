package main

import (
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestWorkGroupAssignAndRotate goes through GraphQL: a supervisor forms an
// R1 work group (division-rank leader), assigns it to 兰考县, rotates one
// member to 杞县 (R5), and both assignments stay visible as history.
func TestWorkGroupAssignAndRotate(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		create := `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`
		ids := map[string]string{}
		for _, u := range []struct{ name, rank string }{{"leader", "DIVISION"}, {"member", "STAFF"}} {
			var out struct{ CreateUser struct{ ID string } }
			s.post(t, w.sup, create, map[string]any{"in": map[string]any{"username": u.name, "password": "password-1",
				"role": "CADRE", "orgUnitId": w.unit, "rank": u.rank}}).into(t, &out)
			ids[u.name] = out.CreateUser.ID
		}
		group := `mutation($l: ID!, $m: ID!, $u: ID!) { createWorkGroup(input: {name: "兰考组", orgUnitId: $u, leaderId: $l, memberIds: [$m]}) {
			id leader { username } members { username } orgUnit { name } } }`
		if r := s.post(t, w.sup, group, map[string]any{"l": ids["member"], "m": ids["leader"], "u": w.unit}); r.Code() != "INVALID" {
			t.Errorf("STAFF leader: %s, want INVALID (R1)", r.Raw)
		}
		var g struct {
			CreateWorkGroup struct {
				ID      string
				Leader  struct{ Username string }
				Members []struct{ Username string }
			}
		}
		s.post(t, w.sup, group, map[string]any{"l": ids["leader"], "m": ids["member"], "u": w.unit}).into(t, &g)
		if g.CreateWorkGroup.Leader.Username != "leader" || len(g.CreateWorkGroup.Members) != 2 {
			t.Errorf("work group = %+v", g.CreateWorkGroup)
		}
		var assigned struct {
			Assign []struct {
				ID     string
				User   struct{ Username string }
				Region struct{ Name string }
			}
		}
		s.post(t, w.sup, `mutation($g: ID!, $r: ID!) { assign(input: {workGroupId: $g, regionId: $r, validFrom: "2026-10-01"}) {
			id user { username } region { name } } }`, map[string]any{"g": g.CreateWorkGroup.ID, "r": w.lankao}).into(t, &assigned)
		if len(assigned.Assign) != 2 || assigned.Assign[0].Region.Name != "兰考县" {
			t.Fatalf("assign = %+v, want both members at 兰考县", assigned.Assign)
		}
		var regs struct {
			Regions struct {
				Edges []struct{ Node struct{ ID, Code string } }
			}
		}
		s.post(t, w.sup, `{ regions(kind: COUNTY, cityCode: "410200", first: 50) { edges { node { id code } } } }`, nil).into(t, &regs)
		qixian := ""
		for _, e := range regs.Regions.Edges {
			if e.Node.Code == "410221" {
				qixian = e.Node.ID
			}
		}
		var memberAssignment string
		for _, a := range assigned.Assign {
			if a.User.Username == "member" {
				memberAssignment = a.ID
			}
		}
		var rot struct {
			Rotate struct {
				ValidFrom string
				Region    struct{ Name string }
			}
		}
		s.post(t, w.sup, `mutation($a: ID!, $r: ID!) { rotate(assignmentId: $a, regionId: $r, from: "2026-11-16") { validFrom region { name } } }`,
			map[string]any{"a": memberAssignment, "r": qixian}).into(t, &rot)
		if rot.Rotate.Region.Name != "杞县" || rot.Rotate.ValidFrom != "2026-11-16" {
			t.Errorf("rotation = %+v", rot.Rotate)
		}
		var hist struct {
			Assignments struct {
				Edges []struct {
					Node struct {
						ValidFrom string
						ValidTo   *string
						Region    struct{ Name string }
						WorkGroup *struct{ Name string }
					}
				}
			}
		}
		s.post(t, w.sup, `query($u: ID!) { assignments(userId: $u) { edges { node { validFrom validTo region { name } workGroup { name } } } } }`,
			map[string]any{"u": ids["member"]}).into(t, &hist)
		e := hist.Assignments.Edges
		if len(e) != 2 || e[0].Node.ValidTo == nil || *e[0].Node.ValidTo != "2026-11-15" || e[1].Node.Region.Name != "杞县" {
			t.Errorf("history = %+v, want 兰考县 until 11-15 then 杞县", e)
		}
		var on struct {
			Assignments struct {
				Edges []struct {
					Node struct{ Region struct{ Name string } }
				}
			}
		}
		s.post(t, w.sup, `query($u: ID!) { assignments(userId: $u, activeOn: "2026-11-20") { edges { node { region { name } } } } }`,
			map[string]any{"u": ids["member"]}).into(t, &on)
		if len(on.Assignments.Edges) != 1 || on.Assignments.Edges[0].Node.Region.Name != "杞县" {
			t.Errorf("active on 11-20: %+v", on.Assignments.Edges)
		}
	})
}
