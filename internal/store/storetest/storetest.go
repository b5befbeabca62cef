// Package storetest gives each test its own migrated database: a fresh
// SQLite file by default, or a fresh PostgreSQL schema when
// BANGFU_TEST_DATABASE_URL is set (CI sets it, so both paths run).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"bangfu/ent"
	"bangfu/internal/store"
)

// EnvURL names the variable holding the PostgreSQL test server URL.
const EnvURL = "BANGFU_TEST_DATABASE_URL"

// Config returns a configuration for a new, empty, isolated database that
// is dropped when the test ends.
func Config(t testing.TB) store.Config {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		return store.Config{SQLitePath: filepath.Join(t.TempDir(), "test.db")}
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("creating test schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return store.Config{URL: u.String()}
}

// Open returns a migrated database of its own for the test.
func Open(t testing.TB, opts ...ent.Option) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, Config(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	return db
}
