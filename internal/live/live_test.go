package live_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/order"
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
	h.Publish(live.AgreementsTopic)
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
}
