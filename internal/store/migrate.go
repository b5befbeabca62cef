package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"entgo.io/ent/dialect"
)

// migrations holds the versioned schema changes, one folder per dialect.
// Files are applied in name order and never edited once released; a schema
// change is a new file written by `go run ./internal/store/migrategen`.
//
//go:embed migrations
var migrations embed.FS

// migrationsTable records which files have been applied.
const migrationsTable = "bangfu_schema_migrations"

// pgLockKey serializes concurrent migrators (several server replicas
// starting at once) on PostgreSQL.
const pgLockKey = 727_7031

// Migration is one versioned SQL file.
type Migration struct {
	Version string // file name without .sql
	SQL     string
}

// Migrations lists the migrations for a dialect in the order they apply.
func Migrations(dia string) ([]Migration, error) {
	dir := path.Join("migrations", dirFor(dia))
	entries, err := fs.ReadDir(migrations, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // no migrations yet for this dialect
	}
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: strings.TrimSuffix(e.Name(), ".sql"), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func dirFor(dia string) string {
	if dia == dialect.Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the versions it applied.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	return migrateDB(ctx, d.SQL, d.Dialect)
}

func migrateDB(ctx context.Context, db *sql.DB, dia string) ([]string, error) {
	all, err := Migrations(dia)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dia == dialect.Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", pgLockKey); err != nil {
			return nil, fmt.Errorf("taking migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", pgLockKey) //nolint:errcheck
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+migrationsTable+
		` (version TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return nil, fmt.Errorf("creating %s: %w", migrationsTable, err)
	}
	applied, err := appliedVersions(ctx, conn)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, m := range all {
		if applied[m.Version] {
			continue
		}
		if err := applyOne(ctx, conn, dia, m); err != nil {
			return done, fmt.Errorf("migration %s: %w", m.Version, err)
		}
		done = append(done, m.Version)
	}
	return done, nil
}

// appliedVersions lists the migrations recorded as applied.
func appliedVersions(ctx context.Context, conn *sql.Conn) (map[string]bool, error) {
	rows, err := conn.QueryContext(ctx, `SELECT version FROM `+migrationsTable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// foreignKeysBroken reports whether SQLite finds rows violating a foreign
// key (PRAGMA foreign_key_check lists them).
func foreignKeysBroken(ctx context.Context, tx *sql.Tx) (bool, error) {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return false, err
	}
	defer rows.Close()
	broken := rows.Next()
	return broken, rows.Err()
}

func applyOne(ctx context.Context, conn *sql.Conn, dia string, m Migration) error {
	if dia == dialect.SQLite {
		// SQLite rebuilds tables to alter them, and ignores
		// "PRAGMA foreign_keys" inside a transaction; so enforcement is
		// switched off around the transaction and the result checked before
		// commit (SQLite's documented procedure for schema changes).
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON") //nolint:errcheck
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if dia == dialect.SQLite {
		broken, err := foreignKeysBroken(ctx, tx)
		if err != nil {
			return err
		}
		if broken {
			return errors.New("migration leaves rows violating foreign keys")
		}
	}
	insert := `INSERT INTO ` + migrationsTable + ` (version) VALUES (?)`
	if dia == dialect.Postgres {
		insert = `INSERT INTO ` + migrationsTable + ` (version) VALUES ($1)`
	}
	if _, err := tx.ExecContext(ctx, insert, m.Version); err != nil {
		return err
	}
	return tx.Commit()
}
