package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
)

// The checks below run before any migration is applied. A migration file
// that changes after release would leave databases migrated before and
// after the change with different schemas and nothing to tell them apart,
// so the server refuses to start instead. Two records make changes
// visible: atlas.sum beside the files (written by migrategen, reviewed
// with them) catches a directory edited without regenerating it, and the
// checksum stored with each applied version catches a file edited after a
// database applied it, even when atlas.sum was regenerated to match.

// Why a migration run was refused; a *MigrationError wraps one of them, so
// callers test with errors.Is.
var (
	// ErrMigrationsTampered: the migration directory does not match its
	// atlas.sum (a file added, removed or edited without re-hashing).
	ErrMigrationsTampered = errors.New("migration directory does not match atlas.sum")
	// ErrAppliedMigrationEdited: a migration's file changed after this
	// database applied it.
	ErrAppliedMigrationEdited = errors.New("applied migration was edited")
	// ErrAppliedMigrationMissing: the database applied a migration, older
	// than this binary's newest, that this binary does not have (its file
	// was removed and atlas.sum re-hashed).
	ErrAppliedMigrationMissing = errors.New("applied migration is missing")
	// ErrDatabaseNewer: the database applied migrations newer than any this
	// binary knows (a newer release migrated it).
	ErrDatabaseNewer = errors.New("database is newer than this binary")
	// ErrMigrationOutOfOrder: a migration not yet applied is older than the
	// newest applied one, so databases would apply it in different orders.
	ErrMigrationOutOfOrder = errors.New("migration out of order")
)

// rehashHint says how to re-hash a directory after a deliberate change.
const rehashHint = "if you changed an unreleased migration on purpose, re-hash with " +
	"'go run ./internal/store/migrategen -rehash' and commit atlas.sum; " +
	"a released migration must never change (restore it and write a new one)"

// MigrationError is a refusal to run migrations. Kind is one of the Err*
// sentinels above.
type MigrationError struct {
	Kind    error
	Dialect string
	// File names the file for ErrMigrationsTampered; Version the migration
	// (file name without .sql) for the others.
	File, Version string
	// Detail says what was found.
	Detail string
	// Err is the underlying error, if any (atlas's checksum error).
	Err error
}

func (e *MigrationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migrations (%s): ", e.Dialect)
	switch {
	case e.File != "":
		fmt.Fprintf(&b, "%s: ", e.File)
	case e.Version != "":
		fmt.Fprintf(&b, "migration %s: ", e.Version)
	}
	b.WriteString(e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap gives errors.Is and errors.As the kind and the cause.
func (e *MigrationError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// MigrationDir is the embedded migration directory of a dialect (its .sql
// files and atlas.sum).
func MigrationDir(dia string) fs.FS {
	sub, err := fs.Sub(migrations, path.Join("migrations", dirFor(dia)))
	if err != nil {
		panic(err) // only for an invalid path, which this is not
	}
	return sub
}

// fsDir presents an fs.FS holding migration files as an atlas directory,
// so that atlas's own Validate and Checksum judge it (atlas.LocalDir needs
// an OS path, and the embedded directory has none).
type fsDir struct{ fs.FS }

var _ atlas.Dir = fsDir{}

func (fsDir) WriteFile(string, []byte) error {
	return errors.New("the migration directory is read-only here")
}

// Files are the .sql files in name order, as atlas.LocalDir lists them.
func (d fsDir) Files() ([]atlas.File, error) {
	names, err := fs.Glob(d.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	files := make([]atlas.File, 0, len(names))
	for _, n := range names {
		b, err := fs.ReadFile(d.FS, n)
		if err != nil {
			return nil, err
		}
		files = append(files, atlas.NewLocalFile(n, b))
	}
	return files, nil
}

func (d fsDir) Checksum() (atlas.HashFile, error) {
	files, err := d.Files()
	if err != nil {
		return nil, err
	}
	return atlas.NewHashFile(files)
}

// loadMigrations reads the migrations of dir in the order they apply.
func loadMigrations(dir fs.FS) ([]Migration, error) {
	files, err := fsDir{dir}.Files()
	if err != nil {
		return nil, err
	}
	out := make([]Migration, 0, len(files))
	for _, f := range files {
		sum, err := fileChecksum(f)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: strings.TrimSuffix(f.Name(), ".sql"), SQL: string(f.Bytes()), Checksum: sum})
	}
	return out, nil
}

// fileChecksum is atlas's hash of one file on its own (its name and
// content). atlas.sum chains each file's hash with those before it, so an
// edit to one file would show as an edit to every later one; the database
// records each file's own hash instead.
func fileChecksum(f atlas.File) (string, error) {
	h, err := atlas.NewHashFile([]atlas.File{f})
	if err != nil {
		return "", err
	}
	if len(h) != 1 {
		// atlas skips files marked "atlas:sum ignore"; bangfu checks all.
		return "", fmt.Errorf("migration %s opts out of atlas.sum; every migration must be checked", f.Name())
	}
	return "h1:" + h[0].H, nil
}

// VerifyMigrationDir checks a dialect's migration folder against its
// atlas.sum; a mismatch is a *MigrationError wrapping ErrMigrationsTampered.
func VerifyMigrationDir(dia string, dir fs.FS) error { return checkDir(dia, dir) }

// checkDir verifies dir against its atlas.sum with atlas's Validate.
func checkDir(dia string, dir fs.FS) error {
	err := atlas.Validate(fsDir{dir})
	if err == nil {
		return nil
	}
	me := &MigrationError{Kind: ErrMigrationsTampered, Dialect: dia, Err: err}
	var ce *atlas.ChecksumError
	switch {
	case errors.As(err, &ce):
		me.File = ce.File
		me.Detail = fmt.Sprintf("%s since atlas.sum was written; %s", ce.Reason, rehashHint)
	case errors.Is(err, atlas.ErrChecksumNotFound):
		me.File = atlas.HashFileName
		me.Detail = "missing; " + rehashHint
	case errors.Is(err, atlas.ErrChecksumMismatch), errors.Is(err, atlas.ErrChecksumFormat):
		me.File = atlas.HashFileName
		me.Detail = fmt.Sprintf("%v (the file itself was edited); %s", err, rehashHint)
	default:
		return fmt.Errorf("migrations (%s): checking the directory: %w", dia, err)
	}
	return me
}

// AppliedMigration is a version recorded in the bookkeeping table.
type AppliedMigration struct {
	Version   string
	AppliedAt time.Time
	// Checksum is the file's hash when it was applied; empty for versions
	// applied before checksums were recorded (the next migration run fills
	// it in from the file, once the directory has been checked).
	Checksum string
}

// MigrationStatus describes a database against a migration directory.
type MigrationStatus struct {
	Dialect string
	// Files is the number of migration files.
	Files int
	// DirErr is nil when the directory matches atlas.sum.
	DirErr error
	// Applied are the recorded versions in order.
	Applied []AppliedMigration
	// Pending are the versions a migration run would apply.
	Pending []string
	// Problems are every refusal found, the directory's first.
	Problems []error
}

// Err is the refusal a migration run would return, or nil.
func (s *MigrationStatus) Err() error {
	if len(s.Problems) == 1 {
		return s.Problems[0]
	}
	return errors.Join(s.Problems...)
}

// analyse compares the applied versions with the migrations. It returns
// the migrations to apply and every problem with the database's history.
func analyse(dia string, all []Migration, applied []AppliedMigration) (pending []Migration, problems []error) {
	known := make(map[string]Migration, len(all))
	var newestKnown string
	for _, m := range all {
		known[m.Version] = m
		newestKnown = max(newestKnown, m.Version)
	}
	done := make(map[string]bool, len(applied))
	var newestApplied string
	for _, a := range applied {
		done[a.Version] = true
		newestApplied = max(newestApplied, a.Version)
	}
	// Applied versions come in version order, so problems do too.
	for _, a := range applied {
		m, ok := known[a.Version]
		switch {
		case ok && a.Checksum != "" && a.Checksum != m.Checksum:
			problems = append(problems, &MigrationError{Kind: ErrAppliedMigrationEdited, Dialect: dia, Version: a.Version,
				Detail: fmt.Sprintf("applied on %s with checksum %s, the file now hashes to %s; restore the file as it was released and put the change in a new migration",
					a.AppliedAt.UTC().Format(time.RFC3339), a.Checksum, m.Checksum)})
		case !ok && a.Version > newestKnown:
			problems = append(problems, &MigrationError{Kind: ErrDatabaseNewer, Dialect: dia, Version: a.Version,
				Detail: fmt.Sprintf("applied on %s, but the newest migration this binary knows is %q; a newer release migrated this database, so run that release (or newer)",
					a.AppliedAt.UTC().Format(time.RFC3339), newestKnown)})
		case !ok:
			problems = append(problems, &MigrationError{Kind: ErrAppliedMigrationMissing, Dialect: dia, Version: a.Version,
				Detail: fmt.Sprintf("applied on %s, but this binary has no such file; restore %s.sql", a.AppliedAt.UTC().Format(time.RFC3339), a.Version)})
		}
	}
	for _, m := range all {
		switch {
		case done[m.Version]:
		case m.Version < newestApplied:
			problems = append(problems, &MigrationError{Kind: ErrMigrationOutOfOrder, Dialect: dia, Version: m.Version,
				Detail: fmt.Sprintf("not applied, but older than the newest applied migration %s; give it a version newer than that (migrategen names new files with the current time)", newestApplied)})
		default:
			pending = append(pending, m)
		}
	}
	return pending, problems
}

// bookkeeping says whether the bookkeeping table and its checksum column
// exist.
func bookkeeping(ctx context.Context, q querier, dia string) (table, checksum bool, err error) {
	var n int
	if dia == dialect.Postgres {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, migrationsTable).Scan(&n)
	} else {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?)`, migrationsTable).Scan(&n)
	}
	if err != nil || n == 0 {
		return false, false, err
	}
	if dia == dialect.Postgres {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'checksum'`, migrationsTable).Scan(&n)
	} else {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = 'checksum'`, migrationsTable).Scan(&n)
	}
	return true, n > 0, err
}

// querier is a connection or a pool.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// appliedMigrations lists the recorded versions in order.
func appliedMigrations(ctx context.Context, q querier, withChecksum bool) ([]AppliedMigration, error) {
	sum := "''"
	if withChecksum {
		sum = "COALESCE(checksum, '')"
	}
	rows, err := q.QueryContext(ctx, `SELECT version, applied_at, `+sum+` FROM `+migrationsTable+` ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AppliedMigration
	for rows.Next() {
		var a AppliedMigration
		if err := rows.Scan(&a.Version, &a.AppliedAt, &a.Checksum); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// MigrationStatus reports the database against dir (nil: the embedded
// directory) without changing anything.
func (d *DB) MigrationStatus(ctx context.Context, dir fs.FS) (*MigrationStatus, error) {
	if dir == nil {
		dir = MigrationDir(d.Dialect)
	}
	s := &MigrationStatus{Dialect: d.Dialect}
	if err := checkDir(d.Dialect, dir); err != nil {
		var me *MigrationError
		if !errors.As(err, &me) {
			return nil, err
		}
		s.DirErr = err
		s.Problems = append(s.Problems, err)
	}
	all, err := loadMigrations(dir)
	if err != nil {
		return nil, err
	}
	s.Files = len(all)
	table, withChecksum, err := bookkeeping(ctx, d.SQL, d.Dialect)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", migrationsTable, err)
	}
	if table {
		if s.Applied, err = appliedMigrations(ctx, d.SQL, withChecksum); err != nil {
			return nil, fmt.Errorf("reading %s: %w", migrationsTable, err)
		}
	}
	pending, problems := analyse(d.Dialect, all, s.Applied)
	for _, m := range pending {
		s.Pending = append(s.Pending, m.Version)
	}
	s.Problems = append(s.Problems, problems...)
	return s, nil
}
