package main

import (
	"strings"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// noErrorLogged fails the test when the server logged at ERROR: a client's
// mistake is not the server's failure.
func noErrorLogged(t *testing.T, s *testServer) {
	t.Helper()
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("logged an error: %s", line)
		}
	}
}

// TestClientMistakesAreNotInternal: a time that does not parse or has no
// zone, a number sent as a string, a client id outside its printable
// alphabet, introspection in production — each is the client's mistake,
// answered with INVALID or a validation code, and nothing is logged as an
// error.
func TestClientMistakesAreNotInternal(t *testing.T) {
	s := start(t, storetest.Backends(t)[0], withClock(at(2026, 3, 2, 9, 0)))
	w := setupField(t, s)
	tok, _ := w.cadre(t, s, "wang")
	now := s.clock.Now()
	for _, tc := range []struct {
		name     string
		change   func(in map[string]any)
		wantCode string
	}{
		{"an unparsable time", func(in map[string]any) { in["deviceTime"] = "garbage" }, "INVALID"},
		{"a time without a zone", func(in map[string]any) { in["deviceTime"] = "2026-03-02T09:00:00" }, "INVALID"},
		{"a latitude as a string", func(in map[string]any) { in["lat"] = "34.83" }, "INVALID"},
		{"a latitude as a boolean", func(in map[string]any) { in["lat"] = true }, "GRAPHQL_VALIDATION_FAILED"},
		{"a client id with a NUL", func(in map[string]any) { in["clientId"] = "a\x00b" }, "INVALID"},
		{"a client id with a newline", func(in map[string]any) { in["clientId"] = "a\nINFO forged" }, "INVALID"},
		{"a client id with a bidi override", func(in map[string]any) { in["clientId"] = "a\u202eb" }, "INVALID"},
		{"a well-formed check-in", func(map[string]any) {}, ""},
	} {
		in := fix("m-"+strings.ReplaceAll(tc.name, " ", "-"), lankaoGCJ, 15, "GCJ02", now)
		tc.change(in)
		r := s.post(t, tok, checkInMutation, map[string]any{"in": in})
		if r.Code() != tc.wantCode {
			t.Errorf("%s: %s, want code %q", tc.name, r.Raw, tc.wantCode)
		}
	}
	for _, tc := range []struct {
		name, query, wantCode string
	}{
		{"a literal time without a zone", `{ myCheckIns(from: "2026-03-01T00:00:00", to: "2026-04-01T00:00:00+08:00") { edges { cursor } } }`, "INVALID"},
		{"a page size as a string", `query($n: Int) { myCheckIns(from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z", first: $n) { edges { cursor } } }`, "INVALID"},
		{"the schema", `{ __schema { types { name } } }`, "GRAPHQL_VALIDATION_FAILED"},
	} {
		r := s.post(t, tok, tc.query, map[string]any{"n": "10"})
		if r.Code() != tc.wantCode {
			t.Errorf("%s: %s, want code %q", tc.name, r.Raw, tc.wantCode)
		}
	}
	noErrorLogged(t, s)
}

// TestNamesInVisibleRecords: a cadre lists its work groups with their
// leader, and sees who reviewed its check-in — the reviewer's name and
// role, not the reviewer's account, which it may not read.
func TestNamesInVisibleRecords(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 3, 2, 9, 0)))
		w := setupField(t, s)
		_, leaderID := w.cadreWithRank(t, s, "wang", "DIVISION")
		liTok, liID := w.cadre(t, s, "li")
		s.post(t, w.sup, `mutation($in: CreateWorkGroupInput!) { createWorkGroup(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"name": "兰考组", "orgUnitId": w.unit, "leaderId": leaderID, "memberIds": []string{leaderID, liID}}}).into(t, &struct{}{})
		var groups struct {
			WorkGroups struct {
				Edges []struct {
					Node struct {
						Leader  struct{ ID, DisplayName string }
						Members []struct{ ID string }
					}
				}
			}
		}
		s.post(t, liTok, `{ workGroups { edges { node { leader { id displayName } members { id } } } } }`, nil).into(t, &groups)
		if g := groups.WorkGroups.Edges; len(g) != 1 || g[0].Node.Leader.ID != leaderID || len(g[0].Node.Members) != 2 {
			t.Errorf("the cadre's work groups: %+v, want one led by %s with two members", g, leaderID)
		}

		// Outside every county: waits for review; the supervisor rejects it.
		out := s.checkIn(t, liTok, fix("q1", hubei, 15, "GCJ02", s.clock.Now()))
		s.post(t, w.sup, `mutation($id: ID!) { reviewCheckIn(id: $id, decision: REJECT, reason: "not assigned there") { id } }`,
			map[string]any{"id": out.CheckIn.CheckIn.ID}).into(t, &struct{}{})
		var mine struct {
			MyCheckIns struct {
				Edges []struct {
					Node struct {
						Status string
						Review struct {
							Decision     string
							Reviewer     *struct{ ID string }
							ReviewerName string
							ReviewerRole string
						}
					}
				}
			}
		}
		s.post(t, liTok, `{ myCheckIns(from: "2026-03-01T00:00:00+08:00", to: "2026-04-01T00:00:00+08:00") { edges { node {
			status review { decision reviewer { id } reviewerName reviewerRole } } } } }`, nil).into(t, &mine)
		e := mine.MyCheckIns.Edges
		if len(e) != 1 || e[0].Node.Status != "REJECTED" {
			t.Fatalf("the cadre's check-ins: %+v, want one REJECTED", e)
		}
		if r := e[0].Node.Review; r.Reviewer != nil || r.ReviewerName != "sup" || r.ReviewerRole != "SUPERVISOR" {
			t.Errorf("the review as its cadre sees it: %+v, want no account, the name sup and the role SUPERVISOR", r)
		}
		var sup struct {
			CheckIns struct {
				Edges []struct {
					Node struct {
						Review struct{ Reviewer *struct{ Username string } }
					}
				}
			}
		}
		s.post(t, w.sup, `{ checkIns { edges { node { review { reviewer { username } } } } } }`, nil).into(t, &sup)
		if e := sup.CheckIns.Edges; len(e) != 1 || e[0].Node.Review.Reviewer == nil || e[0].Node.Review.Reviewer.Username != "sup" {
			t.Errorf("the review as its reviewer sees it: %+v, want the account", e)
		}
		noErrorLogged(t, s)
	})
}

// cadreWithRank is cadre with a rank other than the default.
func (w *fieldWorld) cadreWithRank(t *testing.T, s *testServer, name, rank string) (token, id string) {
	t.Helper()
	tok, id := w.cadre(t, s, name)
	s.post(t, w.admin, `mutation($id: ID!, $rank: Rank!) { updateUser(id: $id, input: {rank: $rank}) { id } }`,
		map[string]any{"id": id, "rank": rank}).into(t, &struct{}{})
	return tok, id
}
