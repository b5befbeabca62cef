// Package store opens bangfu's database: PostgreSQL in production (lib/pq),
// or an embedded SQLite file (modernc.org/sqlite, no cgo) by default, and
// keeps its schema current with the versioned migrations in migrations/.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"bangfu/ent"
	_ "bangfu/ent/runtime" // registers schema hooks, privacy policies, defaults and validators

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // registers "postgres"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// Config says which database to open.
type Config struct {
	// URL is a postgres:// or postgresql:// URL; empty means SQLite.
	URL string
	// SQLitePath is the SQLite database file used when URL is empty.
	SQLitePath string
	// Lazy opens without connecting (for tests of a database that does not
	// answer); by default Open checks the connection.
	Lazy bool
}

// DB is an open database with its ent client.
type DB struct {
	SQL     *sql.DB
	Dialect string // dialect.Postgres or dialect.SQLite
	Client  *ent.Client
	driver  *entsql.Driver
	// driverName and dsn open the health check's connection of its own.
	driverName, dsn string
}

// DSN is the connection string the database was opened with (for tools
// that tests and benchmarks run beside the server, such as pgbench).
func (d *DB) DSN() string { return d.dsn }

// Driver is the ent SQL driver over the pool (for schema tooling).
func (d *DB) Driver() *entsql.Driver { return d.driver }

// poolSize is the most PostgreSQL connections one server process opens.
const poolSize = 20

// Open connects, checks the connection, and returns the client. It does not
// migrate; call Migrate.
func Open(ctx context.Context, cfg Config, opts ...ent.Option) (*DB, error) {
	driverName, dsn, dia, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	var db *sql.DB
	if dia == dialect.Postgres {
		connector, err := newPGConnector(dsn)
		if err != nil {
			return nil, fmt.Errorf("opening %s database: %w", dia, err)
		}
		db = sql.OpenDB(connector)
	} else if db, err = sql.Open(driverName, dsn); err != nil {
		return nil, fmt.Errorf("opening %s database: %w", dia, err)
	}
	if dia == dialect.Postgres {
		// As many kept idle as may be open: with fewer, a burst of more
		// concurrent requests than idle connections closed the extra ones
		// as each request ended and opened new ones for the next (a
		// PostgreSQL backend forked and authenticated each time), and a
		// closed connection takes its prepared statements with it
		// (stmtcache.go). Connections idle for five minutes still close.
		db.SetMaxOpenConns(poolSize)
		db.SetMaxIdleConns(poolSize)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	if !cfg.Lazy {
		if err := Within(ctx, 10*time.Second, db.PingContext); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("connecting to %s database: %w", dia, err)
		}
	}
	drv := entsql.OpenDB(dia, db)
	client := ent.NewClient(append([]ent.Option{ent.Driver(drv)}, opts...)...)
	return &DB{SQL: db, Dialect: dia, driver: drv, Client: client, driverName: driverName, dsn: dsn}, nil
}

// Close closes the client and the pool.
func (d *DB) Close() error { return d.Client.Close() }

// Ping reports whether the database answers; used by /readyz.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

func (c Config) resolve() (driverName, dsn, dia string, err error) {
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil {
			return "", "", "", fmt.Errorf("DATABASE_URL is not a valid URL: %w", err)
		}
		if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return "", "", "", fmt.Errorf("DATABASE_URL must start with postgres:// or postgresql://, got scheme %q", u.Scheme)
		}
		// A server that accepts connections but does not answer (hung, or
		// behind a black hole) must not hold a new connection forever:
		// lib/pq bounds the handshake only by connect_timeout.
		q := u.Query()
		if q.Get("connect_timeout") == "" {
			q.Set("connect_timeout", "5")
			u.RawQuery = q.Encode()
		}
		return "postgres", u.String(), dialect.Postgres, nil
	}
	path := c.SQLitePath
	if path == "" {
		return "", "", "", errors.New("no database configured: set DATABASE_URL or a SQLite path")
	}
	if strings.ContainsAny(path, "?#") {
		return "", "", "", fmt.Errorf("SQLite path %q must be a plain file path", path)
	}
	// foreign_keys: SQLite ignores REFERENCES without it. WAL and a busy
	// timeout let readers run beside the single writer.
	dsn = "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	return "sqlite", dsn, dialect.SQLite, nil
}
