package market_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"bangfu/ent"
	"bangfu/ent/auditevent"
	"bangfu/ent/facilitation"
	"bangfu/ent/order"
	"bangfu/ent/orderline"
	"bangfu/ent/orderrequest"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/productsales"
	"bangfu/graph/gqlerr"
	"bangfu/internal/clock"
	"bangfu/internal/market"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
)

// TestOneStatementPlacesAsPlaceIn: on PostgreSQL a placement is one
// statement (placement.go), the SQL twin of placeIn. Two copies of the demo
// database take the same carts, one through the statement and one through
// ent's builders, and must end the same: the same answers and refusals,
// orders, lines, claims, stock, sales and audit events, down to the ids
// (the copies' sequences start alike), all but the creation times. Two
// things may differ and are set aside: the claims' ids (ent's builders
// insert a refused cart's claim and roll it back, which spends an id) and
// the order of an event's changes (ent records a bulk insert's rows last
// first).
func TestOneStatementPlacesAsPlaceIn(t *testing.T) {
	t.Parallel()
	one, two := storetest.OpenDemo(t), storetest.OpenDemo(t)
	viaStatement := market.New(one.Client, clock.Real, 0, nil)
	if !market.PlacesInOneStatement(viaStatement) {
		t.Skip("only PostgreSQL places in one statement")
	}
	viaEnt := market.ThroughEnt(market.New(two.Client, clock.Real, 0, nil))
	sys := storetest.AsSystem()

	products, buyer := onSale(t, one.Client, 30, 20)
	onSale(t, two.Client, 30, 20)
	other := products[len(products)-1] // a product of another supplier than the first's
	for _, p := range products {
		if p.SupplierID != products[0].SupplierID {
			other = p
			break
		}
	}
	if other.SupplierID == products[0].SupplierID {
		t.Fatal("the products on sale are all of one supplier")
	}
	// Another buyer, with a facilitator that has agreed to help it (and
	// not the first buyer).
	buyerOrg := viewer.FromContext(buyer).OrgIDs(viewer.Buyer)[0]
	f := one.Client.Facilitation.Query().Where(facilitation.StatusEQ(facilitation.StatusACCEPTED), facilitation.BuyerIDNEQ(buyerOrg),
		facilitation.HasBuyerWith(organization.StatusEQ(organization.StatusACTIVE)),
		facilitation.HasFacilitatorWith(organization.StatusEQ(organization.StatusACTIVE))).FirstX(sys)
	helped := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: viewer.FromContext(buyer).UserID,
		Grants: []viewer.Grant{{Role: viewer.Buyer, OrganizationID: f.BuyerID}}})
	notListed := one.Client.Product.Query().Where(product.StatusNEQ(product.StatusLISTED)).FirstX(sys)
	last := products[4] // a product no other cart takes
	if last.ID == other.ID {
		last = products[5]
	}

	item := func(p *ent.Product, q int) market.Item { return market.Item{ProductID: p.ID, Quantity: q} }
	for _, tc := range []struct {
		name   string
		as     context.Context
		in     market.PlaceInput
		orders int // how many orders the placement answers with (0: refused)
	}{
		{"one line", buyer, market.PlaceInput{IdempotencyKey: "same-0001", Items: []market.Item{item(products[0], 3)}}, 1},
		{"two suppliers", buyer, market.PlaceInput{IdempotencyKey: "same-0002",
			Items: []market.Item{item(other, 2), item(products[1], 1), item(products[0], 5)}}, 2},
		{"a retry", buyer, market.PlaceInput{IdempotencyKey: "same-0002",
			Items: []market.Item{item(products[0], 5), item(other, 2), item(products[1], 1)}}, 2},
		{"the key again, another cart", buyer, market.PlaceInput{IdempotencyKey: "same-0002", Items: []market.Item{item(products[0], 1)}}, 0},
		{"more than in stock", buyer, market.PlaceInput{IdempotencyKey: "same-0003",
			Items: []market.Item{item(products[0], 1), item(products[2], 21)}}, 0},
		{"not on sale", buyer, market.PlaceInput{IdempotencyKey: "same-0004",
			Items: []market.Item{item(products[0], 1), item(notListed, 1)}}, 0},
		{"the last units", buyer, market.PlaceInput{IdempotencyKey: "same-0005", Items: []market.Item{item(last, 20)}}, 1},
		// The stock is gone now, but the key is the answer: the same orders.
		{"the last units, retried", buyer, market.PlaceInput{IdempotencyKey: "same-0005", Items: []market.Item{item(last, 20)}}, 1},
		{"facilitated", helped, market.PlaceInput{IdempotencyKey: "same-0006", FacilitatorID: &f.FacilitatorID,
			Items: []market.Item{item(products[3], 4)}}, 1},
		{"not facilitated", buyer, market.PlaceInput{IdempotencyKey: "same-0007", FacilitatorID: &f.FacilitatorID,
			Items: []market.Item{item(products[3], 4)}}, 0},
	} {
		a, errA := viaStatement.PlaceOrder(tc.as, tc.in)
		b, errB := viaEnt.PlaceOrder(tc.as, tc.in)
		if gqlerr.CodeOf(errA) != gqlerr.CodeOf(errB) || fmt.Sprint(errA) != fmt.Sprint(errB) {
			t.Errorf("%s: one statement says %v, ent's builders %v", tc.name, errA, errB)
		}
		if got, want := orderIDs(a), orderIDs(b); got != want {
			t.Errorf("%s: one statement returned orders %s, ent's builders %s", tc.name, got, want)
		}
		if len(a) != tc.orders || (tc.orders == 0) != (errA != nil) {
			t.Errorf("%s: %d orders (%v), want %d", tc.name, len(a), errA, tc.orders)
		}
	}
	if got, want := books(t, one.Client), books(t, two.Client); got != want {
		t.Errorf("the books differ.\none statement:\n%s\nent's builders:\n%s", got, want)
	}
}

func orderIDs(orders []*ent.Order) string {
	s := ""
	for _, o := range orders {
		s += fmt.Sprintf("%d/%d/%d ", o.ID, o.SupplierID, o.TotalFen)
	}
	return s
}

// times are what two placements of the same cart differ by.
var times = regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+Z`)

// books is what placements leave in c, times left out.
func books(t *testing.T, c *ent.Client) string {
	t.Helper()
	sys := storetest.AsSystem()
	var out []any
	for _, o := range c.Order.Query().Where(order.IdempotencyKeyHasPrefix("same-")).Order(ent.Asc(order.FieldID)).AllX(sys) {
		out = append(out, []any{o.ID, o.BuyerID, o.SupplierID, o.FacilitatorID, o.PlacedByID, o.Status, o.TotalFen,
			o.IdempotencyKey, o.RequestHash, o.PlacedAt.IsZero()})
		for _, l := range c.OrderLine.Query().Where(orderline.OrderID(o.ID)).Order(ent.Asc(orderline.FieldID)).AllX(sys) {
			out = append(out, []any{l.ID, l.ProductID, l.Quantity, l.UnitPriceFen, l.AmountFen, l.CertifiedAtOrder, l.OriginCountyID})
		}
	}
	for _, r := range c.OrderRequest.Query().Where(orderrequest.IdempotencyKeyHasPrefix("same-")).Order(ent.Asc(orderrequest.FieldID)).AllX(sys) {
		out = append(out, []any{r.ID, r.BuyerID, r.IdempotencyKey, r.RequestHash})
	}
	for _, p := range c.Product.Query().Order(ent.Asc(product.FieldID)).Limit(30).AllX(sys) {
		s := c.ProductSales.Query().Where(productsales.ProductID(p.ID)).OnlyX(sys)
		out = append(out, []any{p.ID, p.Stock, s.UnitsSold})
	}
	claims := c.OrderRequest.Query().Where(orderrequest.IdempotencyKeyHasPrefix("same-")).AllX(sys)
	ids := make([]int, len(claims))
	for i, r := range claims {
		ids[i] = r.ID
	}
	for _, e := range c.AuditEvent.Query().Where(auditevent.EntityType("OrderRequest"), auditevent.EntityIDIn(ids...)).
		Order(ent.Asc(auditevent.FieldID)).AllX(sys) {
		slices.SortFunc(e.Changes, func(a, b map[string]any) int {
			return cmp.Or(cmp.Compare(fmt.Sprint(a["type"]), fmt.Sprint(b["type"])), cmp.Compare(fmt.Sprint(a["id"]), fmt.Sprint(b["id"])))
		})
		out = append(out, []any{e.ActorID, e.OrganizationID, e.Job, e.Action, e.EntityType, e.EntityID, e.RequestID, e.Changes, e.Ledger})
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	books := times.ReplaceAllString(string(b), "<time>")
	for _, r := range claims {
		books = strings.ReplaceAll(books, strconv.Itoa(r.ID), "<claim "+r.IdempotencyKey+">")
	}
	return books
}
