// Package ent holds the generated ent client for bangfu's domain graph.
package ent

//go:generate go run -mod=mod entc.go
