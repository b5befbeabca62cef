package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"bangfu/ent"
	"bangfu/ent/order"
	"bangfu/internal/jobs"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// gathered is the value of the series of name with the label pairs given.
func gathered(t *testing.T, m *Metrics, name string, labels ...string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range fams {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, s := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range s.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue next
				}
			}
			return valueOf(s)
		}
	}
	return 0
}

func valueOf(s *dto.Metric) float64 {
	if s.Histogram != nil {
		return float64(s.Histogram.GetSampleCount())
	}
	return s.GetCounter().GetValue()
}

// TestOrdersCountedAfterCommit: an order settled in a transaction that
// rolls back is not counted; one that commits is; a bulk update counts the
// rows it changed. (Orders placed are counted by the marketplace:
// TestMetrics in internal/httpapi.)
func TestOrdersCountedAfterCommit(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	m := New()
	m.Instrument(db.Client)
	ctx := storetest.AsSystem()
	some := db.Client.Order.Query().Where(order.StatusEQ(order.StatusACCEPTED)).FirstX(ctx)
	rollback := errors.New("rolled back")
	err := store.WithTx(ctx, db.Client, func(tx *ent.Client) error {
		if err := tx.Order.UpdateOne(some).SetStatus(order.StatusSETTLED).Exec(ctx); err != nil {
			return err
		}
		if got := gathered(t, m, "bangfu_orders_settled_total"); got != 0 {
			t.Errorf("settled before the commit: %v", got)
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if s := gathered(t, m, "bangfu_orders_settled_total"); s != 0 {
		t.Fatalf("after a rollback: settled %v", s)
	}
	err = store.WithTx(ctx, db.Client, func(tx *ent.Client) error {
		return tx.Order.UpdateOne(some).SetStatus(order.StatusSETTLED).Exec(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	// A bulk update counts the rows it changed.
	n := db.Client.Order.Update().Where(order.StatusEQ(order.StatusSETTLED)).SetStatus(order.StatusREFUNDED).SaveX(ctx)
	if n == 0 {
		t.Fatal("no settled orders to refund")
	}
	if s, r := gathered(t, m, "bangfu_orders_settled_total"), gathered(t, m, "bangfu_orders_refunded_total"); s != 1 || r != float64(n) {
		t.Fatalf("after commits: settled %v, refunded %v; want 1, %d", s, r, n)
	}
}

// TestJobRuns: the runner reports runs, periods another replica holds and
// failures.
func TestJobRuns(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	m := New()
	now := func() time.Time { return time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC) }
	r := jobs.New(db.Client, now, slog.New(slog.NewTextHandler(io.Discard, nil)), "test").Observe(m.JobRan)
	daily := jobs.Job{Name: "daily", Every: time.Hour, Period: func(t time.Time) string { return t.Format("2006-01-02") },
		Run: func(context.Context) (string, error) { return "done", nil }}
	failing := jobs.Job{Name: "failing", Every: time.Hour, Run: func(context.Context) (string, error) { return "", errors.New("no") }}
	ctx := context.Background()
	for _, j := range []jobs.Job{daily, daily, failing} {
		_, _ = r.RunOnce(ctx, j)
	}
	for _, c := range []struct {
		job, outcome string
		want         float64
	}{{"daily", "ok", 1}, {"daily", "skipped", 1}, {"failing", "failed", 1}, {"failing", "ok", 0}} {
		if got := gathered(t, m, "bangfu_job_runs_total", "job", c.job, "outcome", c.outcome); got != c.want {
			t.Errorf("job_runs_total{job=%s,outcome=%s} = %v, want %v", c.job, c.outcome, got, c.want)
		}
	}
	if got := gathered(t, m, "bangfu_job_run_duration_seconds", "job", "daily"); got != 1 {
		t.Errorf("daily's durations: %v, want 1 (a skipped run is not timed)", got)
	}
}
