package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"bangfu/ent/order"
	"bangfu/internal/apitest"
	"bangfu/internal/store/storetest"
)

// TestPlaceOrderFinishesAfterTheClientHangsUp: a placement the client stops
// waiting for, while it waits inside its transaction, still ends as it
// would have (graph.Operations): its order commits, and a retry with the
// key finds it.
func TestPlaceOrderFinishesAfterTheClientHangsUp(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	srv := apitest.Serve(t, db)
	buyer := srv.SignIn("buyer@bangfu.example")
	f := fixture(t, db)

	// Hold the product's row (PostgreSQL) or the database's write lock
	// (SQLite), so that the placement waits inside its transaction.
	tx, err := db.Client.Tx(sysCtx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Product.UpdateOneID(f.own[0].ID).AddStock(0).ExecX(sysCtx)

	ctx, hangUp := context.WithCancel(context.Background())
	body := fmt.Sprintf(`{"query":"mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }",
		"variables":{"in":{"idempotencyKey":"hangup-0001","items":[{"productId":%q,"quantity":1}]}}}`,
		apitest.GlobalID(t, "Product", f.own[0].ID))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+buyer.Token)
	sent := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		sent <- err
	}()
	time.Sleep(500 * time.Millisecond) // the placement is waiting for the lock by now
	hangUp()
	if err := <-sent; err == nil {
		t.Fatal("the placement answered while the product was locked")
	}
	time.Sleep(100 * time.Millisecond)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	for deadline := time.Now().Add(10 * time.Second); !db.Client.Order.Query().Where(order.IdempotencyKey("hangup-0001")).ExistX(sysCtx); {
		if time.Now().After(deadline) {
			t.Fatal("the placement did not finish after its client hung up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := stockOf(db, f.own[0]); got != 49 {
		t.Errorf("stock %d, want 49", got)
	}
	// The client's retry finds the order that was placed.
	if orders := buyer.PlaceOrder(apitest.Cart{Key: "hangup-0001", Items: []apitest.Item{line(t, f.own[0], 1)}}).Must(t); len(orders) != 1 {
		t.Fatalf("the retry found %d orders", len(orders))
	}
	if got := stockOf(db, f.own[0]); got != 49 {
		t.Errorf("stock after the retry %d, want 49", got)
	}
}
