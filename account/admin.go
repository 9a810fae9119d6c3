package account

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// UpdateUser changes an account (store.UpdateUser: its refusals, and the
// sessions a role, unit or disabled change ends); the change takes effect
// on this server at once and on the others within the state cache's age.
func (s *Service) UpdateUser(ctx context.Context, p *authz.Principal, id int64, in store.UserInput) (*models.User, error) {
	u, err := s.Store.UpdateUser(ctx, p, id, in)
	if err != nil {
		return nil, err
	}
	s.states.forget(id)
	return u, nil
}

// ApproveDevice binds a pending device (store.ApproveDevice: the security
// administrator only), ending the sessions of the phone it replaces: the
// old phone's next request is refused, and its refresh is told the session
// ended, not that its token was reused.
func (s *Service) ApproveDevice(ctx context.Context, p *authz.Principal, id int64) (*models.Device, error) {
	d, err := s.Store.ApproveDevice(ctx, p, id)
	if err != nil {
		return nil, err
	}
	s.states.forget(d.UserID)
	return d, nil
}

// UnlockAccount ends an account's login lockouts and delays on every
// server (store.UnlockAccount: the security administrator only): the
// limits are keyed by the account's login generation, which it moves on.
func (s *Service) UnlockAccount(ctx context.Context, p *authz.Principal, userID int64) (*models.User, error) {
	return s.Store.UnlockAccount(ctx, p, userID)
}
