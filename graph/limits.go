package graph

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// DocumentLimits bound a GraphQL document before it is validated.
// Validation compares every pair of fields that merge into one response
// key, nested selections included, so a document of repeated fields within
// the token limit would cost seconds of CPU before any other limit applies;
// these limits keep validation, complexity and execution linear in a small
// document. A zero field takes its default.
type DocumentLimits struct {
	Fields    int // field selections, each fragment expanded where it is spread; default 2000
	Aliases   int // aliased field selections, counted like Fields; default 100
	Depth     int // nested selection sets; default 15
	Repeats   int // field selections that merge into one response key; default 10
	Fragments int // fragment definitions; default 200
}

func (l *DocumentLimits) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.Fields, 2000)
	def(&l.Aliases, 100)
	def(&l.Depth, 15)
	def(&l.Repeats, 10)
	def(&l.Fragments, 200)
}

// documentScan is the pre-validation check of a document: one parse,
// linear in its tokens, and one walk that stops at the first limit
// exceeded, so its cost is bounded by the token limit and Fields
// whatever the document. A document already in the query cache passed it.
type documentScan struct {
	limits     DocumentLimits
	tokenLimit int
	cache      graphql.Cache[*ast.QueryDocument]
}

var (
	_ graphql.HandlerExtension          = documentScan{}
	_ graphql.OperationParameterMutator = documentScan{}
)

func (documentScan) ExtensionName() string                   { return "DocumentLimits" }
func (documentScan) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses a document over a limit with code
// GRAPHQL_VALIDATION_FAILED and a message naming the limit. A document
// that does not parse passes, for the executor to report.
func (s documentScan) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	if _, ok := s.cache.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, s.tokenLimit)
	if err != nil {
		return nil
	}
	if err := s.limits.check(doc); err != nil {
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	return nil
}

// check walks every operation and every fragment definition (validation
// visits each on its own), expanding spreads, and returns the first limit
// doc exceeds, or nil.
func (l DocumentLimits) check(doc *ast.QueryDocument) *gqlerror.Error {
	if len(doc.Fragments) > l.Fragments {
		return gqlerror.Errorf("the document defines %d fragments; the limit is %d", len(doc.Fragments), l.Fragments)
	}
	w := &walk{l: l, fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		repeats: map[string]int{}, entered: map[string]bool{}}
	for _, f := range doc.Fragments {
		if w.fragments[f.Name] == nil {
			w.fragments[f.Name] = f
		}
	}
	for i, op := range doc.Operations {
		if err := w.selections(op.SelectionSet, "op"+strconv.Itoa(i), 1); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		w.entered[f.Name] = true
		err := w.selections(f.SelectionSet, "fragment "+f.Name, 1)
		w.entered[f.Name] = false
		if err != nil {
			return err
		}
	}
	return nil
}

// walk counts as it goes; repeats is keyed by the response path.
type walk struct {
	l         DocumentLimits
	fragments map[string]*ast.FragmentDefinition
	entered   map[string]bool // fragments being expanded: a cycle is left to validation
	repeats   map[string]int
	fields    int
	aliases   int
	spreads   int
}

func (w *walk) selections(set ast.SelectionSet, path string, depth int) *gqlerror.Error {
	if depth > w.l.Depth {
		return gqlerror.Errorf("the document nests selections %d deep; the limit is %d", depth, w.l.Depth)
	}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if err := w.field(sel, path, depth); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.selections(sel.SelectionSet, path, depth); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			// Every spread costs a step, so fragments spreading fragments
			// cannot make the walk longer than the limits allow.
			if w.spreads++; w.spreads > w.l.Fields {
				return gqlerror.Errorf("the document spreads fragments more than %d times, the limit", w.l.Fields)
			}
			f := w.fragments[sel.Name]
			if f == nil || w.entered[sel.Name] {
				continue
			}
			w.entered[sel.Name] = true
			err := w.selections(f.SelectionSet, path, depth)
			w.entered[sel.Name] = false
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *walk) field(f *ast.Field, path string, depth int) *gqlerror.Error {
	if w.fields++; w.fields > w.l.Fields {
		return gqlerror.Errorf("the document selects more than %d fields, the limit (fragments count where they are spread)", w.l.Fields)
	}
	name := f.Name
	if f.Alias != "" && f.Alias != f.Name {
		name = f.Alias
		if w.aliases++; w.aliases > w.l.Aliases {
			return gqlerror.Errorf("the document has more than %d aliases, the limit", w.l.Aliases)
		}
	}
	key := path + "." + name
	if w.repeats[key]++; w.repeats[key] > w.l.Repeats {
		return gqlerror.Errorf("%q is selected more than %d times in one place, the limit", name, w.l.Repeats)
	}
	if len(f.SelectionSet) == 0 {
		return nil
	}
	return w.selections(f.SelectionSet, key, depth+1)
}

// boundedCache keeps parsed documents of at most maxLen bytes: a cached
// document is held until evicted, so a client sending large distinct
// documents would otherwise fill memory with them.
type boundedCache struct {
	graphql.Cache[*ast.QueryDocument]
	maxLen int
}

func (c boundedCache) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	if len(query) <= c.maxLen {
		c.Cache.Add(ctx, query, doc)
	}
}
