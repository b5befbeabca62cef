// Command migrategen writes the next versioned migration for each dialect:
// it applies the existing migrations to a scratch database, compares the
// result with the ent schema, and writes the difference as a new SQL file.
//
//	go run ./internal/store/migrategen -name add_things -pg postgres://postgres@127.0.0.1:5432/test?sslmode=disable
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"text/template"
	"time"

	"bangfu/ent/migrate"
	"bangfu/internal/store"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
)

func main() {
	name := flag.String("name", "", "migration name, e.g. add_stock_adjustments (required)")
	rehash := flag.Bool("rehash", false, "only recompute atlas.sum after hand-editing an unreleased migration (e.g. to add a backfill)")
	pg := flag.String("pg", os.Getenv("BANGFU_DEV_DATABASE_URL"), "PostgreSQL URL of a database where a scratch schema may be created")
	flag.Parse()
	if *rehash {
		for _, d := range []string{"sqlite", "postgres"} {
			if err := rehashDir(filepath.Join("internal", "store", "migrations", d)); err != nil {
				log.Fatalf("%s: %v", d, err)
			}
		}
		return
	}
	if *name == "" || *pg == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := generate(*name, *pg); err != nil {
		log.Fatal(err)
	}
}

// generate writes the migration named name for both databases, replaying
// the existing migrations into scratch databases (pg: a server where a
// scratch schema may be created).
func generate(name, pg string) error {
	ctx := context.Background()
	version := time.Now().UTC().Format("20060102150405")
	tmp, err := os.MkdirTemp("", "migrategen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := gen(ctx, store.Config{SQLitePath: filepath.Join(tmp, "dev.db")}, "sqlite", version, name); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	pgURL, drop, err := scratchSchema(ctx, pg)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer drop()
	if err := gen(ctx, store.Config{URL: pgURL}, "postgres", version, name); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

func gen(ctx context.Context, cfg store.Config, dirName, version, name string) error {
	db, err := store.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	out := filepath.Join("internal", "store", "migrations", dirName)
	dir, err := atlas.NewLocalDir(out)
	if err != nil {
		return err
	}
	return migrate.NewSchema(db.Driver()).NamedDiff(ctx, version+"_"+name,
		schema.WithDir(dir),
		schema.WithFormatter(Formatter),
		schema.WithDialect(db.Dialect),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
}

// Formatter names files VERSION_NAME.sql, one statement per line group.
var Formatter = func() atlas.TemplateFormatter {
	f, err := atlas.NewTemplateFormatter(
		template.Must(template.New("name").Parse("{{ .Name }}.sql")),
		template.Must(template.New("body").Parse(
			"{{ range .Changes }}{{ with .Comment }}-- {{ println . }}{{ end }}{{ printf \"%s;\\n\" .Cmd }}{{ end }}")),
	)
	if err != nil {
		panic(err)
	}
	return f
}()

func scratchSchema(ctx context.Context, base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "migrategen_" + hex.EncodeToString(b[:])
	admin, err := sql.Open(dialect.Postgres, base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			fmt.Fprintln(os.Stderr, "dropping scratch schema:", err)
		}
		admin.Close()
	}, nil
}

func rehashDir(path string) error {
	dir, err := atlas.NewLocalDir(path)
	if err != nil {
		return err
	}
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	return atlas.WriteSumFile(dir, sum)
}
