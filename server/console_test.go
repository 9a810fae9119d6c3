package main

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/henan-youth/onsite/store/storetest"
)

// consoleSite is a server on a demo province and a headless Chromium
// pointed at it, shared by the console's browser tests.
type consoleSite struct {
	*testServer
	cadre   string // a demo cadre's username; its device is cadre+"-phone"
	browser context.Context
	shots   string // where screenshots go

	mu       sync.Mutex
	requests []string // every URL the browser asked for
}

// chromium is the browser executable: ONSITE_CHROMIUM, or the first of
// Debian's and others' names on PATH; "" when there is none.
func chromium() string {
	if p := os.Getenv("ONSITE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startConsole builds a demo province of about 24 cadres on SQLite as of
// today, starts the server on it and a headless Chromium. It skips when
// no Chromium exists.
func startConsole(t *testing.T) *consoleSite {
	t.Helper()
	exe := chromium()
	if exe == "" {
		t.Skip("no Chromium executable (apt-get install chromium, or set ONSITE_CHROMIUM): the console's browser tests need one")
	}
	dir := t.TempDir()
	b := storetest.Backend{Name: "sqlite"}
	b.Config.Driver, b.Config.DSN = "sqlite", filepath.Join(dir, "console.db")
	env := map[string]string{"ONSITE_DB": "sqlite", "ONSITE_DSN": b.Config.DSN, "ONSITE_ADMIN_PASSWORD": "admin-password-1",
		"ONSITE_SECURITY_ADMIN_PASSWORD": "security-password-1", "ONSITE_AUDIT_ADMIN_PASSWORD": "audit-password-1",
		"ONSITE_JWT_KEY_FILE": filepath.Join(dir, "key.pem"), "ONSITE_CONTACT_KEY_FILE": filepath.Join(dir, "ck.pem"),
		"ONSITE_BLOB_DIR": filepath.Join(dir, "blobs"), "ONSITE_METRICS_ADDR": "off"}
	var out strings.Builder
	err := runWith(context.Background(), []string{"demo", "-cadres", "24"}, func(k string) string { return env[k] }, &out, runOptions{now: time.Now})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, tail(out.String()))
	}
	site := &consoleSite{shots: os.Getenv("ONSITE_SCREENSHOTS")}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[1] == "CADRE" {
			site.cadre = f[0]
		}
	}
	if site.cadre == "" {
		t.Fatalf("the demo printed no cadre:\n%s", tail(out.String()))
	}
	if site.shots == "" {
		site.shots = t.TempDir()
	} else if err := os.MkdirAll(site.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	site.testServer = start(t, b, withEnv("ONSITE_JWT_KEY_FILE="+env["ONSITE_JWT_KEY_FILE"],
		"ONSITE_CONTACT_KEY_FILE="+env["ONSITE_CONTACT_KEY_FILE"], "ONSITE_BLOB_DIR="+env["ONSITE_BLOB_DIR"]))
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1400, 1000), chromedp.Flag("lang", "zh-CN"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start %s: %v", exe, err)
	}
	site.browser = bctx
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	return site
}

// tab opens a new tab that records its requests; it closes when the test ends.
func (s *consoleSite) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancel() })
	record := func(u string) {
		s.mu.Lock()
		s.requests = append(s.requests, u)
		s.mu.Unlock()
	}
	// The tab enables the network domain when it opens; Listen opens it.
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			record(e.Request.URL)
		case network.EventRequestWillBeSent:
			record(e.Request.URL)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

// do runs steps in ctx, failing the test with the step's name and the page's text.
func do(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, time.Minute) // a shared machine may be slow
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\npage: %.1500s", step, err, text)
	}
}

// eval evaluates a JavaScript expression in the page, awaiting a promise.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// signIn opens the console and signs in as user on device.
func (s *consoleSite) signIn(t *testing.T, ctx context.Context, user, device string) {
	t.Helper()
	do(t, ctx, "sign in as "+user,
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), "Demo-pass-2022"),
		chromedp.SetValue(chromedp.ID("device"), device),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("logout")),
	)
}

// shot saves a full-page screenshot as name.png in the screenshots folder.
func (s *consoleSite) shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	do(t, ctx, "settle", chromedp.Sleep(400*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.shots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// onlyOwnOrigin fails the test for every request to another origin than
// the server's (data: and blob: URLs are the page's own).
func (s *consoleSite) onlyOwnOrigin(t *testing.T) {
	t.Helper()
	own, _ := url.Parse(s.URL)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		t.Fatal("the network log is empty")
	}
	for _, r := range s.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Scheme != "blob" && (u.Scheme != own.Scheme || u.Host != own.Host)) {
			t.Errorf("the page requested %.120s; only %s is allowed", r, s.URL)
		}
	}
}

// TestConsole drives the console in a real browser against a real server
// on a demo province: each role's pages, what they show and change.
func TestConsole(t *testing.T) {
	s := startConsole(t)
	t.Run("supervisor map", s.supervisorMap)
	t.Run("review queue", s.reviewQueue)
	t.Run("inspector", s.inspector)
	t.Run("cadre sees only itself", s.cadreSeesOnlyItself)
	t.Run("quarter report", s.quarterReport) // closes last quarter: keep it after the others
	t.Run("own origin only", s.onlyOwnOrigin)
}

// lastQuarter is the quarter before today's in Asia/Shanghai as the
// console's period select names it, e.g. 2026-3.
func lastQuarter() string {
	now := time.Now().In(cst)
	y, q := now.Year(), (int(now.Month())-1)/3
	if q == 0 {
		y, q = y-1, 4
	}
	return fmt.Sprintf("%d-%d", y, q)
}

func (s *consoleSite) supervisorMap(t *testing.T) {
	ctx := s.tab(t)
	s.signIn(t, ctx, "sup-province", "console-test")
	do(t, ctx, "map", chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="map"]`)))
	// The quarter before this one has ended: the demo's cadres who missed it show.
	// SetValue fires input and change itself; a second change would render twice.
	do(t, ctx, "last quarter", chromedp.SetValue(chromedp.ID("period"), lastQuarter()),
		chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="map"]`)))
	coloured := eval[int](t, ctx, `document.querySelectorAll('path.county:not(.s-none)').length`)
	failing := eval[int](t, ctx, `document.querySelectorAll('path.county.s-missed, path.county.s-at_risk').length`)
	if coloured == 0 || failing == 0 {
		t.Errorf("%d counties coloured, %d of them failing; want some of each", coloured, failing)
	}
	s.shot(t, ctx, "console-map")
	// A county's cadres, then a cadre's day with its check-ins.
	do(t, ctx, "a cadre's day",
		chromedp.Click(chromedp.CSS(`#panel button[data-status="MISSED"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#panel ul.cadres button`)),
		chromedp.Click(chromedp.CSS(`#panel ul.cadres button`)),
		chromedp.WaitVisible(chromedp.CSS(`.day[data-ready="day"]`)),
	)
	if fixes := eval[int](t, ctx, `document.querySelectorAll('path.fix').length`); fixes == 0 {
		t.Error("the cadre's day shows no check-in")
	}
	s.shot(t, ctx, "console-map-day")
	// English at a click, Chinese again at another.
	do(t, ctx, "English", chromedp.Click(chromedp.ID("lang")), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="map"]`)))
	if nav := eval[string](t, ctx, `document.getElementById('nav-map').innerText`); nav != "Map" {
		t.Errorf("the English toggle shows %q", nav)
	}
	do(t, ctx, "中文", chromedp.Click(chromedp.ID("lang")), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="map"]`)))
}
