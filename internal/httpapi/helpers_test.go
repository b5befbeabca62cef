package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"bangfu/internal/app"
	"bangfu/internal/demo"
	"bangfu/internal/gid"
	"bangfu/internal/httpapi"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

// quietLog discards logs unless the test runs with -v.
func quietLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// demoServer starts the real handler over a fresh database holding the demo
// dataset.
func demoServer(t testing.TB) (*httptest.Server, *store.DB) {
	t.Helper()
	db := storetest.OpenDemo(t)
	return serve(t, db), db
}

func serve(t testing.TB, db *store.DB) *httptest.Server {
	services, err := app.New(db.Client, app.Config{RefreshTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Options{
		Services: services, Ready: db.Ping, Log: quietLog(t), Introspection: true,
	}))
	t.Cleanup(srv.Close)
	return srv
}

// gqlResponse is a decoded GraphQL response.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

type reply struct {
	status      int
	contentType string
	header      http.Header
	body        gqlResponse
	raw         string
}

// post sends a GraphQL request as JSON, anonymously.
func post(t testing.TB, srv *httptest.Server, query string, vars map[string]any) reply {
	t.Helper()
	return postAs(t, srv, "", query, vars)
}

// postAs sends a GraphQL request with a bearer token ("" for none).
func postAs(t testing.TB, srv *httptest.Server, token, query string, vars map[string]any) reply {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return sendAuth(t, srv, token, http.MethodPost, "/graphql", "application/json", "application/graphql-response+json", body)
}

func send(t testing.TB, srv *httptest.Server, method, path, contentType, accept string, body []byte) reply {
	t.Helper()
	return sendAuth(t, srv, "", method, path, contentType, accept, body)
}

func sendAuth(t testing.TB, srv *httptest.Server, token, method, path, contentType, accept string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// mustData fails the test on any error and decodes data into v.
func mustData(t testing.TB, r reply, v any) {
	t.Helper()
	if r.status != http.StatusOK || len(r.body.Errors) > 0 {
		t.Fatalf("status %d, errors %s", r.status, r.raw)
	}
	if err := json.Unmarshal(r.body.Data, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body.Data, err)
	}
}

// login signs a demo account in and returns its access token.
func login(t testing.TB, srv *httptest.Server, email string) string {
	t.Helper()
	var data struct{ Login struct{ AccessToken string } }
	mustData(t, post(t, srv, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
		map[string]any{"e": email, "p": demo.Password}), &data)
	return data.Login.AccessToken
}

func globalID(t testing.TB, typ string, id int) string {
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
