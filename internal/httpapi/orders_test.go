package httpapi_test

import (
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
	"bangfu/internal/apitest"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
)

var sysCtx = storetest.AsSystem()

// marketFixture: supplier@'s listed products and a listed product of
// another approved supplier, with known stock.
type marketFixture struct {
	own   []*ent.Product
	other *ent.Product
}

func orgOf(t testing.TB, db *store.DB, email string, role membership.Role) int {
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

func item(t *testing.T, p *ent.Product, qty int) map[string]any {
	return map[string]any{"productId": apitest.GlobalID(t, "Product", p.ID), "quantity": qty}
}

func line(t *testing.T, p *ent.Product, qty int) apitest.Item {
	return apitest.Item{ProductID: apitest.GlobalID(t, "Product", p.ID), Quantity: qty}
}

// TestOrderLifecycle walks an order from placement to settlement and
// refund, checking stock, household income and its reversal; and a second
// order through cancellation.
func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	f := fixture(t, db)
	buyer, supplier := srv.SignIn("buyer@bangfu.example"), srv.SignIn("supplier@bangfu.example")

	// A cart over two suppliers becomes two orders.
	cart := apitest.Cart{Key: "cart-0001-lifecycle", Items: []apitest.Item{line(t, f.own[0], 3), line(t, f.own[1], 2), line(t, f.other, 1)}}
	orders := buyer.PlaceOrder(cart).Must(t)
	if len(orders) != 2 {
		t.Fatalf("placed %d orders, want one per supplier (2)", len(orders))
	}
	if s := stockOf(db, f.own[0]); s != 47 {
		t.Errorf("stock after placing 3 of 50: %d", s)
	}
	// Retrying returns the same orders and takes no more stock.
	again := buyer.PlaceOrder(cart).Must(t)
	if again[0].ID != orders[0].ID || again[1].ID != orders[1].ID || stockOf(db, f.own[0]) != 47 {
		t.Fatalf("retry created new orders or took stock again")
	}
	buyer.PlaceOrder(apitest.Cart{Key: cart.Key, Items: []apitest.Item{line(t, f.own[0], 4)}}).WantCode(t, "CONFLICT")

	var own string // the order of supplier@'s two lines
	for _, o := range orders {
		if len(o.Lines.Edges) == 2 {
			own = o.ID
		}
	}
	buyer.Step(own, apitest.Confirm).WantCode(t, "FORBIDDEN")
	if r := buyer.Step(own, apitest.Settle).WantCode(t, "CONFLICT"); r.Errors[0].Extensions["currentStatus"] != "PLACED" {
		t.Errorf("settling a PLACED order: %s", r.Raw)
	}
	supplier.Step(own, apitest.Confirm).Must(t)
	supplier.Step(own, apitest.Ship).Must(t)
	buyer.Step(own, apitest.Deliver).Must(t)
	buyer.Step(own, apitest.Accept).Must(t)
	buyer.Step(own, apitest.Cancel).WantCode(t, "CONFLICT")
	if o := buyer.Step(own, apitest.Settle).Must(t); o.Status != "SETTLED" {
		t.Fatalf("settled order is %s", o.Status)
	}

	// Settlement reached the supplier's linked households, traceably.
	orderID := apitest.RawID(t, own)
	lines := db.Client.OrderLine.Query().Where(orderline.OrderID(orderID)).AllX(sysCtx)
	o := db.Client.Order.GetX(sysCtx, orderID)
	// Only approved links count (the demo also has a proposed one).
	links := db.Client.BenefitLink.Query().Where(benefitlink.SupplierID(o.SupplierID), benefitlink.StatusEQ(benefitlink.StatusAPPROVED)).AllX(sysCtx)
	if db.Client.BenefitLink.Query().Where(benefitlink.SupplierID(o.SupplierID), benefitlink.StatusEQ(benefitlink.StatusPROPOSED)).CountX(sysCtx) == 0 {
		t.Error("the demo supplier has no proposed link, so this test cannot tell approved links from the others")
	}
	var want int64
	for _, l := range lines {
		for _, link := range links {
			want += l.AmountFen * int64(link.ShareBp) / 10_000
		}
	}
	if income := sumIncome(t, db, orderID); want == 0 || income != want {
		t.Fatalf("household income %d, want %d", income, want)
	}
	trace := srv.SignIn("auditor@bangfu.example").Beneficiaries(own).Must(t)
	for _, e := range trace.Lines.Edges {
		for _, b := range e.Node.Beneficiaries {
			if b.Household.ID == "" {
				t.Error("income entry without household")
			}
		}
	}
	if got := trace.Total(); got != want {
		t.Errorf("beneficiaries trace %d fen, want %d", got, want)
	}

	// Refund reverses every credit: the order's income nets to zero.
	buyer.Step(own, apitest.Refund).WantCode(t, "FORBIDDEN")
	supplier.Step(own, apitest.Refund).Must(t)
	if net := sumIncome(t, db, orderID); net != 0 {
		t.Fatalf("income after refund nets to %d", net)
	}
	supplier.Step(own, apitest.Refund).WantCode(t, "CONFLICT")

	// Cancellation before shipping restores stock.
	before := stockOf(db, f.own[1])
	cancelled := buyer.PlaceOrder(apitest.Cart{Key: "cart-0002-cancel", Items: []apitest.Item{line(t, f.own[1], 5)}}).Must(t)
	if stockOf(db, f.own[1]) != before-5 {
		t.Fatal("stock not taken")
	}
	buyer.Step(cancelled[0].ID, apitest.Cancel).Must(t)
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

// TestPlaceOrderBadInput: every bad cart gets a clear code and leaves
// stock and orders untouched.
func TestPlaceOrderBadInput(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	db := srv.DB
	tokens := tokensByRole(t, srv)
	f := fixture(t, db)
	c := db.Client
	draft := c.Product.Create().SetSupplierID(f.own[0].SupplierID).SetOriginCountyID(f.own[0].OriginCountyID).
		SetName("未上架").SetCategory(product.CategoryOTHER).SetSpec("1件").SetUnit("件").SetPriceFen(100).SetStock(10).SaveX(sysCtx)
	suspendedOrg := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusSUSPENDED)).FirstX(sysCtx).OrganizationID
	suspended := c.Product.Create().SetSupplierID(suspendedOrg).SetOriginCountyID(f.own[0].OriginCountyID).
		SetName("暂停供应商的产品").SetCategory(product.CategoryOTHER).SetSpec("1件").SetUnit("件").SetPriceFen(100).SetStock(10).
		SetStatus(product.StatusLISTED).SaveX(sysCtx)
	missing := apitest.GlobalID(t, "Product", f.own[0].ID+1_000_000)

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
		{"fractional quantity", "BUYER", cart("bad-00000004", map[string]any{"productId": apitest.GlobalID(t, "Product", f.own[0].ID), "quantity": 1.5}), "GRAPHQL_VALIDATION_FAILED"},
		{"unknown product", "BUYER", cart("bad-00000005", map[string]any{"productId": missing, "quantity": 1}), "BAD_USER_INPUT"},
		{"malformed product ID", "BUYER", cart("bad-00000006", map[string]any{"productId": "nope", "quantity": 1}), "BAD_USER_INPUT"},
		{"order ID as product ID", "BUYER", cart("bad-00000007", map[string]any{"productId": apitest.GlobalID(t, "Region", c.Region.Query().FirstIDX(sysCtx)), "quantity": 1}), "BAD_USER_INPUT"},
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
			r := srv.As(tokens[tt.token]).Do(`mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`, tt.vars)
			if got := r.Code(); got != tt.code {
				t.Errorf("got %s, want %s: %s", got, tt.code, r.Raw)
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
