package activity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/contact"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/secret"
)

// Contacts keeps interviewees' phone numbers (PIPL): validated as Chinese
// numbers, encrypted at rest (AES-256-GCM under the key file's current
// key, bound to their row), shown in clear only to the cadre who recorded
// them, masked to everyone else, and revealed to the discipline group for
// a call-back with a logged reason. A number never appears in an error or
// a log line.
type Contacts struct {
	Keys *secret.Keyring
}

// Check refuses (INVALID) a number that is not a Chinese mobile or
// landline number, without repeating it.
func (c *Contacts) Check(phone string) error {
	_, err := contact.ParsePhone(phone)
	return err
}

// field is where an interviewee's number is kept: bound to the activity by
// its cadre and client id, which are known before the row is stored.
func field(a *models.Activity) secret.Field {
	return secret.Field{Table: "interviewees", Column: "phone_cipher", Row: fmt.Sprintf("%d/%s", a.UserID, a.ClientID)}
}

// Seal builds the interviewee of activity a from the input: its number, if
// any (with consent, checked by Input.Validate), encrypted and masked.
func (c *Contacts) Seal(a *models.Activity, in *IntervieweeInput, now time.Time) (*models.Interviewee, error) {
	cat := models.OrdinaryYouth
	if a.Kind == models.KindInterviewCadre {
		cat = models.GrassrootsCadre
	}
	iv := &models.Interviewee{Name: strings.TrimSpace(in.Name), Category: cat, AgeBand: in.AgeBand, Occupation: in.Occupation,
		Organisation: in.Organisation, Place: in.Place}
	if in.Phone == "" {
		return iv, nil
	}
	ph, err := contact.ParsePhone(in.Phone)
	if err != nil {
		return nil, err
	}
	if iv.PhoneCipher, err = c.Keys.Seal(ph.E164, field(a)); err != nil {
		return nil, err
	}
	consent := now.UTC()
	iv.PhoneMasked, iv.ConsentAt = ph.Masked(), &consent
	return iv, nil
}

// SameNumber reports whether a resend carries the number stored for its
// activity (numbers are compared in clear, not by a searchable hash).
func (c *Contacts) SameNumber(a *models.Activity, stored *models.Interviewee, in *IntervieweeInput) bool {
	want := ""
	if in != nil && in.Phone != "" {
		ph, err := contact.ParsePhone(in.Phone)
		if err != nil {
			return false
		}
		want = ph.E164
	}
	if stored == nil || stored.PhoneCipher == "" {
		return want == "" || (stored != nil && stored.ErasedAt != nil)
	}
	got, err := c.Keys.Open(stored.PhoneCipher, field(a))
	return err == nil && got == want
}

// Shown returns the number as p may see it: in clear for the cadre who
// recorded it, masked for everyone else, nil when there is none.
func (c *Contacts) Shown(p *authz.Principal, a *models.Activity, iv *models.Interviewee) (*string, error) {
	if iv.PhoneCipher == "" {
		return nil, nil
	}
	if p == nil || p.UserID != a.UserID {
		return &iv.PhoneMasked, nil
	}
	clear, err := c.Keys.Open(iv.PhoneCipher, field(a))
	if err != nil {
		return nil, err
	}
	return &clear, nil
}

// RevealContact gives the discipline group an interviewee's number in
// clear for a call-back check (团员青年评议): the reason is required
// (INVALID without one) and the reveal is recorded — who, when, why; a
// ledgered record with its security audit entry, and a line of the
// cadre's access log — before the number is returned. FORBIDDEN for other
// roles; CONFLICT when there is no number (none recorded, or erased by
// retention); UNAVAILABLE when the database fails (a retry reveals, and
// records, again).
func (s *Service) RevealContact(ctx context.Context, p *authz.Principal, intervieweeID int64, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return "", models.E(models.CodeInvalid, "a reveal needs a reason of 1–1000 characters")
	}
	if _, err := authz.Check(p, authz.RevealContact); err != nil {
		return "", err
	}
	rev := &models.ContactReveal{IntervieweeID: intervieweeID, ActorID: p.UserID, Reason: reason, Ref: uuid.NewString(),
		CreatedAt: s.Now().UTC().Truncate(storedPrecision)}
	leaf, err := leafOf(rev)
	if err != nil {
		return "", err
	}
	iv, err := s.Store.RecordReveal(ctx, p, rev, leaf)
	if err != nil {
		return "", err
	}
	acts, err := s.Store.ActivitiesByID(ctx, p, []int64{iv.ActivityID})
	if err != nil {
		return "", err
	}
	a := acts[iv.ActivityID]
	if a == nil {
		return "", models.E(models.CodeNotFound, "interviewee %d not found", intervieweeID)
	}
	if err := s.logRead(ctx, p, a.UserID, models.AccessContact, "revealContact"); err != nil {
		return "", err
	}
	return s.Contacts.Keys.Open(iv.PhoneCipher, field(a))
}

// EraseContacts erases the contacts of interviews older than retention
// (the activities and the rest of each interviewee are kept) and returns
// how many it erased.
func (s *Service) EraseContacts(ctx context.Context, retention time.Duration) (int64, error) {
	return s.Store.EraseContacts(ctx, authz.System("contact retention"), s.Now().Add(-retention))
}
