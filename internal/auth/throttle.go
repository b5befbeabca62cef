package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"bangfu/ent"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/store"

	"golang.org/x/time/rate"
)

// Sign-in throttling. Failed attempts are counted per email and client
// address in the database (so they hold across replicas and restarts):
// after maxFailures the pair is locked for lockBase, doubling with each
// further failure up to lockMax. Every attempt is counted before the
// password is checked, in one atomic statement, so concurrent guesses
// cannot slip past the count. In memory, each client and the server as a
// whole may start only so many sign-ins per second (each costs a bcrypt
// run): beyond that, RATE_LIMITED with a retry time.
const (
	maxFailures = 5
	lockBase    = 30 * time.Second
	lockMax     = 15 * time.Minute
)

// Rates bound how fast sign-ins may start: per client address, and for the
// server as a whole.
type Rates struct {
	PerClient      rate.Limit
	PerClientBurst int
	Global         rate.Limit
	GlobalBurst    int
}

// DefaultRates allow ten sign-ins a minute per client (a burst of ten), twenty a
// second in all (what two cores' bcrypt can take).
var DefaultRates = Rates{PerClient: rate.Limit(1.0 / 6), PerClientBurst: 10, Global: 20, GlobalBurst: 40}

// CodeRateLimited is the code of a sign-in refused by the rate limits.
const CodeRateLimited = "RATE_LIMITED"

type throttle struct {
	client  *ent.Client
	now     clock.Clock
	rates   Rates
	global  *rate.Limiter
	mu      sync.Mutex
	clients map[string]*clientLimiter
}

type clientLimiter struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newThrottle(client *ent.Client, now clock.Clock, rates Rates) *throttle {
	return &throttle{client: client, now: now, rates: rates, global: rate.NewLimiter(rates.Global, rates.GlobalBurst),
		clients: map[string]*clientLimiter{}}
}

// admit takes a sign-in token from the client's and the global bucket.
func (t *throttle) admit(addr string) error {
	now := t.now()
	t.mu.Lock()
	c, ok := t.clients[addr]
	if !ok {
		if len(t.clients) > 100_000 {
			t.forget(now)
		}
		c = &clientLimiter{limiter: rate.NewLimiter(t.rates.PerClient, t.rates.PerClientBurst)}
		t.clients[addr] = c
	}
	c.seen = now
	allowed := c.limiter.AllowN(now, 1)
	t.mu.Unlock()
	if !allowed {
		return rateLimited(c.limiter.Reserve().Delay())
	}
	if !t.global.AllowN(now, 1) {
		return rateLimited(time.Second)
	}
	return nil
}

// forget drops the buckets of clients idle long enough to be full again.
func (t *throttle) forget(now time.Time) {
	for k, c := range t.clients {
		if now.Sub(c.seen) > time.Duration(float64(t.rates.PerClientBurst)*float64(time.Second)/float64(t.rates.PerClient)) {
			delete(t.clients, k)
		}
	}
}

func rateLimited(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	e := apperr.New(CodeRateLimited, fmt.Sprintf("too many sign-ins; try again in %d seconds", secs))
	e.Details = map[string]any{"retryAfter": secs}
	return e
}

// throttleKey names an email and client pair without storing either.
func throttleKey(email, addr string) string {
	h := sha256.Sum256([]byte(email + "\x00" + addr))
	return hex.EncodeToString(h[:])
}

// reserve counts an attempt for key before the password is checked. One
// statement decides: the count goes up unless the pair is locked, and the
// caller learns the new count and the lock. It reports whether the
// attempt may go on to the password check.
func (t *throttle) reserve(ctx context.Context, key string) (bool, error) {
	now := t.now()
	q := `INSERT INTO sign_in_throttles (key, failures, updated_at) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN sign_in_throttles.locked_until > ? THEN sign_in_throttles.failures ELSE sign_in_throttles.failures + 1 END,
  updated_at = ?
RETURNING failures, locked_until`
	failures, lockedUntil, err := t.count(ctx, store.Rebind(t.client.Dialect(), q), key, now, now, now)
	if err != nil {
		return false, err
	}
	if lockedUntil != nil && lockedUntil.After(now) {
		return false, nil
	}
	if failures <= maxFailures {
		return true, nil
	}
	// Past the limit: lock, longer with each failure beyond it.
	lock := min(lockBase<<min(failures-maxFailures-1, 10), lockMax)
	until := now.Add(lock)
	_, err = t.client.ExecContext(ctx, store.Rebind(t.client.Dialect(), `UPDATE sign_in_throttles SET locked_until = ?
WHERE key = ? AND (locked_until IS NULL OR locked_until < ?)`), until, key, until)
	return false, err
}

// count runs the counting statement and reads its one row.
func (t *throttle) count(ctx context.Context, q string, args ...any) (failures int, lockedUntil *time.Time, err error) {
	rows, err := t.client.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, nil, err
		}
		return 0, nil, errors.New("sign-in throttle: no row")
	}
	if err := rows.Scan(&failures, &lockedUntil); err != nil {
		return 0, nil, err
	}
	return failures, lockedUntil, rows.Close()
}

// succeeded forgets key's failures.
func (t *throttle) succeeded(ctx context.Context, key string) error {
	_, err := t.client.ExecContext(ctx, store.Rebind(t.client.Dialect(), `DELETE FROM sign_in_throttles WHERE key = ?`), key)
	return err
}
