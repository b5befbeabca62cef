package market_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/orderrequest"
	"bangfu/ent/productsales"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/market"
	"bangfu/internal/store/storetest"
)

// TestPlaceOrderCancelledAnywhere: a deadline that passes (the server's
// request timeout; a client's hang-up no longer cancels a mutation, see
// graph.Operations) can stop a placement at any statement (the claim, the
// stock, the orders, the audit event, the commit). Placements cancelled
// after random delays, several at once, never panic, and the books still
// balance: every unit taken from stock is on a committed order line and
// counted sold, every claimed key has its orders, and a placement that
// reported success committed.
func TestPlaceOrderCancelledAnywhere(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	c := db.Client
	const stock = 100_000
	const workers, each = 4, 25
	// Two products of each worker's own: the point is where a cancellation
	// lands, not how long a cancelled placement holds a row another waits
	// for. (lib/pq cancels a statement over a new connection: timed once
	// here, a cancelled placement returned 95–170 ms after its deadline,
	// its rows locked meanwhile, and on two shared rows every placement
	// then missed its deadline.)
	products, buyer := onSale(t, c, 2*workers, stock)
	ids := make([]int, len(products))
	for i, p := range products {
		ids[i] = p.ID
	}
	sold := func() map[int]int {
		out := map[int]int{}
		for _, s := range c.ProductSales.Query().Where(productsales.ProductIDIn(ids...)).AllX(sys) {
			out[s.ProductID] = s.UnitsSold
		}
		return out
	}
	soldBefore := sold()
	svc := market.New(c, clock.Real, 0, nil)
	// Open the workers' connections first, with no deadline: opening one
	// takes longer than most deadlines below, and a pool that never gets
	// its connections cancels every placement before its first statement.
	var warm sync.WaitGroup
	for w := range workers {
		warm.Add(1)
		go func() {
			defer warm.Done()
			if _, err := svc.PlaceOrder(audit.Begin(buyer, "placeOrder"), market.PlaceInput{IdempotencyKey: fmt.Sprintf("cancel-warm-%d", w),
				Items: []market.Item{{ProductID: products[2*w].ID, Quantity: 1}}}); err != nil {
				t.Error(err)
			}
		}()
	}
	warm.Wait()
	var (
		mu        sync.Mutex
		succeeded []string
		cancelled int
	)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range each {
				key := fmt.Sprintf("cancel-%d-%03d", w, i)
				own := products[2*w : 2*w+2]
				items := []market.Item{{ProductID: own[rng.IntN(2)].ID, Quantity: 1 + rng.IntN(3)}}
				if i%2 == 1 {
					items = []market.Item{{ProductID: own[0].ID, Quantity: 1}, {ProductID: own[1].ID, Quantity: 2}}
				}
				// Up to 40 ms: a placement takes a few ms alone and more
				// while others are being cancelled, so the deadline lands
				// anywhere in it (on SQLite most placements finish first).
				ctx, cancel := context.WithTimeout(audit.Begin(buyer, "placeOrder"), time.Duration(rng.IntN(40_000))*time.Microsecond)
				_, err := svc.PlaceOrder(ctx, market.PlaceInput{Items: items, IdempotencyKey: key})
				cancel()
				mu.Lock()
				if err == nil {
					succeeded = append(succeeded, key)
				} else {
					cancelled++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d placements committed, %d stopped", len(succeeded), cancelled)

	// Every key that reported success has its order.
	for _, key := range succeeded {
		if !c.Order.Query().Where(order.IdempotencyKey(key)).ExistX(sys) {
			t.Errorf("placement %s reported success but has no order", key)
		}
	}
	// Every claimed key has its orders: a claim commits with them or not at all.
	for _, r := range c.OrderRequest.Query().Where(orderrequest.IdempotencyKeyHasPrefix("cancel-")).AllX(sys) {
		if !c.Order.Query().Where(order.IdempotencyKey(r.IdempotencyKey)).ExistX(sys) {
			t.Errorf("key %s is claimed but has no order", r.IdempotencyKey)
		}
	}
	// Stock taken = units on committed lines = units counted sold.
	soldAfter := sold()
	for _, p := range products {
		var lines []struct {
			Sum int `json:"sum"`
		}
		c.OrderLine.Query().Where(orderline.ProductID(p.ID), orderline.HasOrderWith(order.IdempotencyKeyHasPrefix("cancel-"))).
			Aggregate(ent.As(ent.Sum(orderline.FieldQuantity), "sum")).ScanX(sys, &lines)
		onLines := 0
		if len(lines) == 1 {
			onLines = lines[0].Sum
		}
		taken := stock - c.Product.GetX(sys, p.ID).Stock
		if taken != onLines || soldAfter[p.ID]-soldBefore[p.ID] != onLines {
			t.Errorf("product %d: %d taken from stock, %d on order lines, %d counted sold", p.ID, taken, onLines, soldAfter[p.ID]-soldBefore[p.ID])
		}
	}
}
