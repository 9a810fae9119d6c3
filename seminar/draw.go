package seminar

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/henan-youth/onsite/models"
)

// AlgorithmV1 is the draw below. A changed draw is a new version; a
// seminar records the version it was drawn with, and Recompute refuses one
// it does not know rather than recompute it differently.
const AlgorithmV1 = "sha256-fisher-yates-v1"

// Candidate is one cadre of a round. Due: it had not spoken in the half
// year when the seminar opened, so it is drawn before those who had.
type Candidate struct {
	UserID int64
	Due    bool
}

// Inputs is everything a draw depends on, all of it fixed before the draw
// and recorded with the seminar.
type Inputs struct {
	SeminarID  int64
	OpenedAt   time.Time // stored to the millisecond
	OrgUnitID  int64
	RoundFrom  string
	RoundTo    string
	RoundGroup string // work group ids, ascending, comma-separated; "" for none
	Speakers   int    // how many to draw
	LedgerSize int64  // the ledger's tree at opening
	LedgerRoot string // its root, hex; "" for the empty tree
	Candidates []Candidate
}

// Result is a draw: the text hashed, the seed, and the speakers in the
// order drawn.
type Result struct {
	Preimage string
	Seed     string // hex SHA-256 of Preimage
	Speakers []int64
}

// Preimage returns the text whose SHA-256 is the seed: one line per
// input, the candidates in ascending user-id order, each line ending in a
// newline. Anyone holding a seminar's record can write it out and hash it
// (docs/seminars.md).
func Preimage(in Inputs) string {
	var b strings.Builder
	fmt.Fprintf(&b, "onsite seminar draw %s\n", AlgorithmV1)
	fmt.Fprintf(&b, "seminar %d\n", in.SeminarID)
	fmt.Fprintf(&b, "opened %s\n", in.OpenedAt.UTC().Format("2006-01-02T15:04:05.000Z"))
	fmt.Fprintf(&b, "unit %d\n", in.OrgUnitID)
	fmt.Fprintf(&b, "round %s %s\n", in.RoundFrom, in.RoundTo)
	fmt.Fprintf(&b, "groups %s\n", orDash(in.RoundGroup))
	fmt.Fprintf(&b, "speakers %d\n", in.Speakers)
	fmt.Fprintf(&b, "ledger %d %s\n", in.LedgerSize, orDash(in.LedgerRoot))
	for _, c := range sorted(in.Candidates) {
		state := "spoke"
		if c.Due {
			state = "due"
		}
		fmt.Fprintf(&b, "candidate %d %s\n", c.UserID, state)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sorted returns the candidates in ascending user-id order.
func sorted(cs []Candidate) []Candidate {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b Candidate) int { return cmp.Compare(a.UserID, b.UserID) })
	return out
}

// Draw draws the speakers: the seed is SHA-256 of the preimage; the due
// candidates (ascending by id) are shuffled, then the others, by
// Fisher–Yates with uniform integers from the seed's stream; the speakers
// are the first Speakers of the due ones followed by the others. So every
// due cadre speaks before anyone speaks twice in a half year (R9), and
// within each group every order is equally likely. INVALID when Speakers
// is not between 1 and the number of candidates, or a cadre is listed
// twice.
func Draw(in Inputs) (Result, error) {
	cs := sorted(in.Candidates)
	for i := 1; i < len(cs); i++ {
		if cs[i].UserID == cs[i-1].UserID {
			return Result{}, models.E(models.CodeInvalid, "cadre %d is a candidate twice", cs[i].UserID)
		}
	}
	if in.Speakers < 1 || in.Speakers > len(cs) {
		return Result{}, models.E(models.CodeInvalid, "R9: the round has %d cadres; draw between 1 and %d speakers", len(cs), len(cs))
	}
	pre := Preimage(in)
	seed := sha256.Sum256([]byte(pre))
	s := stream{seed: seed}
	var due, spoke []int64
	for _, c := range cs {
		if c.Due {
			due = append(due, c.UserID)
		} else {
			spoke = append(spoke, c.UserID)
		}
	}
	order := append(s.shuffle(due), s.shuffle(spoke)...)
	return Result{Preimage: pre, Seed: hex.EncodeToString(seed[:]), Speakers: order[:in.Speakers]}, nil
}

// stream is the draw's randomness: value i is the first 8 bytes, big
// endian, of SHA-256(seed ‖ i as 8 bytes big endian), for i = 0, 1, ….
type stream struct {
	seed [32]byte
	next uint64
}

func (s *stream) u64() uint64 {
	var in [40]byte
	copy(in[:], s.seed[:])
	binary.BigEndian.PutUint64(in[32:], s.next)
	s.next++
	h := sha256.Sum256(in[:])
	return binary.BigEndian.Uint64(h[:8])
}

// uniform returns an integer in [0, n) without modulo bias: values at or
// above the largest multiple of n below 2⁶⁴ are drawn again.
func (s *stream) uniform(n uint64) uint64 {
	rem := (^uint64(0)%n + 1) % n // 2⁶⁴ mod n
	for {
		r := s.u64()
		if rem == 0 || r < -rem {
			return r % n
		}
	}
}

// shuffle returns ids shuffled by Fisher–Yates from the last place down:
// place i swaps with a place j uniform in [0, i].
func (s *stream) shuffle(ids []int64) []int64 {
	out := slices.Clone(ids)
	for i := len(out) - 1; i > 0; i-- {
		j := s.uniform(uint64(i + 1))
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// InputsOf returns the inputs recorded with a seminar.
func InputsOf(s *models.Seminar) Inputs {
	in := Inputs{SeminarID: s.ID, OpenedAt: s.OpenedAt, OrgUnitID: s.OrgUnitID, RoundFrom: s.RoundFrom, RoundTo: s.RoundTo,
		RoundGroup: s.RoundGroups, Speakers: s.Speakers, LedgerSize: s.LedgerSize, LedgerRoot: s.LedgerRoot}
	for _, c := range s.Candidates {
		in.Candidates = append(in.Candidates, Candidate{UserID: c.UserID, Due: c.Due})
	}
	return in
}

// RecordedSpeakers returns a seminar's speakers as recorded, in the order
// drawn.
func RecordedSpeakers(s *models.Seminar) []int64 {
	type placed struct {
		pos  int
		user int64
	}
	var ps []placed
	for _, c := range s.Candidates {
		if c.Position != nil {
			ps = append(ps, placed{*c.Position, c.UserID})
		}
	}
	slices.SortFunc(ps, func(a, b placed) int { return cmp.Compare(a.pos, b.pos) })
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.user
	}
	return out
}

// Check is what recomputing a seminar's draw found.
type Check struct {
	Result
	SeedMatches     bool // the recorded seed is the hash of the recorded inputs
	SpeakersMatch   bool // the recorded speakers are the ones the seed draws
	RecordedSeed    string
	RecordedSpeaker []int64
}

// OK reports whether the record reproduces: its seed from its inputs, its
// speakers from its seed.
func (c Check) OK() bool { return c.SeedMatches && c.SpeakersMatch }

// Recompute draws a seminar again from its recorded inputs and compares
// the seed and the speakers with those recorded. It fails for an
// algorithm version it does not know, and with Draw's refusals for inputs
// no draw could have come from.
func Recompute(s *models.Seminar) (Check, error) {
	if s.Algorithm != AlgorithmV1 {
		return Check{}, models.E(models.CodeInvalid, "seminar %d was drawn with %q; this build recomputes %q only", s.ID, s.Algorithm, AlgorithmV1)
	}
	res, err := Draw(InputsOf(s))
	if err != nil {
		return Check{}, err
	}
	rec := RecordedSpeakers(s)
	return Check{Result: res, SeedMatches: res.Seed == s.Seed, SpeakersMatch: slices.Equal(res.Speakers, rec),
		RecordedSeed: s.Seed, RecordedSpeaker: rec}, nil
}

// ParsePreimage reads the inputs back from a preimage, for recomputing a
// draw from the text alone (verify-draw -preimage). INVALID unless the
// text is exactly what Preimage writes for the inputs it holds.
func ParsePreimage(text string) (Inputs, error) {
	var in Inputs
	bad := models.E(models.CodeInvalid, "not a preimage of %s: see docs/seminars.md for its lines", AlgorithmV1)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 8 || lines[0] != "onsite seminar draw "+AlgorithmV1 {
		return in, bad
	}
	var opened, groups, root string
	fields := []struct {
		format string
		args   []any
	}{
		{"seminar %d", []any{&in.SeminarID}}, {"opened %s", []any{&opened}}, {"unit %d", []any{&in.OrgUnitID}},
		{"round %s %s", []any{&in.RoundFrom, &in.RoundTo}}, {"groups %s", []any{&groups}}, {"speakers %d", []any{&in.Speakers}},
		{"ledger %d %s", []any{&in.LedgerSize, &root}},
	}
	for i, f := range fields {
		if n, err := fmt.Sscanf(lines[i+1], f.format, f.args...); err != nil || n != len(f.args) {
			return in, bad
		}
	}
	t, err := time.Parse("2006-01-02T15:04:05.000Z", opened)
	if err != nil {
		return in, bad
	}
	in.OpenedAt = t
	if groups != "-" {
		in.RoundGroup = groups
	}
	if root != "-" {
		in.LedgerRoot = root
	}
	for _, l := range lines[8:] {
		var c Candidate
		var state string
		if n, err := fmt.Sscanf(l, "candidate %d %s", &c.UserID, &state); err != nil || n != 2 || (state != "due" && state != "spoke") {
			return in, bad
		}
		c.Due = state == "due"
		in.Candidates = append(in.Candidates, c)
	}
	if Preimage(in) != text {
		return in, bad
	}
	return in, nil
}
