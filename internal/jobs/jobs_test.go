package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/ent/auditevent"
	"bangfu/ent/jobrun"
	"bangfu/ent/user"
	"bangfu/internal/jobs"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// A job with a period runs once per period however many replicas try at
// once; a claim its replica left unfinished is taken over after the lease;
// what the job writes names the job.
func TestOncePerPeriodAcrossReplicas(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	now := time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var runs atomic.Int32
	job := jobs.Job{Name: "daily-test", Every: time.Hour, Lease: time.Hour,
		Period: func(t time.Time) string { return t.Format("2006-01-02") },
		Run: func(ctx context.Context) (string, error) {
			runs.Add(1)
			if viewer.FromContext(ctx).IsSystem() != true {
				t.Error("a job does not act as the server")
			}
			return "ok", db.Client.User.Create().SetEmail("job@example.cn").SetDisplayName("x").Exec(ctx)
		}}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := jobs.New(db.Client, clock, quiet, string(rune('a'+i)))
			if _, err := r.RunOnce(context.Background(), job); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("the job ran %d times in one period, want 1", runs.Load())
	}
	sys := storetest.AsSystem()
	ev := db.Client.AuditEvent.Query().Where(auditevent.Action("daily-test")).OnlyX(sys)
	if ev.Job != "daily-test" || ev.ActorID != nil {
		t.Fatalf("the job's event names %q / %v", ev.Job, ev.ActorID)
	}
	db.Client.User.Delete().Where(user.Email("job@example.cn")).ExecX(sys)

	// Next day: runs again.
	now = now.Add(24 * time.Hour)
	if ran, err := jobs.New(db.Client, clock, quiet, "a").RunOnce(context.Background(), job); err != nil || !ran {
		t.Fatalf("next day: ran=%v %v", ran, err)
	}
	// A claim left unfinished (its replica died) is taken over after the lease.
	now = now.Add(24 * time.Hour)
	period := now.Format("2006-01-02")
	db.Client.JobRun.Create().SetJob("daily-test").SetPeriod(period).SetInstance("dead").SetStartedAt(now).ExecX(sys)
	db.Client.User.Delete().Where(user.Email("job@example.cn")).ExecX(sys)
	if ran, _ := jobs.New(db.Client, clock, quiet, "b").RunOnce(context.Background(), job); ran {
		t.Fatal("took over a claim within its lease")
	}
	now = now.Add(2 * time.Hour)
	if ran, err := jobs.New(db.Client, clock, quiet, "b").RunOnce(context.Background(), job); err != nil || !ran {
		t.Fatalf("did not take over a stale claim: ran=%v %v", ran, err)
	}
	run := db.Client.JobRun.Query().Where(jobrun.Period(period)).OnlyX(sys)
	if run.Instance != "b" || run.FinishedAt == nil || run.Outcome != "ok" {
		t.Fatalf("run after takeover: %+v", run)
	}
}
