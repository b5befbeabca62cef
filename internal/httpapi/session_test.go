package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"bangfu/ent/user"
	"bangfu/internal/apitest"
	"bangfu/internal/auth"
	"bangfu/internal/demo"
	"bangfu/internal/store/storetest"
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

// TestFailedLoginsAreThrottled: five failures from one client lock that
// client out of the account; the owner, from elsewhere, still signs in;
// and every failure (unknown email, wrong password, locked, disabled)
// answers exactly alike.
func TestFailedLoginsAreThrottled(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	attacker, owner := srv.Anonymous().From("203.0.113.7"), srv.Anonymous().From("198.51.100.20")
	const email = "auditor@bangfu.example"
	refusal := ""
	refused := func(r apitest.Response, what string) {
		t.Helper()
		if r.Code() != "UNAUTHENTICATED" || strings.Contains(r.Raw, "retryAfter") {
			t.Fatalf("%s: %s", what, r.Raw)
		}
		if refusal == "" {
			refusal = r.Errors[0].Message
		}
		if r.Errors[0].Message != refusal {
			t.Fatalf("%s answers %q, unlike %q", what, r.Errors[0].Message, refusal)
		}
	}
	for i := 0; i < 5; i++ {
		refused(attacker.Login(email, "wrong password").Response, "a wrong password")
	}
	refused(attacker.Login(email, demo.Password).Response, "the right password from the locked-out client")
	owner.Login(email, demo.Password).Must(t)
	refused(attacker.Login("nobody@bangfu.example", "whatever-password").Response, "an unknown account")
	sys := storetest.AsSystem()
	srv.DB.Client.User.Update().Where(user.Email("coordinator@bangfu.example")).SetStatus(user.StatusDISABLED).ExecX(sys)
	refused(owner.Login("coordinator@bangfu.example", demo.Password).Response, "a disabled account with its right password")
}

// TestConcurrentWrongLoginsLock: forty wrong guesses sent at once are
// counted before any password is checked, one atomic statement each, so
// the sixth locks the account for that client and the rest are refused
// without a password check.
func TestConcurrentWrongLoginsLock(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	attacker := srv.Anonymous().From("203.0.113.9")
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if r := attacker.Login("admin@bangfu.example", fmt.Sprintf("guess-%02d", i)).Response; r.Code() != "UNAUTHENTICATED" {
				t.Errorf("guess %d: %s", i, r.Raw)
			}
		}(i)
	}
	wg.Wait()
	if r := attacker.Login("admin@bangfu.example", demo.Password).Response; r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("the right password after 40 concurrent guesses: %s", r.Raw)
	}
	th := srv.DB.Client.SignInThrottle.Query().OnlyX(storetest.AsSystem())
	if th.Failures <= 5 || th.LockedUntil == nil {
		t.Fatalf("throttle after 40 guesses: %d failures, locked until %v", th.Failures, th.LockedUntil)
	}
	srv.Anonymous().From("198.51.100.21").Login("admin@bangfu.example", demo.Password).Must(t)
}

// TestSignInRateLimits: with the server's own burst, a client that signs
// in too fast is told to wait (RATE_LIMITED, Retry-After), others are not.
// The refill is slowed to one an hour: on a loaded machine the burst's
// password checks can take longer than the default refill (one per 6 s).
func TestSignInRateLimits(t *testing.T) {
	t.Parallel()
	rates := auth.DefaultRates
	rates.PerClient = rate.Every(time.Hour)
	srv := apitest.ServeDemo(t, func(s *apitest.Setup) { s.App.SignInRates = rates })
	fast := srv.Anonymous().From("203.0.113.11")
	for i := 0; i < auth.DefaultRates.PerClientBurst; i++ {
		if r := fast.Login(fmt.Sprintf("user%d@bangfu.example", i), "wrong password").Response; r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("sign-in %d within the burst: %s", i, r.Raw)
		}
	}
	r := fast.Login("buyer@bangfu.example", demo.Password).Response
	if r.Code() != auth.CodeRateLimited || r.Header.Get("Retry-After") == "" || r.Errors[0].Extensions["retryAfter"] == nil {
		t.Fatalf("sign-in beyond the burst: %v %s", r.Header, r.Raw)
	}
	srv.Anonymous().From("198.51.100.22").Login("buyer@bangfu.example", demo.Password).Must(t)
}

// TestConcurrentRefreshHasOneWinner: ten refreshes of one token sent at
// once yield one new sign-in chain; the others are replays, which revoke
// the sign-in, so even the winner's new tokens stop working.
func TestConcurrentRefreshHasOneWinner(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	session := srv.Anonymous().Login("buyer@bangfu.example", demo.Password).Must(t)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []authPayload
	)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got struct{ RefreshToken authPayload }
			r := srv.Anonymous().Do(`mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken } }`, map[string]any{"r": session.RefreshToken})
			if r.Code() == "ok" {
				r.Must(t, &got)
				mu.Lock()
				winners = append(winners, got.RefreshToken)
				mu.Unlock()
			} else if r.Code() != "UNAUTHENTICATED" {
				t.Errorf("a losing refresh: %s", r.Raw)
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d refreshes of one token succeeded, want 1", len(winners))
	}
	if r := srv.As(winners[0].AccessToken).Do(`{ me { email } }`, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("the winner's access token after the replays: %d %s", r.Status, r.Raw)
	}
}

// TestSignInEndsAtOnce: an access token stops working the moment its
// sign-in ends (logout, or the account disabled), not when it expires.
func TestSignInEndsAtOnce(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	session := srv.Anonymous().Login("buyer@bangfu.example", demo.Password).Must(t)
	me := func(token string) apitest.Response { return srv.As(token).Do(`{ me { email } }`, nil) }
	me(session.AccessToken).Must(t, nil)
	srv.Anonymous().Do(`mutation($r: String!) { logout(refreshToken: $r) }`, map[string]any{"r": session.RefreshToken}).Must(t, nil)
	if r := me(session.AccessToken); r.Status != http.StatusUnauthorized || r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("access token after logout: %d %s", r.Status, r.Raw)
	}

	other := srv.Anonymous().Login("supplier@bangfu.example", demo.Password).Must(t)
	me(other.AccessToken).Must(t, nil)
	admin := srv.SignIn("admin@bangfu.example")
	admin.Do(`mutation($id: ID!) { setUserStatus(userId: $id, status: DISABLED) { status } }`, map[string]any{"id": other.User.ID}).Must(t, nil)
	if r := me(other.AccessToken); r.Status != http.StatusUnauthorized {
		t.Fatalf("access token of a disabled account: %d %s", r.Status, r.Raw)
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
