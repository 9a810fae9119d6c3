package activity

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
)

// Input is one activity as the phone sends it.
type Input struct {
	ClientID     string // client-generated, unique per cadre (a UUID)
	Kind         models.ActivityKind
	Lat, Lon     float64
	AccuracyM    float64
	CoordSystem  geofence.Datum
	DeviceTime   time.Time
	MockLocation bool
	Topic        string
	Notes        string
	Interviewee  *IntervieweeInput // interviews only
	Participants int               // forums and lectures
	HostOrg      string            // forums and lectures: the organising body, e.g. the county League committee
	Attendees    []string          // forums and lectures, optional: names
	Needs        []NeedInput       // needs and problems raised (interviews and forums)
	Photos       []Photo           // 1–9 for forums and lectures, 0–9 otherwise
	Corrects     *int64            // the cadre's earlier activity this one corrects
}

// IntervieweeInput is the person of an interview, minimally (PIPL).
type IntervieweeInput struct {
	Name         string
	AgeBand      string
	Occupation   string
	Organisation string
	Place        string // township / village
	Phone        string // optional; only with Consent
	Consent      bool   // the interviewee agreed to the number being kept
}

// NeedInput is a need or problem raised, with a category from NeedCategories.
type NeedInput struct {
	Category string
	Text     string
}

// Photo is one uploaded photo: its bytes come from Open.
type Photo struct {
	Filename string
	Size     int64
	Open     func() (io.Reader, error)
}

// needCategory reports whether c is one of the fixed categories of a need
// raised by a youth.
func needCategory(c string) bool {
	switch c {
	case "EMPLOYMENT", "EDUCATION", "ENTREPRENEURSHIP", "MARRIAGE_FAMILY", "HEALTH", "HOUSING", "RIGHTS",
		"CULTURE_SPORTS", "DIGITAL_SKILLS", "VOLUNTEERING", "OTHER":
		return true
	}
	return false
}

// ageBand reports whether b is an accepted age band ("" for unknown).
func ageBand(b string) bool {
	switch b {
	case "", "14-17", "18-24", "25-28", "29-35", "36+":
		return true
	}
	return false
}

// MaxPhotos bounds an activity's photos.
const MaxPhotos = 9

// Validate checks an input before anything is stored; every problem is
// INVALID naming the field. It never echoes a phone number.
func (in *Input) Validate() error {
	text := func(name, v string, max int, required bool) error {
		if required && strings.TrimSpace(v) == "" {
			return models.E(models.CodeInvalid, "%s is required", name)
		}
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max || strings.ContainsRune(v, 0) {
			return models.E(models.CodeInvalid, "%s must be valid text of at most %d characters", name, max)
		}
		return nil
	}
	switch {
	case !models.ValidClientID(in.ClientID):
		return models.E(models.CodeInvalid, "clientId must be 1–64 printable characters without spaces (a UUID)")
	case !in.Kind.Valid():
		return models.E(models.CodeInvalid, "unknown activity kind %q", in.Kind)
	case !finite(in.Lat) || in.Lat < -90 || in.Lat > 90:
		return models.E(models.CodeInvalid, "lat must be a finite number between -90 and 90")
	case !finite(in.Lon) || in.Lon < -180 || in.Lon > 180:
		return models.E(models.CodeInvalid, "lon must be a finite number between -180 and 180")
	case !finite(in.AccuracyM) || in.AccuracyM < 0 || in.AccuracyM > 100_000:
		return models.E(models.CodeInvalid, "accuracy must be between 0 and 100000 metres")
	case !in.CoordSystem.Valid():
		return models.E(models.CodeInvalid, "coordSystem must be WGS84, GCJ02 or BD09")
	case in.DeviceTime.IsZero() || in.DeviceTime.Year() < 2000 || in.DeviceTime.Year() > 2100:
		return models.E(models.CodeInvalid, "deviceTime is missing or not a plausible time")
	case len(in.Photos) > MaxPhotos:
		return models.E(models.CodeInvalid, "at most %d photos", MaxPhotos)
	case in.Kind.Gathering() && len(in.Photos) == 0:
		return models.E(models.CodeInvalid, "a forum or lecture needs 1–%d photos", MaxPhotos)
	}
	for _, err := range []error{text("topic", in.Topic, 200, true), text("notes", in.Notes, 5000, false),
		text("hostOrganisation", in.HostOrg, 100, false)} {
		if err != nil {
			return err
		}
	}
	if err := in.validateKind(); err != nil {
		return err
	}
	if len(in.Needs) > 20 {
		return models.E(models.CodeInvalid, "at most 20 needs per activity")
	}
	for _, n := range in.Needs {
		if !needCategory(n.Category) {
			return models.E(models.CodeInvalid, "unknown need category %q", n.Category)
		}
		if err := text("need text", n.Text, 1000, true); err != nil {
			return err
		}
	}
	return nil
}

// validateKind checks the fields each kind needs and refuses those it has
// no use for (data minimisation).
func (in *Input) validateKind() error {
	switch {
	case in.Kind.Interview() && in.Interviewee == nil:
		return models.E(models.CodeInvalid, "an interview needs its interviewee")
	case !in.Kind.Interview() && in.Interviewee != nil:
		return models.E(models.CodeInvalid, "only an interview has an interviewee")
	case in.Kind.Gathering() && (in.Participants < 1 || in.Participants > 10_000):
		return models.E(models.CodeInvalid, "a forum or lecture needs its number of participants (1–10000)")
	case in.Kind.Gathering() && strings.TrimSpace(in.HostOrg) == "":
		return models.E(models.CodeInvalid, "a forum or lecture needs its host organisation")
	case !in.Kind.Gathering() && (in.Participants != 0 || len(in.Attendees) > 0):
		return models.E(models.CodeInvalid, "only a forum or lecture has participants")
	case len(in.Attendees) > 500:
		return models.E(models.CodeInvalid, "at most 500 named participants")
	}
	for _, a := range in.Attendees {
		if strings.TrimSpace(a) == "" || utf8.RuneCountInString(a) > 100 {
			return models.E(models.CodeInvalid, "a participant's name must be 1–100 characters")
		}
	}
	if iv := in.Interviewee; iv != nil {
		switch {
		case strings.TrimSpace(iv.Name) == "" || utf8.RuneCountInString(iv.Name) > 50:
			return models.E(models.CodeInvalid, "the interviewee's name must be 1–50 characters")
		case !ageBand(iv.AgeBand):
			return models.E(models.CodeInvalid, "ageBand must be one of 14-17, 18-24, 25-28, 29-35, 36+ or empty")
		case utf8.RuneCountInString(iv.Occupation) > 50 || utf8.RuneCountInString(iv.Organisation) > 100 || utf8.RuneCountInString(iv.Place) > 100:
			return models.E(models.CodeInvalid, "occupation (50), organisation (100) and place (100) are too long")
		case iv.Phone != "" && !iv.Consent:
			return models.E(models.CodeInvalid, "a phone number is kept only with the interviewee's consent")
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// payloadHash fingerprints everything the phone said except the
// interviewee's phone number, which is compared by decrypting the stored
// one (a hash of it could be searched for), so a resend under the same
// clientId can be told from a different activity reusing it. photoHashes
// are the photos' SHA-256, in order.
func (in *Input) payloadHash(photoHashes []string) string {
	h := sha256.New()
	w := func(v ...any) {
		for _, x := range v {
			fmt.Fprintf(h, "%v\x1f", x)
		}
	}
	w(in.ClientID, in.Kind, in.Lat, in.Lon, in.AccuracyM, in.CoordSystem, in.DeviceTime.UnixNano(), in.MockLocation,
		in.Topic, in.Notes, in.Participants, in.HostOrg, len(in.Attendees))
	for _, a := range in.Attendees {
		w(a)
	}
	if iv := in.Interviewee; iv != nil {
		w("iv", iv.Name, iv.AgeBand, iv.Occupation, iv.Organisation, iv.Place, iv.Consent)
	}
	w(len(in.Needs))
	for _, n := range in.Needs {
		w(n.Category, n.Text)
	}
	w(len(photoHashes))
	for _, p := range photoHashes {
		w(p)
	}
	if in.Corrects != nil {
		w("corrects", *in.Corrects)
	}
	return hex.EncodeToString(h.Sum(nil))
}
