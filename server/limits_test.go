package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// aliased repeats field n times under aliases a0, a1, ….
func aliased(field string, n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	return b.String() + " }"
}

// TestQueryCostLimits: a document of repeated fields is refused before
// validation, without a token; every list counts its page, so aliased
// pages of any list are refused by complexity, and more aliases than the
// limit by the document limits; one full page of each list is answered.
func TestQueryCostLimits(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	r := s.post(t, "", "{ "+strings.Repeat("__typename ", 9990)+"}", nil)
	if r.Status != 200 || r.Code() != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(r.Errors[0].Message, "limit") {
		t.Errorf("__typename ×9990: %d %.300s, want a validation error naming the limit", r.Status, r.Raw)
	}
	w := setupField(t, s)
	cadre, _ := w.cadre(t, s, "wang")
	for _, tc := range []struct {
		token, field string
	}{
		{cadre, `myCheckIns(from: "2026-01-01T00:00:00+08:00", to: "2026-04-01T00:00:00+08:00", first: 100) { edges { node { id lat lon accuracy deviceTime } } }`},
		{cadre, `checkIns(first: 100) { edges { node { id lat lon accuracy deviceTime } } }`},
		{cadre, `assignments(first: 100) { edges { node { id validFrom validTo } } }`},
		{w.sup, `workGroups(first: 100) { edges { node { id name members { id } } } }`},
	} {
		name, _, _ := strings.Cut(tc.field, "(")
		if r := s.post(t, tc.token, aliased(tc.field, 1), nil); len(r.Errors) > 0 {
			t.Errorf("%s: one page refused: %s", name, r.Raw)
		}
		if r := s.post(t, tc.token, aliased(tc.field, 20), nil); r.Code() != "COMPLEXITY_LIMIT_EXCEEDED" {
			t.Errorf("%s ×20: %.300s, want COMPLEXITY_LIMIT_EXCEEDED", name, r.Raw)
		}
		if r := s.post(t, tc.token, aliased(tc.field, 140), nil); r.Code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s ×140: %.300s, want GRAPHQL_VALIDATION_FAILED", name, r.Raw)
		}
	}
}
