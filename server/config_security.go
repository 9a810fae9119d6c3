package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/henan-youth/onsite/store"
)

// securityFlags declares the security settings (docs/security.md).
func securityFlags(fs *flag.FlagSet, e *environment, c *config) {
	fs.StringVar(&c.SecurityAdminPassword, "security-admin-password", e.str("ONSITE_SECURITY_ADMIN_PASSWORD", ""), "first security administrator's password; random when empty (ONSITE_SECURITY_ADMIN_PASSWORD)")
	fs.StringVar(&c.AuditAdminPassword, "audit-admin-password", e.str("ONSITE_AUDIT_ADMIN_PASSWORD", ""), "first audit administrator's password; random when empty (ONSITE_AUDIT_ADMIN_PASSWORD)")
	fs.IntVar(&c.LoginAddrAttempts, "login-addr-attempts", e.integer("ONSITE_LOGIN_ADDR_ATTEMPTS", 100), "failed logins allowed per client address in a window, whatever the accounts (ONSITE_LOGIN_ADDR_ATTEMPTS)")
	fs.DurationVar(&c.IdlePhone, "session-idle-phone", e.duration("ONSITE_SESSION_IDLE_PHONE", 14*24*time.Hour), "a cadre's (phone) session ends when its refresh token is not used for this long (ONSITE_SESSION_IDLE_PHONE)")
	fs.DurationVar(&c.IdleBrowser, "session-idle-browser", e.duration("ONSITE_SESSION_IDLE_BROWSER", 30*time.Minute), "another role's (browser) session ends when its refresh token is not used for this long (ONSITE_SESSION_IDLE_BROWSER)")
	fs.DurationVar(&c.PasswordMaxAge, "password-max-age", e.duration("ONSITE_PASSWORD_MAX_AGE", 0), "passwords older than this must be changed; 0: never (ONSITE_PASSWORD_MAX_AGE)")
	fs.DurationVar(&c.AuditRetention, "audit-retention", e.duration("ONSITE_AUDIT_RETENTION", store.MinAuditRetention), "security audit entries are kept this long, at least 4320h (ONSITE_AUDIT_RETENTION)")
	fs.StringVar(&c.TLSCert, "tls-cert", e.str("ONSITE_TLS_CERT", ""), "PEM certificate chain: serve HTTPS (TLS 1.2+) with -tls-key (ONSITE_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", e.str("ONSITE_TLS_KEY", ""), "PEM private key of -tls-cert (ONSITE_TLS_KEY)")
	c.TrustedProxies = parse(e, "ONSITE_TRUSTED_PROXIES", nil, parsePrefixes)
	fs.Func("trusted-proxies", "comma-separated CIDRs of proxies whose X-Forwarded-For names the client (ONSITE_TRUSTED_PROXIES)", func(v string) error {
		p, err := parsePrefixes(v)
		c.TrustedProxies = p
		return err
	})
}

// parsePrefixes reads comma-separated CIDRs; a bare address is its own /32
// or /128.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// security checks the security settings together.
func (c *config) security() error {
	var errs []error
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("ONSITE_TLS_CERT and ONSITE_TLS_KEY go together: set both or neither"))
	}
	if c.AuditRetention < store.MinAuditRetention {
		errs = append(errs, fmt.Errorf("ONSITE_AUDIT_RETENTION=%v: security audit entries are kept at least %v (180 days)", c.AuditRetention, store.MinAuditRetention))
	}
	if c.LoginAttempts < 1 || c.LoginAddrAttempts < 1 || c.LoginWindow <= 0 {
		errs = append(errs, errors.New("ONSITE_LOGIN_ATTEMPTS and ONSITE_LOGIN_ADDR_ATTEMPTS must be at least 1, ONSITE_LOGIN_WINDOW positive"))
	}
	if c.IdlePhone < 0 || c.IdleBrowser < 0 || c.PasswordMaxAge < 0 {
		errs = append(errs, errors.New("session idle timeouts and ONSITE_PASSWORD_MAX_AGE cannot be negative"))
	}
	return errors.Join(errs...)
}
