// Package ent holds the generated ent client for bangfu's domain graph.
// Regenerate with `go generate ./...` from the repository root.
package ent
