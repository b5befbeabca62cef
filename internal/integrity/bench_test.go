package integrity_test

import (
	"os"
	"testing"
	"time"

	"bangfu/internal/clock"
	"bangfu/internal/integrity"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

// BenchmarkIntegrityScan runs the full scan over a seeded database (the
// 1,000,000-line dataset: go run ./seed --reset --scale 10). The first
// iteration raises the flags; later ones find the same and raise nothing.
//
//	createdb -h 127.0.0.1 -U postgres flags_bench
//	DATABASE_URL='postgres://postgres@127.0.0.1:5432/flags_bench?sslmode=disable' go run ./seed --reset --scale 10
//	BANGFU_BENCH_DATABASE_URL='postgres://postgres@127.0.0.1:5432/flags_bench?sslmode=disable' \
//	  go test -run '^$' -bench IntegrityScan -benchtime 2x ./internal/integrity/
func BenchmarkIntegrityScan(b *testing.B) {
	url := os.Getenv("BANGFU_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("set BANGFU_BENCH_DATABASE_URL to a seeded database")
	}
	ctx := storetest.AsSystem()
	db, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	lines, _ := db.Client.OrderLine.Query().Count(ctx)
	b.Logf("%d order lines", lines)
	svc := integrity.New(db.Client, clock.Real)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rep, err := svc.Scan(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("scan %d: %s, %d raised", i+1, time.Since(start).Round(time.Millisecond), rep.Raised)
		for _, ic := range rep.ByIndicator {
			b.Logf("  %-20s findings %7d raised %7d in %s", ic.Code, ic.Findings, ic.Raised, ic.Took.Round(time.Millisecond))
		}
	}
}
