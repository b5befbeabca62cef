package market_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"bangfu/ent"
	"bangfu/ent/membership"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/clock"
	"bangfu/internal/market"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
)

// BenchmarkPlaceOrder measures placeOrder throughput under contention:
// parallel buyers ordering from the same 20 products, so every placement
// competes for the same rows. On PostgreSQL:
//
//	BANGFU_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	  go test -run '^$' -bench PlaceOrder -benchtime 2000x -cpu 1,8,32 ./internal/market/
func BenchmarkPlaceOrder(b *testing.B) {
	db := storetest.OpenDemo(b)
	c := db.Client
	products, ctx := onSale(b, c, 20, 1<<30)
	svc := market.New(c, clock.Real, 0, nil)
	var seq atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := int(seq.Add(1))
			items := []market.Item{
				{ProductID: products[n%20].ID, Quantity: 1},
				{ProductID: products[(n*7+3)%20].ID, Quantity: 2},
			}
			if items[0].ProductID == items[1].ProductID {
				items = items[:1]
			}
			if _, err := svc.PlaceOrder(ctx, market.PlaceInput{Items: items, IdempotencyKey: fmt.Sprintf("bench-%09d", n)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// onSale gives n listed products of approved suppliers the stock, and
// returns them with the context of a demo buyer.
func onSale(t testing.TB, c *ent.Client, n, stock int) ([]*ent.Product, context.Context) {
	t.Helper()
	sys := storetest.AsSystem()
	approved := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).
		Select(supplierprofile.FieldOrganizationID).IntsX(sys)
	products := c.Product.Query().Where(product.StatusEQ(product.StatusLISTED), product.SupplierIDIn(approved...)).
		Order(ent.Asc(product.FieldID)).Limit(n).AllX(sys)
	for _, p := range products {
		c.Product.UpdateOne(p).SetStock(stock).ExecX(sys)
	}
	buyer := c.Membership.Query().Where(membership.RoleEQ(membership.RoleBUYER)).FirstX(sys)
	return products, viewer.NewContext(context.Background(), &viewer.Viewer{UserID: buyer.UserID,
		Grants: []viewer.Grant{{Role: viewer.Buyer, OrganizationID: *buyer.OrganizationID}}})
}
