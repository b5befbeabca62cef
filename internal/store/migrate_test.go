package store_test

import (
	"context"
	"os"
	"testing"

	"bangfu/ent/migrate"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect/sql/schema"
)

// TestMigrationsMatchSchema applies the committed migrations and asks ent
// for the difference to its schema: any output means someone changed the
// schema without writing a migration.
func TestMigrationsMatchSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	dir := t.TempDir()
	ld, err := atlas.NewLocalDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.NewSchema(db.Driver()).NamedDiff(ctx, "drift",
		schema.WithDir(ld), schema.WithDialect(db.Dialect),
		schema.WithDropColumn(true), schema.WithDropIndex(true)); err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name() == "atlas.sum" {
			continue
		}
		b, _ := os.ReadFile(dir + "/" + f.Name())
		t.Errorf("schema drift on %s; write a migration (see internal/store/migrations/README.md):\n%s", db.Dialect, b)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	again, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second run applied %v", again)
	}
	all, err := store.Migrations(db.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM bangfu_schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(all) || n == 0 {
		t.Fatalf("recorded %d migrations, have %d files", n, len(all))
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []store.Config{
		{},
		{URL: "mysql://root@localhost/x"},
		{SQLitePath: "x.db?mode=ro"},
	} {
		if _, err := store.Open(context.Background(), cfg); err == nil {
			t.Errorf("Open(%+v) succeeded, want error", cfg)
		}
	}
}
