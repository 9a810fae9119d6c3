package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// walkthroughStep is one ```sh block of the README's Walkthrough section.
type walkthroughStep struct {
	line  int    // README.md line of the opening fence
	title string // the first line of the paragraph before the block
	code  string
}

// readWalkthrough returns the ```sh blocks under the README's
// "## Walkthrough" heading, up to the next "## " heading, in order. Blocks
// of other languages and blocks elsewhere in the README are not steps.
func readWalkthrough(t *testing.T, path string) []walkthroughStep {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		steps   []walkthroughStep
		cur     *walkthroughStep
		fenced  bool // inside a block of another language
		section bool // under "## Walkthrough"
		title   string
		para    bool // the previous line was prose
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && line == "```":
			steps = append(steps, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		case fenced:
			fenced = line != "```"
		case strings.HasPrefix(line, "```"):
			if section && line == "```sh" {
				cur = &walkthroughStep{line: n, title: title}
			} else {
				fenced = true
			}
		case strings.HasPrefix(line, "## "):
			section = strings.TrimSpace(line) == "## Walkthrough"
		case section && strings.TrimSpace(line) != "":
			if !para {
				title = strings.TrimSpace(line)
			}
			para = true
			continue
		}
		para = false
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: the walkthrough's block is never closed", path, cur.line)
	}
	return steps
}

// walkthroughScript joins the steps into one bash script that stops at the
// first failing command and says which step it was in.
func walkthroughScript(steps []walkthroughStep) string {
	var b strings.Builder
	b.WriteString("set -euo pipefail\n")
	b.WriteString(`trap 'echo "walkthrough: command failed: $BASH_COMMAND" >&2' ERR` + "\n")
	for i, s := range steps {
		title := s.title
		if r := []rune(title); len(r) > 80 {
			title = string(r[:80]) + "…"
		}
		marker := fmt.Sprintf("=== step %d (README.md:%d) %s", i+1, s.line, title)
		fmt.Fprintf(&b, "echo %s >&2\n", shellQuote(marker))
		b.WriteString(s.code)
	}
	fmt.Fprintf(&b, "echo 'walkthrough: all %d steps passed' >&2\n", len(steps))
	return b.String()
}

// TestWalkthrough runs the README's walkthrough, exactly as written there,
// with bash, curl and jq against a freshly started server: the README's
// shell reads the server's address from ONSITE_URL and the first
// administrators' passwords from ONSITE_ADMIN_PASSWORD and
// ONSITE_SECURITY_ADMIN_PASSWORD. The jq -e checks inside the steps
// make a wrong answer fail the script, and so the test.
func TestWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "base64", "cmp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README walkthrough needs bash, curl, jq, base64 and cmp, and %s is not installed", tool)
		}
	}
	steps := readWalkthrough(t, filepath.Join("..", "README.md"))
	if len(steps) < 5 {
		t.Fatalf("README.md has %d ```sh blocks under \"## Walkthrough\", want the whole walkthrough", len(steps))
	}
	script := walkthroughScript(steps)
	// The operations the walkthrough is there to show; dropping one from the
	// README fails here rather than going unnoticed.
	for _, op := range []string{"login(", "createOrgUnit(", "createUser(", "createWorkGroup(", "assign(", "locate(",
		"checkIn(", "reviewCheckIn(", "myDays(", "syncCheckIns(", "syncActivities(", "activity(",
		"openFollowUp(", "youthWork(", "submitSummary(", "reviewSummary(", "notifications(", "verdicts(", "openSeminar(",
		"recordSeminarTalk("} {
		if !strings.Contains(script, op) {
			t.Errorf("the walkthrough does not call %s", strings.TrimSuffix(op, "("))
		}
	}
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-c", script)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "ONSITE_URL="+s.URL, "ONSITE_ADMIN_PASSWORD="+s.AdminPW, "ONSITE_SECURITY_ADMIN_PASSWORD="+s.SecPW)
		cmd.WaitDelay = 5 * time.Second
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the walkthrough failed (%v) in %s\n--- output:\n%s", err, lastStep(string(out)), out)
		}
		if !strings.Contains(string(out), fmt.Sprintf("all %d steps passed", len(steps))) {
			t.Fatalf("the walkthrough stopped early\n--- output:\n%s", out)
		}
	})
}

// shellQuote quotes s for bash: nothing in it is expanded.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// lastStep returns the last "=== step" marker the script printed.
func lastStep(out string) string {
	i := strings.LastIndex(out, "=== step ")
	if i < 0 {
		return "its first line"
	}
	line, _, _ := strings.Cut(out[i+len("=== "):], "\n")
	return line
}
