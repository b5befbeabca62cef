package live

import (
	"context"
	"slices"
	"sync/atomic"
	"time"

	"bangfu/internal/apperr"
)

// Watcher says how a subscription reads what it watches.
type Watcher[T any] struct {
	// Load reads the current value as the subscriber (the same checked
	// path as a query) and names the topics that wake a re-read.
	Load func(ctx context.Context) (T, []string, error)
	// Same reports whether two reads show the same thing; an unchanged
	// value is not sent again.
	Same func(a, b T) bool
	// Final reports whether a Load error ends the subscription (the
	// subscriber may no longer see it, or it is gone). Other errors, such
	// as the database being away, are retried at the next wake-up.
	Final func(error) bool
}

// Watch streams what w.Load reads: the current value at once, then each
// change, until ctx ends or a final error; then the channel is closed. An
// error from the first read is returned as is, so a subscriber who may not
// see the value is refused like a query would be.
func Watch[T any](ctx context.Context, h *Hub, w Watcher[T]) (<-chan T, error) {
	release, err := acquire(ctx)
	if err != nil {
		return nil, err
	}
	first, topics, err := w.Load(ctx)
	if err != nil {
		release()
		return nil, err
	}
	sub := h.Subscribe(topics...)
	// A change committed between the read and the subscription would be
	// missed: re-read once at once (sent only if it differs).
	signal(sub)
	out := make(chan T, 1)
	out <- first
	go func() {
		defer release()
		defer close(out)
		defer func() { sub.Close() }()
		resync := time.NewTicker(h.Resync)
		defer resync.Stop()
		last := first
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.C:
			case <-resync.C:
			}
			v, now, err := w.Load(ctx)
			if err != nil {
				if ctx.Err() != nil || w.Final(err) {
					return
				}
				h.log.WarnContext(ctx, "live: re-read failed; retrying at the next wake-up", "error", err.Error())
				continue
			}
			if !slices.Equal(now, topics) {
				sub.Close()
				sub, topics = h.Subscribe(now...), now
			}
			if w.Same(last, v) {
				continue
			}
			last = v
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// MaxPerConnection bounds the subscriptions one connection may hold open:
// each costs a goroutine and re-reads.
const MaxPerConnection = 32

type slotsKey struct{}

// WithSlots marks ctx as one connection's, whose subscriptions together
// may be at most MaxPerConnection.
func WithSlots(ctx context.Context) context.Context {
	return context.WithValue(ctx, slotsKey{}, new(atomic.Int32))
}

// acquire takes one of the connection's slots; release gives it back.
func acquire(ctx context.Context) (release func(), err error) {
	n, _ := ctx.Value(slotsKey{}).(*atomic.Int32)
	if n == nil {
		return func() {}, nil
	}
	if n.Add(1) > MaxPerConnection {
		n.Add(-1)
		return nil, apperr.BadInput("at most %d subscriptions per connection", MaxPerConnection)
	}
	return func() { n.Add(-1) }, nil
}
