package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// tlsConfig loads the certificate and key of the configuration for serving
// TLS directly: TLS 1.2 and later only (Go's default cipher suites, which
// are forward-secret AEADs for 1.2). It fails when the files do not load.
func tlsConfig(cfg config) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("ONSITE_TLS_CERT/ONSITE_TLS_KEY: %v", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// hstsHeader tells browsers to use HTTPS only, for a year: sent only when
// the server itself serves TLS (behind a TLS-terminating proxy, the proxy
// sends it).
const hstsHeader = "max-age=31536000; includeSubDomains"

// withHSTS adds the Strict-Transport-Security header to every answer.
func withHSTS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hstsHeader)
		next.ServeHTTP(w, r)
	})
}

// withClientAddr replaces the request's remote address with the client's
// when the request comes from a trusted proxy: the last address of
// X-Forwarded-For that is not itself a trusted proxy (each proxy appends
// the address it received from, so only the trusted tail is believed).
// Requests from anywhere else keep their own address, whatever headers
// they carry, so a client cannot choose the address that login limits and
// the audit log see. With no trusted proxies it changes nothing.
func withClientAddr(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := clientAddr(trusted, r.RemoteAddr, r.Header.Values("X-Forwarded-For")); ok {
			r2 := r.Clone(r.Context())
			r2.RemoteAddr = netip.AddrPortFrom(client, 0).String()
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

// clientAddr returns the client address of a request from remote through
// proxies, and false when remote is not a trusted proxy or the header names
// no usable address.
func clientAddr(trusted []netip.Prefix, remote string, forwarded []string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		host, _, serr := net.SplitHostPort(remote)
		a, perr := netip.ParseAddr(host)
		if serr != nil || perr != nil {
			return netip.Addr{}, false
		}
		ap = netip.AddrPortFrom(a, 0)
	}
	if !isTrusted(trusted, ap.Addr()) {
		return netip.Addr{}, false
	}
	var hops []string
	for _, h := range forwarded {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false // a garbled hop: believe nothing before it
		}
		a = a.Unmap()
		if !isTrusted(trusted, a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

func isTrusted(trusted []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
