package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

func TestClientAddr(t *testing.T) {
	trusted, err := parsePrefixes("10.0.0.0/8, 2001:db8::/32, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		remote    string
		forwarded []string
		want      string // "" for no change
	}{
		{"a client, not a proxy: the header is ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, ""},
		{"one proxy", "10.1.2.3:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"the client's own header before the proxy's hop is not believed", "10.1.2.3:5000", []string{"6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"two proxies", "10.1.2.3:5000", []string{"198.51.100.1, 192.0.2.1"}, "198.51.100.1"},
		{"hops over two headers", "10.1.2.3:5000", []string{"198.51.100.1", "10.9.9.9"}, "198.51.100.1"},
		{"IPv6 proxy and client", "[2001:db8::5]:443", []string{"2001:db9::7"}, "2001:db9::7"},
		{"IPv4-mapped client", "10.1.2.3:5000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"only proxies", "10.1.2.3:5000", []string{"10.2.2.2"}, ""},
		{"no header", "10.1.2.3:5000", nil, ""},
		{"garbage hop", "10.1.2.3:5000", []string{"198.51.100.1, not-an-ip"}, ""},
	} {
		got, ok := clientAddr(trusted, tc.remote, tc.forwarded)
		if s := map[bool]string{true: got.String(), false: ""}[ok]; s != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, s, tc.want)
		}
	}
	if _, err := parsePrefixes("10.0.0.0/8, nonsense"); err == nil {
		t.Error("a bad CIDR parsed")
	}
	if _, ok := clientAddr(nil, "10.1.2.3:5000", []string{"198.51.100.1"}); ok {
		t.Error("with no trusted proxy the header was believed")
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// into dir and returns their paths and the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "onsite test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// TestServesTLS: with ONSITE_TLS_CERT and ONSITE_TLS_KEY the server speaks
// only TLS 1.2 and later, and its answers carry HSTS; without them, no
// HSTS.
func TestServesTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, cert := selfSigned(t, dir)
	s := start(t, storetest.Backends(t)[0], withEnv("ONSITE_TLS_CERT="+certFile, "ONSITE_TLS_KEY="+keyFile))
	addr := strings.TrimPrefix(s.URL, "http://")
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := func(maxVersion uint16) *http.Client {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: maxVersion}}
		t.Cleanup(tr.CloseIdleConnections) // before the server stops: cleanups run last first
		return &http.Client{Transport: tr, Timeout: 10 * time.Second}
	}
	resp, err := client(0).Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("TLS request: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("connection state %+v, want TLS 1.2 or later", resp.TLS)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("Strict-Transport-Security %q, want a max-age", got)
	}
	if _, err := client(tls.VersionTLS11).Get("https://" + addr + "/healthz"); err == nil {
		t.Error("a TLS 1.1 client was served")
	}
	plain := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	if resp, err := plain.Get("http://" + addr + "/healthz"); err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && string(body) == "ok\n" {
			t.Error("plain HTTP was served on the TLS port")
		}
	}

	h := start(t, storetest.Backends(t)[0])
	status, _ := h.get(t, "/healthz")
	if status != http.StatusOK {
		t.Fatalf("plain server: %d", status)
	}
	req, _ := http.NewRequest(http.MethodGet, h.URL+"/healthz", nil)
	resp, err = h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS %q over plain HTTP, want none (a proxy in front sends it)", got)
	}
}
