package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"bangfu/graph/limits"
	"bangfu/internal/apitest"
)

// TestHostileDocuments sends, through the real handler, the documents a
// probe used to stall the server, and expects each refused with its code
// before validation, fast.
func TestHostileDocuments(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	doubling := func(levels int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "{ ...G%d } fragment G0 on Query { __typename }", levels)
		for i := 1; i <= levels; i++ {
			fmt.Fprintf(&b, " fragment G%d on Query { ...G%d ...G%d __typename }", i, i-1, i-1)
		}
		return b.String()
	}
	copies := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " products(first: %d) { totalCount }", i%100)
		}
		return b.String() + " }"
	}
	deepNot := func(n int) any {
		var v any = map[string]any{"nameContains": "茶"}
		for i := 0; i < n; i++ {
			v = map[string]any{"not": v}
		}
		return v
	}
	wideOr := func(n int) any {
		list := make([]any, n)
		for i := range list {
			list[i] = map[string]any{"nameContains": "茶"}
		}
		return map[string]any{"or": list}
	}
	const filtered = `query($w: ProductWhereInput) { products(first: 1, where: $w) { totalCount } }`
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		code  string
	}{
		{"fragment doubling (39 levels)", doubling(39), nil, limits.CodeRepeats},
		{"2,000 copies of a connection", copies(2000), nil, limits.CodeTokens},
		{"1,000 copies of a connection", copies(1000), nil, limits.CodeSelections},
		{"20,000 duplicated fields", "{" + strings.Repeat(" __typename", 20_000) + " }", nil, limits.CodeTokens},
		{"20,000 @skip directives", "{" + strings.Repeat(" __typename @skip(if: false)", 20_000) + " }", nil, limits.CodeTokens},
		{"not nested 5,000 deep in the document", "{ products(first: 1, where: " + strings.Repeat("{not: ", 5000) + "{nameContains: \"茶\"}" + strings.Repeat("}", 5000) + ") { totalCount } }", nil, limits.CodeTokens},
		{"not nested 5,000 deep in a variable", filtered, map[string]any{"w": deepNot(5000)}, limits.CodeInput},
		{"and nested 20 deep in a variable", filtered, map[string]any{"w": deepNot(20)}, limits.CodeInput},
		{"a 30,000-way or in the document", "{ products(first: 1, where: {or: [" + strings.Repeat(`{nameContains: "茶"},`, 30_000) + "]}) { totalCount } }", nil, limits.CodeTokens},
		{"a 30,000-way or in a variable", filtered, map[string]any{"w": wideOr(30_000)}, limits.CodeInput},
		{"30 aliased logins", "mutation {" + func() string {
			var b strings.Builder
			for i := 0; i < 30; i++ {
				fmt.Fprintf(&b, ` l%d: login(email: "admin@bangfu.example", password: "guess-%d") { accessToken }`, i, i)
			}
			return b.String()
		}() + " }", nil, limits.CodeSignIns},
		{"101 fragments", "{ __typename }" + strings.Repeat(" fragment F on Query { __typename }", 1) + func() string {
			var b strings.Builder
			for i := 0; i < 101; i++ {
				fmt.Fprintf(&b, " fragment F%d on Query { __typename }", i)
			}
			return b.String()
		}(), nil, limits.CodeFragments},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			body, _ := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
			r := srv.Anonymous().Send(http.MethodPost, "/graphql", "application/json", "application/graphql-response+json", body)
			if r.Status != http.StatusBadRequest || r.Code() != tc.code {
				t.Fatalf("%d %s, want 400 %s", r.Status, truncate(r.Raw), tc.code)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
}

// TestErrorsAreCapped: a document with hundreds of faults answers with
// twenty errors, the last saying how many more there were.
func TestErrorsAreCapped(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, " nope%d", i)
	}
	b.WriteString(" }")
	r := srv.Anonymous().Do(b.String(), nil)
	codes := r.Codes()
	if r.Status != http.StatusBadRequest || len(codes) != limits.Defaults.MaxErrors || codes[len(codes)-1] != limits.CodeErrors {
		t.Fatalf("%d errors (%v)", len(codes), codes[len(codes)-1:])
	}
	if !strings.Contains(r.Errors[len(r.Errors)-1].Message, "281 more") {
		t.Errorf("last error: %s", r.Errors[len(r.Errors)-1].Message)
	}
}

// TestBadValuesAreBadInput: values the database cannot take, and argument
// combinations that mean nothing, are the caller's mistake.
func TestBadValuesAreBadInput(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	buyer := srv.SignIn("buyer@bangfu.example")
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = apitest.GlobalID(t, "Region", 1<<32+1+i)
	}
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		code  string
	}{
		{"NUL in nameContains (literal)", `{ products(first: 1, where: {nameContains: "茶\u0000"}) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"NUL in nameContains (variable)", `query($w: ProductWhereInput) { products(first: 1, where: $w) { totalCount } }`, map[string]any{"w": map[string]any{"nameContains": "茶\x00"}}, "BAD_USER_INPUT"},
		{"NUL in numberContains", `query($w: HouseholdWhereInput) { households(first: 1, where: $w) { totalCount } }`, map[string]any{"w": map[string]any{"numberContains": "53\x00"}}, "BAD_USER_INPUT"},
		{"NUL in idempotencyKey", `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`, map[string]any{"in": map[string]any{"idempotencyKey": "key\x00-000001", "items": []any{}}}, "BAD_USER_INPUT"},
		{"first and last", `{ products(first: 1, last: 1) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"101 IDs for nodes", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, "BAD_USER_INPUT"},
		{"nodes weighed by its IDs", `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Region { children(first: 100) { edges { node { children(first: 100) { totalCount } } } } } } }`, map[string]any{"ids": ids[:3]}, limits.CodeComplexity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := buyer.Do(tc.query, tc.vars)
			if r.Code() != tc.code {
				t.Fatalf("%s, want %s", truncate(r.Raw), tc.code)
			}
			for _, e := range r.Errors {
				if strings.HasPrefix(e.Message, "input:") {
					t.Errorf("message carries the parser's position prefix: %q", e.Message)
				}
			}
		})
	}
}

// TestProductionExposesLess: in production, no GraphiQL, no introspection
// (refused with a code, not an internal error), and no "Did you mean"
// suggestions that map the schema for a prober.
func TestProductionExposesLess(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t, func(s *apitest.Setup) { s.HTTP.Production, s.HTTP.Introspection = true, false })
	if r := srv.Anonymous().Send(http.MethodGet, "/", "", "text/html", nil); r.Status != http.StatusNotFound {
		t.Errorf("GraphiQL in production: %d", r.Status)
	}
	r := srv.Anonymous().Do(`{ __schema { types { name } } }`, nil)
	if r.Code() != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(r.Errors[0].Message, "introspection is disabled") {
		t.Errorf("introspection in production: %s", r.Raw)
	}
	srv.Anonymous().Do(`{ __typename }`, nil).Must(t, nil)
	r = srv.Anonymous().Do(`{ product(first: 1) { totalCount } }`, nil)
	if r.Code() != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(r.Raw, "Did you mean") {
		t.Errorf("suggestions in production: %s", r.Raw)
	}
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
