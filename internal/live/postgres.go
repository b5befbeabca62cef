package live

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// channel is the PostgreSQL notification channel every replica listens on.
const channel = "bangfu_live"

// Relay tuning.
const (
	// batchDelay gathers the topics of commits close together into one
	// NOTIFY: a burst of settlements costs one round trip, not one each.
	batchDelay = 20 * time.Millisecond
	// maxPayload stays under PostgreSQL's 8000-byte notification limit.
	maxPayload = 7000
	// pingEvery checks an idle LISTEN connection, so a silently dropped
	// one is noticed and re-established (then everyone re-reads).
	pingEvery = time.Minute
	// retryDelay is the pause before a failed NOTIFY is sent again.
	retryDelay = time.Second
)

// NewPostgres returns a hub whose wake-ups reach every server process on
// the same PostgreSQL database: published topics are sent with pg_notify
// over the pool, and a LISTEN connection (opened with dsn) receives the
// other processes' topics. Run must be running for either to happen.
func NewPostgres(db *sql.DB, dsn string, log *slog.Logger) *Hub {
	h := NewLocal(log)
	h.relay = &pgRelay{db: db, dsn: dsn, log: h.log, sender: h.sender,
		pending: map[string]struct{}{}, kick: make(chan struct{}, 1)}
	return h
}

type pgRelay struct {
	db     *sql.DB
	dsn    string
	log    *slog.Logger
	sender string

	running atomic.Bool
	// listened: LISTEN has run; up: and its connection is established
	// (see Hub.Relaying).
	listened, up atomic.Bool

	mu      sync.Mutex
	pending map[string]struct{}
	kick    chan struct{}
}

// send queues topics for the next NOTIFY. It never blocks the committing
// request. NOTIFY is sent from the pool after commit rather than inside
// the writing transaction, because a transaction that has notified takes
// a database-wide lock at commit, which would serialize every writer.
func (r *pgRelay) send(topics []string) {
	if !r.running.Load() {
		return // nobody would send them; Run has not started or has ended
	}
	r.mu.Lock()
	for _, t := range topics {
		r.pending[t] = struct{}{}
	}
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (r *pgRelay) listening() bool { return r.running.Load() && r.up.Load() }

func (r *pgRelay) run(ctx context.Context, h *Hub) {
	l := pq.NewListener(r.dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			r.log.Warn("live: listen connection", "event", int(ev), "error", err.Error())
		}
		switch ev {
		case pq.ListenerEventReconnected:
			// The listener has issued LISTEN again before it reports this.
			r.up.Store(r.listened.Load())
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			// Wake-ups sent from now on are lost until the reconnection
			// (which wakes everyone): nobody may rely on them meanwhile.
			r.up.Store(false)
			h.wakeAll()
		}
	})
	// Sending needs only the pool: it starts at once, so that what this
	// process commits while LISTEN connects still reaches the others.
	r.running.Store(true)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.sendLoop(ctx)
	}()
	defer func() {
		r.running.Store(false)
		r.up.Store(false)
		_ = l.Close()
		wg.Wait()
	}()
	// Listen returns once LISTEN has run: it waits for the connection
	// (Close ends the wait), and an error is the server's answer to LISTEN.
	listened := make(chan error, 1)
	go func() { listened <- l.Listen(channel) }()

	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-listened:
			if err != nil {
				r.log.Error("live: LISTEN failed: changes made through other replicas will not reach this one", "error", err.Error())
				continue
			}
			r.listened.Store(true)
			r.up.Store(true)
		case <-ping.C:
			go func() { _ = l.Ping() }()
		case n := <-l.Notify:
			if n == nil {
				// Reconnected: anything sent meanwhile was missed.
				h.wakeAll()
				continue
			}
			sender, topics := decode(n.Extra)
			if sender == r.sender {
				continue // woken locally already
			}
			h.wake(topics)
		}
	}
}

func (r *pgRelay) sendLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(batchDelay):
		}
		r.mu.Lock()
		topics := make([]string, 0, len(r.pending))
		for t := range r.pending {
			topics = append(topics, t)
		}
		clear(r.pending)
		r.mu.Unlock()
		for _, batch := range chunks(topics, maxPayload-len(r.sender)-1) {
			if _, err := r.db.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, encode(r.sender, batch)); err != nil {
				// Sent again after a pause (until then, subscribers elsewhere
				// re-read at their next resync, and cached viewers live out
				// their few seconds).
				r.log.Warn("live: NOTIFY failed; retrying", "error", err.Error(), "topics", len(batch))
				r.retry(ctx, batch)
			}
		}
	}
}

// retry queues topics whose NOTIFY failed for the send loop's next round,
// a second from now.
func (r *pgRelay) retry(ctx context.Context, topics []string) {
	r.mu.Lock()
	for _, t := range topics {
		r.pending[t] = struct{}{}
	}
	r.mu.Unlock()
	time.AfterFunc(retryDelay, func() {
		if ctx.Err() == nil {
			select {
			case r.kick <- struct{}{}:
			default:
			}
		}
	})
}

// chunks splits topics into groups whose space-joined length fits limit.
func chunks(topics []string, limit int) [][]string {
	var out [][]string
	var cur []string
	size := 0
	for _, t := range topics {
		if len(cur) > 0 && size+1+len(t) > limit {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, t)
		size += 1 + len(t)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
