package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"entgo.io/ent/dialect"
)

// migrations holds the versioned schema changes, one folder per dialect.
// Files are applied in name order and never edited once released; a schema
// change is a new file written by `go run ./internal/store/migrategen`,
// which also rewrites the folder's atlas.sum.
//
//go:embed migrations
var migrations embed.FS

// migrationsTable records which files have been applied, when, and the
// checksum of each file as it was applied.
const migrationsTable = "bangfu_schema_migrations"

// pgLockKey serializes concurrent migrators (several server replicas
// starting at once) on PostgreSQL.
const pgLockKey = 727_7031

// Migration is one versioned SQL file.
type Migration struct {
	Version string // file name without .sql
	SQL     string
	// Checksum is atlas's hash of the file ("h1:…"), recorded when it is
	// applied so that a later edit is noticed.
	Checksum string
}

// Migrations lists the embedded migrations for a dialect in the order they
// apply.
func Migrations(dia string) ([]Migration, error) {
	return loadMigrations(MigrationDir(dia))
}

func dirFor(dia string) string {
	if dia == dialect.Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Migrate checks the embedded migrations and the database's history (see
// migratecheck.go), then applies every pending migration, each in its own
// transaction, and returns the versions it applied. A refusal is a
// *MigrationError, returned before anything is applied.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	return d.MigrateFrom(ctx, MigrationDir(d.Dialect))
}

// MigrateFrom is Migrate with the migrations of dir (a dialect's folder:
// .sql files and atlas.sum), for tests and tools.
func (d *DB) MigrateFrom(ctx context.Context, dir fs.FS) ([]string, error) {
	return migrateDB(ctx, d.SQL, d.Dialect, dir)
}

func migrateDB(ctx context.Context, db *sql.DB, dia string, dir fs.FS) ([]string, error) {
	// The directory is checked before the database is touched.
	if err := checkDir(dia, dir); err != nil {
		return nil, err
	}
	all, err := loadMigrations(dir)
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
	if err := ensureBookkeeping(ctx, conn, dia); err != nil {
		return nil, err
	}
	applied, err := appliedMigrations(ctx, conn, true)
	if err != nil {
		return nil, err
	}
	pending, problems := analyse(dia, all, applied)
	if len(problems) > 0 {
		return nil, (&MigrationStatus{Problems: problems}).Err()
	}
	if err := backfillChecksums(ctx, conn, dia, all, applied); err != nil {
		return nil, err
	}
	var done []string
	for _, m := range pending {
		if err := applyOne(ctx, conn, dia, m); err != nil {
			return done, fmt.Errorf("migration %s: %w", m.Version, err)
		}
		done = append(done, m.Version)
	}
	return done, nil
}

// ensureBookkeeping creates the bookkeeping table, or adds the checksum
// column to one created before checksums were recorded.
func ensureBookkeeping(ctx context.Context, conn *sql.Conn, dia string) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+migrationsTable+
		` (version TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum TEXT)`); err != nil {
		return fmt.Errorf("creating %s: %w", migrationsTable, err)
	}
	_, withChecksum, err := bookkeeping(ctx, conn, dia)
	if err != nil {
		return fmt.Errorf("reading %s: %w", migrationsTable, err)
	}
	if !withChecksum {
		// Nullable: SQLite adds a NOT NULL column only with a default, and
		// the backfill below fills the rows this database already has.
		if _, err := conn.ExecContext(ctx, `ALTER TABLE `+migrationsTable+` ADD COLUMN checksum TEXT`); err != nil {
			return fmt.Errorf("adding checksums to %s: %w", migrationsTable, err)
		}
	}
	return nil
}

// backfillChecksums records the checksum of versions applied before
// checksums were recorded. Their files were checked against atlas.sum just
// before, so the hash recorded is the one of the reviewed file; an edit
// made before this upgrade cannot be told apart any more.
func backfillChecksums(ctx context.Context, conn *sql.Conn, dia string, all []Migration, applied []AppliedMigration) error {
	sums := make(map[string]string, len(all))
	for _, m := range all {
		sums[m.Version] = m.Checksum
	}
	update := `UPDATE ` + migrationsTable + ` SET checksum = ? WHERE version = ? AND checksum IS NULL`
	if dia == dialect.Postgres {
		update = `UPDATE ` + migrationsTable + ` SET checksum = $1 WHERE version = $2 AND checksum IS NULL`
	}
	var missing []string
	for _, a := range applied {
		if a.Checksum == "" {
			missing = append(missing, a.Version)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	for _, v := range missing {
		if _, err := tx.ExecContext(ctx, update, sums[v], v); err != nil {
			return fmt.Errorf("recording the checksum of %s: %w", v, err)
		}
	}
	return tx.Commit()
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
	insert := `INSERT INTO ` + migrationsTable + ` (version, checksum) VALUES (?, ?)`
	if dia == dialect.Postgres {
		// applied_at is a timestamp without time zone, whose default is
		// the session's local time; the time is recorded in UTC instead.
		insert = `INSERT INTO ` + migrationsTable + ` (version, checksum, applied_at) VALUES ($1, $2, now() AT TIME ZONE 'UTC')`
	}
	if _, err := tx.ExecContext(ctx, insert, m.Version, m.Checksum); err != nil {
		return err
	}
	return tx.Commit()
}
