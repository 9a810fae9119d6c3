// Package seminar is R9's work seminars: after a dispatch round a
// supervisor opens a seminar and the server draws its speakers at random
// from the round's cadres, reproducibly (draw.go); the speakers' talks are
// recorded with a score for the annual appraisal; and every dispatched
// cadre is to speak once a half year, which the draw serves by drawing the
// cadres still due first.
//
// Opening a seminar, top to bottom (Open):
//
//  1. validate the input;
//  2. read the round's cadres and whether each has spoken in the half year;
//  3. read the ledger's tree head, a value nobody chooses;
//  4. begin the transaction: the seminar's row, which gives it its id;
//  5. draw from everything fixed so far, and commit the draw with the
//     candidates and the record's ledger leaf;
//  6. tell the speakers.
package seminar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// Notifier tells a user something happened; the notification service
// implements it. A failure is logged and changes nothing already stored.
type Notifier interface {
	Notify(ctx context.Context, userID int64, kind string, title string, body string) error
}

// KindSpeaker is the notification a cadre drawn to speak receives.
const KindSpeaker = "SEMINAR_SPEAKER"

// storedPrecision is the finest time every database keeps: times are cut
// to it before a record's leaf is hashed, so the record read back encodes
// to the same bytes.
const storedPrecision = time.Millisecond

// Limits of the input.
const (
	MaxSpeakers = 50  // speakers drawn at one seminar
	MaxGroups   = 100 // work groups naming one round
)

// Service opens seminars and records their talks.
type Service struct {
	Store    *store.Store
	Notifier Notifier       // nil: nobody is told
	Location *time.Location // whose calendar dates and half years; Asia/Shanghai when nil
	Log      *slog.Logger   // notification failures; discarded when nil
	Now      func() time.Time
}

func (s *Service) loc() *time.Location {
	if s.Location == nil {
		return presence.ShanghaiLocation()
	}
	return s.Location
}

// OpenInput is what a supervisor opens a seminar with.
type OpenInput struct {
	ClientID     string // unique per supervisor; a resend returns the seminar opened first
	Title        string
	OrgUnitID    int64
	From, To     string // the round's period, YYYY-MM-DD
	WorkGroupIDs []int64
	Speakers     int
}

// Opened is an opened seminar: its record, and the draw recomputed from it.
type Opened struct {
	Seminar  *models.Seminar
	Draw     Result
	Replayed bool // the stored original of a resend of the client id
}

// validate checks the input without the database: INVALID when it is
// wrong.
func (in *OpenInput) validate() error {
	if !models.ValidClientID(in.ClientID) {
		return models.E(models.CodeInvalid, "clientId must be 1–64 letters, digits or -_.:")
	}
	if err := text("title", in.Title, 1, 200); err != nil {
		return err
	}
	for _, d := range []string{in.From, in.To} {
		if t, err := time.Parse(time.DateOnly, d); err != nil || t.Format(time.DateOnly) != d {
			return models.E(models.CodeInvalid, "the round's dates are YYYY-MM-DD, got %q", d)
		}
	}
	if in.To < in.From {
		return models.E(models.CodeInvalid, "the round ends (%s) before it begins (%s)", in.To, in.From)
	}
	if len(in.WorkGroupIDs) > MaxGroups || len(joinIDs(in.groups())) > 1000 {
		return models.E(models.CodeInvalid, "a round names at most %d work groups", MaxGroups)
	}
	if in.Speakers < 1 || in.Speakers > MaxSpeakers {
		return models.E(models.CodeInvalid, "draw between 1 and %d speakers", MaxSpeakers)
	}
	return nil
}

// groups returns the round's work groups, ascending, without repeats.
func (in *OpenInput) groups() []int64 {
	g := slices.Clone(in.WorkGroupIDs)
	slices.Sort(g)
	return slices.Compact(g)
}

// payloadHash fingerprints the input, to tell a resend from another
// seminar reusing its client id.
func (in *OpenInput) payloadHash() string {
	return fingerprint(in.Title, strconv.FormatInt(in.OrgUnitID, 10), in.From, in.To, joinIDs(in.groups()), strconv.Itoa(in.Speakers))
}

// Open opens a seminar for a round and draws its speakers (steps in the
// package comment). It fails with INVALID for malformed input, a round
// without cadres or more speakers than cadres; FORBIDDEN unless p may open
// seminars in the unit; NOT_FOUND for an unknown unit or work group;
// CONFLICT when p used the client id for another seminar; UNAVAILABLE when
// the database fails — the outcome is then unknown, and a resend with the
// same client id is always safe: it returns the seminar opened first.
func (s *Service) Open(ctx context.Context, p *authz.Principal, in OpenInput) (*Opened, error) {
	if _, err := authz.Check(p, authz.WriteSeminars); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	opened := s.Now().UTC().Truncate(storedPrecision)
	year, half := Half(opened.In(s.loc()).Format(time.DateOnly))
	spokeFrom, spokeTo, _ := HalfRange(year, half)
	groups := in.groups()
	cadres, err := s.Store.RoundCadres(ctx, p, store.Round{OrgUnitID: in.OrgUnitID, From: in.From, To: in.To, Groups: groups,
		SpokeFrom: spokeFrom, SpokeTo: spokeTo})
	if err != nil {
		return nil, err
	}
	if len(cadres) == 0 {
		return nil, models.E(models.CodeInvalid, "R9: no cadre of the unit was dispatched in the round %s–%s", in.From, in.To)
	}
	head, err := s.Store.LedgerHead(ctx)
	if err != nil {
		return nil, err
	}
	sem := &models.Seminar{ClientID: in.ClientID, PayloadHash: in.payloadHash(), OrgUnitID: in.OrgUnitID, Title: in.Title,
		RoundFrom: in.From, RoundTo: in.To, RoundGroups: joinIDs(groups), Speakers: in.Speakers, OpenedAt: opened,
		LedgerSize: int64(head.Size), LedgerRoot: hex.EncodeToString(head.Root)}
	out, err := s.drawAndCommit(ctx, p, sem, cadres)
	if models.CodeOf(err) == models.CodeConflict && out == nil { // a twin committed first: answer from it
		out, err = s.drawAndCommit(ctx, p, sem, cadres)
	}
	if err != nil {
		return nil, err
	}
	if !out.Replayed {
		s.tellSpeakers(ctx, out)
	}
	return out, nil
}

// drawAndCommit is steps 4 and 5, or the answer to a resend.
func (s *Service) drawAndCommit(ctx context.Context, p *authz.Principal, sem *models.Seminar, cadres []store.RoundCadre) (*Opened, error) {
	sem.ID = 0
	tx, prior, err := s.Store.BeginSeminar(ctx, p, sem)
	if err != nil {
		return nil, err
	}
	if prior != nil {
		res, err := Recompute(prior)
		return &Opened{Seminar: prior, Draw: res.Result, Replayed: true}, err
	}
	defer tx.Rollback()
	in := Inputs{SeminarID: sem.ID, OpenedAt: sem.OpenedAt, OrgUnitID: sem.OrgUnitID, RoundFrom: sem.RoundFrom, RoundTo: sem.RoundTo,
		RoundGroup: sem.RoundGroups, Speakers: sem.Speakers, LedgerSize: sem.LedgerSize, LedgerRoot: sem.LedgerRoot}
	for _, c := range cadres {
		in.Candidates = append(in.Candidates, Candidate{UserID: c.UserID, Due: !c.Spoke})
	}
	res, err := Draw(in)
	if err != nil {
		return nil, err
	}
	sem.Algorithm, sem.Seed = AlgorithmV1, res.Seed
	sem.Candidates = make([]models.SeminarCandidate, len(cadres))
	for i, c := range sorted(in.Candidates) {
		sem.Candidates[i] = models.SeminarCandidate{UserID: c.UserID, Due: c.Due}
		if at := slices.Index(res.Speakers, c.UserID); at >= 0 {
			pos := at + 1
			sem.Candidates[i].Position = &pos
		}
	}
	leaf, err := ledger.LeafOf(sem)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "ledger leaf of a seminar")
	}
	if err := tx.Commit(sem, leaf); err != nil {
		return nil, err
	}
	return &Opened{Seminar: sem, Draw: res}, nil
}

// tellSpeakers notifies each drawn speaker; a failure is logged only: the
// draw stands, and the speaker sees it in its seminars.
func (s *Service) tellSpeakers(ctx context.Context, o *Opened) {
	if s.Notifier == nil {
		return
	}
	for i, id := range o.Draw.Speakers {
		body := fmt.Sprintf("您被随机抽取为「%s」的第 %d 位研讨发言人（研讨 %d，共 %d 位）。", o.Seminar.Title, i+1, o.Seminar.ID, len(o.Draw.Speakers))
		if err := s.Notifier.Notify(ctx, id, KindSpeaker, "研讨发言："+o.Seminar.Title, body); err != nil {
			s.logger().WarnContext(ctx, "seminar speaker not notified", "seminar", o.Seminar.ID, "user", id, "err", err)
		}
	}
}

func (s *Service) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// TalkInput is a speaker's talk as a supervisor records it.
type TalkInput struct {
	ClientID  string // unique per recorder; a resend returns the talk recorded first
	SeminarID int64
	SpeakerID int64
	Title     string
	Notes     string
	Score     int    // 0–100, for the annual appraisal
	GivenOn   string // YYYY-MM-DD; today when empty
}

func (in *TalkInput) validate() error {
	if !models.ValidClientID(in.ClientID) {
		return models.E(models.CodeInvalid, "clientId must be 1–64 letters, digits or -_.:")
	}
	if err := text("title", in.Title, 1, 200); err != nil {
		return err
	}
	if err := text("notes", in.Notes, 0, 10000); err != nil {
		return err
	}
	if in.Score < 0 || in.Score > 100 {
		return models.E(models.CodeInvalid, "a score is 0–100, got %d", in.Score)
	}
	if t, err := time.Parse(time.DateOnly, in.GivenOn); err != nil || t.Format(time.DateOnly) != in.GivenOn {
		return models.E(models.CodeInvalid, "givenOn is YYYY-MM-DD, got %q", in.GivenOn)
	}
	return nil
}

// RecordTalk records a drawn speaker's talk; recording again (another
// client id) corrects it, and the latest is the talk. It fails with
// INVALID for malformed input, a date after today or a speaker who was not
// drawn; FORBIDDEN unless p may write the seminar's unit's seminars;
// NOT_FOUND for an unknown seminar; CONFLICT when p used the client id for
// another talk; UNAVAILABLE when the database fails (the outcome is then
// unknown, and a resend with the same client id is always safe).
func (s *Service) RecordTalk(ctx context.Context, p *authz.Principal, in TalkInput) (*models.SeminarTalk, bool, error) {
	if _, err := authz.Check(p, authz.WriteSeminars); err != nil {
		return nil, false, err
	}
	now := s.Now().UTC().Truncate(storedPrecision)
	today := now.In(s.loc()).Format(time.DateOnly)
	if in.GivenOn == "" {
		in.GivenOn = today
	}
	if err := in.validate(); err != nil {
		return nil, false, err
	}
	if in.GivenOn > today {
		return nil, false, models.E(models.CodeInvalid, "givenOn %s is after today (%s)", in.GivenOn, today)
	}
	t := &models.SeminarTalk{RecordedBy: p.UserID, ClientID: in.ClientID, SeminarID: in.SeminarID, SpeakerID: in.SpeakerID,
		GivenOn: in.GivenOn, Title: in.Title, Notes: in.Notes, Score: in.Score, CreatedAt: now,
		PayloadHash: fingerprint(strconv.FormatInt(in.SeminarID, 10), strconv.FormatInt(in.SpeakerID, 10), in.GivenOn, in.Title, in.Notes,
			strconv.Itoa(in.Score))}
	leaf, err := ledger.LeafOf(t)
	if err != nil {
		return nil, false, models.Wrap(models.CodeInternal, err, "ledger leaf of a talk")
	}
	return s.Store.RecordTalk(ctx, p, t, leaf)
}

// SpeakersOwed pages through the dispatched cadres of a unit's subtree
// that have not spoken in a half year (R9), for p's reach over cadres.
// INVALID for a half other than 1 or 2; NOT_FOUND for an unknown unit.
func (s *Service) SpeakersOwed(ctx context.Context, p *authz.Principal, orgUnitID int64, year, half int, page store.Page) ([]*models.User, store.PageInfo, error) {
	from, to, err := HalfRange(year, half)
	if err != nil {
		return nil, store.PageInfo{}, err
	}
	return s.Store.SpeakersOwed(ctx, p, orgUnitID, from, to, page)
}

// text returns INVALID unless s is between min and max characters with no
// control characters but newlines and tabs.
func text(field, s string, min, max int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if n < min || utf8.RuneCountInString(s) > max || !utf8.ValidString(s) {
		if min > 0 && n == 0 {
			return models.E(models.CodeInvalid, "%s is required", field)
		}
		return models.E(models.CodeInvalid, "%s is at most %d characters", field, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
			return models.E(models.CodeInvalid, "%s holds a control character", field)
		}
	}
	return nil
}

// fingerprint hashes parts unambiguously (each length-prefixed).
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// joinIDs writes ids comma-separated.
func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
