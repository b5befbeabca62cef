package limits_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"bangfu/graph/limits"
)

// FuzzCheckDocument: no document panics the checks, and none takes them
// long (they are linear in the document: each fragment measured once).
func FuzzCheckDocument(f *testing.F) {
	for _, q := range []string{introspection, doubling(39), copies(50), nested(20), ors(100),
		`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
		`mutation { ...F login(email: "a@b.c", password: "x") { accessToken } } fragment F on Mutation { refreshToken(refreshToken: "t") { accessToken } }`,
		`query($w: ProductWhereInput = {not: {nameContains: "茶"}}) { products(first: 1, where: $w) { totalCount } }`} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		start := time.Now()
		_ = limits.Defaults.CheckDocument(query)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("checking a %d-byte document took %v", len(query), d)
		}
	})
}

// FuzzCheckVariables: no variables panic the input checks.
func FuzzCheckVariables(f *testing.F) {
	for _, v := range []string{`{"w": {"not": {"not": {"nameContains": "茶"}}}}`, `{"in": {"items": [{"productId": "x", "quantity": 1}]}}`,
		`{"k": "a\u0000b"}`, `{"or": [1, 2, [3, [4, {"a": null}]]]}`} {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var vars map[string]any
		if dec.Decode(&vars) != nil {
			return
		}
		_ = limits.Defaults.CheckVariables(vars)
	})
}
