// Package pacing keeps bulk writes from crowding out small ones.
//
// A 100-item cart, or the settlement of an order whose supplier benefits a
// thousand households, costs tens of times what a one-line order costs. Sent
// back to back on a busy server, such work takes CPU and database time from
// every buyer placing a small order. A Pacer runs bulk work one operation at
// a time per process and, while the server is busy with small work, spaces
// bulk operations so that together they take at most a share of wall time,
// the way PostgreSQL's vacuum_cost_delay paces VACUUM. On a quiet server
// bulk work is not delayed at all: a lone settlement is as fast as it can
// be.
package pacing

import (
	"context"
	"sync/atomic"
	"time"
)

// Pacer decides when bulk operations may run. The zero value is not usable;
// call New.
type Pacer struct {
	share   float64
	maxWait time.Duration
	// busyAt is how many small operations in flight make the server busy:
	// one at a time is a quiet server (a small order takes milliseconds),
	// several at once are buyers competing for the CPU and the database,
	// which is when bulk work would take their share.
	busyAt int64

	now  func() time.Time
	wait func(ctx context.Context, d time.Duration) error

	slot  chan struct{} // one bulk operation at a time; holds next
	next  time.Time     // earliest start of the next bulk operation while busy
	small atomic.Int64  // small operations in flight
}

// New returns a Pacer that lets bulk work take at most share (0 < share ≤ 1)
// of wall time while small work runs, and never delays one bulk operation by
// more than maxWait, so that a long one does not stall the next for minutes.
func New(share float64, maxWait time.Duration) *Pacer {
	if share <= 0 || share > 1 {
		panic("pacing: share must be in (0, 1]")
	}
	return &Pacer{
		share: share, maxWait: maxWait, busyAt: 2,
		now: time.Now, wait: sleep,
		slot: make(chan struct{}, 1),
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Small marks a small operation as in flight until done is called.
func (p *Pacer) Small() (done func()) {
	p.small.Add(1)
	return func() { p.small.Add(-1) }
}

func (p *Pacer) busy() bool { return p.small.Load() >= p.busyAt }

// Bulk waits for the bulk operation's turn and returns done, to be called
// when the operation ends. It fails only when ctx ends while waiting.
func (p *Pacer) Bulk(ctx context.Context) (done func(), err error) {
	select {
	case p.slot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if now := p.now(); p.busy() {
		if d := min(p.next.Sub(now), p.maxWait); d > 0 {
			if err := p.wait(ctx, d); err != nil {
				<-p.slot
				return nil, err
			}
		}
	}
	start := p.now()
	return func() {
		end := p.now()
		// Run for d, rest for d·(1−share)/share: bulk work gets share of the
		// time while small work is in flight.
		rest := time.Duration(float64(end.Sub(start)) * (1 - p.share) / p.share)
		p.next = end.Add(rest)
		<-p.slot
	}, nil
}
