package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// byHash sends a registered document by its hash alone, with variables.
func (s *testServer) byHash(t *testing.T, token, hash string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"variables": vars,
		"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}})
	return s.send(t, http.MethodPost, token, bytes.NewReader(body), "")
}

// TestTrustedDocuments: with registered documents and unregistered ones
// open only to supervisors, the discipline group and admins, a caller
// without a token and a cadre run registered documents — by hash or by
// text — and nothing else; an admin runs anything; an unknown hash and a
// text that does not match its hash are refused.
func TestTrustedDocuments(t *testing.T) {
	const me = `{ me { id role } }`
	manifest := filepath.Join(t.TempDir(), "documents.json")
	b, _ := json.Marshal(map[string]string{sha256Hex(loginMutation): loginMutation, sha256Hex(me): me,
		sha256Hex(changePasswordMutation): changePasswordMutation})
	if err := os.WriteFile(manifest, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, storetest.Backends(t)[0], withEnv("ONSITE_TRUSTED_DOCUMENTS="+manifest,
		"ONSITE_UNREGISTERED_DOCUMENTS=SUPERVISOR,DISCIPLINE,ADMIN"))

	var login loginResult
	s.byHash(t, "", sha256Hex(loginMutation), map[string]any{"u": "admin", "p": s.AdminPW, "d": "laptop"}).into(t, &login)
	admin := login.Login.AccessToken
	s.post(t, admin, `mutation($p: String!) { createUser(input: {username: "li", password: $p, role: CADRE, orgUnitId: "1"}) { id } }`,
		map[string]any{"p": initialPassword}).into(t, &struct{}{})
	cadre := s.activate(t, "li", "password-1", "li-phone").Login.AccessToken // the registered texts, no hash

	for _, tc := range []struct {
		name     string
		r        *gqlResponse
		wantCode string
	}{
		{"a cadre, a registered document by hash", s.byHash(t, cadre, sha256Hex(me), nil), ""},
		{"a cadre, a registered document by text", s.post(t, cadre, me, nil), ""},
		{"a cadre, another document", s.post(t, cadre, `{ me { username } }`, nil), "PERSISTED_QUERY_NOT_IN_LIST"},
		{"no token, another document", s.post(t, "", `{ __typename }`, nil), "PERSISTED_QUERY_NOT_IN_LIST"},
		{"an admin, another document", s.post(t, admin, `{ me { username } }`, nil), ""},
		{"an unknown hash", s.byHash(t, admin, sha256Hex("{ nothing }"), nil), "PERSISTED_QUERY_NOT_FOUND"},
		{"a text that is not its hash", s.sendJSON(t, cadre, map[string]any{"query": `{ me { username } }`,
			"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(me)}}}), "INVALID"},
	} {
		if tc.r.Code() != tc.wantCode || (tc.wantCode != "" && bytes.Contains([]byte(tc.r.Raw), []byte(`"data"`))) {
			t.Errorf("%s: %s, want code %q", tc.name, tc.r.Raw, tc.wantCode)
		}
	}
}

// sendJSON posts body as JSON.
func (s *testServer) sendJSON(t *testing.T, token string, body map[string]any) *gqlResponse {
	t.Helper()
	b, _ := json.Marshal(body)
	return s.send(t, http.MethodPost, token, bytes.NewReader(b), "")
}

// TestTrustedDocumentsSettings: a manifest whose hash does not match its
// document, and a restriction without registered documents, stop the
// server at start.
func TestTrustedDocumentsSettings(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "documents.json")
	os.WriteFile(bad, []byte(`{"`+sha256Hex("{ a }")+`": "{ b }"}`), 0o600)
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ONSITE_TRUSTED_DOCUMENTS": bad}, "not the SHA-256"},
		{map[string]string{"ONSITE_UNREGISTERED_DOCUMENTS": "ADMIN"}, "registers none"},
		{map[string]string{"ONSITE_UNREGISTERED_DOCUMENTS": "ADMIN,ROOT", "ONSITE_TRUSTED_DOCUMENTS": bad}, `"ROOT" is not a role`},
	} {
		if _, err := runUntilListening(t, nil, tc.env); err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
			t.Errorf("%v: %v, want an error with %q", tc.env, err, tc.want)
		}
	}
}
