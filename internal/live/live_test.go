package live_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/membership"
	"bangfu/ent/order"
	"bangfu/ent/schema"
	"bangfu/ent/session"
	"bangfu/ent/user"
	"bangfu/internal/audit"
	"bangfu/internal/live"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

func woken(s *live.Subscription, within time.Duration) bool {
	select {
	case <-s.C:
		return true
	case <-time.After(within):
		return false
	}
}

func TestHubWakesOnlyItsTopics(t *testing.T) {
	t.Parallel()
	h := live.NewLocal(nil)
	a, b := h.Subscribe(live.OrderTopic(1)), h.Subscribe(live.OrderTopic(2), live.AgreementsTopic)
	h.Publish(live.OrderTopic(1), live.OrderTopic(1))
	if !woken(a, time.Second) || woken(b, 50*time.Millisecond) {
		t.Fatal("order:1 should wake only its subscriber")
	}
	if woken(a, 50*time.Millisecond) {
		t.Fatal("two wake-ups while one was pending should merge into one")
	}
	own := h.Follow(live.AgreementsTopic)
	defer own.Close()
	if n := h.Subscribers(); n != 2 {
		t.Fatalf("%d subscribers counted, want the 2 clients' (Follow's not counted)", n)
	}
	h.Publish(live.AgreementsTopic)
	if !woken(own, time.Second) {
		t.Fatal("agreements did not wake its follower")
	}
	if !woken(b, time.Second) {
		t.Fatal("agreements did not wake its subscriber")
	}
	a.Close()
	b.Close()
	if n := h.Subscribers(); n != 0 {
		t.Fatalf("%d subscribers after closing both", n)
	}
}

// TestHookPublishesOnlyCommittedChanges: a change wakes its subscribers
// once its transaction commits, never when it rolls back.
func TestHookPublishesOnlyCommittedChanges(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	h := live.NewLocal(nil)
	db.Client.Use(live.Hook(h))
	ctx := audit.BeginJob(storetest.AsSystem(), "live-test")
	o := db.Client.Order.Query().Where(order.StatusEQ(order.StatusPLACED)).FirstX(ctx)
	sub := h.Subscribe(live.OrderTopic(o.ID))
	defer sub.Close()

	rollback := errors.New("roll back")
	err := store.WithTx(ctx, db.Client, func(tx *ent.Client) error {
		if err := tx.Order.UpdateOneID(o.ID).SetStatus(order.StatusCONFIRMED).Exec(ctx); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if woken(sub, 100*time.Millisecond) {
		t.Fatal("a rolled-back change woke a subscriber")
	}
	err = store.WithTx(ctx, db.Client, func(tx *ent.Client) error {
		if err := tx.Order.UpdateOneID(o.ID).SetStatus(order.StatusCONFIRMED).Exec(ctx); err != nil {
			return err
		}
		if woken(sub, 50*time.Millisecond) {
			t.Error("woken before the commit")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !woken(sub, time.Second) {
		t.Fatal("a committed change did not wake its subscriber")
	}
}

// TestPostgresRelay: two hubs on one database, as two replicas: a topic
// published on one wakes a subscriber on the other.
func TestPostgresRelay(t *testing.T) {
	t.Parallel()
	cfg := storetest.Config(t)
	if cfg.URL == "" {
		t.Skip("the relay needs PostgreSQL: set " + storetest.EnvURL)
	}
	pool, err := sql.Open("postgres", cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	one, two := live.NewPostgres(pool, cfg.URL, nil), live.NewPostgres(pool, cfg.URL, nil)
	if two.Relaying() {
		t.Fatal("relaying before Run")
	}
	go one.Run(ctx)
	go two.Run(ctx)
	sub := two.Subscribe(live.ProgressTopic(7, 2026))
	defer sub.Close()
	// Run starts listening asynchronously: publish until it is heard.
	deadline := time.Now().Add(10 * time.Second)
	for !woken(sub, 200*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a topic published on one hub never reached the other")
		}
		one.Publish(live.ProgressTopic(7, 2026))
	}
	other := two.Subscribe(live.OrderTopic(9))
	defer other.Close()
	one.Publish(live.ProgressTopic(7, 2026))
	if !woken(sub, 5*time.Second) || woken(other, 100*time.Millisecond) {
		t.Fatal("the relay woke the wrong subscribers")
	}
	if !two.Relaying() {
		t.Fatal("not relaying although wake-ups arrive")
	}
	// LISTEN's connection dies: whatever was sent meanwhile is lost, so
	// every follower is woken (a cache empties), and relaying resumes
	// once the listener is back. (Relaying is false while it is down: too
	// brief here to observe, pq reconnects within milliseconds.)
	var db string
	if err := pool.QueryRow("SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	cache := two.Follow("nothing-is-published-here")
	defer cache.Close()
	var killed int
	if err := pool.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND query LIKE 'LISTEN %'`, db).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("ending the LISTEN connections: %d ended, %v", killed, err)
	}
	if !woken(cache, 10*time.Second) {
		t.Fatal("losing LISTEN's connection woke no follower")
	}
	for deadline := time.Now().Add(10 * time.Second); !two.Relaying(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not relaying again after LISTEN reconnected")
		}
	}
	cancel()
	for deadline := time.Now().Add(5 * time.Second); two.Relaying(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("still relaying after Run ended")
		}
	}
}

// TestHookNamesChangesToViewers: changes to what a viewer is built from
// wake live.AccountsTopic (auth's viewer cache empties on it); the
// frequent changes that alter no viewer do not.
func TestHookNamesChangesToViewers(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	h := live.NewLocal(nil)
	db.Client.Use(live.Hook(h))
	sub := h.Subscribe(live.AccountsTopic)
	defer sub.Close()
	ctx := audit.BeginJob(storetest.AsSystem(), "live-test")
	c := db.Client
	u := c.User.Query().Where(user.Email("buyer@bangfu.example")).OnlyX(ctx)
	org := c.Organization.Query().FirstX(ctx)
	var sess *ent.Session
	for _, tc := range []struct {
		name   string
		change func() error
		wakes  bool
	}{
		{"a sign-in begins", func() (err error) {
			sess, err = c.Session.Create().SetUserID(u.ID).SetTokenHash("live-test").SetFamily("live-test").
				SetExpiresAt(time.Now().Add(time.Hour)).Save(ctx)
			return err
		}, false},
		{"a sign-in is stamped", func() error { return c.User.UpdateOne(u).SetLastLoginAt(time.Now()).Exec(ctx) }, false},
		{"a refresh rotates the session", func() error {
			return c.Session.UpdateOne(sess).SetRevokedAt(time.Now()).SetRevokeReason(schema.RevokedRotated).Exec(ctx)
		}, false},
		{"an organization's phone changes", func() error {
			return c.Organization.UpdateOne(org).SetContactPhone("13800000000").Exec(ctx)
		}, false},
		{"a sign-in ends", func() error {
			return c.Session.Update().Where(session.Family("live-test")).SetRevokedAt(time.Now()).SetRevokeReason("logout").Exec(ctx)
		}, true},
		{"an account is disabled", func() error { return c.User.UpdateOne(u).SetStatus(user.StatusDISABLED).Exec(ctx) }, true},
		{"a role is granted", func() error {
			return c.Membership.Create().SetUserID(u.ID).SetRole(membership.RoleAUDITOR).Exec(ctx)
		}, true},
		{"an organization moves", func() error {
			return c.Organization.UpdateOne(org).SetRegionID(c.Region.Query().FirstIDX(ctx)).Exec(ctx)
		}, true},
	} {
		if err := tc.change(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := woken(sub, 50*time.Millisecond); got != tc.wakes {
			t.Errorf("%s: woke the viewers' topic: %v, want %v", tc.name, got, tc.wakes)
		}
	}
}
