package httpapi_test

import (
	"strings"
	"testing"

	"bangfu/internal/demo"
)

const loginMutation = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { email } } }`

type authPayload struct{ AccessToken, RefreshToken string }

func TestRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	srv, _ := demoServer(t)
	var first struct{ Login authPayload }
	mustData(t, post(t, srv, loginMutation, map[string]any{"e": "buyer@bangfu.example", "p": demo.Password}), &first)

	refresh := func(tok string) reply {
		return post(t, srv, `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken } }`, map[string]any{"r": tok})
	}
	var second struct{ RefreshToken authPayload }
	mustData(t, refresh(first.Login.RefreshToken), &second)
	if second.RefreshToken.RefreshToken == first.Login.RefreshToken {
		t.Fatal("refresh token was not rotated")
	}
	var me struct{ Me struct{ Email string } }
	mustData(t, postAs(t, srv, second.RefreshToken.AccessToken, `{ me { email } }`, nil), &me)
	if me.Me.Email != "buyer@bangfu.example" {
		t.Fatalf("me = %+v", me)
	}

	// Replaying the used token fails and revokes the whole family, so the
	// token issued in its place stops working too.
	if got := outcome(refresh(first.Login.RefreshToken)); got != "UNAUTHENTICATED" {
		t.Fatalf("replayed refresh token: %s", got)
	}
	if got := outcome(refresh(second.RefreshToken.RefreshToken)); got != "UNAUTHENTICATED" {
		t.Fatalf("token of a revoked family: %s", got)
	}

	// Logout revokes; the token cannot be used afterwards.
	var again struct{ Login authPayload }
	mustData(t, post(t, srv, loginMutation, map[string]any{"e": "buyer@bangfu.example", "p": demo.Password}), &again)
	mustData(t, post(t, srv, `mutation($r: String!) { logout(refreshToken: $r) }`, map[string]any{"r": again.Login.RefreshToken}), &struct{}{})
	if got := outcome(refresh(again.Login.RefreshToken)); got != "UNAUTHENTICATED" {
		t.Fatalf("refresh after logout: %s", got)
	}
	if got := outcome(refresh("made-up")); got != "UNAUTHENTICATED" {
		t.Fatalf("unknown refresh token: %s", got)
	}
}

func TestFailedLoginsAreThrottled(t *testing.T) {
	t.Parallel()
	srv, _ := demoServer(t)
	attempt := func(pw string) reply {
		return post(t, srv, loginMutation, map[string]any{"e": "auditor@bangfu.example", "p": pw})
	}
	for i := 0; i < 5; i++ {
		r := attempt("wrong password")
		if outcome(r) != "UNAUTHENTICATED" || !strings.Contains(r.raw, "wrong email or password") {
			t.Fatalf("attempt %d: %s", i, r.raw)
		}
	}
	// Locked now: even the right password is refused, with a retry time.
	r := attempt(demo.Password)
	if outcome(r) != "UNAUTHENTICATED" || !strings.Contains(r.raw, "retryAfter") {
		t.Fatalf("locked account: %s", r.raw)
	}
	// Unknown accounts answer exactly like wrong passwords.
	u := post(t, srv, loginMutation, map[string]any{"e": "nobody@bangfu.example", "p": "whatever-password"})
	if outcome(u) != "UNAUTHENTICATED" || !strings.Contains(u.raw, "wrong email or password") {
		t.Fatalf("unknown account: %s", u.raw)
	}
}

func TestOperationLimits(t *testing.T) {
	t.Parallel()
	srv, _ := demoServer(t)
	deep := `query A { regions(first: 1) { edges { node { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } } } }`
	var aliases strings.Builder
	aliases.WriteString("query A { ")
	for i := 0; i < 31; i++ {
		aliases.WriteString("a" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + ": __typename ")
	}
	aliases.WriteString("}")
	ops := `query A { __typename } query B { __typename } query C { __typename } query D { __typename } query E { __typename } query F { __typename }`
	for name, q := range map[string]string{"depth": deep, "aliases": aliases.String(), "operations": ops} {
		t.Run(name, func(t *testing.T) {
			body := `{"query":` + quote(q) + `,"operationName":"A"}`
			r := send(t, srv, "POST", "/graphql", "application/json", "application/graphql-response+json", []byte(body))
			if outcome(r) != "BAD_USER_INPUT" || r.status != 400 {
				t.Fatalf("%d %s", r.status, r.raw)
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
	srv, _ := demoServer(t)
	const q = `query IntrospectionQuery { __schema { queryType { name } mutationType { name } types { ...FullType } directives { name locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } isDeprecated } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }`
	var data struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	mustData(t, post(t, srv, q, nil), &data)
	if len(data.Schema.Types) < 50 {
		t.Fatalf("introspection returned %d types", len(data.Schema.Types))
	}
}
