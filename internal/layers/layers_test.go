// Package layers holds the test that keeps the package layering of
// docs/architecture.md: every import points down, never up or sideways
// into a use case.
package layers

import (
	"go/build"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/henan-youth/onsite/"

// allowed lists, for each package, the project packages it may import.
// Pure packages (models, authz, geofence, presence, compliance) import
// nothing that touches a database, HTTP or GraphQL; the evidence
// infrastructure (blob, photo, secret, contact) imports only models and its
// libraries; store imports only models and authz; use cases (checkin,
// account, regions, activity, evidencelog, seminar, tasks, notify,
// summary, policy, verdict) sit on store and the pure packages (summary
// reads the check-in and activity numbers); graph on the use cases; server
// wires everything. makeup and absence are corrections of the evidence;
// accesslog and inspect the discipline group's, on the pure spotcheck and
// anomaly.
var allowed = map[string][]string{
	"models":      {},
	"authz":       {"models"},
	"geofence":    {"models"},
	"presence":    {"models"},
	"compliance":  {"models", "presence"},
	"regiondata":  {},
	"blob":        {"models"},
	"photo":       {"models"},
	"secret":      {"models"},
	"contact":     {"models"},
	"auth":        {"authz", "models"},
	"store":       {"authz", "models"},
	"regions":     {"authz", "geofence", "models", "regiondata", "store"},
	"account":     {"auth", "authz", "models", "store"},
	"ledger":      {"models"},
	"checkin":     {"authz", "compliance", "geofence", "ledger", "models", "presence", "regions", "store"},
	"evidencelog": {"authz", "ledger", "models", "store"},
	"seminar":     {"authz", "ledger", "models", "presence", "store"},
	"tasks":       {"authz", "compliance", "ledger", "models", "photo", "presence", "store"},
	"notify":      {"authz", "models", "store"},
	"summary":     {"activity", "authz", "checkin", "compliance", "ledger", "models", "presence", "store"},
	"policy":      {"authz", "compliance", "ledger", "models", "presence", "store"},
	"verdict":     {"authz", "compliance", "models", "presence", "regions", "store"},
	"activity":    {"authz", "compliance", "contact", "geofence", "ledger", "models", "photo", "presence", "regions", "secret", "store"},
	"makeup":      {"authz", "compliance", "ledger", "models", "photo", "presence", "store"},
	"absence":     {"authz", "ledger", "models", "presence", "store"},

	"spotcheck": {"models"},
	"anomaly":   {},
	"accesslog": {"authz", "ledger", "models", "store"},
	"inspect":   {"anomaly", "authz", "ledger", "models", "photo", "presence", "regions", "spotcheck", "store"},

	"console": {}, // the web console's embedded files; it calls the API over HTTP like any client
	"demo": {"absence", "account", "activity", "authz", "checkin", "geofence", "makeup", "models", "regions", "seminar",
		"store", "summary"}, // seeds a province through the use cases, as the API would

	"internal/faultproxy": {}, // test-only: a TCP proxy that injects faults
}

func TestImportsPointDown(t *testing.T) {
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..")
	for pkg, ok := range allowed {
		p, err := build.ImportDir(filepath.Join(root, pkg), 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, imp := range p.Imports {
			name, mine := strings.CutPrefix(imp, module)
			if mine && !slices.Contains(ok, name) {
				t.Errorf("%s imports %s; it may import only %v", pkg, name, ok)
			}
		}
	}
}
