package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/spotcheck"
)

// verifySpotCheck is the verify-spot-check subcommand, an inspector's tool that needs
// no server and no database: it reads a spot check's document (GET
// /inspect/spot-checks/{id}/document), redoes the draw from its seed and
// candidates (spotcheck.Document.Verify), checks that the document says
// what its ledger record says, and prints the record's leaf hash, which
// the inspector compares with the ledger (ledgerEntry's leafHash, with its
// inclusion proof, or -leaf). It exits non-zero on any difference.
func verifySpotCheck(args []string, stdout io.Writer) error {
	fs := newFlagSet("verify-spot-check", stdout)
	path := fs.String("document", "", "the draw's document (JSON)")
	leaf := fs.String("leaf", "", "the draw's leaf hash from the ledger (base64), to compare with")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("verify-spot-check: -document is required")
	}
	raw, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	var doc spotcheck.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("verify-spot-check: %s is not a draw's document: %v", *path, err)
	}
	problems := append(doc.Verify(), recordProblems(&doc)...)
	hash := base64.StdEncoding.EncodeToString(ledger.HashLeaf(doc.Record))
	if *leaf != "" && *leaf != hash {
		problems = append(problems, fmt.Sprintf("leaf: the record hashes to %s, the ledger holds %s", hash, *leaf))
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "MISMATCH %s\n", p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("verify-spot-check: spot check %d does not verify (%d problems)", doc.SpotCheckID, len(problems))
	}
	strata := map[string]bool{}
	for _, c := range doc.Candidates {
		strata[c.Stratum] = true
	}
	fmt.Fprintf(stdout, "OK: spot check %d redrawn: %d cadre-days of %d candidates in %d strata, as recorded; leaf hash %s\n",
		doc.SpotCheckID, len(doc.Sample), len(doc.Candidates), len(strata), hash)
	return nil
}

// recordProblems compares the document with its ledger record: the same
// draw (inspector, client id, period, plan, seed, candidates and their
// hash, sample).
func recordProblems(doc *spotcheck.Document) []string {
	f, vals, err := ledger.Decode(doc.Record)
	if err != nil || f.Kind != models.LeafSpotCheck {
		return []string{fmt.Sprintf("record: not a spot check's canonical bytes (%v)", err)}
	}
	got := map[string]string{}
	for _, v := range vals {
		got[v.Name] = v.Value
	}
	want := map[string]string{"inspector_id": strconv.FormatInt(doc.InspectorID, 10), "client_id": strconv.Quote(doc.ClientID),
		"from_date": strconv.Quote(doc.From), "to_date": strconv.Quote(doc.To), "plan": strconv.Quote(doc.Plan),
		"seed": strconv.Quote(doc.Seed), "candidates": strconv.Itoa(len(doc.Candidates)),
		"candidates_hash": strconv.Quote(doc.CandidatesHash), "sample.count": strconv.Itoa(len(doc.Sample))}
	for i, e := range doc.Sample {
		p := fmt.Sprintf("sample[%d].", i)
		want[p+"user_id"], want[p+"date"], want[p+"stratum"] = strconv.FormatInt(e.UserID, 10), strconv.Quote(e.Date), strconv.Quote(e.Stratum)
	}
	var out []string
	for _, v := range vals {
		if w, ok := want[v.Name]; ok && w != v.Value {
			out = append(out, fmt.Sprintf("record: %s is %s in the ledger's record, %s in the document", v.Name, v.Value, w))
		}
	}
	for name, w := range want {
		if _, ok := got[name]; !ok {
			out = append(out, fmt.Sprintf("record: has no %s (the document says %s)", name, w))
		}
	}
	return out
}
