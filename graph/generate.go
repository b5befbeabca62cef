// Package graph is bangfu's GraphQL layer: the gqlgen executable schema and
// its resolvers on top of the ent client.
package graph

//go:generate go run -mod=mod github.com/99designs/gqlgen generate --config ../gqlgen.yml
