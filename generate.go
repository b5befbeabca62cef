// Package bangfu is the GraphQL backend for consumption assistance
// (消费帮扶). The code lives in ent/, graph/, internal/, server/ and seed/;
// this file only drives code generation, in order: ent (with the entgql
// schema) first, then gqlgen on top of it (through graph/codegen, which
// adds one plugin to gqlgen's generate).
package bangfu

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod ./graph/codegen
