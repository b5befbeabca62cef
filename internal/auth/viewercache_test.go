package auth

import (
	"testing"
	"time"

	"bangfu/internal/live"
	"bangfu/internal/viewer"
)

func TestViewerCache(t *testing.T) {
	t.Parallel()
	k := viewerKey{user: 7, family: "f"}
	v := &viewer.Viewer{UserID: 7}
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		run  func(c *viewerCache, hub *live.Hub) // from an empty cache
		want bool                                // k cached afterwards
	}{
		{"kept", func(c *viewerCache, _ *live.Hub) {
			_, gen := c.get(k, now)
			c.put(k, v, gen, now)
		}, true},
		{"dropped by a change", func(c *viewerCache, hub *live.Hub) {
			_, gen := c.get(k, now)
			c.put(k, v, gen, now)
			hub.Publish(live.AccountsTopic)
		}, false},
		{"dropped by an agreement's change (scope)", func(c *viewerCache, hub *live.Hub) {
			_, gen := c.get(k, now)
			c.put(k, v, gen, now)
			hub.Publish(live.AgreementsTopic)
		}, false},
		{"other topics keep it", func(c *viewerCache, hub *live.Hub) {
			_, gen := c.get(k, now)
			c.put(k, v, gen, now)
			hub.Publish(live.OrderTopic(1))
		}, true},
		{"read before a change, not kept after it", func(c *viewerCache, hub *live.Hub) {
			_, gen := c.get(k, now)
			hub.Publish(live.AccountsTopic) // commits while the viewer is read
			c.put(k, v, gen, now)
		}, false},
		{"read before a change another lookup saw, not kept", func(c *viewerCache, hub *live.Hub) {
			_, gen := c.get(k, now)
			hub.Publish(live.AccountsTopic)
			c.get(viewerKey{user: 8}, now) // consumes the wake-up
			c.put(k, v, gen, now)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := live.NewLocal(nil)
			c := newViewerCache(hub)
			tc.run(c, hub)
			if got, _ := c.get(k, now); (got != nil) != tc.want {
				t.Fatalf("cached: %v, want %v", got != nil, tc.want)
			}
		})
	}

	t.Run("expires", func(t *testing.T) {
		c := newViewerCache(live.NewLocal(nil))
		_, gen := c.get(k, now)
		c.put(k, v, gen, now)
		if got, _ := c.get(k, now.Add(viewerTTL-time.Millisecond)); got == nil {
			t.Fatal("gone before its time")
		}
		if got, _ := c.get(k, now.Add(viewerTTL)); got != nil {
			t.Fatal("kept past its time")
		}
	})
	t.Run("nothing cached while wake-ups may be lost", func(t *testing.T) {
		// A PostgreSQL hub whose LISTEN connection is not up (Run not
		// started): changes on other replicas would go unheard.
		c := newViewerCache(live.NewPostgres(nil, "", nil))
		_, gen := c.get(k, now)
		c.put(k, v, gen, now)
		if got, _ := c.get(k, now); got != nil {
			t.Fatal("cached although the relay is down")
		}
	})
	t.Run("bounded", func(t *testing.T) {
		c := newViewerCache(live.NewLocal(nil))
		for i := range maxViewers + 1 {
			c.put(viewerKey{user: i}, v, 0, now)
		}
		if n := len(c.entries); n > maxViewers {
			t.Fatalf("%d viewers kept, want at most %d", n, maxViewers)
		}
	})
}
