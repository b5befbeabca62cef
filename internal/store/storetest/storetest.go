// Package storetest gives each test a database of its own, cloned from a
// template that is built once per test binary: a migrated empty database
// (Open) or one holding the demo dataset (OpenDemo). On SQLite the
// template is a file that each test copies; on PostgreSQL (when
// BANGFU_TEST_DATABASE_URL is set; CI sets it, so both paths run) it is a
// database that each test clones with CREATE DATABASE … TEMPLATE, as
// golang/pkgsite does. Cloning costs a file copy or a fraction of a second,
// where migrating and loading the demo data cost seconds, so tests can run
// in parallel on databases that never see each other.
//
// A package that uses it runs its tests through Main, which drops the
// templates afterwards:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"bangfu/internal/audit"
	"bangfu/internal/demo"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// AsSystem is the server acting as itself for a test's own fixtures: what
// it writes is audited as done by the job "test".
func AsSystem() context.Context {
	return audit.BeginJob(viewer.AsSystem(context.Background()), "test")
}

// EnvURL names the variable holding the PostgreSQL test server URL.
const EnvURL = "BANGFU_TEST_DATABASE_URL"

// Prefixes of the databases this package creates on a PostgreSQL server,
// so that leftovers of a killed run can be found and dropped.
const (
	TemplatePrefix = "bangfu_tpl_"
	TestPrefix     = "bangfu_t_"
)

// Main runs the package's tests, then removes the templates.
func Main(m *testing.M) {
	code := m.Run()
	for _, t := range []*template{&empty, &withDemo} {
		t.drop()
	}
	if tempDir != "" {
		_ = os.RemoveAll(tempDir)
	}
	os.Exit(code)
}

// Open returns a migrated, empty database of the test's own.
func Open(t testing.TB) *store.DB { return clone(t, &empty) }

// OpenDemo returns a database of the test's own holding the demo dataset.
func OpenDemo(t testing.TB) *store.DB { return clone(t, &withDemo) }

// Config returns the configuration of a new database of the test's own
// that is not even migrated (for tests of start-up itself). It is dropped
// when the test ends.
func Config(t testing.TB) store.Config {
	t.Helper()
	if base := os.Getenv(EnvURL); base != "" {
		name := TestPrefix + random()
		createDatabase(t, base, name, "")
		return store.Config{URL: withDatabase(t, base, name)}
	}
	return store.Config{SQLitePath: filepath.Join(t.TempDir(), "test.db")}
}

// template is a database built once per test binary.
type template struct {
	load func(context.Context, *store.DB) error // data beyond the schema
	once sync.Once
	err  error
	path string // SQLite: the template file
	name string // PostgreSQL: the template database
}

var (
	empty    = template{}
	withDemo = template{load: demo.Load}
	// tempDir holds the SQLite templates of this process.
	tempDir string
	dirOnce sync.Once
)

func clone(t testing.TB, tpl *template) *store.DB {
	t.Helper()
	base := os.Getenv(EnvURL)
	tpl.once.Do(func() { tpl.err = tpl.build(base) })
	if tpl.err != nil {
		t.Fatalf("building the test template database: %v", tpl.err)
	}
	var cfg store.Config
	if base != "" {
		name := TestPrefix + random()
		createDatabase(t, base, name, tpl.name)
		cfg = store.Config{URL: withDatabase(t, base, name)}
	} else {
		cfg = store.Config{SQLitePath: filepath.Join(t.TempDir(), "test.db")}
		if err := copyFile(tpl.path, cfg.SQLitePath); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// build migrates a new database, loads its data and closes it, so that it
// can be copied (SQLite checkpoints its WAL on close) or cloned
// (PostgreSQL clones only a database nobody is connected to).
func (tpl *template) build(base string) error {
	ctx := context.Background()
	var cfg store.Config
	if base != "" {
		tpl.name = TemplatePrefix + random()
		if err := exec(base, "CREATE DATABASE "+tpl.name); err != nil {
			return err
		}
		u, err := url.Parse(base)
		if err != nil {
			return err
		}
		u.Path = "/" + tpl.name
		cfg.URL = u.String()
	} else {
		dirOnce.Do(func() { tempDir, _ = os.MkdirTemp("", "bangfu-test-") })
		tpl.path = filepath.Join(tempDir, random()+".db")
		cfg.SQLitePath = tpl.path
	}
	db, err := store.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	if tpl.load != nil {
		if err := tpl.load(ctx, db); err != nil {
			return fmt.Errorf("loading: %w", err)
		}
	}
	return nil
}

func (tpl *template) drop() {
	if base := os.Getenv(EnvURL); base != "" && tpl.name != "" {
		_ = exec(base, "DROP DATABASE IF EXISTS "+tpl.name+" WITH (FORCE)")
	}
}

// createDatabase creates a database for the test (from template, if
// named) and drops it when the test ends.
func createDatabase(t testing.TB, base, name, template string) {
	t.Helper()
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	if err := exec(base, stmt); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := exec(base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping test database: %v", err)
		}
	})
}

var (
	admin     *sql.DB
	adminOnce sync.Once
	adminErr  error
)

// exec runs a statement on the server's maintenance connection.
func exec(base, stmt string) error {
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("postgres", base)
		if adminErr == nil {
			admin.SetMaxOpenConns(4)
		}
	})
	if adminErr != nil {
		return adminErr
	}
	if _, err := admin.Exec(stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// withDatabase is base pointing at database name. Test databases are
// thrown away, so their commits need not wait for the disk
// (synchronous_commit=off, passed as a run-time parameter): the same
// statements, without an fsync per transaction.
func withDatabase(t testing.TB, base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

func random() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
