package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"bangfu/ent/membership"
	"bangfu/ent/user"
	"bangfu/internal/httpapi"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
	"bangfu/internal/translog"
	"bangfu/internal/viewer"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// logKey is a log signing key for the tests of production settings.
var logKey = func() string {
	k, _, err := translog.GenerateKey("test.bangfu.example/log")
	if err != nil {
		panic(err)
	}
	return k
}()

func TestParseConfig(t *testing.T) {
	t.Parallel()
	prod := func(extra ...string) map[string]string {
		env := map[string]string{"BANGFU_ENV": "production", "BANGFU_JWT_KEY": strings.Repeat("k", 32),
			"BANGFU_PII_KEY": strings.Repeat("p", 32), "BANGFU_LOG_KEY": logKey}
		for i := 0; i+1 < len(extra); i += 2 {
			env[extra[i]] = extra[i+1]
		}
		return env
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantCmd string
		wantErr string
		check   func(t *testing.T, c config)
	}{
		{name: "defaults", wantCmd: "serve", check: func(t *testing.T, c config) {
			if c.addr != ":8080" || c.dbPath != "./bangfu.db" || c.demo {
				t.Errorf("defaults = %+v", c)
			}
		}},
		{name: "env", env: map[string]string{"ADDR": "127.0.0.1:9000", "DATABASE_URL": "postgres://x/y", "LOG_LEVEL": "debug"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.addr != "127.0.0.1:9000" || c.databaseURL != "postgres://x/y" || c.logLevel.String() != "DEBUG" {
					t.Errorf("env config = %+v", c)
				}
			}},
		{name: "flags beat env", args: []string{"--addr", ":7000", "--demo"}, env: map[string]string{"ADDR": ":9000"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.addr != ":7000" || !c.demo {
					t.Errorf("flags = %+v", c)
				}
			}},
		{name: "migrate", args: []string{"migrate"}, wantCmd: "migrate"},
		{name: "migrate with flags after", args: []string{"migrate", "--db", "x.db"}, wantCmd: "migrate",
			check: func(t *testing.T, c config) {
				if c.dbPath != "x.db" {
					t.Errorf("db = %q", c.dbPath)
				}
			}},
		{name: "migrate with flags before", args: []string{"--db", "x.db", "migrate"}, wantCmd: "migrate"},
		{name: "trusted proxies", env: map[string]string{"BANGFU_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1/32"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if len(c.trustedProxies) != 2 || c.trustedProxies[1].String() != "192.168.1.1/32" {
					t.Errorf("trusted proxies = %v", c.trustedProxies)
				}
			}},
		{name: "bad trusted proxy", args: []string{"--trusted-proxies", "10.0.0.1"}, wantErr: "not a CIDR"},
		{name: "unknown command", args: []string{"frobnicate"}, wantErr: "unknown command"},
		{name: "bad addr", args: []string{"--addr", "8080"}, wantErr: "want host:port"},
		{name: "bad port", args: []string{"--addr", ":99999"}, wantErr: "invalid port"},
		{name: "bad log level", env: map[string]string{"LOG_LEVEL": "loud"}, wantErr: "LOG_LEVEL"},
		{name: "bad complexity", args: []string{"--complexity-limit", "0"}, wantErr: "complexity"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "nope"},
		{name: "production needs a signing key", env: map[string]string{"BANGFU_ENV": "production", "BANGFU_PII_KEY": strings.Repeat("p", 32)}, wantErr: "BANGFU_JWT_KEY is required"},
		{name: "production needs a PII key", env: map[string]string{"BANGFU_ENV": "production", "BANGFU_JWT_KEY": strings.Repeat("k", 32)}, wantErr: "BANGFU_PII_KEY is required"},
		{name: "short key", env: map[string]string{"BANGFU_JWT_KEY": "short"}, wantErr: "at least 32 bytes"},
		{name: "bad environment", env: map[string]string{"BANGFU_ENV": "staging"}, wantErr: "BANGFU_ENV"},
		{name: "no demo in production", args: []string{"--demo"}, env: prod(), wantErr: "--demo is for development"},
		{name: "production needs a log key", env: prod("BANGFU_LOG_KEY", ""), wantErr: "BANGFU_LOG_KEY is required"},
		{name: "bad log key", env: map[string]string{"BANGFU_LOG_KEY": "PRIVATE+KEY+nope"}, wantErr: "BANGFU_LOG_KEY"},
		{name: "instance", env: map[string]string{"BANGFU_INSTANCE": "replica-2"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.instance != "replica-2" {
					t.Errorf("instance = %q", c.instance)
				}
			}},
		{name: "operator address", args: []string{"--operator-addr", "127.0.0.1:9090"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.operatorAddr != "127.0.0.1:9090" || c.pprof {
					t.Errorf("operator config = %+v", c)
				}
			}},
		{name: "operator address and pprof from env", env: map[string]string{"BANGFU_OPERATOR_ADDR": ":9090", "BANGFU_PPROF": "true"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.operatorAddr != ":9090" || !c.pprof {
					t.Errorf("operator config = %+v", c)
				}
			}},
		{name: "pprof off by default", env: map[string]string{"BANGFU_OPERATOR_ADDR": ":9090"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.pprof {
					t.Error("pprof on by default")
				}
			}},
		{name: "pprof flag beats env", args: []string{"--pprof=false"}, env: map[string]string{"BANGFU_OPERATOR_ADDR": ":9090", "BANGFU_PPROF": "1"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.pprof {
					t.Error("--pprof=false ignored")
				}
			}},
		{name: "gc target by default", wantCmd: "serve", check: func(t *testing.T, c config) {
			if c.gcPercent != httpapi.DefaultGCPercent {
				t.Errorf("gcPercent = %d, want %d", c.gcPercent, httpapi.DefaultGCPercent)
			}
		}},
		{name: "GOGC set: the runtime's setting stays", env: map[string]string{"GOGC": "200"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.gcPercent != 0 {
					t.Errorf("gcPercent = %d with GOGC set, want 0 (keep it)", c.gcPercent)
				}
			}},
		{name: "gc target flag", args: []string{"--gc-percent", "150"}, env: map[string]string{"GOGC": "200"}, wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if c.gcPercent != 150 {
					t.Errorf("gcPercent = %d", c.gcPercent)
				}
			}},
		{name: "bad gc target", args: []string{"--gc-percent", "-1"}, wantErr: "--gc-percent"},
		{name: "pprof needs an operator address", args: []string{"--pprof"}, wantErr: "--pprof needs --operator-addr"},
		{name: "bad pprof env", env: map[string]string{"BANGFU_OPERATOR_ADDR": ":9090", "BANGFU_PPROF": "yes please"}, wantErr: "BANGFU_PPROF"},
		{name: "bad operator address", args: []string{"--operator-addr", "9090"}, wantErr: "--operator-addr"},
		{name: "operator address is the public one", args: []string{"--addr", ":8080", "--operator-addr", ":8080"}, wantErr: "must differ"},
		{name: "production", env: prod(), wantCmd: "serve",
			check: func(t *testing.T, c config) {
				if !c.production || c.introspection || len(c.jwtKey) != 32 || c.logKey != logKey {
					t.Errorf("production config = %+v", c)
				}
			}},
		{name: "development allows introspection", wantCmd: "serve", check: func(t *testing.T, c config) {
			if c.production || !c.introspection || c.jwtKey != nil {
				t.Errorf("development config = %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cmd, cfg, err := parseConfig(tt.args, envOf(tt.env), &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd != tt.wantCmd {
				t.Errorf("cmd = %q, want %q", cmd, tt.wantCmd)
			}
			if tt.check != nil {
				tt.check(t, cfg)
			}
		})
	}
}

func TestRunFailsFastOnBadDatabase(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := run(context.Background(), nil, envOf(map[string]string{"DATABASE_URL": "mysql://nope"}), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Fatalf("err = %v", err)
	}
	err = run(context.Background(), nil, envOf(map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "connecting") {
		t.Fatalf("unreachable database: err = %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the server writes logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServeDemoAndShutdown runs the real command: migrations, demo data,
// a query, then a graceful stop when its context ends (as on SIGTERM).
func TestServeDemoAndShutdown(t *testing.T) {
	t.Parallel()
	cfg := storetest.Config(t)
	env := map[string]string{"DATABASE_URL": cfg.URL}
	addr := freeAddr(t)
	args := []string{"--demo", "--addr", addr, "--db", filepath.Join(t.TempDir(), "serve.db")}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, envOf(env), io.Discard, &logs) }()
	waitReady(t, addr, done, &logs)
	res, err := http.Post("http://"+addr+"/graphql", "application/json",
		strings.NewReader(`{"query":"{ products(first: 5) { totalCount edges { node { name priceFen supplier { name region { name } } } } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(body.String(), `"totalCount"`) || strings.Contains(body.String(), `"errors"`) {
		t.Fatalf("query = %d %s", res.StatusCode, body.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
	for _, want := range []string{`"msg":"demo dataset loaded"`, `"msg":"http request"`, `"request_id"`, `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
}

// TestCreateAdmin makes the first administrator of a fresh database, who
// can then sign in; a second run with the same email is refused.
func TestCreateAdmin(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fresh.db")
	env := envOf(map[string]string{"BANGFU_DB": path, "BANGFU_ADMIN_PASSWORD": "a-long-admin-password"})
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"create-admin", "--email", "Root@Example.cn"}, env, io.Discard, &stderr); err != nil {
		t.Fatalf("create-admin: %v\n%s", err, stderr.String())
	}
	err := run(context.Background(), []string{"create-admin", "--email", "root@example.cn"}, env, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second admin with the same email: %v", err)
	}
	if err := run(context.Background(), []string{"create-admin", "--email", "x@example.cn"}, envOf(map[string]string{"BANGFU_DB": path}), io.Discard, &stderr); err == nil {
		t.Fatal("create-admin without a password succeeded")
	}
	db, err := store.Open(context.Background(), store.Config{SQLitePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sys := viewer.AsSystem(context.Background())
	u := db.Client.User.Query().Where(user.Email("root@example.cn")).WithMemberships().OnlyX(sys)
	if len(u.Edges.Memberships) != 1 || u.Edges.Memberships[0].Role != membership.RoleADMIN || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte("a-long-admin-password")) != nil {
		t.Fatalf("the administrator: %+v", u)
	}
}
