package store

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// Health watches whether the database answers. It probes with a
// connection of its own, so a pool busy with slow transactions never
// looks like a database that is down, and a database that stopped
// answering is known within a probe interval: requests can then be
// turned away at once (503) instead of piling up.
type Health struct {
	db      *sql.DB
	every   time.Duration
	timeout time.Duration
	down    atomic.Bool
}

// Health probing intervals.
const (
	HealthEvery   = time.Second
	HealthTimeout = time.Second
)

// Health opens the health check's own connection to the database.
func (d *DB) Health() (*Health, error) {
	db, err := sql.Open(d.driverName, d.dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &Health{db: db, every: HealthEvery, timeout: HealthTimeout}, nil
}

// Run probes every interval until ctx ends.
func (h *Health) Run(ctx context.Context) {
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		_ = h.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check probes once, within the probe timeout, and records the result.
func (h *Health) Check(ctx context.Context) error {
	err := Within(ctx, h.timeout, h.db.PingContext)
	if ctx.Err() == nil {
		h.down.Store(err != nil)
	}
	return err
}

// Down reports whether the last probe found the database not answering.
func (h *Health) Down() bool { return h != nil && h.down.Load() }

// Close closes the probe's connection.
func (h *Health) Close() error { return h.db.Close() }
