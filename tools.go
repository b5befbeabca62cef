//go:build tools

// Package tools pins the code generators run by go generate, so that
// `go run -mod=mod` uses the versions recorded in go.mod.
package tools

import (
	_ "entgo.io/contrib/entgql"
	_ "entgo.io/ent/cmd/ent"
	_ "github.com/99designs/gqlgen"
)
