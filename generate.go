// Package bangfu is the GraphQL backend for consumption assistance
// (消费帮扶). The code lives in ent/, graph/, internal/, server/ and seed/;
// this file only drives code generation, in order: ent (with the entgql
// schema) first, then gqlgen on top of it.
package bangfu

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate --config gqlgen.yml
