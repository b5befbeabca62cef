package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bangfu/internal/store/storetest"
)

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveFor runs the server command until the test ends, once it answers
// /readyz on addr.
func serveFor(t *testing.T, addr string, args []string, env map[string]string) {
	t.Helper()
	cfg := storetest.Config(t)
	if cfg.URL != "" {
		env["DATABASE_URL"] = cfg.URL
	}
	args = append([]string{"--addr", addr, "--db", filepath.Join(t.TempDir(), "serve.db")}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, envOf(env), io.Discard, &logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v\n%s", err, logs.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not shut down")
		}
	})
	waitReady(t, addr, done, &logs)
}

// waitReady returns once the server run() started on addr answers /readyz,
// and fails the test if it stops or is not ready within a minute.
func waitReady(t *testing.T, addr string, done <-chan error, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestOperatorAddress: /metrics is served on the operator address, and on
// the public port only in development without one; pprof only on the
// operator address and only when enabled.
func TestOperatorAddress(t *testing.T) {
	t.Parallel()
	prod := map[string]string{"BANGFU_ENV": "production", "BANGFU_JWT_KEY": strings.Repeat("k", 32),
		"BANGFU_PII_KEY": strings.Repeat("p", 32), "BANGFU_LOG_KEY": logKey}
	tests := []struct {
		name                 string
		env                  map[string]string
		operator, pprof      bool
		publicMetrics        bool
		operatorPprofVisible bool
	}{
		{name: "operator address with pprof", env: map[string]string{}, operator: true, pprof: true, operatorPprofVisible: true},
		{name: "operator address without pprof", env: map[string]string{}, operator: true},
		{name: "development without operator address", env: map[string]string{}, publicMetrics: true},
		{name: "production without operator address", env: prod},
		{name: "production with operator address and pprof", env: prod, operator: true, pprof: true, operatorPprofVisible: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr, opAddr := freeAddr(t), freeAddr(t)
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			var args []string
			if tt.operator {
				args = append(args, "--operator-addr", opAddr)
			}
			if tt.pprof {
				env["BANGFU_PPROF"] = "true"
			}
			serveFor(t, addr, args, env)
			res, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()

			// pprof is never on the public port.
			if code, _ := get(t, "http://"+addr+"/debug/pprof/"); code != http.StatusNotFound {
				t.Errorf("public /debug/pprof/: %d, want 404", code)
			}
			code, body := get(t, "http://"+addr+"/metrics")
			if tt.publicMetrics {
				if code != http.StatusOK || !strings.Contains(body, `bangfu_graphql_operations_total{code="OK",operation="anonymous"} 1`) {
					t.Errorf("public /metrics: %d\n%.2000s", code, body)
				}
			} else if code != http.StatusNotFound {
				t.Errorf("public /metrics: %d, want 404", code)
			}
			if !tt.operator {
				return
			}
			code, body = get(t, "http://"+opAddr+"/metrics")
			for _, want := range []string{
				`bangfu_graphql_operations_total{code="OK",operation="anonymous"} 1`,
				`bangfu_http_requests_total{code="200",route="GET /readyz"}`,
				`go_sql_open_connections{db_name="bangfu"}`,
				`bangfu_orders_placed_total 0`,
				`go_goroutines`,
			} {
				if code != http.StatusOK || !strings.Contains(body, want) {
					t.Errorf("operator /metrics: %d, lacks %s", code, want)
				}
			}
			for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/heap?debug=1"} {
				code, _ := get(t, "http://"+opAddr+path)
				if want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[tt.operatorPprofVisible]; code != want {
					t.Errorf("operator %s: %d, want %d", path, code, want)
				}
			}
			// The operator address serves nothing of the API.
			if code, _ := get(t, "http://"+opAddr+"/healthz"); code != http.StatusNotFound {
				t.Errorf("operator /healthz: %d, want 404", code)
			}
		})
	}
}
