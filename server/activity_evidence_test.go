package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/internal/testimage"
	"github.com/henan-youth/onsite/photo"
	"github.com/henan-youth/onsite/store/storetest"
)

// upload is one file of a multipart request.
type upload struct {
	name string
	data []byte
}

// postFiles sends a GraphQL multipart request (the multipart request
// convention): the files become variables.in.photos.
func (s *testServer) postFiles(t *testing.T, token, query string, vars map[string]any, files []upload) *gqlResponse {
	t.Helper()
	in := vars["in"].(map[string]any)
	nulls := make([]any, len(files))
	in["photos"] = nulls
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	m := map[string][]string{}
	for i := range files {
		m[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.in.photos.%d", i)}
	}
	mapping, _ := json.Marshal(m)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("operations", string(ops))
	w.WriteField("map", string(mapping))
	for i, f := range files {
		part, _ := w.CreateFormFile(fmt.Sprint(i), f.name)
		part.Write(f.data)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &gqlResponse{Status: resp.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("response is not JSON (%d): %.300s", resp.StatusCode, raw)
	}
	return out
}

// getPhoto fetches a photo with the token; it returns the status and bytes.
func (s *testServer) getPhoto(t *testing.T, token, url string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// forum is a forum with ordinary youths at p, recorded at device.
func forum(id string, p orb.Point, device time.Time) map[string]any {
	return map[string]any{"clientId": id, "kind": "FORUM_YOUTH", "lat": p[1], "lon": p[0], "accuracy": 15, "coordSystem": "GCJ02",
		"deviceTime": device.Format(time.RFC3339Nano), "topic": "青年创业座谈", "participants": 23, "hostOrganisation": "共青团兰考县委"}
}

const recordForum = `mutation($in: ActivityInput!) { recordActivity(input: $in) {
  activity { id status flags { code value limit } photos { sha256 url contentType takenAt } } } }`

type forumOut struct {
	RecordActivity struct {
		Activity struct {
			ID, Status string
			Flags      []struct {
				Code         string
				Value, Limit float64
			}
			Photos []struct{ Sha256, URL, ContentType string }
		}
	}
}

// TestForumPhotos: a forum's photo is checked by its content and its EXIF:
// one taken where and when the forum was is kept and the forum needs no
// review; one whose GPS is 50 km away is flagged for a reviewer; a PDF
// named .png is refused. The photo is served with its GPS to reviewers,
// without it to the cadre, and not at all to another cadre.
func TestForumPhotos(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 10, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "forumhost")
		other, _ := w.cadre(t, s, "othercadre")
		here := wgs(t, lankaoGCJ)
		taken := func(d time.Duration) string { return s.clock.Now().Add(d).In(cst).Format("2006:01:02 15:04:05") }
		good := testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: here[1], Lon: here[0], Taken: taken(-20 * time.Minute), Offset: "+08:00"}))
		far := testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: here[1] + 0.45, Lon: here[0], Taken: taken(0), Offset: "+08:00"}))

		var ok forumOut
		s.postFiles(t, tok, recordForum, map[string]any{"in": forum("f-1", lankaoGCJ, s.clock.Now())}, []upload{{"IMG_1.jpg", good}}).into(t, &ok)
		a := ok.RecordActivity.Activity
		if a.Status != "RECORDED" || len(a.Flags) != 0 || len(a.Photos) != 1 || a.Photos[0].ContentType != "image/jpeg" {
			t.Fatalf("forum with a matching photo: %+v, want RECORDED, no flags, one JPEG", a)
		}
		var flagged forumOut
		s.postFiles(t, tok, recordForum, map[string]any{"in": forum("f-2", near(lankaoGCJ, 3), s.clock.Now())}, []upload{{"IMG_2.jpg", far}}).into(t, &flagged)
		f := flagged.RecordActivity.Activity
		if f.Status != "PENDING" || len(f.Flags) != 1 || f.Flags[0].Code != "PHOTO_LOCATION_MISMATCH" || f.Flags[0].Value < 45_000 || f.Flags[0].Limit != 1000 {
			t.Errorf("forum with a photo 50 km away: %+v, want PENDING with PHOTO_LOCATION_MISMATCH ≈ 50 km", f)
		}
		pdf := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		if r := s.postFiles(t, tok, recordForum, map[string]any{"in": forum("f-3", near(lankaoGCJ, 4), s.clock.Now())}, []upload{{"photo.png", pdf}}); r.Code() != "INVALID" {
			t.Errorf("a PDF named photo.png: %s, want INVALID", r.Raw)
		}
		if r := s.post(t, tok, recordForum, map[string]any{"in": forum("f-4", near(lankaoGCJ, 5), s.clock.Now())}); r.Code() != "INVALID" {
			t.Errorf("a forum without photos: %s, want INVALID", r.Raw)
		}

		url := a.Photos[0].URL
		for _, c := range []struct {
			who     string
			token   string
			status  int
			withGPS bool
		}{{"the cadre", tok, 200, false}, {"its supervisor", w.sup, 200, true}, {"another cadre", other, 404, false}} {
			status, body := s.getPhoto(t, c.token, url)
			if status != c.status {
				t.Errorf("%s fetching the photo: %d, want %d", c.who, status, c.status)
				continue
			}
			if status != 200 {
				continue
			}
			meta, err := photo.Inspect(body, cst)
			if err != nil || meta.HasGPS != c.withGPS || meta.Taken.IsZero() {
				t.Errorf("%s got a photo with GPS %v (taken %v, %v), want GPS %v and the time kept", c.who, meta.HasGPS, meta.Taken, err, c.withGPS)
			}
		}
	})
}

// TestIntervieweeContactProtected: an interviewee's number is encrypted at
// rest — absent from the SQLite file's bytes and the server's log — shown
// in clear to the cadre who recorded it and masked to its supervisor;
// revealed to the discipline group only with a reason, the reveal listed
// with who and why; and erased by the retention command after three years
// while the activity stays.
func TestIntervieweeContactProtected(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 10, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "caller")
		inspector := inspectorToken(t, s, w)
		in := interview("iv-phone", lankaoGCJ, s.clock.Now())
		in["interviewee"].(map[string]any)["phone"] = "138 1234 5678"
		if r := s.post(t, tok, recordActivity, map[string]any{"in": in}); r.Code() != "INVALID" || strings.Contains(r.Raw, "5678") {
			t.Errorf("a number without consent: %s, want INVALID without the number", r.Raw)
		}
		in["interviewee"].(map[string]any)["phoneConsent"] = true
		var rec activityOut
		s.post(t, tok, recordActivity, map[string]any{"in": in}).into(t, &rec)
		iv := rec.RecordActivity.Activity.Interviewee
		if iv == nil || iv.Phone == nil || *iv.Phone != "+8613812345678" {
			t.Fatalf("the recorder sees %+v, want the number in clear", iv)
		}
		shown := func(tok string) string {
			var out struct {
				Activity struct{ Interviewee struct{ Phone *string } }
			}
			s.post(t, tok, `query($id: ID!) { activity(id: $id) { interviewee { phone } } }`, map[string]any{"id": rec.RecordActivity.Activity.ID}).into(t, &out)
			return deref(out.Activity.Interviewee.Phone)
		}
		if got := shown(w.sup); got != "138****5678" {
			t.Errorf("the supervisor sees %q, want 138****5678", got)
		}
		reveal := `mutation($id: ID!, $r: String!) { revealContact(intervieweeId: $id, reason: $r) }`
		if r := s.post(t, w.sup, reveal, map[string]any{"id": iv.ID, "r": "check"}); r.Code() != "FORBIDDEN" {
			t.Errorf("a supervisor's reveal: %s, want FORBIDDEN", r.Raw)
		}
		if r := s.post(t, inspector, reveal, map[string]any{"id": iv.ID, "r": " "}); r.Code() != "INVALID" {
			t.Errorf("a reveal without a reason: %s, want INVALID", r.Raw)
		}
		var got struct{ RevealContact string }
		s.post(t, inspector, reveal, map[string]any{"id": iv.ID, "r": "随机抽查回访"}).into(t, &got)
		if got.RevealContact != "+8613812345678" {
			t.Errorf("revealed %q, want the number", got.RevealContact)
		}
		var reveals struct {
			Activity struct {
				Interviewee struct{ Reveals []struct{ By, Reason string } }
			}
		}
		s.post(t, w.sup, `query($id: ID!) { activity(id: $id) { interviewee { reveals { by reason } } } }`,
			map[string]any{"id": rec.RecordActivity.Activity.ID}).into(t, &reveals)
		if rs := reveals.Activity.Interviewee.Reveals; len(rs) != 1 || rs[0].Reason != "随机抽查回访" || rs[0].By == "" {
			t.Errorf("reveals: %+v, want the one reveal with its reason", rs)
		}

		for _, raw := range []string{"13812345678", "8613812345678", "138 1234 5678"} {
			if strings.Contains(s.logs.String(), raw) {
				t.Errorf("the server's log holds %q", raw)
			}
			if b.Name == "sqlite" {
				for _, f := range []string{b.Config.DSN, b.Config.DSN + "-wal"} {
					data, _ := os.ReadFile(f)
					if bytes.Contains(data, []byte(raw)) {
						t.Errorf("%s holds %q", f, raw)
					}
				}
			}
		}

		s.clock.Set(at(2029, 11, 3, 10, 0))
		var out bytes.Buffer
		env := map[string]string{"ONSITE_DB": b.Config.Driver, "ONSITE_DSN": b.Config.DSN,
			"ONSITE_JWT_KEY_FILE": t.TempDir() + "/k.pem", "ONSITE_CONTACT_KEY_FILE": t.TempDir() + "/c.pem", "ONSITE_BLOB_DIR": t.TempDir()}
		err := runWith(context.Background(), []string{"erase-contacts"}, func(k string) string { return env[k] }, &out,
			runOptions{now: s.clock.Now})
		if err != nil || !strings.Contains(out.String(), "erased the contacts of 1 interviewees") {
			t.Fatalf("erase-contacts: %v\n%s", err, out.String())
		}
		tok = s.login(t, "caller", "password-1", "caller-phone").Login.AccessToken // three years on: a new session
		if got := shown(tok); got != "<nil>" {
			t.Errorf("after retention the recorder sees %q, want no number", got)
		}
		if a := s.activity(t, tok, rec.RecordActivity.Activity.ID); a.ID == "" {
			t.Error("the activity is gone after retention")
		}
	})
}

// inspectorToken creates a discipline inspector and signs it in.
func inspectorToken(t *testing.T, s *testServer, w *fieldWorld) string {
	t.Helper()
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": "inspector", "password": initialPassword, "role": "DISCIPLINE", "orgUnitId": "1"}}).into(t, &struct{}{})
	return s.activate(t, "inspector", "password-1", "inspector-laptop").Login.AccessToken
}
