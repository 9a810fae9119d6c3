package graph

//go:generate go run github.com/99designs/gqlgen generate

// Resolver is the root resolver. It holds the services the resolvers call;
// it has no state of its own.
type Resolver struct {
	deps Deps
}
