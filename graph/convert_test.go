package graph

import (
	"errors"
	"fmt"
	"testing"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }

// TestPage: a missing first is the store's default (0), an explicit 0 is
// out of range (-1) rather than the default, and after passes through.
func TestPage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first *int
		after *string
		want  store.Page
	}{
		{"nothing", nil, nil, store.Page{}},
		{"first 5", intp(5), nil, store.Page{First: 5}},
		{"first 0 is not the default", intp(0), nil, store.Page{First: -1}},
		{"first negative", intp(-3), nil, store.Page{First: -3}},
		{"first over the maximum", intp(1000), nil, store.Page{First: 1000}},
		{"after", nil, strp("aWQ6Nw"), store.Page{After: "aWQ6Nw"}},
		{"both", intp(2), strp("aWQ6Nw"), store.Page{First: 2, After: "aWQ6Nw"}},
	} {
		if got := page(tc.first, tc.after); got != tc.want {
			t.Errorf("%s: page = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestPageInfo(t *testing.T) {
	for _, tc := range []struct {
		in         store.PageInfo
		wantNext   bool
		wantCursor *string
	}{
		{store.PageInfo{}, false, nil},
		{store.PageInfo{HasNextPage: true, EndCursor: "c"}, true, strp("c")},
		{store.PageInfo{EndCursor: "c"}, false, strp("c")},
	} {
		got := pageInfo(tc.in)
		if got.HasNextPage != tc.wantNext || (got.EndCursor == nil) != (tc.wantCursor == nil) ||
			(got.EndCursor != nil && *got.EndCursor != *tc.wantCursor) {
			t.Errorf("pageInfo(%+v) = %+v, want next %v cursor %v", tc.in, got, tc.wantNext, tc.wantCursor)
		}
	}
}

// TestEdgesCursors: each edge's cursor is the store's cursor of its row id,
// in row order, so a client can continue after any edge.
func TestEdgesCursors(t *testing.T) {
	rows := []*models.User{{ID: 7, Username: "a"}, {ID: 12, Username: "b"}}
	conn := userConn(rows, store.PageInfo{HasNextPage: true, EndCursor: store.Cursor(12)})
	if len(conn.Edges) != 2 {
		t.Fatalf("got %d edges, want 2", len(conn.Edges))
	}
	for i, e := range conn.Edges {
		if got, want := e.Cursor, store.Cursor(rows[i].ID); got != want || e.Node != rows[i] {
			t.Errorf("edge %d: cursor %q node %v, want %q node %v", i, got, e.Node, want, rows[i])
		}
	}
	if got := *conn.PageInfo.EndCursor; got != conn.Edges[1].Cursor {
		t.Errorf("end cursor %q, want the last edge's %q", got, conn.Edges[1].Cursor)
	}
}

func TestNilIfNotFound(t *testing.T) {
	u := &models.User{ID: 1}
	cause := errors.New("connection reset")
	for _, tc := range []struct {
		name    string
		v       *models.User
		err     error
		wantV   *models.User
		wantErr error
	}{
		{"found", u, nil, u, nil},
		{"not found is null", nil, models.E(models.CodeNotFound, "no user 9"), nil, nil},
		{"wrapped not found is null", nil, fmt.Errorf("loading: %w", models.E(models.CodeNotFound, "no user 9")), nil, nil},
		{"forbidden stays an error", nil, models.ErrForbidden, nil, models.ErrForbidden},
		{"other errors stay", nil, cause, nil, cause},
	} {
		gotV, gotErr := nilIfNotFound(tc.v, tc.err)
		if gotV != tc.wantV || gotErr != tc.wantErr {
			t.Errorf("%s: got (%v, %v), want (%v, %v)", tc.name, gotV, gotErr, tc.wantV, tc.wantErr)
		}
	}
}

// TestEffectiveStatus: a review overrides the stored status either way.
func TestEffectiveStatus(t *testing.T) {
	confirm := &models.Review{Decision: models.ReviewConfirm}
	reject := &models.Review{Decision: models.ReviewReject}
	for _, tc := range []struct {
		stored models.CheckInStatus
		review *models.Review
		want   models.CheckInStatus
	}{
		{models.CheckInAccepted, nil, models.CheckInAccepted},
		{models.CheckInPending, nil, models.CheckInPending},
		{models.CheckInPending, confirm, models.CheckInConfirmed},
		{models.CheckInPending, reject, models.CheckInRejected},
		{models.CheckInAccepted, reject, models.CheckInRejected},
		{models.CheckInAccepted, confirm, models.CheckInConfirmed},
	} {
		if got := effectiveStatus(&models.CheckIn{Status: tc.stored}, tc.review); got != tc.want {
			t.Errorf("effectiveStatus(%s, %v) = %s, want %s", tc.stored, tc.review, got, tc.want)
		}
	}
}

// TestSimplifyGeoJSON: no tolerance returns the stored text unchanged; a
// tolerance out of range is INVALID; a positive one drops vertices.
func TestSimplifyGeoJSON(t *testing.T) {
	const square = `{"type":"Polygon","coordinates":[[[114,34],[114.5,34.0000001],[115,34],[115,35],[114,35],[114,34]]]}`
	f := func(x float64) *float64 { return &x }
	for _, tc := range []struct {
		name      string
		tolerance *float64
		wantCode  models.Code
		wantSame  bool
	}{
		{"nil", nil, "", true},
		{"zero", f(0), "", true},
		{"negative", f(-1), models.CodeInvalid, false},
		{"too large", f(100_001), models.CodeInvalid, false},
		{"100 m", f(100), "", false},
	} {
		got, err := simplifyGeoJSON(square, tc.tolerance)
		if tc.wantCode != "" {
			if models.CodeOf(err) != tc.wantCode {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.wantCode)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if same := got == square; same != tc.wantSame {
			t.Errorf("%s: got %s, want unchanged %v", tc.name, got, tc.wantSame)
		}
		if !tc.wantSame && len(got) >= len(square) {
			t.Errorf("%s: got %s, want fewer vertices than %s", tc.name, got, square)
		}
	}
	if _, err := simplifyGeoJSON("not json", f(10)); models.CodeOf(err) != models.CodeInternal {
		t.Errorf("undecodable stored geometry: got %v, want INTERNAL", err)
	}
}
