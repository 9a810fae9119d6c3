package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// reviewQueue: a supervisor confirms a pending check-in with a reason and
// the cadre's day at its county counts one check-in more.
func (s *consoleSite) reviewQueue(t *testing.T) {
	ctx := s.tab(t)
	s.signIn(t, ctx, "sup-province", "console-test")
	do(t, ctx, "review queue", chromedp.Click(chromedp.ID("nav-review")), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="review"]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('#queue-list li[data-kind="checkin"][data-region="1"]').length`); n == 0 {
		t.Fatal("no pending check-in with a county in the queue")
	}
	do(t, ctx, "a pending check-in",
		chromedp.Click(chromedp.CSS(`#queue-list li[data-kind="checkin"][data-region="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#day-count[data-count]`)),
		chromedp.WaitVisible(chromedp.CSS(`.mini-map path.fix`)))
	s.shot(t, ctx, "console-review")
	before := eval[string](t, ctx, `document.getElementById('day-count').dataset.count`)
	// The keyboard: c without a reason asks for one and focuses the box.
	do(t, ctx, "c without a reason", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("c"))
	if focused := eval[string](t, ctx, `document.activeElement.id`); focused != "reason" {
		t.Errorf("c without a reason left the focus on %q, want the reason box", focused)
	}
	do(t, ctx, "confirm",
		chromedp.SendKeys(chromedp.ID("reason"), "现场核实，位于县界附近"),
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.ID("decided")))
	after := eval[string](t, ctx, `document.getElementById('decided').dataset.after`)
	was := eval[string](t, ctx, `document.getElementById('decided').dataset.before`)
	if was != before || after == "" || after == before {
		t.Errorf("the day counted %s check-ins before and %s (%s) after the confirmation; want one more", before, after, was)
	}
}

// inspector: the discipline group draws a spot check and records a
// finding on a sampled cadre-day.
func (s *consoleSite) inspector(t *testing.T) {
	ctx := s.tab(t)
	s.signIn(t, ctx, "jiwei-1", "console-inspector")
	do(t, ctx, "inspectors' page", chromedp.Click(chromedp.ID("nav-inspect")), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="inspect"]`)))
	do(t, ctx, "draw", chromedp.Click(chromedp.ID("draw-submit")), chromedp.WaitVisible(chromedp.CSS(`#draw-out .ok`)),
		chromedp.WaitVisible(chromedp.CSS(`#sample-table button[data-item]`)))
	do(t, ctx, "record a finding", chromedp.SendKeys(chromedp.CSS(`#sample-table input`), "电话回访属实"),
		chromedp.Click(chromedp.CSS(`#sample-table button[data-item]`)), chromedp.WaitVisible(chromedp.CSS(`#sample-table .recorded`)),
		chromedp.WaitVisible(chromedp.CSS(`#finding-table`)))
	if text := eval[string](t, ctx, `document.getElementById('finding-table').innerText`); !strings.Contains(text, "电话回访属实") {
		t.Errorf("the findings do not list the new one: %q", text)
	}
	if size := eval[string](t, ctx, `document.getElementById('ckpt-size').innerText`); size == "" || size == "0" {
		t.Errorf("checkpoint size %q", size)
	}
	s.shot(t, ctx, "console-inspect")
}

// cadreSeesOnlyItself: a cadre signed in on its bound device sees its own
// county and day, and no other cadre's name on any page.
func (s *consoleSite) cadreSeesOnlyItself(t *testing.T) {
	ctx := s.tab(t)
	s.signIn(t, ctx, s.cadre, s.cadre+"-phone")
	do(t, ctx, "map", chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="map"]`)))
	others := []string{}
	for _, u := range []string{"office-01", "office-02", "org-01", "school-01", "school-02"} {
		if u != s.cadre {
			others = append(others, u)
		}
	}
	for _, page := range []string{"map", "review", "inspect", "report"} {
		// A new hash keeps the page, and the session in its memory.
		do(t, ctx, page, chromedp.Evaluate[chromedp.Void](`location.hash = '#/`+page+`'`), chromedp.Sleep(500*time.Millisecond))
		eval[bool](t, ctx, `new Promise((ok) => { const f = () => document.body.innerText.includes('加载中') ? setTimeout(f, 100) : ok(true); f() })`)
		text := eval[string](t, ctx, `document.body.innerText`)
		for _, o := range others {
			if strings.Contains(text, o) {
				t.Errorf("the cadre's %s page shows %s", page, o)
			}
		}
		if page == "inspect" && !strings.Contains(text, "无权") {
			t.Errorf("the cadre's inspect page does not say it is forbidden: %.300s", text)
		}
	}
	s.shot(t, ctx, "console-cadre")
}
