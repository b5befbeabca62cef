package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bangfu/internal/store"
	"bangfu/internal/store/storetest"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
)

// TestCommittedAtlasSumMatches fails when a migration was added or changed
// without re-hashing, so CI catches it before a server refuses to start.
func TestCommittedAtlasSumMatches(t *testing.T) {
	t.Parallel()
	for _, dia := range []string{dialect.SQLite, dialect.Postgres} {
		all, err := store.Migrations(dia)
		if err != nil {
			t.Fatal(err)
		}
		// atlas accepts a folder with neither files nor atlas.sum; this one
		// must have both.
		if len(all) == 0 {
			t.Fatalf("%s: no migrations embedded", dia)
		}
		if _, err := fs.Stat(store.MigrationDir(dia), atlas.HashFileName); err != nil {
			t.Fatalf("%s: %v", dia, err)
		}
		if err := store.VerifyMigrationDir(dia, store.MigrationDir(dia)); err != nil {
			t.Errorf("%v", err) // the message says how to re-hash
		}
	}
}

// copyMigrations copies the embedded migrations of dia into a temporary
// folder that a test may tamper with.
func copyMigrations(t *testing.T, dia string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, store.MigrationDir(dia)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rehash rewrites atlas.sum as migrategen -rehash does.
func rehash(t *testing.T, dir string) {
	t.Helper()
	ld, err := atlas.NewLocalDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ld.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := atlas.WriteSumFile(ld, sum); err != nil {
		t.Fatal(err)
	}
}

// sqlFiles are the migration file names of dir in order.
func sqlFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	slices.Sort(names)
	return names
}

func appendTo(t *testing.T, file, text string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, file, text string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot is the database's tables and indexes and its bookkeeping rows,
// to show that a refused run changed nothing.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name`
	if db.Dialect == dialect.Postgres {
		q = `SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace
			WHERE nspname = current_schema() AND relkind IN ('r', 'i') ORDER BY relname`
	}
	rows, err := db.SQL.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	bookkept := false
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		bookkept = bookkept || name == "bangfu_schema_migrations"
		b.WriteString(name + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if bookkept {
		st, err := db.MigrationStatus(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range st.Applied {
			fmt.Fprintf(&b, "%s %s %s\n", a.Version, a.AppliedAt.UTC().Format(time.RFC3339Nano), a.Checksum)
		}
	}
	return b.String()
}

// TestMigrationsRefused tampers with a copy of the migrations in each way
// the checks look for: each run is refused with its error, naming the
// file or version, and changes nothing.
func TestMigrationsRefused(t *testing.T) {
	t.Parallel()
	const extra = "CREATE TABLE tamper_extra (id INTEGER);\n"
	tests := []struct {
		name string
		// migrated starts from a database with every embedded migration
		// applied; otherwise from an empty one.
		migrated bool
		// change tampers with dir (files are the names in order) and
		// returns the file or version the error must name.
		change func(t *testing.T, dir string, files []string) string
		rehash bool
		want   error
	}{
		{name: "edited file", change: func(t *testing.T, dir string, files []string) string {
			appendTo(t, filepath.Join(dir, files[1]), "-- an innocent comment\n")
			return files[1]
		}, want: store.ErrMigrationsTampered},
		{name: "edited file, database migrated", migrated: true, change: func(t *testing.T, dir string, files []string) string {
			appendTo(t, filepath.Join(dir, files[len(files)-1]), extra)
			return files[len(files)-1]
		}, want: store.ErrMigrationsTampered},
		{name: "added file", change: func(t *testing.T, dir string, files []string) string {
			writeFile(t, filepath.Join(dir, "29991231000000_extra.sql"), extra)
			return "29991231000000_extra.sql"
		}, want: store.ErrMigrationsTampered},
		{name: "added file, database migrated", migrated: true, change: func(t *testing.T, dir string, files []string) string {
			writeFile(t, filepath.Join(dir, "29991231000000_extra.sql"), extra)
			return "29991231000000_extra.sql"
		}, want: store.ErrMigrationsTampered},
		{name: "removed file", change: func(t *testing.T, dir string, files []string) string {
			if err := os.Remove(filepath.Join(dir, files[2])); err != nil {
				t.Fatal(err)
			}
			return files[2]
		}, want: store.ErrMigrationsTampered},
		{name: "atlas.sum removed", change: func(t *testing.T, dir string, files []string) string {
			if err := os.Remove(filepath.Join(dir, atlas.HashFileName)); err != nil {
				t.Fatal(err)
			}
			return atlas.HashFileName
		}, want: store.ErrMigrationsTampered},
		{name: "atlas.sum edited", change: func(t *testing.T, dir string, files []string) string {
			appendTo(t, filepath.Join(dir, atlas.HashFileName), "29991231000000_extra.sql h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
			return atlas.HashFileName
		}, want: store.ErrMigrationsTampered},
		{name: "edited after applied", migrated: true, rehash: true, change: func(t *testing.T, dir string, files []string) string {
			appendTo(t, filepath.Join(dir, files[1]), "-- an innocent comment\n")
			// A pending migration that must not be applied either.
			writeFile(t, filepath.Join(dir, "29991231000000_extra.sql"), extra)
			return strings.TrimSuffix(files[1], ".sql")
		}, want: store.ErrAppliedMigrationEdited},
		{name: "database newer", migrated: true, rehash: true, change: func(t *testing.T, dir string, files []string) string {
			last := files[len(files)-1]
			if err := os.Remove(filepath.Join(dir, last)); err != nil {
				t.Fatal(err)
			}
			return strings.TrimSuffix(last, ".sql")
		}, want: store.ErrDatabaseNewer},
		{name: "applied migration missing", migrated: true, rehash: true, change: func(t *testing.T, dir string, files []string) string {
			if err := os.Remove(filepath.Join(dir, files[3])); err != nil {
				t.Fatal(err)
			}
			return strings.TrimSuffix(files[3], ".sql")
		}, want: store.ErrAppliedMigrationMissing},
		{name: "out of order", migrated: true, rehash: true, change: func(t *testing.T, dir string, files []string) string {
			// A version between two applied ones, e.g. from a branch merged late.
			v := strings.SplitN(files[0], "_", 2)[0]
			name := v[:len(v)-1] + "9_late"
			if name >= files[1] {
				t.Fatalf("%s does not sort between %s and %s", name, files[0], files[1])
			}
			writeFile(t, filepath.Join(dir, name+".sql"), extra)
			return name
		}, want: store.ErrMigrationOutOfOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			var db *store.DB
			if tt.migrated {
				db = storetest.Open(t)
			} else {
				var err error
				if db, err = store.Open(ctx, storetest.Config(t)); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
			}
			dir := copyMigrations(t, db.Dialect)
			named := tt.change(t, dir, sqlFiles(t, dir))
			if tt.rehash {
				rehash(t, dir)
			}
			before := snapshot(t, db)

			applied, err := db.MigrateFrom(ctx, os.DirFS(dir))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var me *store.MigrationError
			if !errors.As(err, &me) || (me.File != named && me.Version != named) || !strings.Contains(err.Error(), named) {
				t.Errorf("err = %#v (%v), want it to name %s", me, err, named)
			}
			if errors.Is(tt.want, store.ErrMigrationsTampered) && !strings.Contains(err.Error(), "migrategen -rehash") {
				t.Errorf("err = %v, want it to say how to re-hash", err)
			}
			if len(applied) != 0 {
				t.Errorf("applied %v", applied)
			}
			if after := snapshot(t, db); after != before {
				t.Errorf("the refused run changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
			}

			// status reports the same problem and changes nothing either.
			st, err := db.MigrationStatus(ctx, os.DirFS(dir))
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(st.Err(), tt.want) {
				t.Errorf("status: %v, want %v", st.Err(), tt.want)
			}
			if (st.DirErr != nil) != errors.Is(tt.want, store.ErrMigrationsTampered) {
				t.Errorf("status: directory error %v", st.DirErr)
			}
			if after := snapshot(t, db); after != before {
				t.Errorf("status changed the database")
			}
		})
	}
}

// TestMigrateNewFile applies a migration added (and hashed) after the
// database was migrated, and records its checksum.
func TestMigrateNewFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	dir := copyMigrations(t, db.Dialect)
	body := "CREATE TABLE added_later (id INTEGER);\n"
	writeFile(t, filepath.Join(dir, "29991231000000_added_later.sql"), body)
	rehash(t, dir)

	st, err := db.MigrationStatus(ctx, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if st.Err() != nil || !slices.Equal(st.Pending, []string{"29991231000000_added_later"}) {
		t.Fatalf("status before: pending %v, %v", st.Pending, st.Err())
	}
	applied, err := db.MigrateFrom(ctx, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, []string{"29991231000000_added_later"}) {
		t.Fatalf("applied %v", applied)
	}
	if _, err := db.SQL.ExecContext(ctx, "INSERT INTO added_later (id) VALUES (1)"); err != nil {
		t.Fatalf("the new table: %v", err)
	}
	// The recorded checksum is atlas's hash of the file alone.
	want, err := atlas.NewHashFile([]atlas.File{atlas.NewLocalFile("29991231000000_added_later.sql", []byte(body))})
	if err != nil {
		t.Fatal(err)
	}
	st, err = db.MigrationStatus(ctx, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	last := st.Applied[len(st.Applied)-1]
	if st.Err() != nil || len(st.Pending) != 0 || last.Version != "29991231000000_added_later" || last.Checksum != "h1:"+want[0].H {
		t.Fatalf("status after: %+v, last %+v, want checksum h1:%s", st, last, want[0].H)
	}
}

// TestChecksumBackfill upgrades a database migrated before checksums were
// recorded: the column is added and filled from the checked files, after
// which an edit is caught.
func TestChecksumBackfill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	if _, err := db.SQL.ExecContext(ctx, "ALTER TABLE bangfu_schema_migrations DROP COLUMN checksum"); err != nil {
		t.Fatal(err)
	}
	all, err := store.Migrations(db.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.MigrationStatus(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Err() != nil || len(st.Applied) != len(all) || st.Applied[0].Checksum != "" {
		t.Fatalf("status of the old database: %+v", st)
	}
	if applied, err := db.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Fatalf("Migrate = %v, %v", applied, err)
	}
	if st, err = db.MigrationStatus(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if st.Err() != nil || len(st.Applied) != len(all) {
		t.Fatalf("status after the upgrade: %+v", st)
	}
	for i, a := range st.Applied {
		if a.Version != all[i].Version || a.Checksum != all[i].Checksum || !strings.HasPrefix(a.Checksum, "h1:") {
			t.Errorf("applied %+v, want checksum %s", a, all[i].Checksum)
		}
	}

	dir := copyMigrations(t, db.Dialect)
	files := sqlFiles(t, dir)
	appendTo(t, filepath.Join(dir, files[0]), "-- edited\n")
	rehash(t, dir)
	if _, err := db.MigrateFrom(ctx, os.DirFS(dir)); !errors.Is(err, store.ErrAppliedMigrationEdited) {
		t.Fatalf("after the backfill, an edit: %v", err)
	}
}

// TestMigrationStatus lists a new database's migrations as pending and a
// migrated one's as applied, with their times.
func TestMigrationStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := store.Migrations(db.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.MigrationStatus(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Err() != nil || st.Files != len(all) || len(st.Applied) != 0 || len(st.Pending) != len(all) {
		t.Fatalf("status of a new database: %+v", st)
	}
	start := time.Now().Add(-time.Minute)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err = db.MigrationStatus(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if st.Err() != nil || len(st.Applied) != len(all) || len(st.Pending) != 0 {
		t.Fatalf("status of a migrated database: %+v", st)
	}
	for i, a := range st.Applied {
		if a.Version != all[i].Version || a.Checksum != all[i].Checksum || a.AppliedAt.Before(start) || a.AppliedAt.After(time.Now().Add(time.Minute)) {
			t.Errorf("applied %+v (migration %s, checksum %s)", a, all[i].Version, all[i].Checksum)
		}
	}
}
