package graph

import (
	"bangfu/ent"

	"github.com/99designs/gqlgen/graphql"
)

// Resolver is the root resolver; it holds the dependencies every resolver
// shares. Authorization and domain rules live in ent (schemas, hooks,
// privacy), never here.
type Resolver struct {
	client *ent.Client
}

// NewSchema builds the executable schema over an ent client.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return complexitySchema{NewExecutableSchema(Config{Resolvers: &Resolver{client: client}})}
}
