package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// BindDevice enforces the one-device rule at login. A user with no active
// device gets deviceID bound (first login binds). The bound device passes.
// Any other device is recorded as a PENDING request and refused with
// DEVICE_NOT_BOUND until an admin approves it. The system principal only
// (authz.SignIn): it runs at login.
func (s *Store) BindDevice(ctx context.Context, p *authz.Principal, userID int64, deviceID string) (*models.Device, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return nil, err
	}
	var dev models.Device
	refused := false // set when the pending request is recorded; the transaction still commits
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var active models.Device
		err := tx.Where("active_user_id = ?", userID).First(&active).Error
		switch {
		case err == nil && active.DeviceID == deviceID:
			dev = active
			return nil
		case err == nil:
			refused = true
			return s.requestDevice(tx, userID, deviceID, &dev)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		now := s.now().UTC()
		dev = models.Device{UserID: userID, DeviceID: deviceID, Status: models.DeviceActive, ActiveUserID: &userID, RequestedAt: now, ApprovedAt: &now}
		return tx.Where(models.Device{UserID: userID, DeviceID: deviceID}).
			Assign(map[string]any{"status": models.DeviceActive, "active_user_id": userID, "approved_at": now}).
			FirstOrCreate(&dev).Error
	})
	if err == nil && refused {
		return &dev, models.E(models.CodeDeviceNotBound,
			"this account is bound to another device; an administrator must approve device %q", deviceID)
	}
	if isDuplicate(err) {
		// A concurrent first login bound another device a moment ago.
		return s.BindDevice(ctx, p, userID, deviceID)
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return &dev, nil
}

// requestDevice records (or renews) a PENDING request for deviceID.
func (s *Store) requestDevice(tx *gorm.DB, userID int64, deviceID string, dev *models.Device) error {
	err := tx.Where("user_id = ? AND device_id = ?", userID, deviceID).First(dev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		*dev = models.Device{UserID: userID, DeviceID: deviceID, Status: models.DevicePending, RequestedAt: s.now().UTC()}
		err = tx.Create(dev).Error
	} else if err == nil && dev.Status == models.DeviceRevoked {
		dev.Status, dev.RequestedAt = models.DevicePending, s.now().UTC()
		err = tx.Save(dev).Error
	}
	return err
}

// ApproveDevice makes the pending device id the user's bound device,
// revokes the previous one and its refresh tokens, ends the user's access
// tokens (the old phone's next request is refused), records who approved
// it and when, and audits it, in one transaction. The security
// administrator only (authz.ApproveDevice: FORBIDDEN otherwise); NOT_FOUND
// for an unknown id; CONFLICT if the device is not pending.
func (s *Store) ApproveDevice(ctx context.Context, p *authz.Principal, id int64) (*models.Device, error) {
	var dev models.Device
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		if err := tx.First(&dev, id).Error; err != nil {
			return notFoundOr(err, "device", id)
		}
		var owner models.User
		if err := tx.First(&owner, dev.UserID).Error; err != nil {
			return err
		}
		if err := s.checkUnit(tx, p, authz.ApproveDevice, owner.OrgUnitID); err != nil {
			return err
		}
		if dev.Status != models.DevicePending {
			return models.E(models.CodeConflict, "device %d is %s, not pending", id, dev.Status)
		}
		now := s.now().UTC()
		replaced := ""
		var old models.Device
		if err := tx.Where("active_user_id = ?", dev.UserID).First(&old).Error; err == nil {
			replaced = old.DeviceID
			if err := tx.Model(&old).Updates(map[string]any{"status": models.DeviceRevoked, "active_user_id": nil, "revoked_at": now}).Error; err != nil {
				return err
			}
			if err := tx.Model(&models.RefreshToken{}).Where("user_id = ? AND device_id = ? AND revoked_at IS NULL", dev.UserID, old.DeviceID).
				Updates(map[string]any{"revoked_at": now, "revoke_reason": RevokedDevice}).Error; err != nil {
				return err
			}
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		dev.Status, dev.ActiveUserID, dev.ApprovedBy, dev.ApprovedAt = models.DeviceActive, &dev.UserID, &p.UserID, &now
		if err := tx.Save(&dev).Error; err != nil {
			return err
		}
		if err := s.bumpAuth(tx, dev.UserID); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s: device %q bound", owner.Username, dev.DeviceID)
		if replaced != "" {
			detail += fmt.Sprintf(", replacing %q (its sessions revoked)", replaced)
		}
		return record(AuditEvent{Action: models.AuditDeviceApprove, TargetType: "device", TargetID: strconv.FormatInt(dev.ID, 10),
			Detail: detail, Outcome: models.AuditSuccess})
	})
	if err != nil {
		return nil, err
	}
	return &dev, nil
}

// ActiveDevice returns the user's bound device id, or NOT_FOUND; the
// system principal only (authz.SignIn: it runs at refresh).
func (s *Store) ActiveDevice(ctx context.Context, p *authz.Principal, userID int64) (string, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return "", err
	}
	var d models.Device
	if err := s.db.WithContext(ctx).Where("active_user_id = ?", userID).First(&d).Error; err != nil {
		return "", notFoundOr(err, "active device of user", userID)
	}
	return d.DeviceID, nil
}

// DeviceFilter narrows ListDevices.
type DeviceFilter struct {
	UserID *int64
	Status *models.DeviceStatus
}

// ListDevices pages through the devices of users the caller may read.
func (s *Store) ListDevices(ctx context.Context, p *authz.Principal, f DeviceFilter, page Page) ([]*models.Device, PageInfo, error) {
	scope, err := s.userScope(ctx, p, authz.ReadDevices)
	if err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Device{}).
		Where("devices.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope))
	if f.UserID != nil {
		q = q.Where("devices.user_id = ?", *f.UserID)
	}
	if f.Status != nil {
		q = q.Where("devices.status = ?", *f.Status)
	}
	return list(q, "devices", page, func(d *models.Device) int64 { return d.ID })
}

// DevicesByUser loads the devices of several users (a data loader batch),
// only for users the caller may read.
func (s *Store) DevicesByUser(ctx context.Context, p *authz.Principal, userIDs []int64) (map[int64][]*models.Device, error) {
	scope, err := s.userScope(ctx, p, authz.ReadDevices)
	if err != nil {
		return nil, err
	}
	var rows []*models.Device
	err = s.db.WithContext(ctx).Where("user_id IN ?", userIDs).
		Where("devices.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope)).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := make(map[int64][]*models.Device)
	for _, d := range rows {
		out[d.UserID] = append(out[d.UserID], d)
	}
	return out, nil
}
