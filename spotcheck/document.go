package spotcheck

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// DocumentFormat names a draw's document.
const DocumentFormat = "onsite-spot-check"

// Document is a draw as an inspector takes it away (JSON): what was
// recorded — plan, seed, period and scope, the candidates with their
// strata and the sample — and the draw's ledger record (its canonical
// bytes), so that Verify redoes the draw on any machine and the record
// can be checked against the ledger's checkpoints.
type Document struct {
	Format         string  `json:"format"`
	Version        int     `json:"version"`
	SpotCheckID    int64   `json:"spotCheckId"`
	InspectorID    int64   `json:"inspectorId"`
	ClientID       string  `json:"clientId"`
	OrgUnitID      *int64  `json:"orgUnitId"`
	From           string  `json:"from"`
	To             string  `json:"to"`
	Plan           string  `json:"plan"`
	Seed           string  `json:"seed"`
	CandidatesHash string  `json:"candidatesHash"`
	Candidates     []Entry `json:"candidates"`
	Sample         []Entry `json:"sample"`
	Record         []byte  `json:"record"` // the draw's canonical bytes (base64 in JSON)
}

// Verify redoes the draw from the document alone and returns what does not
// hold, nothing when everything does: the format, the plan, the seed, the
// candidates (each cadre-day once, in the stratum the plan's dimensions
// name) against their recorded hash, and the sample against a draw from
// the seed. It does not check Record, which ties the document to the
// ledger (the verify-spot-check command does).
func (d *Document) Verify() []string {
	var out []string
	if d.Format != DocumentFormat || d.Version != 1 {
		return []string{fmt.Sprintf("not an %s version 1 document", DocumentFormat)}
	}
	plan, err := ParsePlan(d.Plan)
	if err != nil {
		return []string{fmt.Sprintf("plan: %v", err)}
	}
	seed, err := hex.DecodeString(d.Seed)
	if err != nil || len(seed) == 0 {
		return []string{"seed: not hex"}
	}
	seen := map[[2]any]bool{}
	for _, c := range d.Candidates {
		k := [2]any{c.UserID, c.Date}
		if seen[k] {
			out = append(out, fmt.Sprintf("candidate user=%d date=%s appears twice", c.UserID, c.Date))
		}
		seen[k] = true
		if !strataOf(plan, c.Stratum) {
			out = append(out, fmt.Sprintf("candidate user=%d date=%s: stratum %q is not one of the plan's dimensions", c.UserID, c.Date, c.Stratum))
		}
	}
	if got := CandidatesHash(d.Candidates); got != d.CandidatesHash {
		out = append(out, fmt.Sprintf("candidates: their hash is %s, the draw recorded %s", got, d.CandidatesHash))
	}
	want := Draw(seed, plan, d.Candidates)
	got := slices.SortedFunc(slices.Values(d.Sample), byUserDate)
	if !slices.Equal(got, want) {
		out = append(out, fmt.Sprintf("sample: a draw from the seed gives %d cadre-days %v, the document lists %d %v",
			len(want), brief(want), len(got), brief(got)))
	}
	return out
}

// strataOf reports whether stratum names exactly the plan's dimensions,
// each with a value.
func strataOf(p Plan, stratum string) bool {
	want := Candidate{}.Stratum(p.By)
	if want == "all" {
		return stratum == "all"
	}
	got, parts := strings.Split(stratum, "/"), strings.Split(want, "/")
	if len(got) != len(parts) {
		return false
	}
	for i := range got {
		k, v, ok := strings.Cut(got[i], "=")
		wk, _, _ := strings.Cut(parts[i], "=")
		if !ok || k != wk || v == "" {
			return false
		}
	}
	return true
}

// brief names at most five entries.
func brief(es []Entry) string {
	var s []string
	for i, e := range es {
		if i == 5 {
			s = append(s, "…")
			break
		}
		s = append(s, fmt.Sprintf("%d/%s", e.UserID, e.Date))
	}
	return fmt.Sprint(s)
}
