// Package metrics is bangfu's Prometheus instrumentation: HTTP requests by
// route, GraphQL operations by name and outcome, documents refused by the
// request limits, the database pool, the Go runtime and the process, and
// business counters (orders, ledger entries, job runs). Everything is
// registered on the Metrics' own registry, not the global default one, so
// that two servers in one test process never share counters and nothing a
// library registers globally is exposed by accident.
package metrics

import (
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"bangfu/ent/ledgerentry"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes bangfu's own series.
const Namespace = "bangfu"

// MaxOperationNames caps the distinct GraphQL operation names that get a
// series of their own: the names come from clients, and each one would
// otherwise be a new series forever. Names seen after the cap count as
// OtherOperation.
const MaxOperationNames = 200

// Operation labels that are not names a client chose.
const (
	// AnonymousOperation labels an operation without a name.
	AnonymousOperation = "anonymous"
	// OtherOperation labels names beyond MaxOperationNames.
	OtherOperation = "other"
	// UnknownOperation labels a request refused before its operation was
	// found in the document (a bad request, a document over a limit, a
	// parse error, an operation name the document does not define).
	UnknownOperation = "unknown"
)

// OutcomeOK is the outcome code of an operation without errors.
const OutcomeOK = "OK"

// LedgerKinds are the kinds of ledger entries (the schema's enum).
var LedgerKinds = []ledgerentry.Kind{ledgerentry.KindATTRIBUTION_CREDIT, ledgerentry.KindHOUSEHOLD_INCOME, ledgerentry.KindINCENTIVE_POINTS}

// Metrics holds the collectors; its methods instrument the parts of the
// server. The zero value is not usable: call New.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	gqlOperations *prometheus.CounterVec
	gqlDuration   *prometheus.HistogramVec
	gqlRefused    *prometheus.CounterVec
	names         *nameSet

	ordersPlaced   prometheus.Counter
	ordersSettled  prometheus.Counter
	ordersRefunded prometheus.Counter
	ledgerBooked   *prometheus.CounterVec
	jobRuns        *prometheus.CounterVec
	jobDuration    *prometheus.HistogramVec
}

// New returns metrics on a registry of their own, with the Go runtime and
// process collectors registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
		gqlOperations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "graphql_operations_total",
			Help: "GraphQL operations answered, by operation name and outcome (OK or the first error's extensions.code).",
		}, []string{"operation", "code"}),
		gqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "graphql_operation_duration_seconds",
			Help:    "Time from reading a GraphQL request to its response, by operation name and outcome.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "code"}),
		gqlRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "graphql_refused_total",
			Help: "GraphQL documents refused by a request limit, by limit.",
		}, []string{"limit"}),
		names: newNameSet(MaxOperationNames),
		ordersPlaced: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "orders_placed_total",
			Help: "Orders placed (counted once their transaction has committed).",
		}),
		ordersSettled: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "orders_settled_total",
			Help: "Orders settled (counted once their transaction has committed).",
		}),
		ordersRefunded: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "orders_refunded_total",
			Help: "Orders refunded (counted once their transaction has committed).",
		}),
		ledgerBooked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "ledger_entries_booked_total",
			Help: "Ledger entries booked, by kind (counted once their transaction has committed).",
		}, []string{"kind"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "job_runs_total",
			Help: "Scheduled job runs on this replica, by job and outcome (ok, failed, or skipped when another replica holds the period).",
		}, []string{"job", "outcome"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "job_run_duration_seconds",
			Help:    "Time a scheduled job took on this replica, by job (runs that did the work).",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900},
		}, []string{"job"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration,
		m.gqlOperations, m.gqlDuration, m.gqlRefused,
		m.ordersPlaced, m.ordersSettled, m.ordersRefunded, m.ledgerBooked,
		m.jobRuns, m.jobDuration,
	)
	// Series that exist from the start read 0 rather than missing, so
	// rate() and alerts work before the first event.
	for _, k := range LedgerKinds {
		m.ledgerBooked.WithLabelValues(string(k)).Add(0)
	}
	for _, code := range refusalCodes {
		m.gqlRefused.WithLabelValues(limitName(code)).Add(0)
	}
	return m
}

// Registry is the registry the metrics are registered on; tests gather
// from it, and other parts of the server may register their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// WatchDB exports the statistics of a database pool (go_sql_* series
// labelled db_name).
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// WatchSubscriptions reports how many subscriptions are open
// (bangfu_live_subscriptions), read from open at each scrape.
func (m *Metrics) WatchSubscriptions(open func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "live_subscriptions",
		Help: "GraphQL subscriptions open on this process.",
	}, func() float64 { return float64(open()) }))
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	opts := promhttp.HandlerOpts{Registry: m.reg}
	if log != nil {
		opts.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	}
	return promhttp.HandlerFor(m.reg, opts)
}

// Middleware counts and times the requests next serves, labelled by the
// pattern of the http.ServeMux route that served them (never the raw
// path, which clients choose freely). next must be the ServeMux itself:
// the mux records the pattern on the request it is given, and a
// middleware in between that copies the request (WithContext) would hide
// it.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusWriter{ResponseWriter: w}
		panicked := true
		defer func() {
			status := rec.status
			if panicked {
				// An outer handler turns the panic into a 500.
				status = http.StatusInternalServerError
			} else if status == 0 {
				status = http.StatusOK
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			code := strconv.Itoa(status)
			m.httpRequests.WithLabelValues(route, code).Inc()
			m.httpDuration.WithLabelValues(route, code).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r)
		panicked = false
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines, websocket hijacking).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// JobRan records a run of a scheduled job (internal/jobs.Runner.Observe):
// ran is false when another replica held the period.
func (m *Metrics) JobRan(job string, ran bool, err error, took time.Duration) {
	outcome := "ok"
	switch {
	case !ran && err == nil:
		outcome = "skipped"
	case err != nil:
		outcome = "failed"
	}
	m.jobRuns.WithLabelValues(job, outcome).Inc()
	if ran {
		m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
	}
}
