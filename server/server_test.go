package main

import (
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestOnboarding walks the first-day path: the bootstrap admin builds an org
// unit, a supervisor and a cadre; the cadre's first login binds device A
// and must change the initial password; a login from device B is refused
// until the security administrator approves B.
func TestOnboarding(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b)
		admin := s.login(t, "admin", s.AdminPW, "admin-laptop").Login.AccessToken

		var unit struct{ CreateOrgUnit struct{ ID, Name string } }
		s.post(t, admin, `mutation { createOrgUnit(input: {code: "410200", name: "开封团市委", kind: CITY, parentId: "1"}) { id name } }`, nil).into(t, &unit)

		create := `mutation($in: CreateUserInput!) { createUser(input: $in) { id username role rank orgUnit { name } } }`
		var sup, cadre struct {
			CreateUser struct {
				ID, Username, Role, Rank string
				OrgUnit                  struct{ Name string }
			}
		}
		s.post(t, admin, create, map[string]any{"in": map[string]any{
			"username": "sup1", "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": unit.CreateOrgUnit.ID, "rank": "DIVISION",
		}}).into(t, &sup)
		s.post(t, admin, create, map[string]any{"in": map[string]any{
			"username": "cadre1", "password": initialPassword, "role": "CADRE", "orgUnitId": unit.CreateOrgUnit.ID,
		}}).into(t, &cadre)
		if got, want := cadre.CreateUser.OrgUnit.Name, "开封团市委"; got != want {
			t.Errorf("cadre org unit = %q, want %q", got, want)
		}

		s.activate(t, "cadre1", "Cadre-password-1", "phone-A")
		s.login(t, "cadre1", "Cadre-password-1", "phone-A") // the bound device again

		r := s.post(t, "", loginMutation, map[string]any{"u": "cadre1", "p": "Cadre-password-1", "d": "phone-B"})
		if got, want := r.Code(), "DEVICE_NOT_BOUND"; got != want {
			t.Fatalf("login on phone-B: code %q, want %q (%s)", got, want, r.Raw)
		}

		var pending struct {
			Devices struct {
				Edges []struct {
					Node struct {
						ID, DeviceID, Status string
						User                 struct{ Username string }
					}
				}
			}
		}
		s.post(t, admin, `{ devices(status: PENDING) { edges { node { id deviceId status user { username } } } } }`, nil).into(t, &pending)
		if len(pending.Devices.Edges) != 1 || pending.Devices.Edges[0].Node.DeviceID != "phone-B" {
			t.Fatalf("pending devices = %+v, want phone-B only", pending.Devices.Edges)
		}
		// Neither a supervisor nor the system administrator approves devices.
		supTok := s.activate(t, "sup1", "Supervisor-pw-1", "sup-phone").Login.AccessToken
		approve := `mutation($id: ID!) { approveDevice(id: $id) { status approvedAt approvedBy { username } } }`
		id := pending.Devices.Edges[0].Node.ID
		for who, tok := range map[string]string{"supervisor": supTok, "system administrator": admin} {
			if got := s.post(t, tok, approve, map[string]any{"id": id}).Code(); got != "FORBIDDEN" {
				t.Errorf("%s approving: code %q, want FORBIDDEN", who, got)
			}
		}
		sec := s.login(t, "secadmin", s.SecPW, "sec-laptop").Login.AccessToken
		var approved struct {
			ApproveDevice struct {
				Status     string
				ApprovedAt *string
				ApprovedBy struct{ Username string }
			}
		}
		s.post(t, sec, approve, map[string]any{"id": id}).into(t, &approved)
		if approved.ApproveDevice.Status != "ACTIVE" || approved.ApproveDevice.ApprovedAt == nil || approved.ApproveDevice.ApprovedBy.Username != "secadmin" {
			t.Errorf("approval = %+v, want ACTIVE approved by secadmin with a time", approved.ApproveDevice)
		}
		s.login(t, "cadre1", "Cadre-password-1", "phone-B")
		r = s.post(t, "", loginMutation, map[string]any{"u": "cadre1", "p": "Cadre-password-1", "d": "phone-A"})
		if got := r.Code(); got != "DEVICE_NOT_BOUND" {
			t.Errorf("old phone-A after approval of B: code %q, want DEVICE_NOT_BOUND", got)
		}
	})
}
