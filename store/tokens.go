package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// The refresh-token methods are the sign-in service's (authz.SignIn: the
// system principal only).

// CreateRefreshToken stores a new refresh token (its hash only).
func (s *Store) CreateRefreshToken(ctx context.Context, p *authz.Principal, t *models.RefreshToken) error {
	if _, err := reach(p, authz.SignIn); err != nil {
		return err
	}
	return mapErr(s.db.WithContext(ctx).Create(t).Error)
}

// RotateRefreshToken spends the token with oldHash and stores next in the
// same family, with the family's session policy: next expires the
// session's idle timeout from now, never after the session's absolute end
// (a token of a session without an idle timeout keeps next.ExpiresAt, so
// capped). It returns the spent token. An unknown token, or one whose
// session ended (expired, idle too long, revoked by a logout, a password
// change or a device replacement), is UNAUTHENTICATED without further
// ado. A token that was already spent is reuse: the whole family is
// revoked (and stays revoked), the reuse is audited and the call is
// UNAUTHENTICATED.
func (s *Store) RotateRefreshToken(ctx context.Context, p *authz.Principal, oldHash string, next *models.RefreshToken) (*models.RefreshToken, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return nil, err
	}
	var old models.RefreshToken
	reused := false // the family was revoked; the transaction commits that
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		if err := tx.Where("hash = ?", oldHash).First(&old).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.E(models.CodeUnauthenticated, "invalid refresh token")
			}
			return err
		}
		now := s.now().UTC()
		reuse := func() error {
			reused = true
			if err := s.revokeFamily(tx, old.FamilyID, RevokedReuse); err != nil {
				return err
			}
			return record(AuditEvent{Action: models.AuditTokenReuse, TargetType: "user", TargetID: strconv.FormatInt(old.UserID, 10),
				Detail: "a spent refresh token was presented again; session " + old.FamilyID + " revoked", Outcome: models.AuditDenied})
		}
		switch {
		case old.UsedAt != nil:
			return reuse()
		case old.RevokedAt != nil:
			return authz.SessionEnded()
		case old.SessionExpiresAt != nil && !now.Before(*old.SessionExpiresAt):
			return models.E(models.CodeUnauthenticated, "the session reached its maximum lifetime; sign in again")
		case !now.Before(old.ExpiresAt):
			return models.E(models.CodeUnauthenticated, "refresh token expired: the session was idle too long; sign in again")
		}
		res := tx.Model(&models.RefreshToken{}).Where("id = ? AND used_at IS NULL", old.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 { // spent concurrently: also reuse
			return reuse()
		}
		next.FamilyID, next.UserID, next.DeviceID = old.FamilyID, old.UserID, old.DeviceID
		next.SessionExpiresAt, next.IdleSeconds = old.SessionExpiresAt, old.IdleSeconds
		if old.IdleSeconds > 0 {
			next.ExpiresAt = now.Add(time.Duration(old.IdleSeconds) * time.Second)
		}
		if old.SessionExpiresAt != nil && next.ExpiresAt.After(*old.SessionExpiresAt) {
			next.ExpiresAt = *old.SessionExpiresAt
		}
		return tx.Create(next).Error
	})
	if err == nil && reused {
		s.log.Warn("refresh token reuse; family revoked", "family", old.FamilyID, "user", old.UserID)
		return nil, models.E(models.CodeUnauthenticated, "refresh token already used; the session has been revoked")
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return &old, nil
}

// RevokeFamilyOf revokes the family of the token with hash (logout).
// Unknown tokens are ignored, so logout is idempotent.
func (s *Store) RevokeFamilyOf(ctx context.Context, p *authz.Principal, hash string) error {
	if _, err := reach(p, authz.SignIn); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var t models.RefreshToken
		if err := tx.Where("hash = ?", hash).First(&t).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil
			}
			return err
		}
		return s.revokeFamily(tx, t.FamilyID, RevokedLogout)
	})
}

// RevokeFamily revokes every token of a family (one session), recording
// why (RevokedLogout, RevokedDisabled, …).
func (s *Store) RevokeFamily(ctx context.Context, p *authz.Principal, familyID, reason string) error {
	if _, err := reach(p, authz.SignIn); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error { return s.revokeFamily(tx, familyID, reason) })
}

func (s *Store) revokeFamily(tx *gorm.DB, familyID, reason string) error {
	return tx.Model(&models.RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", familyID).
		Updates(map[string]any{"revoked_at": s.now().UTC(), "revoke_reason": reason}).Error
}
