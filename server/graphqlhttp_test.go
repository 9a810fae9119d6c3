package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestGraphQLOverHTTPAudit runs every audit of the graphql-http reference
// suite (tools/graphql-http-audit: MUST, SHOULD and MAY) against the server
// in production and in dev mode; the script fails on any audit that does
// not pass. It needs Node and the tool's packages (`npm ci` there): without
// them it is skipped, unless ONSITE_REQUIRE_AUDIT is set, as CI does.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	dir := filepath.Join("..", "tools", "graphql-http-audit")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "graphql-http", "package.json"))
	}
	if err != nil {
		if os.Getenv("ONSITE_REQUIRE_AUDIT") != "" {
			t.Fatalf("the audit cannot run (%v): install Node and run npm ci in %s", err, dir)
		}
		t.Skipf("the audit needs Node and `npm ci` in %s: %v", dir, err)
	}
	for _, mode := range []string{"production", "dev"} {
		t.Run(mode, func(t *testing.T) {
			s := start(t, storetest.Backends(t)[0], withEnv("ONSITE_DEV="+map[string]string{"production": "false", "dev": "true"}[mode]))
			cmd := exec.Command(node, "audit.mjs", s.URL+"/graphql")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("audit: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "MUST 13/13") {
				t.Errorf("audit output without MUST 13/13:\n%s", out)
			}
			t.Logf("%s: %s", mode, strings.TrimSpace(string(out)))
		})
	}
}
