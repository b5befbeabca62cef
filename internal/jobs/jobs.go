// Package jobs runs the server's scheduled work: each job on its own
// ticker, acting as the server under an audit operation that names the
// job. A job with a Period runs once per period across every replica of
// the deployment: a replica claims the period in job_runs before running
// it, and only the claim that wins runs (a claim left unfinished by a
// replica that died is taken over after the job's lease).
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"
	"unicode/utf8"

	"bangfu/ent"
	"bangfu/ent/jobrun"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/viewer"
)

// Job is one piece of scheduled work.
type Job struct {
	// Name names the job in logs, job_runs and the audit trail.
	Name string
	// Every is how often the job is considered.
	Every time.Duration
	// Period names the period a run covers (a China Standard Time day,
	// say); nil runs the job on every tick of every replica.
	Period func(time.Time) string
	// Lease is how long a claim may stay unfinished before another
	// replica takes the period over (default 1 hour).
	Lease time.Duration
	// Run does the work and says what it did.
	Run func(ctx context.Context) (string, error)
}

// Runner runs jobs for one server replica.
type Runner struct {
	client   *ent.Client
	now      clock.Clock
	log      *slog.Logger
	instance string
	observe  func(job string, ran bool, err error, took time.Duration)
}

// Observe has f called after every RunOnce of the runner (metrics): ran is
// false when the period was claimed by another replica or the claim
// failed, err is the run's or the claim's error, and took is how long it
// took. Call it before Start.
func (r *Runner) Observe(f func(job string, ran bool, err error, took time.Duration)) *Runner {
	r.observe = f
	return r
}

// New returns a runner; instance names the replica (default host:pid).
func New(client *ent.Client, now clock.Clock, log *slog.Logger, instance string) *Runner {
	if instance == "" {
		host, _ := os.Hostname()
		instance = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	return &Runner{client: client, now: now, log: log, instance: instance}
}

// Start runs each job at once and then on its ticker, until ctx ends.
func (r *Runner) Start(ctx context.Context, jobs ...Job) {
	for _, j := range jobs {
		go func() {
			tick := time.NewTicker(j.Every)
			defer tick.Stop()
			for {
				if _, err := r.RunOnce(ctx, j); err != nil && ctx.Err() == nil {
					r.log.Error("job failed", "job", j.Name, "error", err.Error())
				}
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
}

// RunOnce runs the job now unless its period is claimed already; it
// reports whether it ran.
func (r *Runner) RunOnce(ctx context.Context, j Job) (ran bool, err error) {
	if r.observe != nil {
		start := time.Now()
		defer func() { r.observe(j.Name, ran, err, time.Since(start)) }()
	}
	ctx = audit.BeginJob(viewer.AsSystem(ctx), j.Name) // the server's own work, named
	var claim *ent.JobRun
	if j.Period != nil {
		if claim, err = r.claim(ctx, j); claim == nil || err != nil {
			return false, err
		}
	}
	outcome, runErr := j.Run(ctx)
	if runErr != nil {
		outcome = "failed: " + runErr.Error()
	}
	if claim != nil {
		err := r.client.JobRun.UpdateOne(claim).SetFinishedAt(r.now().UTC()).SetOutcome(truncate(outcome, 500)).Exec(ctx)
		if runErr == nil && err != nil {
			return true, err
		}
	}
	if runErr == nil {
		r.log.Info("job ran", "job", j.Name, "outcome", outcome)
	}
	return true, runErr
}

// claim takes the job's current period for this replica; nil when another
// replica holds it or has run it.
func (r *Runner) claim(ctx context.Context, j Job) (*ent.JobRun, error) {
	now := r.now().UTC()
	period := j.Period(now)
	run, err := r.client.JobRun.Create().SetJob(j.Name).SetPeriod(period).SetInstance(r.instance).SetStartedAt(now).Save(ctx)
	if err == nil {
		return run, nil
	}
	if !ent.IsConstraintError(err) {
		return nil, err
	}
	// Claimed already: take it over only if its holder left it unfinished
	// past the lease (the replica died); the conditional update has one
	// winner.
	lease := j.Lease
	if lease == 0 {
		lease = time.Hour
	}
	n, err := r.client.JobRun.Update().
		Where(jobrun.Job(j.Name), jobrun.Period(period), jobrun.FinishedAtIsNil(), jobrun.StartedAtLT(now.Add(-lease))).
		SetStartedAt(now).SetInstance(r.instance).Save(ctx)
	if err != nil || n == 0 {
		return nil, err
	}
	r.log.Warn("job claim taken over after its lease", "job", j.Name, "period", period)
	return r.client.JobRun.Query().Where(jobrun.Job(j.Name), jobrun.Period(period)).Only(ctx)
}

// truncate cuts s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
