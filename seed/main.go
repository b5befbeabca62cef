// Command seed fills a bangfu database with the deterministic demo dataset,
// and with --scale adds large synthetic data for benchmarks.
//
//	go run ./seed                        # demo data into ./bangfu.db
//	DATABASE_URL=postgres://... go run ./seed --reset --scale 10   # + 100k households, 1M order lines
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"bangfu/internal/audit"
	"bangfu/internal/bulk"
	"bangfu/internal/demo"
	"bangfu/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	ctx = audit.BeginJob(ctx, "seed") // what it writes is the seed command's
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dbPath := fs.String("db", orDefault(os.Getenv("BANGFU_DB"), "./bangfu.db"), "SQLite file used when DATABASE_URL is unset")
	reset := fs.Bool("reset", false, "delete all existing data first")
	scale := fs.Int("scale", 0, "add N scale units of benchmark data on top of the demo (1 unit = 10k households, 10k products, 100k order lines)")
	products := fs.Int("products", 0, "with --scale: override the number of products")
	households := fs.Int("households", 0, "with --scale: override the number of households")
	lines := fs.Int("lines", 0, "with --scale: override the number of order lines")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *scale < 0 {
		return errors.New("--scale must not be negative")
	}
	db, err := store.Open(ctx, store.Config{URL: os.Getenv("DATABASE_URL"), SQLitePath: *dbPath})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if *reset {
		if err := db.Reset(ctx); err != nil {
			return fmt.Errorf("reset: %w", err)
		}
	}
	start := time.Now()
	loaded, err := demo.LoadIfEmpty(ctx, db)
	if err != nil {
		return err
	}
	if !loaded {
		return errors.New("the database already has data; pass --reset to replace it")
	}
	fmt.Printf("demo dataset loaded in %v (%s)\n", time.Since(start).Round(time.Millisecond), db.Dialect)
	if *scale == 0 {
		return nil
	}
	plan := bulk.PlanForScale(*scale)
	for _, o := range []struct {
		flag int
		dst  *int
	}{{*products, &plan.Products}, {*households, &plan.Households}, {*lines, &plan.OrderLines}} {
		if o.flag > 0 {
			*o.dst = o.flag
		}
	}
	rep, err := bulk.Generate(ctx, db, plan, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("scale %d (%+v) written in %v (order_lines: %d rows in %v)\n", *scale, plan, rep.Total.Round(time.Millisecond),
		rep.Rows["order_lines"], rep.Times["order_lines"].Round(time.Millisecond))
	return nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
