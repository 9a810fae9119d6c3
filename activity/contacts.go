package activity

import (
	"context"
	"time"

	"github.com/henan-youth/onsite/authz"

	"github.com/henan-youth/onsite/models"
)

// Contacts: placeholder until the secret and contact packages land.
type Contacts struct{}

func (c *Contacts) Check(phone string) error { return nil }

func (c *Contacts) Seal(a *models.Activity, in *IntervieweeInput, now time.Time) (*models.Interviewee, error) {
	cat := models.OrdinaryYouth
	if a.Kind == models.KindInterviewCadre {
		cat = models.GrassrootsCadre
	}
	return &models.Interviewee{Name: in.Name, Category: cat, AgeBand: in.AgeBand, Occupation: in.Occupation,
		Organisation: in.Organisation, Place: in.Place}, nil
}

func (c *Contacts) SameNumber(a *models.Activity, stored *models.Interviewee, in *IntervieweeInput) bool {
	return true
}

func (c *Contacts) Shown(p *authz.Principal, a *models.Activity, iv *models.Interviewee) (*string, error) {
	if iv.PhoneMasked == "" {
		return nil, nil
	}
	return &iv.PhoneMasked, nil
}

// RevealContact: placeholder.
func (s *Service) RevealContact(ctx context.Context, p *authz.Principal, id int64, reason string) (string, error) {
	return "", models.E(models.CodeInvalid, "not yet")
}
