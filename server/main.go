// Command server runs the bangfu GraphQL API.
//
//	go run ./server --demo            # embedded SQLite (./bangfu.db) with demo data
//	DATABASE_URL=postgres://... go run ./server
//	go run ./server migrate           # apply pending migrations and exit
//	go run ./server migrate status    # list applied and pending migrations, check them
//	go run ./server log-key           # make a signing key for the transparency log
//	go run ./server verify ...        # check the log or an evidence bundle (third parties)
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"bangfu/graph/limits"
	"bangfu/internal/accounts"
	"bangfu/internal/app"
	"bangfu/internal/audit"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/evaluation"
	"bangfu/internal/httpapi"
	"bangfu/internal/integrity"
	"bangfu/internal/jobs"
	"bangfu/internal/live"
	"bangfu/internal/market"
	"bangfu/internal/metrics"
	"bangfu/internal/period"
	"bangfu/internal/pii"
	"bangfu/internal/store"
	"bangfu/internal/translog"
	"bangfu/internal/viewer"

	"entgo.io/ent/dialect"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bangfu:", err)
		os.Exit(1)
	}
}

type config struct {
	// create-admin: the first administrator's account.
	adminEmail, adminName, adminPassword string
	production                           bool
	jwtKey                               []byte
	piiKey                               []byte
	accessTTL                            time.Duration
	refreshTTL                           time.Duration
	certValidity                         time.Duration
	addr                                 string
	dbPath                               string
	databaseURL                          string
	demo                                 bool
	logLevel                             slog.Level
	complexityLimit                      int
	introspection                        bool
	shutdownTimeout                      time.Duration
	trustedProxies                       []netip.Prefix
	// logKey signs the transparency log's checkpoints (a note signer key).
	logKey string
	// instance names this replica in job claims and logs.
	instance string
	// operatorAddr is the operators' own listener (/metrics, pprof), off
	// the public port; empty: none.
	operatorAddr string
	// pprof serves net/http/pprof on the operator address.
	pprof bool
	// evaluation: the verification discrepancy share and the exit slack
	// threshold, in basis points.
	evaluation evaluation.Config
	// gcPercent is the garbage collector's target (debug.SetGCPercent);
	// 0 leaves the runtime's own setting, i.e. GOGC.
	gcPercent int
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (cmd string, cfg config, err error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: server [flags] [serve|migrate|migrate status|create-admin]\n\nflags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nenvironment: ADDR, DATABASE_URL, BANGFU_DB, LOG_LEVEL (debug|info|warn|error),\n"+
			"  BANGFU_ENV (development|production), BANGFU_JWT_KEY, BANGFU_PII_KEY, BANGFU_LOG_KEY (required in production),\n"+
			"  BANGFU_INSTANCE (this replica's name; default host:pid), BANGFU_OPERATOR_ADDR, BANGFU_PPROF\n\n"+
			"other commands: server log-key (make a log signing key), server verify (check the log or an evidence bundle)\n")
	}
	addr := getenv("ADDR")
	if addr == "" {
		addr = ":8080"
	}
	dbPath := getenv("BANGFU_DB")
	if dbPath == "" {
		dbPath = "./bangfu.db"
	}
	fs.StringVar(&cfg.addr, "addr", addr, "listen address (env ADDR)")
	fs.StringVar(&cfg.dbPath, "db", dbPath, "SQLite file used when DATABASE_URL is unset (env BANGFU_DB)")
	fs.BoolVar(&cfg.demo, "demo", false, "load the demo dataset if the database is empty")
	switch env := orDefault(getenv("BANGFU_ENV"), "development"); env {
	case "production":
		cfg.production = true
	case "development":
	default:
		return "", cfg, fmt.Errorf("BANGFU_ENV must be development or production, got %q", env)
	}
	fs.IntVar(&cfg.complexityLimit, "complexity-limit", limits.Defaults.MaxComplexity, "maximum weighted complexity of one operation")
	fs.BoolVar(&cfg.introspection, "introspection", !cfg.production, "allow schema introspection (GraphiQL needs it); off by default in production")
	fs.DurationVar(&cfg.accessTTL, "access-ttl", 15*time.Minute, "lifetime of access tokens")
	fs.DurationVar(&cfg.refreshTTL, "refresh-ttl", 30*24*time.Hour, "lifetime of refresh tokens")
	fs.DurationVar(&cfg.certValidity, "certification-validity", market.DefaultValidity, "how long a product certificate stays valid")
	fs.IntVar(&cfg.evaluation.DiscrepancyShareBP, "discrepancy-share-bp", evaluation.DefaultDiscrepancyShareBP,
		"a verification visit whose reported income is below this share of the ledger's (basis points) is a discrepancy")
	fs.IntVar(&cfg.evaluation.SlackFallBP, "exit-slack-fall-bp", evaluation.DefaultSlackFallBP,
		"an exited county whose assistance fell by more than this share year on year (basis points) is called to a reminder interview")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 25*time.Second, "how long to drain in-flight requests on SIGTERM/SIGINT")
	fs.StringVar(&cfg.adminEmail, "email", "", "create-admin: the administrator's email (the password comes from env BANGFU_ADMIN_PASSWORD)")
	fs.StringVar(&cfg.adminName, "name", "管理员", "create-admin: the administrator's display name")
	fs.StringVar(&cfg.operatorAddr, "operator-addr", getenv("BANGFU_OPERATOR_ADDR"),
		"operators' listen address serving GET /metrics (and pprof with --pprof), e.g. 127.0.0.1:9090; without it /metrics is on the public port in development only (env BANGFU_OPERATOR_ADDR)")
	pprofDefault := false
	if v := getenv("BANGFU_PPROF"); v != "" {
		if pprofDefault, err = strconv.ParseBool(v); err != nil {
			return "", cfg, fmt.Errorf("BANGFU_PPROF must be true or false, got %q", v)
		}
	}
	fs.BoolVar(&cfg.pprof, "pprof", pprofDefault, "serve net/http/pprof under /debug/pprof/ on the operator address (env BANGFU_PPROF)")
	gcDefault := httpapi.DefaultGCPercent
	if getenv("GOGC") != "" {
		gcDefault = 0 // the operator chose through the runtime's own variable
	}
	fs.IntVar(&cfg.gcPercent, "gc-percent", gcDefault,
		"garbage collector target: heap growth over live data before a collection, in percent; 0 keeps the runtime's setting (GOGC, which when set makes 0 the default)")
	proxies := fs.String("trusted-proxies", getenv("BANGFU_TRUSTED_PROXIES"), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (env BANGFU_TRUSTED_PROXIES)")
	// The command may come first (server migrate --db x) or last.
	cmd = "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "migrate" && len(args) > 0 && args[0] == "status" {
		cmd, args = "migrate status", args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", cfg, err
	}
	cfg.databaseURL = getenv("DATABASE_URL")
	if cfg.jwtKey, err = secret(getenv, "BANGFU_JWT_KEY", cfg.production); err != nil {
		return "", cfg, err
	}
	if cfg.piiKey, err = secret(getenv, "BANGFU_PII_KEY", cfg.production); err != nil {
		return "", cfg, err
	}
	cfg.logKey = getenv("BANGFU_LOG_KEY")
	if cfg.logKey == "" && cfg.production {
		return "", cfg, errors.New("BANGFU_LOG_KEY is required in production: make one with 'server log-key' and publish its public key")
	}
	if cfg.logKey != "" {
		if err := translog.CheckKey(cfg.logKey); err != nil {
			return "", cfg, fmt.Errorf("BANGFU_LOG_KEY: %w", err)
		}
	}
	cfg.instance = getenv("BANGFU_INSTANCE")
	if cfg.production && cfg.demo {
		return "", cfg, errors.New("--demo is for development; unset BANGFU_ENV=production to use it")
	}
	if cfg.certValidity < 24*time.Hour {
		return "", cfg, errors.New("--certification-validity must be at least a day")
	}
	if cfg.evaluation.DiscrepancyShareBP < 1 || cfg.evaluation.DiscrepancyShareBP > 10000 ||
		cfg.evaluation.SlackFallBP < 1 || cfg.evaluation.SlackFallBP > 10000 {
		return "", cfg, errors.New("--discrepancy-share-bp and --exit-slack-fall-bp are 1–10000 basis points")
	}
	if cfg.accessTTL < time.Minute || cfg.accessTTL > 24*time.Hour || cfg.refreshTTL < cfg.accessTTL {
		return "", cfg, errors.New("--access-ttl must be between 1m and 24h and at most --refresh-ttl")
	}
	if err := cfg.logLevel.UnmarshalText([]byte(orDefault(getenv("LOG_LEVEL"), "info"))); err != nil {
		return "", cfg, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	if _, port, err := net.SplitHostPort(cfg.addr); err != nil {
		return "", cfg, fmt.Errorf("--addr %q: want host:port, e.g. :8080", cfg.addr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "", cfg, fmt.Errorf("--addr %q: invalid port", cfg.addr)
	}
	if cfg.operatorAddr != "" {
		if _, port, err := net.SplitHostPort(cfg.operatorAddr); err != nil {
			return "", cfg, fmt.Errorf("--operator-addr %q: want host:port, e.g. 127.0.0.1:9090", cfg.operatorAddr)
		} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			return "", cfg, fmt.Errorf("--operator-addr %q: invalid port", cfg.operatorAddr)
		}
		if cfg.operatorAddr == cfg.addr {
			return "", cfg, errors.New("--operator-addr must differ from --addr: it keeps /metrics and pprof off the public port")
		}
	}
	if cfg.pprof && cfg.operatorAddr == "" {
		// Profiles reveal internals and cost CPU: never on the public port.
		return "", cfg, errors.New("--pprof needs --operator-addr: pprof is only served on the operator address")
	}
	if cfg.gcPercent < 0 {
		return "", cfg, errors.New("--gc-percent must be 0 (keep GOGC) or positive")
	}
	if cfg.complexityLimit <= 0 {
		return "", cfg, errors.New("--complexity-limit must be positive")
	}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return "", cfg, fmt.Errorf("--trusted-proxies: %q is not a CIDR such as 10.0.0.0/8", p)
		}
		cfg.trustedProxies = append(cfg.trustedProxies, prefix)
	}
	if rest := fs.Args(); len(rest) == 1 && cmd == "serve" && len(args) > 0 {
		cmd = rest[0]
	} else if len(rest) == 2 && cmd == "serve" && rest[0] == "migrate" && rest[1] == "status" {
		cmd = "migrate status"
	} else if len(rest) > 0 {
		return "", cfg, fmt.Errorf("unexpected arguments %q", strings.Join(rest, " "))
	}
	if cmd != "serve" && cmd != "migrate" && cmd != "migrate status" && cmd != "create-admin" {
		return "", cfg, fmt.Errorf("unknown command %q (want serve, migrate, migrate status or create-admin)", cmd)
	}
	if cmd == "create-admin" && (cfg.adminEmail == "" || getenv("BANGFU_ADMIN_PASSWORD") == "") {
		return "", cfg, errors.New("create-admin needs --email and the password in BANGFU_ADMIN_PASSWORD")
	}
	cfg.adminPassword = getenv("BANGFU_ADMIN_PASSWORD")
	return cmd, cfg, nil
}

// secret reads a key of at least 32 bytes from the environment. In
// production it is required; in development a missing key is nil and the
// caller substitutes a throwaway one.
func secret(getenv func(string) string, name string, required bool) ([]byte, error) {
	v := getenv(name)
	if v == "" {
		if required {
			return nil, fmt.Errorf("%s is required in production (at least %d random bytes, e.g. from 'openssl rand -base64 48')", name, auth.MinKeyBytes)
		}
		return nil, nil
	}
	if len(v) < auth.MinKeyBytes {
		return nil, fmt.Errorf("%s must be at least %d bytes long", name, auth.MinKeyBytes)
	}
	return []byte(v), nil
}

// limits are the request limits with the configured complexity.
func (c config) limits() limits.Limits {
	l := limits.Defaults
	l.MaxComplexity = c.complexityLimit
	return l
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// Tools that need no database or server configuration.
	if len(args) > 0 {
		switch args[0] {
		case "log-key":
			return logKeyCommand(args[1:], stdout, stderr)
		case "verify":
			return verifyCommand(ctx, args[1:], stdout, stderr)
		}
	}
	cmd, cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if cmd == "migrate status" { // it only reads, so it skips the key set-up below
		return migrateStatusCommand(ctx, cfg, stdout)
	}
	log := slog.New(httpapi.LogHandler{Handler: slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel})})
	if cfg.jwtKey == nil {
		cfg.jwtKey = auth.RandomKey()
		log.Warn("BANGFU_JWT_KEY unset: using a throwaway signing key (development only; tokens die with the process)")
	}
	if cfg.piiKey != nil {
		pii.SetKey(cfg.piiKey)
	} else {
		log.Warn("BANGFU_PII_KEY unset: using the development key for ID-number hashes")
	}

	db, err := store.Open(ctx, store.Config{URL: cfg.databaseURL, SQLitePath: cfg.dbPath})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("database ready", "dialect", db.Dialect, "migrations_applied", applied)
	if cmd == "migrate" {
		return nil
	}
	if cmd == "create-admin" {
		u, err := accounts.New(db.Client, clock.Real, nil).CreateAdmin(audit.BeginJob(ctx, "create-admin"), cfg.adminEmail, cfg.adminName, cfg.adminPassword)
		if err != nil {
			return fmt.Errorf("create-admin: %w", err)
		}
		log.Info("administrator created", "email", u.Email)
		return nil
	}

	if cfg.demo {
		start := time.Now()
		loaded, err := demo.LoadIfEmpty(audit.BeginJob(ctx, "seed"), db)
		if err != nil {
			return fmt.Errorf("loading demo data: %w", err)
		}
		if loaded {
			log.Info("demo dataset loaded", "duration", time.Since(start).String())
		} else {
			log.Info("database already has data; demo dataset not loaded")
		}
	}

	if cfg.logKey == "" {
		log.Warn("BANGFU_LOG_KEY unset: signing the log with a throwaway key (development only; checkpoints saved earlier will not verify)")
	}
	// Subscriptions: on PostgreSQL, wake-ups reach every replica.
	hub := live.NewLocal(log)
	if db.Dialect == dialect.Postgres {
		hub = live.NewPostgres(db.SQL, db.DSN(), log)
	}
	// Metrics when someone can read them: on the operator address, or on
	// the public port in development.
	var m *metrics.Metrics
	if cfg.operatorAddr != "" || !cfg.production {
		m = metrics.New()
		m.WatchDB("bangfu", db.SQL)
		m.Instrument(db.Client) // before the client is shared
		m.WatchSubscriptions(hub.Subscribers)
	}
	appCfg := app.Config{JWTKey: cfg.jwtKey, AccessTTL: cfg.accessTTL,
		RefreshTTL: cfg.refreshTTL, CertificationValidity: cfg.certValidity, LogKey: cfg.logKey, Live: hub,
		Evaluation: cfg.evaluation}
	if m != nil {
		appCfg.OrdersPlaced = m.OrdersPlaced
	}
	services, err := app.New(db.Client, appCfg)
	if err != nil {
		return err
	}
	if n, err := services.Catalog.Reindex(audit.BeginJob(viewer.AsSystem(ctx), "search-reindex")); err != nil {
		return fmt.Errorf("indexing products for search: %w", err)
	} else if n > 0 {
		log.Info("products indexed for search", "count", n)
	}
	health, err := db.Health()
	if err != nil {
		return err
	}
	defer health.Close()
	handler := httpapi.New(httpapi.Options{
		Services:       services,
		Health:         health,
		Log:            log,
		Limits:         cfg.limits(),
		Introspection:  cfg.introspection,
		Production:     cfg.production,
		TrustedProxies: cfg.trustedProxies,
		Metrics:        m,
	})
	if m != nil && cfg.operatorAddr == "" {
		// Development without an operator address: /metrics on the public
		// port (m is nil in production then).
		public := http.NewServeMux()
		public.Handle("GET /metrics", m.Handler(log))
		public.Handle("/", handler)
		handler = public
	}
	srv := &http.Server{
		Addr:              cfg.addr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		return err
	}
	if cfg.gcPercent > 0 {
		debug.SetGCPercent(cfg.gcPercent)
	}
	log.Info("listening", "addr", ln.Addr().String(), "graphiql", "http://"+displayAddr(ln.Addr()),
		"log_public_key", services.Log.VerifierKey())

	var operator *http.Server
	if cfg.operatorAddr != "" {
		opLn, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.operatorAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("operator address: %w", err)
		}
		operator = operatorServer(m, cfg.pprof, log)
		log.Info("operator address listening", "addr", opLn.Addr().String(), "metrics", "/metrics", "pprof", cfg.pprof)
		go func() {
			if err := operator.Serve(opLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("operator address stopped", "error", err.Error())
			}
		}()
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go hub.Run(ctx) // first: a change committed through this replica must reach the others
	go func() { errc <- srv.Serve(ln) }()
	go health.Run(ctx)
	runner := jobs.New(db.Client, clock.Real, log, cfg.instance)
	if m != nil {
		runner.Observe(m.JobRan)
	}
	runner.Start(ctx, scheduled(services)...)
	var pool *sql.DB // on PostgreSQL, replicas elect the one that seals
	if db.Dialect == dialect.Postgres {
		pool = db.SQL
	}
	go services.Log.Run(ctx, pool, log, translog.RunOptions{})
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; draining in-flight requests", "timeout", cfg.shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if operator != nil {
		// Scrapes end quickly; a profile being taken is cut short.
		_ = operator.Close()
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// operatorServer serves what is for operators only, on its own address:
// GET /metrics, and net/http/pprof under /debug/pprof/ when enabled.
func operatorServer(m *metrics.Metrics, withPprof bool, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler(log))
	if withPprof {
		// Registered on this mux only: importing net/http/pprof also
		// registers on http.DefaultServeMux, which bangfu never serves.
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// No write timeout: a CPU profile or trace streams for as long as
		// its ?seconds= asks (pprof refuses one longer than a write timeout).
		IdleTimeout: 120 * time.Second,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// scheduled is the server's scheduled work. Each job runs once per
// period across every replica (internal/jobs claims the period).
func scheduled(services *app.Services) []jobs.Job {
	return []jobs.Job{
		{
			// Certificates stop counting at their end date anyway (the
			// catalog filters on it); the job moves them to EXPIRED.
			Name: "certificate-expiry", Every: 5 * time.Minute,
			Period: func(t time.Time) string { return t.UTC().Format("2006-01-02T15") },
			Run: func(ctx context.Context) (string, error) {
				n, err := services.Market.ExpireCertifications(ctx)
				return fmt.Sprintf("%d certificates expired", n), err
			},
		},
		{
			// The early-warning scan for the current year (China Standard
			// Time), once a day; it is idempotent.
			Name: "monitoring-scan", Every: 10 * time.Minute,
			Period: func(t time.Time) string { return t.In(period.CST).Format("2006-01-02") },
			Run: func(ctx context.Context) (string, error) {
				year, _ := period.Of(time.Now())
				rep, err := services.Monitoring.Scan(ctx, year)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("year %d: %d households scanned, %d cases opened, %d data-quality issues",
					year, rep.HouseholdsScanned, len(rep.CasesOpened), rep.DataQualityIssues), nil
			},
		},
		{
			// The integrity scan (red flags for auditors), once a day: its
			// period begins at midnight China Standard Time, so it runs at
			// night; it raises only flags that do not exist yet.
			Name: integrity.JobName, Every: 10 * time.Minute,
			Period: func(t time.Time) string { return t.In(period.CST).Format("2006-01-02") },
			Run: func(ctx context.Context) (string, error) {
				rep, err := services.Integrity.Scan(ctx)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("%d flags raised", rep.Raised), nil
			},
		},
		{
			// Slack after exit (摘帽不摘责任): each exited county's assistance
			// against last year's at the same date, once a day; idempotent.
			Name: evaluation.SlackJob, Every: 10 * time.Minute,
			Period: func(t time.Time) string { return t.In(period.CST).Format("2006-01-02") },
			Run: func(ctx context.Context) (string, error) {
				rep, err := services.Evaluation.CheckSlack(ctx, time.Time{})
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("year %d: %d exited counties compared, %d reminder-interview cases opened",
					rep.Year, len(rep.Compared), len(rep.CasesOpened)), nil
			},
		},
	}
}

func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
