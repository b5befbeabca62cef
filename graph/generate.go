// Package graph is bangfu's GraphQL layer: the gqlgen executable schema and
// its resolvers on top of the ent client. Regenerate with `go generate ./...`
// from the repository root.
package graph
