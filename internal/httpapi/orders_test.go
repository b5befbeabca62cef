package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"bangfu/ent"
	"bangfu/ent/benefitlink"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/membership"
	"bangfu/ent/orderline"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
	"bangfu/ent/user"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

var sysCtx = viewer.AsSystem(context.Background())

// marketFixture: supplier@'s listed products and a listed product of
// another approved supplier, with known stock.
type marketFixture struct {
	own   []*ent.Product
	other *ent.Product
}

func orgOf(t *testing.T, db *store.DB, email string, role membership.Role) int {
	m := db.Client.Membership.Query().Where(membership.RoleEQ(role), membership.HasUserWith(user.Email(email))).OnlyX(sysCtx)
	return *m.OrganizationID
}

func fixture(t *testing.T, db *store.DB) marketFixture {
	c := db.Client
	supplier := orgOf(t, db, "supplier@bangfu.example", membership.RoleSUPPLIER)
	approved := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).
		Select(supplierprofile.FieldOrganizationID).IntsX(sysCtx)
	f := marketFixture{
		own: c.Product.Query().Where(product.SupplierID(supplier), product.StatusEQ(product.StatusLISTED)).
			Order(ent.Asc(product.FieldID)).AllX(sysCtx),
		other: c.Product.Query().Where(product.SupplierIDNEQ(supplier), product.SupplierIDIn(approved...),
			product.StatusEQ(product.StatusLISTED)).FirstX(sysCtx),
	}
	if len(f.own) < 2 {
		t.Fatalf("demo supplier has %d listed products", len(f.own))
	}
	for _, p := range append(f.own, f.other) {
		c.Product.UpdateOne(p).SetStock(50).ExecX(sysCtx)
	}
	return f
}

func stockOf(db *store.DB, p *ent.Product) int { return db.Client.Product.GetX(sysCtx, p.ID).Stock }

const placeMutation = `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id status totalFen supplier { id } lines(first: 10) { edges { node { id quantity amountFen } } } } }`

type placed struct {
	PlaceOrder []struct {
		ID, Status string
		TotalFen   int64
		Lines      struct {
			Edges []struct {
				Node struct {
					ID        string
					Quantity  int
					AmountFen int64
				}
			}
		}
	}
}

func item(t *testing.T, p *ent.Product, qty int) map[string]any {
	return map[string]any{"productId": globalID(t, "Product", p.ID), "quantity": qty}
}

// TestOrderLifecycle walks an order from placement to settlement and
// refund, checking stock, household income and its reversal; and a second
// order through cancellation.
func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	srv, db := demoServer(t)
	tokens := tokensByRole(t, srv)
	f := fixture(t, db)
	buyer, supplier := tokens["BUYER"], tokens["SUPPLIER"]

	// A cart over two suppliers becomes two orders.
	in := map[string]any{"idempotencyKey": "cart-0001-lifecycle", "items": []any{item(t, f.own[0], 3), item(t, f.own[1], 2), item(t, f.other, 1)}}
	var got placed
	mustData(t, postAs(t, srv, buyer, placeMutation, map[string]any{"in": in}), &got)
	if len(got.PlaceOrder) != 2 {
		t.Fatalf("placed %d orders, want one per supplier (2)", len(got.PlaceOrder))
	}
	if s := stockOf(db, f.own[0]); s != 47 {
		t.Errorf("stock after placing 3 of 50: %d", s)
	}
	// Retrying returns the same orders and takes no more stock.
	var again placed
	mustData(t, postAs(t, srv, buyer, placeMutation, map[string]any{"in": in}), &again)
	if again.PlaceOrder[0].ID != got.PlaceOrder[0].ID || again.PlaceOrder[1].ID != got.PlaceOrder[1].ID || stockOf(db, f.own[0]) != 47 {
		t.Fatalf("retry created new orders or took stock again")
	}
	in2 := map[string]any{"idempotencyKey": "cart-0001-lifecycle", "items": []any{item(t, f.own[0], 4)}}
	if r := postAs(t, srv, buyer, placeMutation, map[string]any{"in": in2}); outcome(r) != "CONFLICT" {
		t.Fatalf("same key, different cart: %s", r.raw)
	}

	var ownOrder string
	for _, o := range got.PlaceOrder {
		if len(o.Lines.Edges) == 2 {
			ownOrder = o.ID
		}
	}
	step := func(token, mutation string) reply {
		return postAs(t, srv, token, mutation, map[string]any{"id": ownOrder})
	}
	const (
		confirm = `mutation($id: ID!) { confirmOrder(id: $id) { status } }`
		ship    = `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰", trackingNumber: "SF123") { status } }`
		deliver = `mutation($id: ID!) { markDelivered(id: $id) { status } }`
		accept  = `mutation($id: ID!) { acceptOrder(id: $id, inspectionRef: "YS-1", invoiceRef: "FP-1") { status } }`
		settle  = `mutation($id: ID!) { settleOrder(id: $id) { status } }`
		refund  = `mutation($id: ID!) { refundOrder(id: $id) { status } }`
		cancel  = `mutation($id: ID!) { cancelOrder(id: $id) { status } }`
	)
	if r := step(buyer, confirm); outcome(r) != "FORBIDDEN" {
		t.Errorf("buyer confirming: %s", r.raw)
	}
	if r := step(buyer, settle); outcome(r) != "CONFLICT" || r.body.Errors[0].Extensions["currentStatus"] != "PLACED" {
		t.Errorf("settling a PLACED order: %s", r.raw)
	}
	for _, s := range []struct{ token, m string }{{supplier, confirm}, {supplier, ship}, {buyer, deliver}, {buyer, accept}} {
		mustData(t, step(s.token, s.m), &struct{}{})
	}
	if r := step(buyer, cancel); outcome(r) != "CONFLICT" {
		t.Errorf("cancelling an accepted order: %s", r.raw)
	}
	mustData(t, step(buyer, settle), &struct{}{})

	// Settlement reached the supplier's linked households, traceably.
	orderID := decodeID(t, ownOrder)
	lines := db.Client.OrderLine.Query().Where(orderline.OrderID(orderID)).AllX(sysCtx)
	o := db.Client.Order.GetX(sysCtx, orderID)
	links := db.Client.BenefitLink.Query().Where(benefitlink.SupplierID(o.SupplierID)).AllX(sysCtx)
	var want int64
	for _, l := range lines {
		for _, link := range links {
			want += l.AmountFen * int64(link.ShareBp) / 10_000
		}
	}
	income := sumIncome(t, db, orderID)
	if want == 0 || income != want {
		t.Fatalf("household income %d, want %d", income, want)
	}
	var trace struct {
		Node struct {
			Lines struct {
				Edges []struct {
					Node struct {
						Beneficiaries []struct {
							Amount    int64
							Household struct{ ID string }
						}
					}
				}
			}
		}
	}
	mustData(t, postAs(t, srv, tokens["AUDITOR"], `query($id: ID!) { node(id: $id) { ... on Order { lines(first: 10) { edges { node { beneficiaries { amount household { id } } } } } } } }`, map[string]any{"id": ownOrder}), &trace)
	var traced int64
	for _, e := range trace.Node.Lines.Edges {
		for _, b := range e.Node.Beneficiaries {
			traced += b.Amount
			if b.Household.ID == "" {
				t.Error("income entry without household")
			}
		}
	}
	if traced != want {
		t.Errorf("beneficiaries trace %d fen, want %d", traced, want)
	}

	// Refund reverses every credit: the order's income nets to zero.
	if r := step(buyer, refund); outcome(r) != "FORBIDDEN" {
		t.Errorf("buyer refunding: %s", r.raw)
	}
	mustData(t, step(supplier, refund), &struct{}{})
	if net := sumIncome(t, db, orderID); net != 0 {
		t.Fatalf("income after refund nets to %d", net)
	}
	if r := step(supplier, refund); outcome(r) != "CONFLICT" {
		t.Errorf("refunding twice: %s", r.raw)
	}

	// Cancellation before shipping restores stock.
	before := stockOf(db, f.own[1])
	var c placed
	mustData(t, postAs(t, srv, buyer, placeMutation, map[string]any{"in": map[string]any{"idempotencyKey": "cart-0002-cancel", "items": []any{item(t, f.own[1], 5)}}}), &c)
	if stockOf(db, f.own[1]) != before-5 {
		t.Fatal("stock not taken")
	}
	mustData(t, postAs(t, srv, buyer, cancel, map[string]any{"id": c.PlaceOrder[0].ID}), &struct{}{})
	if stockOf(db, f.own[1]) != before {
		t.Fatalf("stock after cancel %d, want %d", stockOf(db, f.own[1]), before)
	}
}

func sumIncome(t *testing.T, db *store.DB, orderID int) int64 {
	entries := db.Client.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindHOUSEHOLD_INCOME),
		ledgerentry.HasOrderLineWith(orderline.OrderID(orderID))).AllX(sysCtx)
	var sum int64
	for _, e := range entries {
		sum += e.Amount
	}
	return sum
}

func decodeID(t *testing.T, s string) int {
	id, _, err := gid.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPlaceOrderBadInput: every bad cart gets a clear code and leaves
// stock and orders untouched.
func TestPlaceOrderBadInput(t *testing.T) {
	t.Parallel()
	srv, db := demoServer(t)
	tokens := tokensByRole(t, srv)
	f := fixture(t, db)
	c := db.Client
	draft := c.Product.Create().SetSupplierID(f.own[0].SupplierID).SetOriginCountyID(f.own[0].OriginCountyID).
		SetName("未上架").SetCategory(product.CategoryOTHER).SetSpec("1件").SetUnit("件").SetPriceFen(100).SetStock(10).SaveX(sysCtx)
	suspendedOrg := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusSUSPENDED)).FirstX(sysCtx).OrganizationID
	suspended := c.Product.Create().SetSupplierID(suspendedOrg).SetOriginCountyID(f.own[0].OriginCountyID).
		SetName("暂停供应商的产品").SetCategory(product.CategoryOTHER).SetSpec("1件").SetUnit("件").SetPriceFen(100).SetStock(10).
		SetStatus(product.StatusLISTED).SaveX(sysCtx)
	missing := globalID(t, "Product", f.own[0].ID+1_000_000)

	cart := func(key string, items ...any) map[string]any {
		if items == nil {
			items = []any{}
		}
		return map[string]any{"in": map[string]any{"idempotencyKey": key, "items": items}}
	}
	tests := []struct {
		name  string
		token string
		vars  map[string]any
		code  string
	}{
		{"zero quantity", "BUYER", cart("bad-00000001", item(t, f.own[0], 0)), "BAD_USER_INPUT"},
		{"negative quantity", "BUYER", cart("bad-00000002", item(t, f.own[0], -3)), "BAD_USER_INPUT"},
		{"huge quantity", "BUYER", cart("bad-00000003", item(t, f.own[0], 10_000_000)), "BAD_USER_INPUT"},
		{"fractional quantity", "BUYER", cart("bad-00000004", map[string]any{"productId": globalID(t, "Product", f.own[0].ID), "quantity": 1.5}), "GRAPHQL_VALIDATION_FAILED"},
		{"unknown product", "BUYER", cart("bad-00000005", map[string]any{"productId": missing, "quantity": 1}), "BAD_USER_INPUT"},
		{"malformed product ID", "BUYER", cart("bad-00000006", map[string]any{"productId": "nope", "quantity": 1}), "BAD_USER_INPUT"},
		{"order ID as product ID", "BUYER", cart("bad-00000007", map[string]any{"productId": globalID(t, "Region", c.Region.Query().FirstIDX(sysCtx)), "quantity": 1}), "BAD_USER_INPUT"},
		{"unlisted product", "BUYER", cart("bad-00000008", item(t, draft, 1)), "BAD_USER_INPUT"},
		{"suspended supplier", "BUYER", cart("bad-00000009", item(t, suspended, 1)), "CONFLICT"},
		{"insufficient stock", "BUYER", cart("bad-00000010", item(t, f.own[0], 51)), "CONFLICT"},
		{"insufficient stock on the second item", "BUYER", cart("bad-00000011", item(t, f.own[0], 2), item(t, f.own[1], 51)), "CONFLICT"},
		{"duplicate product", "BUYER", cart("bad-00000012", item(t, f.own[0], 1), item(t, f.own[0], 1)), "BAD_USER_INPUT"},
		{"empty cart", "BUYER", cart("bad-00000013"), "BAD_USER_INPUT"},
		{"short key", "BUYER", cart("k", item(t, f.own[0], 1)), "BAD_USER_INPUT"},
		{"overlong key", "BUYER", cart(strings.Repeat("k", 129), item(t, f.own[0], 1)), "BAD_USER_INPUT"},
		{"supplier cannot buy", "SUPPLIER", cart("bad-00000014", item(t, f.own[0], 1)), "FORBIDDEN"},
		{"anonymous", "ANONYMOUS", cart("bad-00000015", item(t, f.own[0], 1)), "UNAUTHENTICATED"},
	}
	stockBefore := map[int]int{}
	for _, p := range append(f.own, f.other, draft, suspended) {
		stockBefore[p.ID] = stockOf(db, p)
	}
	ordersBefore := c.Order.Query().CountX(sysCtx)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postAs(t, srv, tokens[tt.token], `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`, tt.vars)
			if got := outcome(r); got != tt.code {
				t.Errorf("got %s, want %s: %s", got, tt.code, r.raw)
			}
		})
	}
	for id, before := range stockBefore {
		if now := c.Product.GetX(sysCtx, id).Stock; now != before {
			t.Errorf("product %d stock changed %d → %d by failed placements", id, before, now)
		}
	}
	if n := c.Order.Query().CountX(sysCtx); n != ordersBefore {
		t.Errorf("failed placements wrote %d orders", n-ordersBefore)
	}
}
