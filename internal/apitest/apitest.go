// Package apitest drives bangfu's real HTTP handler in tests: a server
// over a test database (Serve, ServeDemo) and a client that speaks GraphQL
// over HTTP as one user (Client), with typed operations for the flows
// tests walk, so that a test reads as the specification it checks:
//
//	srv := apitest.ServeDemo(t)
//	buyer := srv.SignIn("buyer@bangfu.example")
//	orders := buyer.PlaceOrder(apitest.Cart{Key: "cart-0001", Items: ...}).Must(t)
//	buyer.Step(orders[0].ID, apitest.Settle).WantCode(t, "CONFLICT")
//
// The typed operations are the named operations of operations.graphql,
// which TestOperationsMatchSchema validates against the schema.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"bangfu/ent"
	"bangfu/internal/app"
	"bangfu/internal/auth"
	"bangfu/internal/demo"
	"bangfu/internal/gid"
	"bangfu/internal/httpapi"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

// Server is the real handler over a test database.
type Server struct {
	*httptest.Server
	DB       *store.DB
	Services *app.Services
	t        testing.TB
}

// Setup is what a test server is built from. By default tests may sign in
// as fast as they like (all their requests come from one address; the
// rate limits have tests of their own), and the loopback address is a
// trusted proxy, so a client can speak for other addresses (Client.From).
type Setup struct {
	App  app.Config
	HTTP httpapi.Options
	// ProbeHealth runs the database health probe, as the server does.
	ProbeHealth bool
}

// Option changes the setup before the server is built.
type Option func(*Setup)

// Serve serves db through the real handler; it stops when the test ends.
func Serve(t testing.TB, db *store.DB, opts ...Option) *Server {
	t.Helper()
	health, err := db.Health()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { health.Close() })
	var setup Setup
	for _, opt := range opts {
		opt(&setup)
	}
	if setup.ProbeHealth {
		ctx, stop := context.WithCancel(context.Background())
		t.Cleanup(stop)
		go health.Run(ctx)
	}
	s := ServeClient(t, db.Client, append([]Option{func(s *Setup) { s.HTTP.Health = health }}, opts...)...)
	s.DB = db
	return s
}

// ServeClient serves an ent client (one over an instrumented driver, say)
// through the real handler.
func ServeClient(t testing.TB, client *ent.Client, opts ...Option) *Server {
	t.Helper()
	setup := Setup{
		App: app.Config{RefreshTTL: time.Hour, SignInRates: auth.Rates{PerClient: rate.Inf, Global: rate.Inf}},
		HTTP: httpapi.Options{Log: QuietLog(t), Introspection: true,
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}},
	}
	for _, opt := range opts {
		opt(&setup)
	}
	services, err := app.New(client, setup.App)
	if err != nil {
		t.Fatal(err)
	}
	o := setup.HTTP
	o.Services = services
	srv := httptest.NewServer(httpapi.New(o))
	t.Cleanup(srv.Close)
	// Subscriptions outlive the requests httptest waits for: let them end
	// before the test does, so none logs into a finished test.
	t.Cleanup(func() {
		for deadline := time.Now().Add(5 * time.Second); services.Live.Subscribers() > 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	})
	return &Server{Server: srv, Services: services, t: t}
}

// ServeCounted serves db through a client that counts and records every
// statement it sends, for tests that bound what a request costs the
// database.
func ServeCounted(t testing.TB, db *store.DB, opts ...Option) (*Server, *storetest.Counter) {
	t.Helper()
	counter, counted := storetest.NewCounter(db)
	counter.Record = true
	srv := ServeClient(t, counted, opts...)
	srv.DB = db
	return srv, counter
}

// ServeDemo serves a database of the test's own holding the demo dataset.
func ServeDemo(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return Serve(t, storetest.OpenDemo(t), opts...)
}

// QuietLog logs into the test's own output, which is shown when the test
// fails (or runs with -v): warnings and errors, or everything with -v. A
// failure such as an unexpected 503 then comes with the server's reason.
func QuietLog(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Client calls the API as one user: with a bearer token, or anonymously
// when Token is empty.
type Client struct {
	srv   *Server
	Token string
	addr  string // the client address it speaks for (X-Forwarded-For)
}

// From is a copy of c whose requests come from addr (forwarded by the
// trusted loopback proxy).
func (c *Client) From(addr string) *Client {
	cp := *c
	cp.addr = addr
	return &cp
}

// Anonymous is a client without a token.
func (s *Server) Anonymous() *Client { return &Client{srv: s} }

// As is a client sending token.
func (s *Server) As(token string) *Client { return &Client{srv: s, Token: token} }

// SignIn signs a demo account in (demo.Password) and returns its client.
func (s *Server) SignIn(email string) *Client {
	s.t.Helper()
	pair := s.Anonymous().Login(email, demo.Password).Must(s.t)
	return s.As(pair.AccessToken)
}

// Accounts are the demo accounts, one per role, after ANONYMOUS (no
// account), in a fixed order.
var Accounts = []struct{ Role, Email string }{
	{"ANONYMOUS", ""},
	{"ADMIN", "admin@bangfu.example"},
	{"COORDINATOR", "coordinator@bangfu.example"},
	{"CERTIFIER", "certifier@bangfu.example"},
	{"BUYER", "buyer@bangfu.example"},
	{"SUPPLIER", "supplier@bangfu.example"},
	{"AUDITOR", "auditor@bangfu.example"},
	{"ORG_MANAGER", "manager@bangfu.example"},
	{"EVALUATOR", "evaluator@bangfu.example"},
}

// Roles signs every demo account in: a client per role, and ANONYMOUS.
func (s *Server) Roles() map[string]*Client {
	s.t.Helper()
	out := map[string]*Client{}
	for _, a := range Accounts {
		if a.Email == "" {
			out[a.Role] = s.Anonymous()
		} else {
			out[a.Role] = s.SignIn(a.Email)
		}
	}
	return out
}

// Vars are an operation's variables.
type Vars = map[string]any

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is an HTTP response of the API, decoded where it is GraphQL.
type Response struct {
	t           testing.TB
	Status      int
	ContentType string
	Header      http.Header
	Data        json.RawMessage `json:"data"`
	Errors      []Error         `json:"errors"`
	Raw         string
}

// Codes lists the errors' extensions.code.
func (r Response) Codes() []string {
	out := make([]string, 0, len(r.Errors))
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// Code is "ok" without errors, else the first error's code.
func (r Response) Code() string {
	if len(r.Errors) == 0 {
		return "ok"
	}
	return r.Codes()[0]
}

// Must fails the test on any error and decodes data into out (nil: only
// check).
func (r Response) Must(t testing.TB, out any) {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %s", r.Status, r.Raw)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decoding %s: %v", r.Data, err)
	}
}

// WantCode fails the test unless the outcome is code ("ok" for success).
func (r Response) WantCode(t testing.TB, code string) Response {
	t.Helper()
	if got := r.Code(); got != code {
		t.Fatalf("got %s, want %s: %s", got, code, r.Raw)
	}
	return r
}

// Do sends a GraphQL operation as JSON, asking for the GraphQL response
// media type.
func (c *Client) Do(query string, vars Vars) Response {
	c.srv.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return c.Send(http.MethodPost, "/graphql", "application/json", "application/graphql-response+json", body)
}

// Must sends an operation and decodes its data into out, failing the test
// on any error.
func (c *Client) Must(query string, vars Vars, out any) {
	c.srv.t.Helper()
	c.Do(query, vars).Must(c.srv.t, out)
}

// Send makes a raw HTTP request (contentType and accept may be empty).
func (c *Client) Send(method, path, contentType, accept string, body []byte) Response {
	t := c.srv.t
	t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.addr != "" {
		req.Header.Set("X-Forwarded-For", c.addr)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := c.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := Response{t: t, Status: res.StatusCode, ContentType: res.Header.Get("Content-Type"), Header: res.Header, Raw: string(raw)}
	_ = json.Unmarshal(raw, &r)
	return r
}

// GlobalID is the wire ID of a raw key of type typ.
func GlobalID(t testing.TB, typ string, id int) string {
	t.Helper()
	if got, _ := gid.TypeOf(id); got != typ {
		t.Fatalf("key %d is a %s, not a %s", id, got, typ)
	}
	s, err := gid.Encode(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// RawID is the raw key of a wire ID.
func RawID(t testing.TB, s string) int {
	t.Helper()
	id, _, err := gid.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
