package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/store/storetest"
)

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient is a graphql-transport-ws connection to the test server; its
// messages other than pings and pongs arrive on msgs.
type wsClient struct {
	conn *websocket.Conn
	msgs chan wsMessage
	err  chan error // the read error that ended the connection
}

// dialWS opens a graphql-transport-ws connection to /graphql and sends
// connection_init with payload.
func dialWS(t *testing.T, s *testServer, payload map[string]any) *wsClient {
	t.Helper()
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{conn: conn, msgs: make(chan wsMessage, 64), err: make(chan error, 1)}
	go func() {
		for {
			var m wsMessage
			if err := wsjson.Read(ctx, conn, &m); err != nil {
				c.err <- err
				close(c.msgs)
				return
			}
			if m.Type != "ping" && m.Type != "pong" {
				c.msgs <- m
			}
		}
	}()
	c.send(t, wsMessage{Type: "connection_init", Payload: mustJSON(t, payload)})
	return c
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (c *wsClient) send(t *testing.T, m wsMessage) {
	t.Helper()
	if err := wsjson.Write(context.Background(), c.conn, m); err != nil {
		t.Fatal(err)
	}
}

// next returns the next message; the bound only keeps a broken server
// from hanging the test.
func (c *wsClient) next(t *testing.T) (wsMessage, bool) {
	t.Helper()
	select {
	case m, ok := <-c.msgs:
		return m, ok
	case <-time.After(30 * time.Second):
		t.Fatal("no message from the server")
	}
	return wsMessage{}, false
}

type notificationOut struct {
	ID, Kind, Title, Body, RefType, RefID string
}

// nextNotification returns the next notificationAdded event of
// subscription id, skipping those of kind skip.
func (c *wsClient) nextNotification(t *testing.T, id, skip string) (notificationOut, wsMessage) {
	t.Helper()
	for {
		m, ok := c.next(t)
		if !ok {
			t.Fatalf("the connection ended: %v", <-c.err)
		}
		if m.ID != id || m.Type != "next" {
			return notificationOut{}, m
		}
		var p struct {
			Data struct{ NotificationAdded notificationOut }
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Data.NotificationAdded.Kind != skip {
			return p.Data.NotificationAdded, m
		}
	}
}

const subscribeNotifications = `subscription { notificationAdded { id kind title body refType refId } }`

// subscribed subscribes c as id and returns once the subscription
// delivers: the server sends READY notifications to user until one arrives.
func (c *wsClient) subscribed(t *testing.T, s *testServer, id string, user int64) {
	t.Helper()
	c.send(t, wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(t, map[string]any{"query": subscribeNotifications})})
	for {
		if err := s.app.notify.Notify(context.Background(), user, "READY", "ready", ""); err != nil {
			t.Fatal(err)
		}
		select {
		case m, ok := <-c.msgs:
			if !ok || m.Type != "next" {
				t.Fatalf("subscribing: %+v, %v", m, ok)
			}
			return
		case <-time.After(2 * time.Second): // not yet subscribed when that one was delivered: send another
		}
	}
}

// TestSubscriptionReceivesReturned: a cadre's open subscription receives
// the "summary returned" notification; the WebSocket needs a valid token,
// carries subscriptions only, and ends a subscription whose session was
// revoked; subscriptions are not served over HTTP.
func TestSubscriptionReceivesReturned(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 12, 20, 9, 0)))
		w := setupField(t, s)
		li, liID := w.cadre(t, s, "li")
		var uid int64
		fmt.Sscan(liID, &uid)

		refused := dialWS(t, s, map[string]any{"Authorization": "Bearer not-a-token"})
		if _, ok := refused.next(t); ok {
			t.Error("a connection with a bad token was acknowledged")
		}
		if err := <-refused.err; websocket.CloseStatus(err) != 4401 {
			t.Errorf("a bad token: %v, want close code 4401", err)
		}

		c := dialWS(t, s, map[string]any{"Authorization": "Bearer " + li})
		if m, _ := c.next(t); m.Type != "connection_ack" {
			t.Fatalf("init: %+v, want connection_ack", m)
		}
		c.send(t, wsMessage{ID: "q", Type: "subscribe", Payload: mustJSON(t, map[string]any{"query": "{ me { username } }"})})
		if m, _ := c.next(t); m.ID != "q" || m.Type != "next" || !strings.Contains(string(m.Payload), "subscriptions only") {
			t.Errorf("a query over the WebSocket: %+v, want refused", m)
		}
		if m, _ := c.next(t); m.ID != "q" || m.Type != "complete" {
			t.Errorf("after the refusal: %+v, want complete", m)
		}
		c.subscribed(t, s, "1", uid)

		s.post(t, li, `mutation { submitSummary(input: {clientId: "s-1", year: 2026, quarter: 4, text: "本季度小结"}) { summary { id } } }`, nil).into(t, &struct{}{})
		id := s.summaryOf(t, li, "", 2026, 4).ID
		s.post(t, w.sup, reviewSummary, map[string]any{"id": id, "d": "RETURN", "c": "请补充数据"}).into(t, &struct{}{})
		n, m := c.nextNotification(t, "1", "READY")
		if n.Kind != "SUMMARY_RETURNED" || n.RefType != "summary" || n.RefID != id || !strings.Contains(n.Body, "请补充数据") {
			t.Fatalf("received %+v (%+v), want the summary returned", n, m)
		}

		if r := s.post(t, li, subscribeNotifications, nil); r.Status != http.StatusBadRequest || r.Code() != "INVALID" {
			t.Errorf("a subscription over HTTP: %d %s, want 400 INVALID", r.Status, r.Raw)
		}

		// The session ends: the subscription ends with UNAUTHENTICATED
		// at its next event.
		s.post(t, li, `mutation { logoutEverywhere }`, nil).into(t, &struct{}{})
		if err := s.app.notify.Notify(context.Background(), uid, "AFTER", "after", ""); err != nil {
			t.Fatal(err)
		}
		_, m = c.nextNotification(t, "1", "READY")
		if m.Type != "error" || !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
			t.Errorf("after logoutEverywhere: %+v, want the subscription ended UNAUTHENTICATED", m)
		}
	})
}

// TestRemindersOnTwoServers: of two servers on one database the holder of
// the scheduler's lease sends the reminders; each cadre who has not
// submitted gets each reminder once, however often the scheduler runs; when
// the holder stops the other takes over and sends the overdue reminders.
func TestRemindersOnTwoServers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		clock := testclock.New(at(2027, 1, 8, 9, 0))                                    // 2026Q4 and 2026's report are due on 01-10
		keys := withEnv("ONSITE_JWT_KEY_FILE=" + filepath.Join(t.TempDir(), "key.pem")) // one deployment: tokens work on both
		s1 := start(t, b, withTestClock(clock), keys)
		w := setupField(t, s1)
		li, _ := w.cadre(t, s1, "li")
		wang, _ := w.cadre(t, s1, "wang")
		s1.post(t, wang, submitSummary, summaryInput("w-1", "按时提交")).into(t, &struct{}{})
		s2 := start(t, b, withTestClock(clock), keys)
		ctx := context.Background()
		for i := range 2 {
			if ran, err := s1.app.scheduler.RunOnce(ctx); !ran || err != nil {
				t.Fatalf("run %d on the holder: ran=%v %v", i, ran, err)
			}
			if ran, err := s2.app.scheduler.RunOnce(ctx); ran || err != nil {
				t.Fatalf("run %d on the other server: ran=%v %v", i, ran, err)
			}
		}
		if kinds := inboxKinds(t, s1, li); fmt.Sprint(kinds) != "[SUMMARY_DUE SUMMARY_DUE]" {
			t.Errorf("li: %v, want one reminder for the quarter's summary and one for the year's report", kinds)
		}
		if kinds := inboxKinds(t, s1, wang); fmt.Sprint(kinds) != "[SUMMARY_DUE]" {
			t.Errorf("wang, who submitted the quarter's: %v, want the year's report only", kinds)
		}
		if err := s1.stop(); err != nil {
			t.Fatal(err)
		}
		clock.Set(at(2027, 1, 11, 9, 0))
		for range 2 {
			if ran, err := s2.app.scheduler.RunOnce(ctx); !ran || err != nil {
				t.Fatalf("after the holder stopped: ran=%v %v", ran, err)
			}
		}
		var inbox struct {
			Notifications struct {
				Edges []struct{ Node struct{ Kind, Title string } }
			}
		}
		s2.post(t, li, `{ notifications(unreadOnly: true) { edges { node { kind title } } } }`, nil).into(t, &inbox)
		var got []string
		for _, e := range inbox.Notifications.Edges {
			got = append(got, e.Node.Kind+" "+e.Node.Title)
		}
		want := []string{"SUMMARY_OVERDUE 2026年度书面报告已逾期（截止2027-01-10）", "SUMMARY_OVERDUE 2026年第4季度工作小结已逾期（截止2027-01-10）",
			"SUMMARY_DUE 2026年度书面报告请于2027-01-10前提交", "SUMMARY_DUE 2026年第4季度工作小结请于2027-01-10前提交"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("li's inbox:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var marked struct{ MarkRead int }
		s2.post(t, li, `mutation { markRead(all: true) }`, nil).into(t, &marked)
		var unread struct{ UnreadNotifications int }
		s2.post(t, li, `{ unreadNotifications }`, nil).into(t, &unread)
		if marked.MarkRead != 4 || unread.UnreadNotifications != 0 {
			t.Errorf("marked %d, %d unread after; want 4 and 0", marked.MarkRead, unread.UnreadNotifications)
		}
	})
}
