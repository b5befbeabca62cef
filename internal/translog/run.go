package translog

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// RunOptions tune the sealer.
type RunOptions struct {
	// Every is how often the leader seals (default 250 ms).
	Every time.Duration
	// Resign is how often the head is signed again when nothing was
	// sealed, so that the published checkpoint shows the log is alive
	// (default 30 s; the issue asks for at least every minute).
	Resign time.Duration
	// OnLead is told when this replica becomes or stops being the sealer.
	OnLead func(leading bool)
}

// leaderKey is the session-level advisory lock the sealing replica holds
// on a connection of its own: one replica seals, the others wait, and when
// the sealer dies its connection closes, the lock is released and another
// replica takes over within a tick.
const leaderKey = 727_7034

// Run seals and signs in the background until ctx ends. On PostgreSQL
// (db non-nil) only the replica holding the leader lock seals; on SQLite,
// with one server process, it always does.
func (l *Log) Run(ctx context.Context, db *sql.DB, log *slog.Logger, o RunOptions) {
	if o.Every == 0 {
		o.Every = 250 * time.Millisecond
	}
	if o.Resign == 0 {
		o.Resign = 30 * time.Second
	}
	tick := time.NewTicker(o.Every)
	defer tick.Stop()
	var lead *sql.Conn
	defer func() {
		if lead != nil {
			_ = lead.Close()
		}
	}()
	signed := time.Time{}
	for {
		leading := db == nil
		if db != nil {
			var err error
			lead, err = l.holdLead(ctx, db, lead, log, o.OnLead)
			leading = err == nil && lead != nil
		}
		if leading {
			if size, err := l.Seal(ctx); err != nil {
				if ctx.Err() == nil {
					log.Error("sealing the log", "error", err.Error())
				}
			} else if time.Since(signed) >= o.Resign {
				if err := l.Resign(ctx); err != nil {
					log.Error("signing the log's head", "error", err.Error())
				} else {
					signed = time.Now()
					log.Debug("log head signed", "size", size)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// holdLead keeps or tries to take the leader lock; it returns the
// connection holding it, or nil.
func (l *Log) holdLead(ctx context.Context, db *sql.DB, conn *sql.Conn, log *slog.Logger, onLead func(bool)) (*sql.Conn, error) {
	if conn != nil {
		if err := conn.PingContext(ctx); err == nil {
			return conn, nil
		}
		_ = conn.Close() // the lock went with the connection
		log.Warn("lost the log sealer's lock")
		if onLead != nil {
			onLead(false)
		}
	}
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := c.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", leaderKey).Scan(&got); err != nil || !got {
		_ = c.Close()
		return nil, err
	}
	log.Info("this replica seals the log")
	if onLead != nil {
		onLead(true)
	}
	return c, nil
}
