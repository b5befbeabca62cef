package auth

import (
	"sync"
	"time"

	"bangfu/internal/live"
	"bangfu/internal/viewer"
)

// Cached viewers. Every request needs its viewer (the account's roles and
// their scope, provided the sign-in is live), and loading it is a query
// of its own: on PostgreSQL a round trip that cost a placeOrder a fifth
// of its throughput (BenchmarkPlaceOrderVsPgbench). A client's burst of
// requests loads it once.
//
// A cached viewer must not outlive a change to what it was built from:
// a sign-out, a disabled account, a role revoked. Every such change is
// published on live.AccountsTopic once it commits (live.Hook), here
// before the changing request answers and on every other replica through
// LISTEN/NOTIFY within milliseconds, and empties the cache. While the
// hub cannot promise that wake-ups arrive (its LISTEN connection is down,
// or not yet up), nothing is cached. viewerTTL bounds the rest: a change
// made outside the server (SQL by hand), a notification lost (a replica
// died between its commit and its NOTIFY; a NOTIFY failed and waits to be
// sent again; a LISTEN connection died unnoticed so far), the end of a
// sign-in by expiry (days after its last refresh).
const (
	viewerTTL = 5 * time.Second
	// maxViewers bounds the memory: past it the cache starts afresh.
	maxViewers = 10_000
)

type viewerKey struct {
	user   int
	family string
}

type cachedViewer struct {
	v     *viewer.Viewer // shared by the requests it serves: viewers are never changed once built
	until time.Time
}

type viewerCache struct {
	hub     *live.Hub
	changes *live.Subscription

	mu sync.Mutex
	// gen counts the changes seen: a viewer read before a change is not
	// kept after it.
	gen     uint64
	entries map[viewerKey]cachedViewer
}

func newViewerCache(hub *live.Hub) *viewerCache {
	return &viewerCache{hub: hub, changes: hub.Follow(live.AccountsTopic, live.AgreementsTopic),
		entries: map[viewerKey]cachedViewer{}}
}

// forgetChanged empties the cache if a change was published since it last
// looked. The hub signals the subscription before Publish returns, so a
// change committed by this process is seen by the next lookup.
func (c *viewerCache) forgetChanged() {
	select {
	case <-c.changes.C:
		c.gen++
		clear(c.entries)
	default:
	}
	if !c.hub.Relaying() {
		// Changes elsewhere may go unheard now: nothing kept from before
		// is trusted, and nothing read meanwhile is kept.
		c.gen++
		clear(c.entries)
	}
}

// get returns the cached viewer, if any, and the generation a viewer read
// now must be put back with.
func (c *viewerCache) get(k viewerKey, now time.Time) (*viewer.Viewer, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetChanged()
	if e, ok := c.entries[k]; ok && now.Before(e.until) {
		return e.v, c.gen
	}
	return nil, c.gen
}

// put keeps a viewer read at generation gen, unless a change came since
// (or the relay was down meanwhile).
func (c *viewerCache) put(k viewerKey, v *viewer.Viewer, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetChanged()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= maxViewers {
		clear(c.entries)
	}
	c.entries[k] = cachedViewer{v: v, until: now.Add(viewerTTL)}
}
