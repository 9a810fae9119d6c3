// Command activity measures recordActivity with a photo against checkIn on
// the same server, cadres and duration: N cadres in 兰考县, each recording
// forums with one photo of -photo-bytes (a fresh one each time, so the
// content-addressed store writes every one) as fast as answered, then the
// same cadres sending check-ins for as long. It prints throughput and
// latency of both and their ratio (docs/performance.md). With -store-dir,
// on the server's host, it first measures the photo store alone as the
// baseline: as many writers storing fresh photos of the same size in a
// local-directory store there (blob.Dir.Put: SHA-256, a synced file, its
// directory synced) with no HTTP and no database.
//
//	go run ./bench/activity -url http://127.0.0.1:8080 -admin-password … -cadres 50 -duration 20s -store-dir /tmp/store-baseline
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/henan-youth/onsite/blob"
)

// lankao is a point inside 兰考县 (GCJ-02).
var lankao = [2]float64{114.820572, 34.829899}

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "the server")
	adminPW := flag.String("admin-password", os.Getenv("ONSITE_ADMIN_PASSWORD"), "admin password")
	cadres := flag.Int("cadres", 50, "concurrent cadres")
	duration := flag.Duration("duration", 20*time.Second, "length of each phase")
	photoBytes := flag.Int("photo-bytes", 2<<20, "size of the photo sent with each activity")
	storeDir := flag.String("store-dir", "", "measure the photo store alone in this directory first (emptied after)")
	flag.Parse()
	c := &client{url: *url, http: &http.Client{Timeout: 60 * time.Second}}
	if *storeDir != "" {
		if err := storeBaseline(*storeDir, *cadres, *duration, *photoBytes); err != nil {
			fmt.Fprintln(os.Stderr, "activity bench:", err)
			os.Exit(1)
		}
	}
	if err := run(c, *adminPW, *cadres, *duration, *photoBytes); err != nil {
		fmt.Fprintln(os.Stderr, "activity bench:", err)
		os.Exit(1)
	}
}

func run(c *client, adminPW string, n int, d time.Duration, photoBytes int) error {
	tokens, err := setup(c, adminPW, n)
	if err != nil {
		return err
	}
	base := photo(photoBytes)
	acts := phase(tokens, d, func(i, seq int, tok string) error {
		in := map[string]any{"clientId": fmt.Sprintf("bench-%d-%d", i, seq), "kind": "FORUM_YOUTH",
			"lat": lankao[1], "lon": lankao[0] + float64(seq%50)*1e-5, "accuracy": 15, "coordSystem": "GCJ02",
			"deviceTime": time.Now().UTC().Format(time.RFC3339Nano), "topic": "青年座谈", "participants": 20, "hostOrganisation": "共青团兰考县委"}
		return c.multipart(tok, `mutation($in: ActivityInput!) { recordActivity(input: $in) { activity { id } } }`, in, unique(base))
	})
	checks := phase(tokens, d, func(i, seq int, tok string) error {
		in := map[string]any{"clientId": fmt.Sprintf("bench-ci-%d-%d", i, seq), "lat": lankao[1] + float64(i)*1e-5,
			"lon": lankao[0] + float64(seq%50)*1e-5, "accuracy": 15, "coordSystem": "GCJ02", "deviceTime": time.Now().UTC().Format(time.RFC3339Nano)}
		return c.gql(tok, `mutation($in: CheckInInput!) { checkIn(input: $in) { checkIn { id } } }`, map[string]any{"in": in}, nil)
	})
	fmt.Printf("%d cadres, %v a phase, %d-byte photo\n", n, d, photoBytes)
	fmt.Printf("%-24s %8s %8s %10s %10s %8s\n", "operation", "ok", "errors", "p50", "p99", "per s")
	acts.print("recordActivity + photo", d)
	checks.print("checkIn", d)
	fmt.Printf("ratio recordActivity/checkIn: throughput %.3f, p99 %.2f×\n",
		float64(len(acts.lat))/float64(max(1, len(checks.lat))), float64(acts.pct(0.99))/float64(max(1, checks.pct(0.99))))
	if acts.errs > 0 || checks.errs > 0 {
		return fmt.Errorf("%d and %d requests failed; first: %v", acts.errs, checks.errs, firstErr(acts, checks))
	}
	return nil
}

// storeBaseline stores fresh photos with n writers in a local-directory
// store at dir for d and prints their throughput and latency.
func storeBaseline(dir string, n int, d time.Duration, photoBytes int) error {
	store, err := blob.OpenDir(dir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	base := photo(photoBytes)
	r := phase(make([]string, n), d, func(_, _ int, _ string) error {
		_, _, err := store.Put(context.Background(), bytes.NewReader(unique(base)), 8<<20)
		return err
	})
	fmt.Printf("%-24s %8d %8d %10v %10v %8.1f\n", "store alone (Dir.Put)", len(r.lat), r.errs, r.pct(0.5).Round(100*time.Microsecond),
		r.pct(0.99).Round(100*time.Microsecond), float64(len(r.lat))/d.Seconds())
	return firstErr(r)
}

// result is one phase's latencies and errors.
type result struct {
	mu    sync.Mutex
	lat   []time.Duration
	errs  int
	first error
}

func (r *result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func (r *result) print(name string, d time.Duration) {
	fmt.Printf("%-24s %8d %8d %10v %10v %8.1f\n", name, len(r.lat), r.errs, r.pct(0.5).Round(100*time.Microsecond),
		r.pct(0.99).Round(100*time.Microsecond), float64(len(r.lat))/d.Seconds())
}

func firstErr(rs ...*result) error {
	for _, r := range rs {
		if r.first != nil {
			return r.first
		}
	}
	return nil
}

// phase runs send for every cadre in a closed loop for d.
func phase(tokens []string, d time.Duration, send func(i, seq int, tok string) error) *result {
	r := &result{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Go(func() {
			for seq := 0; time.Now().Before(end); seq++ {
				start := time.Now()
				err := send(i, seq, tok)
				took := time.Since(start)
				r.mu.Lock()
				if err != nil {
					r.errs++
					if r.first == nil {
						r.first = err
					}
				} else {
					r.lat = append(r.lat, took)
				}
				r.mu.Unlock()
			}
		})
	}
	wg.Wait()
	return r
}

// photo returns a JPEG of about size bytes: noise compresses badly, so the
// encoder keeps the size.
func photo(size int) []byte {
	side := 64
	for {
		img := image.NewRGBA(image.Rect(0, 0, side, side))
		noise := make([]byte, side*side*3)
		rand.Read(noise)
		for y := range side {
			for x := range side {
				k := 3 * (y*side + x)
				img.Set(x, y, color.RGBA{noise[k], noise[k+1], noise[k+2], 255})
			}
		}
		var buf bytes.Buffer
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
		if buf.Len() >= size || side >= 4096 {
			return buf.Bytes()
		}
		side = side * 3 / 2
	}
}

// unique returns the JPEG with a fresh comment segment, so its SHA-256 is
// new and the store writes it.
func unique(jpg []byte) []byte {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	seg := append([]byte{0xFF, 0xFE, 0, 18}, nonce...)
	return append(append(append([]byte(nil), jpg[:2]...), seg...), jpg[2:]...)
}

// client talks GraphQL over HTTP.
type client struct {
	url  string
	http *http.Client
}

func (c *client) gql(tok, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, tok, out)
}

func (c *client) multipart(tok, query string, in map[string]any, file []byte) error {
	in["photos"] = []any{nil}
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"in": in}})
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("operations", string(ops))
	w.WriteField("map", `{"0": ["variables.in.photos.0"]}`)
	part, _ := w.CreateFormFile("0", "forum.jpg")
	part.Write(file)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.url+"/graphql", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req, tok, nil)
}

func (c *client) do(req *http.Request, tok string, out any) error {
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("%d: %.200s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s", r.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

// setup creates an org unit and n cadres assigned to 兰考县, each signed
// in on its own device, and returns their access tokens.
func setup(c *client, adminPW string, n int) ([]string, error) {
	var login struct{ Login struct{ AccessToken string } }
	const signIn = `mutation($u: String!, $p: String!, $d: String!) { login(username: $u, password: $p, deviceId: $d) { accessToken } }`
	if err := c.gql("", signIn, map[string]any{"u": "admin", "p": adminPW, "d": "bench"}, &login); err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	admin := login.Login.AccessToken
	run := fmt.Sprintf("actbench-%d", time.Now().UnixNano())
	var unit struct{ CreateOrgUnit struct{ ID string } }
	if err := c.gql(admin, `mutation($c: String!) { createOrgUnit(input: {code: $c, name: $c, kind: CITY, parentId: "1"}) { id } }`,
		map[string]any{"c": run}, &unit); err != nil {
		return nil, err
	}
	var regs struct {
		Regions struct {
			Edges []struct{ Node struct{ ID, Code string } }
		}
	}
	if err := c.gql(admin, `{ regions(kind: COUNTY, cityCode: "410200", first: 50) { edges { node { id code } } } }`, nil, &regs); err != nil {
		return nil, err
	}
	lankaoID := ""
	for _, e := range regs.Regions.Edges {
		if e.Node.Code == "410225" {
			lankaoID = e.Node.ID
		}
	}
	if lankaoID == "" {
		return nil, fmt.Errorf("兰考县 (410225) is not among the server's regions")
	}
	tokens := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("%s-%d", run, i)
		var u struct{ CreateUser struct{ ID string } }
		if err := c.gql(admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": name, "password": "bench-pass-123", "role": "CADRE", "orgUnitId": unit.CreateOrgUnit.ID}}, &u); err != nil {
			return nil, err
		}
		if err := c.gql(admin, `mutation($u: ID!, $r: ID!) { assign(input: {userId: $u, regionId: $r, validFrom: "2000-01-01"}) { id } }`,
			map[string]any{"u": u.CreateUser.ID, "r": lankaoID}, nil); err != nil {
			return nil, err
		}
		// A password set by an administrator is changed at first sign-in;
		// then the cadre signs in again with its own.
		if err := c.gql("", signIn, map[string]any{"u": name, "p": "bench-pass-123", "d": name + "-phone"}, &login); err != nil {
			return nil, err
		}
		if err := c.gql(login.Login.AccessToken, `mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }`,
			map[string]any{"o": "bench-pass-123", "n": "bench-own-pass-456"}, nil); err != nil {
			return nil, fmt.Errorf("changePassword %s: %w", name, err)
		}
		if err := c.gql("", signIn, map[string]any{"u": name, "p": "bench-own-pass-456", "d": name + "-phone"}, &login); err != nil {
			return nil, err
		}
		tokens[i] = login.Login.AccessToken
	}
	return tokens, nil
}
