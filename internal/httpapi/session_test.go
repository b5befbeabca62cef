package httpapi_test

import (
	"strings"
	"testing"

	"bangfu/internal/apitest"
	"bangfu/internal/demo"
)

const loginMutation = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { email } } }`

type authPayload struct{ AccessToken, RefreshToken string }

func TestRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	var first struct{ Login authPayload }
	srv.Anonymous().Do(loginMutation, map[string]any{"e": "buyer@bangfu.example", "p": demo.Password}).Must(t, &first)

	refresh := func(tok string) apitest.Response {
		return srv.Anonymous().Do(`mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken } }`, map[string]any{"r": tok})
	}
	var second struct{ RefreshToken authPayload }
	refresh(first.Login.RefreshToken).Must(t, &second)
	if second.RefreshToken.RefreshToken == first.Login.RefreshToken {
		t.Fatal("refresh token was not rotated")
	}
	var me struct{ Me struct{ Email string } }
	srv.As(second.RefreshToken.AccessToken).Do(`{ me { email } }`, nil).Must(t, &me)
	if me.Me.Email != "buyer@bangfu.example" {
		t.Fatalf("me = %+v", me)
	}

	// Replaying the used token fails and revokes the whole family, so the
	// token issued in its place stops working too.
	if got := refresh(first.Login.RefreshToken).Code(); got != "UNAUTHENTICATED" {
		t.Fatalf("replayed refresh token: %s", got)
	}
	if got := refresh(second.RefreshToken.RefreshToken).Code(); got != "UNAUTHENTICATED" {
		t.Fatalf("token of a revoked family: %s", got)
	}

	// Logout revokes; the token cannot be used afterwards.
	var again struct{ Login authPayload }
	srv.Anonymous().Do(loginMutation, map[string]any{"e": "buyer@bangfu.example", "p": demo.Password}).Must(t, &again)
	srv.Anonymous().Do(`mutation($r: String!) { logout(refreshToken: $r) }`, map[string]any{"r": again.Login.RefreshToken}).Must(t, &struct{}{})
	if got := refresh(again.Login.RefreshToken).Code(); got != "UNAUTHENTICATED" {
		t.Fatalf("refresh after logout: %s", got)
	}
	if got := refresh("made-up").Code(); got != "UNAUTHENTICATED" {
		t.Fatalf("unknown refresh token: %s", got)
	}
}

func TestFailedLoginsAreThrottled(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	attempt := func(pw string) apitest.Response {
		return srv.Anonymous().Do(loginMutation, map[string]any{"e": "auditor@bangfu.example", "p": pw})
	}
	for i := 0; i < 5; i++ {
		r := attempt("wrong password")
		if r.Code() != "UNAUTHENTICATED" || !strings.Contains(r.Raw, "wrong email or password") {
			t.Fatalf("attempt %d: %s", i, r.Raw)
		}
	}
	// Locked now: even the right password is refused, with a retry time.
	r := attempt(demo.Password)
	if r.Code() != "UNAUTHENTICATED" || !strings.Contains(r.Raw, "retryAfter") {
		t.Fatalf("locked account: %s", r.Raw)
	}
	// Unknown accounts answer exactly like wrong passwords.
	u := srv.Anonymous().Do(loginMutation, map[string]any{"e": "nobody@bangfu.example", "p": "whatever-password"})
	if u.Code() != "UNAUTHENTICATED" || !strings.Contains(u.Raw, "wrong email or password") {
		t.Fatalf("unknown account: %s", u.Raw)
	}
}

func TestOperationLimits(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	deep := `query A { regions(first: 1) { edges { node { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } } } }`
	var aliases strings.Builder
	aliases.WriteString("query A { ")
	for i := 0; i < 31; i++ {
		aliases.WriteString("a" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + ": __typename ")
	}
	aliases.WriteString("}")
	ops := `query A { __typename } query B { __typename } query C { __typename } query D { __typename } query E { __typename } query F { __typename }`
	for _, tc := range []struct{ name, query, code string }{
		{"depth", deep, "DEPTH_LIMIT_EXCEEDED"},
		{"aliases", aliases.String(), "ALIAS_LIMIT_EXCEEDED"},
		{"operations", ops, "OPERATION_LIMIT_EXCEEDED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"query":` + quote(tc.query) + `,"operationName":"A"}`
			r := srv.Anonymous().Send("POST", "/graphql", "application/json", "application/graphql-response+json", []byte(body))
			if r.Code() != tc.code || r.Status != 400 {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
		})
	}
}

func quote(s string) string {
	b := strings.Builder{}
	b.WriteByte('"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	b.WriteByte('"')
	return b.String()
}

// TestIntrospectionPassesLimits: GraphiQL's full introspection query (its
// type references nest far deeper than the depth limit) must still work.
func TestIntrospectionPassesLimits(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	const q = `query IntrospectionQuery { __schema { queryType { name } mutationType { name } types { ...FullType } directives { name locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } isDeprecated } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }`
	var data struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	srv.Anonymous().Do(q, nil).Must(t, &data)
	if len(data.Schema.Types) < 50 {
		t.Fatalf("introspection returned %d types", len(data.Schema.Types))
	}
}
