package store

import (
	"context"
	"errors"

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
// same family. It returns the spent token. An unknown, expired or revoked
// token is UNAUTHENTICATED. A token that was already spent is reuse: the whole
// family is revoked (and stays revoked) and the call is UNAUTHENTICATED.
func (s *Store) RotateRefreshToken(ctx context.Context, p *authz.Principal, oldHash string, next *models.RefreshToken) (*models.RefreshToken, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return nil, err
	}
	var old models.RefreshToken
	reused := false // the family was revoked; the transaction commits that
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("hash = ?", oldHash).First(&old).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.E(models.CodeUnauthenticated, "invalid refresh token")
			}
			return err
		}
		now := s.now().UTC()
		if old.UsedAt != nil || old.RevokedAt != nil {
			reused = true
			return s.revokeFamily(tx, old.FamilyID)
		}
		if !now.Before(old.ExpiresAt) {
			return models.E(models.CodeUnauthenticated, "refresh token expired")
		}
		res := tx.Model(&models.RefreshToken{}).Where("id = ? AND used_at IS NULL", old.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 { // spent concurrently: also reuse
			reused = true
			return s.revokeFamily(tx, old.FamilyID)
		}
		next.FamilyID, next.UserID, next.DeviceID = old.FamilyID, old.UserID, old.DeviceID
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
		return s.revokeFamily(tx, t.FamilyID)
	})
}

// RevokeFamily revokes every token of a family (logout of one session).
func (s *Store) RevokeFamily(ctx context.Context, p *authz.Principal, familyID string) error {
	if _, err := reach(p, authz.SignIn); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error { return s.revokeFamily(tx, familyID) })
}

func (s *Store) revokeFamily(tx *gorm.DB, familyID string) error {
	return tx.Model(&models.RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", familyID).
		Update("revoked_at", s.now().UTC()).Error
}
