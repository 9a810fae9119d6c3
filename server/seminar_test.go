package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

const openSeminarMutation = `mutation($in: OpenSeminarInput!) { openSeminar(input: $in) { replayed seminar {
  id title openedBy speakersWanted draw { algorithm preimage seed reproduces }
  candidates { userId name due position } speakers { userId name position } } } }`

type seminarNode struct {
	ID, Title, OpenedBy string
	SpeakersWanted      int
	Draw                struct {
		Algorithm, Preimage, Seed string
		Reproduces                bool
	}
	Candidates []struct {
		UserID, Name string
		Due          bool
		Position     *int
	}
	Speakers []struct {
		UserID, Name string
		Position     int
	}
}

func (n seminarNode) speakerIDs() []string {
	var out []string
	for _, s := range n.Speakers {
		out = append(out, s.UserID)
	}
	return out
}

// checkLedger sequences every leaf written so far, holds the checkpoint
// and runs verify-ledger against the database; it returns the output and
// error.
func checkLedger(t *testing.T, s *testServer, b storetest.Backend) (string, error) {
	t.Helper()
	if err := s.app.ledger.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "held.checkpoint")
	if err := os.WriteFile(cp, httpGet(t, s.URL+"/ledger/checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	return runCmd(t, "verify-ledger", "-checkpoint", cp, "-key", s.app.ledger.Signer.VerifierKeys()[0], "-db", b.Name, "-dsn", b.Config.DSN)
}

// TestSeminarDraw: a supervisor opens a seminar over HTTP and the server
// draws its speakers; a resend never draws again; the draw recomputes
// offline from the published preimage alone and from the database
// (verify-draw), and a changed candidate list gives a detectably different
// draw; a cadre of the round reads it; talks are recorded for drawn
// speakers only, and the half-year query lists those still owed.
func TestSeminarDraw(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			b := freshBackend(t, b.Name)
			s := start(t, b, withClock(at(2026, 6, 30, 10, 0)))
			w := setupField(t, s)
			var cadres []string
			var cadreTok string
			for i := range 4 {
				tok, id := w.cadre(t, s, fmt.Sprintf("semcadre%d", i))
				cadres, cadreTok = append(cadres, id), tok
			}
			in := map[string]any{"clientId": "sem-2026h1", "title": "上半年下沉工作研讨", "speakers": 2,
				"round": map[string]any{"orgUnitId": w.unit, "from": "2026-01-01", "to": "2026-06-30"}}
			var out struct {
				OpenSeminar struct {
					Replayed bool
					Seminar  seminarNode
				}
			}
			s.post(t, w.sup, openSeminarMutation, map[string]any{"in": in}).into(t, &out)
			sem := out.OpenSeminar.Seminar
			if len(sem.Candidates) != 4 || len(sem.Speakers) != 2 || !sem.Draw.Reproduces || sem.OpenedBy != "sup" {
				t.Fatalf("opened: %+v, want 4 candidates, 2 speakers, a draw that reproduces", sem)
			}
			s.post(t, w.sup, openSeminarMutation, map[string]any{"in": in}).into(t, &out)
			if !out.OpenSeminar.Replayed || out.OpenSeminar.Seminar.ID != sem.ID || !slices.Equal(out.OpenSeminar.Seminar.speakerIDs(), sem.speakerIDs()) {
				t.Errorf("resend: %+v, want the first seminar and speakers", out.OpenSeminar)
			}

			// Offline, from the published text alone.
			pre := filepath.Join(t.TempDir(), "preimage.txt")
			if err := os.WriteFile(pre, []byte(sem.Draw.Preimage), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := runCmd(t, "verify-draw", "-preimage", pre)
			want := fmt.Sprintf("seed: %s\nspeakers: %s\n", sem.Draw.Seed, strings.Join(sem.speakerIDs(), ", "))
			if err != nil || got != want {
				t.Errorf("verify-draw -preimage: %q, %v; want %q", got, err, want)
			}
			var kept []string
			for _, l := range strings.SplitAfter(sem.Draw.Preimage, "\n") {
				if !strings.HasPrefix(l, "candidate "+sem.Candidates[0].UserID+" ") {
					kept = append(kept, l)
				}
			}
			if err := os.WriteFile(pre, []byte(strings.Join(kept, "")), 0o644); err != nil {
				t.Fatal(err)
			}
			if got, err := runCmd(t, "verify-draw", "-preimage", pre); err != nil || strings.Contains(got, sem.Draw.Seed) {
				t.Errorf("a candidate left out: %q, %v; want another seed", got, err)
			}

			// From the database.
			dbArgs := []string{"-db", b.Name, "-dsn", b.Config.DSN}
			got, err = runCmd(t, append([]string{"verify-draw", "-seminar", sem.ID}, dbArgs...)...)
			if err != nil || !strings.Contains(got, "OK: seminar "+sem.ID+"'s draw reproduces") || !strings.Contains(got, "round: the 4 recorded candidates") {
				t.Errorf("verify-draw -seminar: %s, %v", got, err)
			}

			// A cadre of the round reads it, with everyone's names.
			var mine struct{ Seminar *seminarNode }
			s.post(t, cadreTok, `query($id: ID!) { seminar(id: $id) { id speakers { userId name position } } }`,
				map[string]any{"id": sem.ID}).into(t, &mine)
			if mine.Seminar == nil || len(mine.Seminar.Speakers) != 2 || mine.Seminar.Speakers[0].Name == "" {
				t.Errorf("a candidate reads the seminar: %+v", mine.Seminar)
			}

			// Talks: a drawn speaker's only; the half-year query.
			talk := `mutation($in: SeminarTalkInput!) { recordSeminarTalk(input: $in) { replayed talk { id speakerName score givenOn } } }`
			notDrawn := ""
			for _, c := range sem.Candidates {
				if c.Position == nil {
					notDrawn = c.UserID
				}
			}
			r := s.post(t, w.sup, talk, map[string]any{"in": map[string]any{"clientId": "t-0", "seminarId": sem.ID, "speakerId": notDrawn,
				"title": "体会", "score": 80}})
			if r.Code() != "INVALID" {
				t.Errorf("a talk by a cadre not drawn: %s, want INVALID", r.Raw)
			}
			var rec struct {
				RecordSeminarTalk struct {
					Talk struct {
						ID, SpeakerName, GivenOn string
						Score                    int
					}
				}
			}
			s.post(t, w.sup, talk, map[string]any{"in": map[string]any{"clientId": "t-1", "seminarId": sem.ID, "speakerId": sem.Speakers[0].UserID,
				"title": "兰考青年就业调研体会", "notes": "三点体会", "score": 92}}).into(t, &rec)
			if tk := rec.RecordSeminarTalk.Talk; tk.GivenOn != "2026-06-30" || tk.Score != 92 || tk.SpeakerName == "" {
				t.Errorf("talk: %+v", tk)
			}
			var owed struct {
				SeminarSpeakersOwed struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			s.post(t, w.sup, `query($u: ID!) { seminarSpeakersOwed(orgUnitId: $u, year: 2026, half: 1) { edges { node { id } } } }`,
				map[string]any{"u": w.unit}).into(t, &owed)
			if n := len(owed.SeminarSpeakersOwed.Edges); n != 3 {
				t.Errorf("owed after one talk: %d, want 3", n)
			}
			if r9 := s.verdicts(t, w.sup, sem.Speakers[0].UserID, 2026, 2)["R9"]; r9.Status != "MET" || r9.Period != "2026H1" {
				t.Errorf("the speaker's R9: %+v, want MET for 2026H1", r9)
			}
			if r9 := s.verdicts(t, w.sup, notDrawn, 2026, 2)["R9"]; r9.Status == "MET" || r9.Status == "" {
				t.Errorf("R9 of a cadre who did not speak: %+v, want not MET", r9)
			}
			if r := s.post(t, cadreTok, openSeminarMutation, map[string]any{"in": in}); r.Code() != "FORBIDDEN" {
				t.Errorf("a cadre opens a seminar: %s, want FORBIDDEN", r.Raw)
			}

			// A candidate struck from the record afterwards is found, by the
			// draw and by the ledger.
			entry := `query($id: ID!) { ledgerEntry(kind: SEMINAR, id: $id) { matches } }`
			var e struct{ LedgerEntry struct{ Matches bool } }
			s.post(t, w.admin, entry, map[string]any{"id": sem.ID}).into(t, &e)
			if !e.LedgerEntry.Matches {
				t.Errorf("the untouched seminar does not match its leaf")
			}
			if got, err := checkLedger(t, s, b); err != nil || !strings.Contains(got, "OK:") {
				t.Errorf("verify-ledger before the change: %s, %v", got, err)
			}
			db, err := sql.Open(b.Name, b.Config.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("DELETE FROM seminar_candidates WHERE seminar_id = ? AND user_id = ?", sem.ID, notDrawn); err != nil {
				t.Fatal(err)
			}
			got, err = runCmd(t, append([]string{"verify-draw", "-seminar", sem.ID}, dbArgs...)...)
			if err == nil || !strings.Contains(got, "MISMATCH the recorded seed is not the hash of the recorded inputs") ||
				!strings.Contains(got, "ROUND DIFFERS") || !strings.Contains(got, "left out "+notDrawn) {
				t.Errorf("verify-draw after a candidate was deleted: %s, %v; want the mismatch named", got, err)
			}
			s.post(t, w.admin, entry, map[string]any{"id": sem.ID}).into(t, &e)
			if e.LedgerEntry.Matches {
				t.Errorf("the ledger entry still matches after a candidate was deleted")
			}
			if got, err := checkLedger(t, s, b); err == nil || !strings.Contains(got, "MISMATCH seminar opened_by=") {
				t.Errorf("verify-ledger after the change: %s, %v; want the seminar named", got, err)
			}
		})
	}
}
