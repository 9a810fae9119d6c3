package main

import (
	"context"
	"fmt"
	"time"

	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// configureAccounts applies the security settings to the sign-in service.
func configureAccounts(acc *account.Service, cfg config, now func() time.Time) {
	acc.AddrLimiter = auth.NewLimiter(cfg.LoginAddrAttempts, cfg.LoginWindow, now)
	acc.Backoff = auth.NewBackoff(account.DefaultFreeFailures, account.DefaultDelayBase, account.DefaultDelayMax, cfg.LoginWindow, now)
	acc.RefreshTTL = cfg.RefreshTTL
	acc.Sessions = account.SessionPolicy{Lifetime: cfg.RefreshTTL, IdlePhone: cfg.IdlePhone, IdleBrowser: cfg.IdleBrowser}
	acc.Passwords.MaxAge = cfg.PasswordMaxAge
}

// administrator is one of the three separated administrators the server
// creates on first start.
type administrator struct {
	role     models.Role
	username string
	display  string
	password string // from the configuration; random when empty
	setting  string // the variable that sets it
}

// bootstrap creates, on an empty database, the root org unit and the
// system administrator `admin`; and, whenever one is missing (first start,
// or a database from before the separation), the security administrator
// `secadmin` and the audit administrator `auditadmin`. A password comes from
// its setting and must meet the password policy; otherwise it is random,
// printed once in the log (the only secrets the server ever logs) and must
// be changed at first sign-in.
func (a *app) bootstrap(ctx context.Context, h auth.Hasher) error {
	sys := authz.System("bootstrap")
	for i, adm := range []administrator{
		{models.RoleAdmin, "admin", "Administrator", a.cfg.AdminPassword, "ONSITE_ADMIN_PASSWORD"},
		{models.RoleSecurityAdmin, "secadmin", "Security administrator", a.cfg.SecurityAdminPassword, "ONSITE_SECURITY_ADMIN_PASSWORD"},
		{models.RoleAuditAdmin, "auditadmin", "Audit administrator", a.cfg.AuditAdminPassword, "ONSITE_AUDIT_ADMIN_PASSWORD"},
	} {
		pw, random := adm.password, adm.password == ""
		if random {
			pw = auth.RandomPassword()
		} else if err := a.accounts.Passwords.Check(pw, adm.username); err != nil {
			return fmt.Errorf("%s: %v", adm.setting, err)
		}
		hash, err := h.Hash(pw)
		if err != nil {
			return err
		}
		var created bool
		if i == 0 {
			created, err = a.store.Bootstrap(ctx, sys, "410000", "共青团河南省委", adm.username, hash, random)
		} else {
			created, err = a.store.EnsureAdministrator(ctx, sys, adm.role, adm.username, adm.display, hash, random)
		}
		if err != nil {
			return err
		}
		switch {
		case !created:
		case random:
			a.log.Warn("created the "+string(adm.role)+" account; this password is shown once and must be changed at first sign-in",
				"username", adm.username, "password", pw)
		default:
			a.log.Info("created the "+string(adm.role)+" account with "+adm.setting, "username", adm.username)
		}
	}
	return nil
}

// recordConfiguration audits the security configuration the server starts
// with when it differs from what the audit log last recorded: the token
// signing key (a rotation) and the security policy (settings changed).
func (a *app) recordConfiguration(ctx context.Context) error {
	sys := authz.System("start-up")
	policy := fmt.Sprintf("password ≥%d chars of ≥%d classes, max age %v; sessions %v, idle phone %v, browser %v; "+
		"logins %d per account+address, %d per address per %v; audit kept %v; TLS %v; trusted proxies %v",
		a.accounts.Passwords.MinChars, a.accounts.Passwords.MinClasses, a.cfg.PasswordMaxAge, a.cfg.RefreshTTL, a.cfg.IdlePhone,
		a.cfg.IdleBrowser, a.cfg.LoginAttempts, a.cfg.LoginAddrAttempts, a.cfg.LoginWindow, a.cfg.AuditRetention,
		a.cfg.TLSCert != "", a.cfg.TrustedProxies)
	for _, ev := range []store.AuditEvent{
		{Action: models.AuditKeyChange, TargetType: "key", TargetID: a.tokens.Keys.SigningKID(), Detail: "access tokens are signed with this key"},
		{Action: models.AuditPolicyChange, TargetType: "policy", TargetID: "security", Detail: policy},
	} {
		rows, _, err := a.store.ListAudit(ctx, sys, store.AuditFilter{Action: string(ev.Action)}, store.Page{First: 1})
		if err != nil {
			return err
		}
		if len(rows) == 1 && rows[0].TargetID == ev.TargetID && rows[0].Detail == ev.Detail {
			continue
		}
		ev.Outcome = models.AuditSuccess
		if err := a.store.Audit(ctx, sys, "", "", ev); err != nil {
			return err
		}
	}
	return nil
}

// pruneAudit removes security audit entries older than the retention now
// and then every day until ctx ends.
func (a *app) pruneAudit(ctx context.Context, every time.Duration) {
	sys := authz.System("audit-retention")
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.store.PruneAudit(ctx, sys, a.cfg.AuditRetention); err != nil {
			a.log.Warn("security audit retention failed", "err", err)
		} else if n > 0 {
			a.log.Info("security audit entries past retention removed", "removed", n, "retention", a.cfg.AuditRetention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
