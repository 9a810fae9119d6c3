package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// validationRules returns gqlparser's rules, and outside dev mode the
// variants that suggest nothing ("Did you mean …" would spell out the
// schema's argument names, enum values and types piece by piece) and a rule
// refusing __schema. gqlgen swaps the field and leaf rules itself.
func validationRules(dev bool) func() *rules.Rules {
	return func() *rules.Rules {
		r := rules.NewDefaultRules()
		if dev {
			return r
		}
		for _, swap := range []struct {
			name string
			rule core.Rule
		}{
			{rules.KnownArgumentNamesRule.Name, rules.KnownArgumentNamesRuleWithoutSuggestions},
			{rules.KnownTypeNamesRule.Name, rules.KnownTypeNamesRuleWithoutSuggestions},
			{rules.ValuesOfCorrectTypeRule.Name, rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
		} {
			r.RemoveRule(swap.name)
			r.AddRule(swap.rule.Name, swap.rule.RuleFunc)
		}
		r.AddRule(noSchemaIntrospection.Name, noSchemaIntrospection.RuleFunc)
		return r
	}
}

// noSchemaIntrospection refuses __schema, a client mistake in production
// (the schema is published with the source), as a validation error.
var noSchemaIntrospection = core.Rule{
	Name: "NoSchemaIntrospection",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		observers.OnField(func(_ *core.Walker, f *ast.Field) {
			if f.Name == "__schema" {
				addError(core.Message("introspection is disabled on this server: the schema is schema.graphqls and graph/schema/*.graphqls"),
					core.At(f.Position))
			}
		})
	},
}

// hideTypes answers __type with null outside dev mode, as for a type that
// does not exist: a server without introspection names no types, and a
// lookup is not an error (GraphQL over HTTP expects one to succeed).
func hideTypes(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if graphql.GetRootFieldContext(ctx).Field.Name == "__type" {
		return graphql.Null
	}
	return next(ctx)
}
