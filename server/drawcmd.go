package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/henan-youth/onsite/seminar"
)

// verifyDraw is the verify-draw subcommand: it recomputes a seminar's
// speaker draw (R9) and says whether the record reproduces. With -seminar
// it reads the seminar from the database (-db, -dsn), recomputes the seed
// from the recorded inputs and the speakers from the seed, and the round's
// cadres from the assignments and talks as they stood at the opening;
// with -preimage it needs no database: it recomputes the seed and the
// speakers from the preimage text a seminar publishes (docs/seminars.md).
// It fails when the record does not reproduce.
func verifyDraw(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig("verify-draw", nil, getenv, stdout)
	if err != nil {
		return err
	}
	fs := newFlagSet("verify-draw", stdout)
	id := fs.Int64("seminar", 0, "the seminar's id: verify its record in the database")
	preimage := fs.String("preimage", "", "a file holding a seminar's preimage: recompute the draw from it alone")
	dbFlags(fs, &cfg)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *preimage != "" && *id == 0:
		return drawFromPreimage(*preimage, stdout)
	case *id > 0 && *preimage == "":
		return drawFromDatabase(ctx, cfg, *id, stdout)
	}
	return errors.New("usage: server verify-draw -seminar N [-db sqlite|mysql -dsn DSN] | -preimage FILE")
}

// drawFromPreimage recomputes a draw from a preimage file.
func drawFromPreimage(path string, stdout io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	in, err := seminar.ParsePreimage(string(raw))
	if err != nil {
		return err
	}
	res, err := seminar.Draw(in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: %s\nspeakers: %s\n", res.Seed, ids(res.Speakers))
	return nil
}

// drawFromDatabase verifies a seminar's record in the database.
func drawFromDatabase(ctx context.Context, cfg config, id int64, stdout io.Writer) error {
	if err := cfg.database(); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, io.Discard)
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := (&seminar.Service{Store: st, Now: time.Now}).Verify(ctx, id)
	if err != nil {
		return err
	}
	s := v.Seminar
	fmt.Fprintf(stdout, "seminar %d %q, opened %s, %s\n", s.ID, s.Title, s.OpenedAt.UTC().Format(time.RFC3339Nano), s.Algorithm)
	fmt.Fprintf(stdout, "preimage:\n%s", indent(v.Preimage))
	fmt.Fprintf(stdout, "seed:     recorded %s\n          recomputed %s\n", v.RecordedSeed, v.Seed)
	fmt.Fprintf(stdout, "speakers: recorded %s\n          recomputed %s\n", ids(v.RecordedSpeaker), ids(v.Speakers))
	problems := 0
	if !v.SeedMatches {
		problems++
		fmt.Fprintln(stdout, "MISMATCH the recorded seed is not the hash of the recorded inputs: the record changed after the draw")
	}
	if !v.SpeakersMatch {
		problems++
		fmt.Fprintln(stdout, "MISMATCH the recorded speakers are not the ones the seed draws")
	}
	if v.RoundMatches() {
		fmt.Fprintf(stdout, "round: the %d recorded candidates are the round's cadres as the records stood at the opening\n", len(s.Candidates))
	} else {
		problems++
		fmt.Fprintf(stdout, "ROUND DIFFERS from the records as they stood at the opening: left out %s; listed but not found %s; due flag differs %s"+
			" (a cadre moved to another unit or disabled since also shows here)\n", ids(v.Missing), ids(v.Extra), ids(v.DueDiffers))
	}
	if problems > 0 {
		return fmt.Errorf("verify-draw: seminar %d: %d problems", id, problems)
	}
	fmt.Fprintf(stdout, "OK: seminar %d's draw reproduces from its record\n", id)
	return nil
}

func ids(xs []int64) string {
	if len(xs) == 0 {
		return "none"
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

func indent(text string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		if l != "" {
			b.WriteString("  " + l)
		}
	}
	return b.String()
}
