package spotcheck

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
)

// Entry is a cadre-day of a draw, with its stratum: a candidate, or one
// of the sample.
type Entry struct {
	UserID  int64  `json:"userId"`
	Date    string `json:"date"`
	Stratum string `json:"stratum"`
}

// byUserDate orders entries by user, then date: the order candidates are
// hashed and a sample is recorded in.
func byUserDate(a, b Entry) int {
	return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.Date, b.Date))
}

// Rank is a cadre-day's place in the draw under seed: the hex SHA-256 of
// the seed's bytes, a newline, the user id in decimal, a newline and the
// date. A stratum's sample is its entries of the smallest ranks, so the
// draw is uniform without replacement within each stratum and depends on
// nothing but the seed and the candidates.
func Rank(seed []byte, userID int64, date string) string {
	h := sha256.New()
	h.Write(seed)
	h.Write([]byte("\n" + strconv.FormatInt(userID, 10) + "\n" + date))
	return hex.EncodeToString(h.Sum(nil))
}

// Draw returns the sample of candidates under seed and plan: from each
// stratum, the plan's size of entries of the smallest Rank (all of them
// when it has fewer), in (user, date) order.
func Draw(seed []byte, plan Plan, candidates []Entry) []Entry {
	type ranked struct {
		e    Entry
		rank string
	}
	strata := map[string][]ranked{}
	for _, c := range candidates {
		strata[c.Stratum] = append(strata[c.Stratum], ranked{c, Rank(seed, c.UserID, c.Date)})
	}
	var out []Entry
	for name, rs := range strata {
		slices.SortFunc(rs, func(a, b ranked) int { return cmp.Compare(a.rank, b.rank) })
		for _, r := range rs[:min(plan.Size(name), len(rs))] {
			out = append(out, r.e)
		}
	}
	slices.SortFunc(out, byUserDate)
	return out
}

// CandidatesHash is the hex SHA-256 of the candidates as text, one line
// "user|date|stratum\n" each in (user, date) order: what the draw records
// of its candidate set.
func CandidatesHash(candidates []Entry) string {
	sorted := slices.SortedFunc(slices.Values(candidates), byUserDate)
	h := sha256.New()
	for _, c := range sorted {
		h.Write([]byte(strconv.FormatInt(c.UserID, 10) + "|" + c.Date + "|" + c.Stratum + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}
