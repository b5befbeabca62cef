package agreements_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/credittotal"
	"bangfu/ent/ledgerentry"
	"bangfu/internal/agreements"
	"bangfu/internal/bulk"
	"bangfu/internal/clock"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
)

// BenchmarkAgreementProgress measures agreementProgress on a ledger of
// 10,000 and of 1,000,000 settled lines in one run, and fails if the
// larger is more than 1.5× slower: progress reads the running totals, not
// the ledger. On PostgreSQL:
//
//	BANGFU_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	  go test -run '^$' -bench AgreementProgress -benchtime 2000x ./internal/agreements/
func BenchmarkAgreementProgress(b *testing.B) {
	var base time.Duration // per-call latency at 10,000 lines
	for _, lines := range []int{10_000, 1_000_000} {
		sys := storetest.AsSystem()
		db := storetest.OpenDemo(b)
		start := time.Now()
		if _, err := bulk.Generate(sys, db, bulk.Plan{Households: 1000, Products: 5000, OrderLines: lines, AllSettled: true}, nil); err != nil {
			b.Fatal(err)
		}
		b.Logf("%d settled lines generated and booked in %v", lines, time.Since(start).Round(time.Millisecond))
		// The agreement with the most credited lines.
		var top []struct {
			AgreementID int `json:"agreement_id"`
			Sum         int `json:"sum"`
		}
		err := db.Client.CreditTotal.Query().Where(credittotal.Year(2026)).GroupBy(credittotal.FieldAgreementID).
			Aggregate(ent.As(ent.Sum(credittotal.FieldLines), "sum")).Scan(sys, &top)
		if err != nil || len(top) == 0 {
			b.Fatalf("no credited agreement in 2026: %v", err)
		}
		best := top[0]
		for _, t := range top {
			if t.Sum > best.Sum {
				best = t
			}
		}
		ledger := db.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT)).CountX(sys)
		svc := agreements.New(db.Client, clock.Real)
		ctx := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1, Grants: []viewer.Grant{{Role: viewer.Auditor}}})
		b.Run(fmt.Sprintf("settled_lines=%d", lines), func(b *testing.B) {
			b.Logf("ledger: %d credit entries; the agreement read has %d credited lines in 2026", ledger, best.Sum)
			for i := 0; i < b.N; i++ {
				p, err := svc.Progress(ctx, best.AgreementID, 2026)
				if err != nil || len(p.Targets) == 0 {
					b.Fatalf("progress: %v %+v", err, p)
				}
			}
			per := b.Elapsed() / time.Duration(b.N)
			if b.N == 1 {
				return // the framework's single-iteration probe: cold caches, not a measurement
			}
			if lines == 10_000 {
				base = per
				return
			}
			ratio := float64(per) / float64(base)
			b.ReportMetric(ratio, "x_of_10k")
			if ratio > 1.5 {
				b.Errorf("agreementProgress at %d lines takes %v, %.2f× its %v at 10,000", lines, per, ratio, base)
			}
		})
	}
}
