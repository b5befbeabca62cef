package limits_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"bangfu/graph/limits"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Hostile documents, as a prober sent them, and a few legitimate ones.
var (
	// Each fragment spreads the one before twice: 2^39 fields once
	// expanded, in 1.9 KB.
	doubling = func(levels int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "{ ...G%d } fragment G0 on Query { __typename }", levels)
		for i := 1; i <= levels; i++ {
			fmt.Fprintf(&b, " fragment G%d on Query { ...G%d ...G%d __typename }", i, i-1, i-1)
		}
		return b.String()
	}
	copies = func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " products(first: %d) { totalCount }", i%100)
		}
		b.WriteString(" }")
		return b.String()
	}
	repeat = func(n int, s string) string { return "{" + strings.Repeat(" "+s, n) + " }" }
	nested = func(n int) string {
		return "{ products(first: 1, where: " + strings.Repeat("{not: ", n) + "{nameContains: \"茶\"}" + strings.Repeat("}", n) + ") { totalCount } }"
	}
	ors = func(n int) string {
		return "{ products(first: 1, where: {or: [" + strings.Repeat(`{nameContains: "茶"},`, n) + "]}) { totalCount } }"
	}
	introspection = `query IntrospectionQuery { __schema { queryType { name } mutationType { name } types { ...FullType } directives { name locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } isDeprecated } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }`
)

// numbered repeats format n times, numbering each copy.
func numbered(n int, format string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

func code(err *gqlerror.Error) string {
	if err == nil {
		return "ok"
	}
	c, _ := err.Extensions["code"].(string)
	return c
}

func TestCheckDocument(t *testing.T) {
	t.Parallel()
	l := limits.Defaults
	for _, tc := range []struct {
		name, query, want string
	}{
		{"fragment doubling, 39 levels", doubling(39), limits.CodeRepeats},
		{"fragment doubling, 3 levels", doubling(3), limits.CodeRepeats},
		{"1,600 distinct fields", "{" + numbered(1600, " f%d") + " }", limits.CodeSelections},
		{"2,000 copies of a connection", copies(2000), limits.CodeTokens},
		{"1,000 copies of a connection", copies(1000), limits.CodeSelections},
		{"11 copies of a connection", copies(11), limits.CodeRepeats},
		{"20,000 duplicated fields", repeat(20_000, "__typename"), limits.CodeTokens},
		{"20,000 @skip directives", repeat(20_000, "__typename @skip(if: false)"), limits.CodeTokens},
		{"51 directives", "{" + numbered(51, " f%d @include(if: true)") + " }", limits.CodeDirectives},
		{"not nested 5,000 deep", nested(5000), limits.CodeTokens},
		{"not nested 11 deep", nested(11), limits.CodeInput},
		{"a 30,000-way or", ors(30_000), limits.CodeTokens},
		{"a 2,100-way or", ors(2100), limits.CodeInput},
		{"NUL in a string", `{ products(first: 1, where: {nameContains: "a\u0000b"}) { totalCount } }`, "BAD_USER_INPUT"},
		{"101 fragments", "{ __typename }" + numbered(101, " fragment F%d on Query { __typename }"), limits.CodeFragments},
		{"six operations", "query A { __typename } query B { __typename } query C { __typename } query D { __typename } query E { __typename } query F { __typename }", limits.CodeOperations},
		{"31 aliases", "{" + numbered(31, " a%d: __typename") + " }", limits.CodeAliases},
		{"two logins", `mutation { a: login(email: "a@b.c", password: "x") { accessToken } b: login(email: "a@b.c", password: "y") { accessToken } }`, limits.CodeSignIns},
		{"a login and a refresh through a fragment", `mutation { ...F login(email: "a@b.c", password: "x") { accessToken } } fragment F on Mutation { refreshToken(refreshToken: "t") { accessToken } }`, limits.CodeSignIns},
		{"a fragment that spreads itself", `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, "GRAPHQL_VALIDATION_FAILED"},
		{"syntax error", `{ products(first: 1) { `, "GRAPHQL_PARSE_FAILED"},
		{"GraphiQL's introspection", introspection, "ok"},
		{"one login", `mutation { login(email: "a@b.c", password: "x") { accessToken } }`, "ok"},
		{"ten copies", copies(10), "ok"},
		{"not nested 8 deep", nested(8), "ok"},
		{"fragment doubling, 2 levels", doubling(2), "ok"},
		{"50 directives", "{" + numbered(50, " f%d @include(if: true)") + " }", "ok"},
	} {
		start := time.Now()
		err := l.CheckDocument(tc.query)
		if got := code(err); got != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: checking took %v", tc.name, d)
		}
	}
}

func TestCheckVariables(t *testing.T) {
	t.Parallel()
	l := limits.Defaults
	deep := func(n int) any {
		var v any = map[string]any{"nameContains": "茶"}
		for i := 0; i < n; i++ {
			v = map[string]any{"not": v}
		}
		return v
	}
	wide := func(n int) any {
		list := make([]any, n)
		for i := range list {
			list[i] = map[string]any{"nameContains": "茶"}
		}
		return map[string]any{"or": list}
	}
	for _, tc := range []struct {
		name string
		vars map[string]any
		want string
	}{
		{"not nested 5,000 deep", map[string]any{"w": deep(5000)}, limits.CodeInput},
		{"a 30,000-way or", map[string]any{"w": wide(30_000)}, limits.CodeInput},
		{"NUL in a value", map[string]any{"key": "order\x00key"}, "BAD_USER_INPUT"},
		{"NUL in a key", map[string]any{"w": map[string]any{"a\x00": 1}}, "BAD_USER_INPUT"},
		{"not UTF-8", map[string]any{"q": "\xff\xfe"}, "BAD_USER_INPUT"},
		{"a cart of 100 items", map[string]any{"in": map[string]any{"items": func() []any {
			items := make([]any, 100)
			for i := range items {
				items[i] = map[string]any{"productId": "UHJvZHVjdDox", "quantity": json.Number("1")}
			}
			return items
		}()}}, "ok"},
		{"a filter 8 deep", map[string]any{"w": deep(8)}, "ok"},
	} {
		if got := code(l.CheckVariables(tc.vars)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestCapErrors(t *testing.T) {
	t.Parallel()
	var errs gqlerror.List
	for i := 0; i < 495_000; i++ {
		errs = append(errs, gqlerror.Errorf("error %d", i))
	}
	got := limits.CapErrors(errs, 20)
	if len(got) != 20 || got[19].Extensions["code"] != limits.CodeErrors || !strings.Contains(got[19].Message, "494981 more") {
		t.Fatalf("capped to %d, last %v", len(got), got[len(got)-1])
	}
	if short := limits.CapErrors(errs[:3], 20); len(short) != 3 {
		t.Fatalf("a short list was changed: %d", len(short))
	}
}
