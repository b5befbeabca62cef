// Package httpapi assembles bangfu's HTTP surface: /graphql, GraphiQL at /,
// /healthz and /readyz, with request ids, structured access logs, panic
// recovery and request limits.
package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"bangfu/graph"
	"bangfu/graph/gqlerr"
	"bangfu/graph/limits"
	"bangfu/internal/app"
	"bangfu/internal/dashboard"
	"bangfu/internal/graphiql"
	"bangfu/internal/metrics"
	"bangfu/internal/store"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// DefaultGCPercent is the garbage collector target the server runs with
// (its --gc-percent): the heap may grow to five times the live data before
// a collection, where Go's default (100) allows two. bangfu's live heap is
// small and every response allocates a lot of short-lived garbage, so the
// default spent about a sixth of a catalog page's CPU collecting; 400
// costs some tens of megabytes of memory instead. The write and catalog
// benchmarks run with it too.
const DefaultGCPercent = 400

// Options configure the handler; zero values get safe defaults.
type Options struct {
	// Services are the domain services the API serves (internal/app).
	Services *app.Services
	// Health says whether the database answers: /readyz asks it, and while
	// it finds the database down, signed-in requests are turned away at
	// once (503) instead of waiting on it. Nil: never down.
	Health *store.Health
	Log    *slog.Logger
	// Limits bound what one request may cost (zero: limits.Defaults).
	Limits limits.Limits
	// MaxBodyBytes bounds a POST body.
	MaxBodyBytes int64
	// RequestTimeout bounds one GraphQL request.
	RequestTimeout time.Duration
	// Introspection enables __schema queries (GraphiQL needs it).
	Introspection bool
	// Production turns GraphiQL and the validator's "did you mean"
	// suggestions off.
	Production bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (sign-in throttling keys on the client's address).
	TrustedProxies []netip.Prefix
	// SessionCheck is how often an open subscription connection checks
	// that its sign-in is still live (default DefaultSessionCheck).
	SessionCheck time.Duration
	// Metrics instruments HTTP requests and GraphQL operations (nil: not
	// instrumented). /metrics itself is served by the caller.
	Metrics *metrics.Metrics
}

// Defaults used when Options leave a limit at zero.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultRequestTimeout = 30 * time.Second
)

// extensions are the GraphQL server's extensions, in order. None may
// intercept fields (TestNoFieldInterceptors): graph/codegen marshals plain
// struct fields without gqlgen's per-field resolution, which is where a
// field interceptor would run.
func extensions(o Options, validated graphql.Cache[*ast.QueryDocument]) []graphql.HandlerExtension {
	var out []graphql.HandlerExtension
	if o.Metrics != nil {
		out = append(out, o.Metrics.GraphQL()) // first: it sees the response the client gets
	}
	if o.Introspection {
		out = append(out, extension.Introspection{})
	}
	// Persisted queries first: they turn a hash into the query the limits check.
	return append(out,
		extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)},
		limits.Extension{Limits: o.Limits, Checked: validated, Introspection: o.Introspection},
		extension.FixedComplexityLimit(o.Limits.MaxComplexity),
		graph.Operations{})
}

// New returns the HTTP handler for the whole service.
func New(o Options) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Limits == (limits.Limits{}) {
		o.Limits = limits.Defaults
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.SessionCheck == 0 {
		o.SessionCheck = DefaultSessionCheck
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}

	gql := handler.New(graph.NewSchema(o.Services))
	// WebSocket first: it claims only upgrade requests (subscriptions).
	gql.AddTransport(websocketTransport(o.Services.Auth, o.Log, o.SessionCheck))
	gql.AddTransport(transport{maxBodyBytes: o.MaxBodyBytes, maxErrors: o.Limits.MaxErrors})
	validated := lru.New[*ast.QueryDocument](1000)
	gql.SetQueryCache(validated)
	gql.SetParserTokenLimit(o.Limits.MaxTokens)
	gql.SetDisableSuggestion(o.Production)
	for _, e := range extensions(o, validated) {
		gql.Use(e)
	}
	gql.SetErrorPresenter(gqlerr.Presenter(o.Log))
	gql.SetRecoverFunc(gqlerr.Recover(o.Log))

	mux := http.NewServeMux()
	api := withHealth(o.Health, withViewer(o.Services.Auth, o.Log, withRetryAfter(http.TimeoutHandler(gql, o.RequestTimeout, timeoutBody))))
	// A WebSocket authenticates in connection_init and outlives any
	// request timeout (http.TimeoutHandler cannot hand over the connection).
	subscriptions := withHealth(o.Health, withoutDeadlines(gql))
	mux.Handle("GET /graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isUpgrade(r) {
			subscriptions.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}))
	mux.Handle("POST /graphql", api)
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, POST")
		writeProblem(w, http.StatusMethodNotAllowed, codeBadRequest, "use GET or POST for /graphql")
	})
	exportMux := http.NewServeMux()
	registry := records{svc: o.Services.Households, log: o.Log}
	exports{svc: o.Services.Agreements, integrity: o.Services.Integrity, evidence: o.Services.Evidence, records: registry,
		evaluation: o.Services.Evaluation, log: o.Log}.register(exportMux)
	mux.Handle("GET /exports/", withHealth(o.Health, withViewer(o.Services.Auth, o.Log, exportMux)))
	logMux := http.NewServeMux()
	logAPI{log: o.Services.Log, lg: o.Log}.register(logMux, func(h http.Handler) http.Handler { return withViewer(o.Services.Auth, o.Log, h) })
	mux.Handle("GET /log/", withHealth(o.Health, logMux))
	mux.Handle("POST /imports/households", withHealth(o.Health, withViewer(o.Services.Auth, o.Log, http.HandlerFunc(registry.importFile))))
	mux.Handle("GET /dashboard", dashboard.Handler())
	mux.Handle("GET /dashboard/", dashboard.Handler())
	if !o.Production {
		// GraphiQL from the binary (internal/graphiql): nothing from a CDN.
		ui := graphiql.New("/graphql")
		mux.Handle("GET /{$}", ui.Page())
		mux.Handle("GET "+graphiql.Prefix, ui.Files())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if o.Health != nil {
			if err := o.Health.Check(r.Context()); err != nil {
				o.Log.WarnContext(r.Context(), "readiness check failed", "error", err.Error())
				w.Header().Set("Retry-After", retryAfter)
				writeStatus(w, http.StatusServiceUnavailable, "database unavailable")
				return
			}
		}
		writeStatus(w, http.StatusOK, "ready")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint; GraphQL is at /graphql")
	})
	var root http.Handler = mux
	if o.Metrics != nil {
		root = o.Metrics.Middleware(mux) // right around the mux, which sets r.Pattern
	}
	return withRequestID(withClient(o.TrustedProxies, withAccessLog(o.Log, withRecover(o.Log, root))))
}

const timeoutBody = `{"errors":[{"message":"request timed out","extensions":{"code":"TIMEOUT"}}]}`

func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
}

func writeProblem(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}
