package seminar

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Verification is what checking a seminar's draw found: the draw
// recomputed from the record (Check), and the round recomputed from the
// assignments and talks as they stood at the opening, compared with the
// recorded candidates.
type Verification struct {
	Seminar *models.Seminar
	Check
	Missing    []int64 // cadres of the round as recomputed that the record leaves out
	Extra      []int64 // cadres the record lists that the recomputed round has not
	DueDiffers []int64 // cadres recorded due when they had spoken, or the reverse
}

// RoundMatches reports whether the recorded candidates are the round as
// recomputed. A difference is not proof of tampering — a cadre who moved
// to another unit since, or an account disabled before the opening, also
// makes one — but it names whom to ask about.
func (v *Verification) RoundMatches() bool {
	return len(v.Missing) == 0 && len(v.Extra) == 0 && len(v.DueDiffers) == 0
}

// Verify recomputes seminar id's draw and round, reading as the server
// (for the verify-draw command). NOT_FOUND for an unknown seminar;
// INVALID for an algorithm this build does not know.
func (s *Service) Verify(ctx context.Context, id int64) (*Verification, error) {
	sys := authz.System("verify-draw")
	found, err := s.Store.SeminarsByID(ctx, sys, []int64{id})
	if err != nil {
		return nil, err
	}
	sem := found[id]
	if sem == nil {
		return nil, models.E(models.CodeNotFound, "seminar %d not found", id)
	}
	check, err := Recompute(sem)
	if err != nil {
		return nil, err
	}
	v := &Verification{Seminar: sem, Check: check}
	year, half := Half(sem.OpenedAt.In(s.loc()).Format(time.DateOnly))
	spokeFrom, spokeTo, _ := HalfRange(year, half)
	asOf := sem.OpenedAt
	round, err := s.Store.RoundCadres(ctx, sys, store.Round{OrgUnitID: sem.OrgUnitID, From: sem.RoundFrom, To: sem.RoundTo,
		Groups: splitIDs(sem.RoundGroups), SpokeFrom: spokeFrom, SpokeTo: spokeTo, AsOf: &asOf})
	if err != nil {
		return nil, err
	}
	recorded := map[int64]bool{}
	for _, c := range sem.Candidates {
		recorded[c.UserID] = c.Due
	}
	recomputed := map[int64]bool{}
	for _, c := range round {
		recomputed[c.UserID] = !c.Spoke
		due, ok := recorded[c.UserID]
		switch {
		case !ok:
			v.Missing = append(v.Missing, c.UserID)
		case due != !c.Spoke:
			v.DueDiffers = append(v.DueDiffers, c.UserID)
		}
	}
	for id := range recorded {
		if _, ok := recomputed[id]; !ok {
			v.Extra = append(v.Extra, id)
		}
	}
	slices.Sort(v.Extra)
	return v, nil
}

// Groups returns the work groups a seminar's round was named by.
func Groups(s *models.Seminar) []int64 { return splitIDs(s.RoundGroups) }

// splitIDs reads a comma-separated id list as joinIDs writes it; a
// malformed element is skipped.
func splitIDs(s string) []int64 {
	out := []int64{}
	for _, part := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
