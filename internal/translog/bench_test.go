package translog_test

import (
	"testing"

	"bangfu/ent"
	"bangfu/ent/ledgerentry"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

// BenchmarkSeal measures sealing per leaf: b.N ledger entries written in
// batches of 1,000 (as a 1,000-household settlement writes them), then
// sealed.
//
//	BANGFU_TEST_DATABASE_URL=… go test -run '^$' -bench Seal -benchtime 20000x ./internal/translog/
func BenchmarkSeal(b *testing.B) {
	f := openTB(b)
	ctx := audit.WithoutEvents(f.ctx)
	for done := 0; done < b.N; done += 1000 {
		err := store.WithTx(ctx, f.db.Client, func(tx *ent.Client) error {
			var bulk []*ent.LedgerEntryCreate
			for i := range min(1000, b.N-done) {
				bulk = append(bulk, tx.LedgerEntry.Create().SetKind(ledgerentry.KindHOUSEHOLD_INCOME).
					SetAmount(int64(100+i)).SetYear(2026).SetNote("WAGE"))
			}
			return tx.LedgerEntry.CreateBulk(bulk...).Exec(ctx)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	n, err := f.log.SealThrough(f.ctx)
	if err != nil {
		b.Fatal(err)
	}
	if n != int64(b.N) {
		b.Fatalf("sealed %d leaves, want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leaves/s")
}
