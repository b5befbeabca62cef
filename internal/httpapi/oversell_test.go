package httpapi_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"bangfu/ent"
	"bangfu/ent/membership"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/apitest"
)

// TestNoOversellUnderConcurrency fires 200 concurrent placeOrder calls at
// 20 products holding 5 units each (100 units for ~400 wanted), through the
// real HTTP handler. Run with BANGFU_TEST_DATABASE_URL for PostgreSQL.
func TestNoOversellUnderConcurrency(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	token := tokensByRole(t, srv)["BUYER"]
	c := db.Client
	approved := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).
		Select(supplierprofile.FieldOrganizationID).IntsX(sysCtx)
	products := c.Product.Query().Where(product.StatusEQ(product.StatusLISTED), product.SupplierIDIn(approved...)).
		Order(ent.Asc(product.FieldID)).Limit(20).AllX(sysCtx)
	if len(products) != 20 {
		t.Fatalf("only %d sellable products", len(products))
	}
	const stock = 5
	initial := map[int]int{}
	for _, p := range products {
		c.Product.UpdateOne(p).SetStock(stock).ExecX(sysCtx)
		initial[p.ID] = stock
	}
	ordersBefore := c.Order.Query().CountX(sysCtx)

	const calls = 200
	type result struct {
		code   string
		orders int
	}
	results := make([]result, calls)
	var wg sync.WaitGroup
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(i), 7))
			var items []any
			for _, k := range rnd.Perm(20)[:1+rnd.IntN(2)] {
				items = append(items, item(t, products[k], 1+rnd.IntN(2)))
			}
			r := srv.As(token).Do(`mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`, map[string]any{"in": map[string]any{"idempotencyKey": fmt.Sprintf("concurrent-%04d", i), "items": items}})
			res := result{code: r.Code()}
			if res.code == "ok" {
				var data struct{ PlaceOrder []struct{ ID string } }
				r.Must(t, &data)
				res.orders = len(data.PlaceOrder)
			}
			results[i] = res
		}(i)
	}
	wg.Wait()

	accepted, rejected, acceptedOrders := 0, 0, 0
	for _, r := range results {
		switch r.code {
		case "ok":
			accepted++
			acceptedOrders += r.orders
		case "CONFLICT":
			rejected++
		default:
			t.Errorf("unexpected outcome %s", r.code)
		}
	}
	t.Logf("%d placements accepted (%d orders), %d refused for stock", accepted, acceptedOrders, rejected)
	if accepted == 0 || rejected == 0 {
		t.Fatalf("the test needs both outcomes: %d accepted, %d refused", accepted, rejected)
	}
	// Concurrent writers took no lock for the trail, yet the log seals
	// every event and verifies.
	if _, err := srv.Services.Log.Seal(sysCtx); err != nil {
		t.Fatal(err)
	}
	if rep, err := srv.Services.Log.Verify(sysCtx); err != nil || !rep.OK {
		t.Errorf("log after concurrent placements: %+v, %v", rep, err)
	}
	// Every accepted order is persisted exactly once.
	if got := c.Order.Query().CountX(sysCtx) - ordersBefore; got != acceptedOrders {
		t.Errorf("%d new orders in the database, %d reported", got, acceptedOrders)
	}
	// Units sold equal stock taken, and stock never went negative.
	for _, p := range products {
		now := c.Product.GetX(sysCtx, p.ID).Stock
		if now < 0 {
			t.Errorf("product %d stock %d", p.ID, now)
		}
		lines := c.OrderLine.Query().Where(orderline.ProductID(p.ID), orderline.HasOrderWith(order.IdempotencyKeyHasPrefix("concurrent-"))).AllX(sysCtx)
		sold := 0
		for _, l := range lines {
			sold += l.Quantity
		}
		if sold != initial[p.ID]-now {
			t.Errorf("product %d: sold %d, stock taken %d", p.ID, sold, initial[p.ID]-now)
		}
	}
}

// TestIdempotencyKeyClaimedOnce: thirty pairs of carts, each pair sent at
// once with one key but from different suppliers: each key makes one set
// of orders; the other cart of its pair is a CONFLICT. A retry of the
// winner returns its orders.
func TestIdempotencyKeyClaimedOnce(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	f := fixture(t, srv.DB)
	buyer := srv.SignIn("buyer@bangfu.example")
	carts := func(key string) [2]apitest.Cart {
		return [2]apitest.Cart{
			{Key: key, Items: []apitest.Item{line(t, f.own[0], 1)}},
			{Key: key, Items: []apitest.Item{line(t, f.other, 1)}},
		}
	}
	const pairs = 30
	codes := make([][2]string, pairs)
	var wg sync.WaitGroup
	for i := 0; i < pairs; i++ {
		for j, cart := range carts(fmt.Sprintf("pair-%04d", i)) {
			wg.Add(1)
			go func(i, j int, cart apitest.Cart) {
				defer wg.Done()
				codes[i][j] = buyer.PlaceOrder(cart).Code()
			}(i, j, cart)
		}
	}
	wg.Wait()
	buyerOrg := orgOf(t, srv.DB, "buyer@bangfu.example", membership.RoleBUYER)
	for i, c := range codes {
		key := fmt.Sprintf("pair-%04d", i)
		if !(c == [2]string{"ok", "CONFLICT"} || c == [2]string{"CONFLICT", "ok"}) {
			t.Errorf("%s: outcomes %v, want one ok and one CONFLICT", key, c)
		}
		orders := srv.DB.Client.Order.Query().Where(order.BuyerID(buyerOrg), order.IdempotencyKey(key)).AllX(sysCtx)
		if len(orders) != 1 {
			t.Errorf("%s made %d orders, want 1", key, len(orders))
		}
		winner := carts(key)[0]
		if c[1] == "ok" {
			winner = carts(key)[1]
		}
		if again := buyer.PlaceOrder(winner).Must(t); len(again) != 1 || apitest.RawID(t, again[0].ID) != orders[0].ID {
			t.Errorf("%s: a retry of the winner did not return its order", key)
		}
	}
}
