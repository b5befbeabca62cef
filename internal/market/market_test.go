package market_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/certification"
	"bangfu/ent/membership"
	"bangfu/ent/order"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
	"bangfu/ent/user"
	"bangfu/graph/gqlerr"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/market"
	"bangfu/internal/market/lifecycle"
	"bangfu/internal/store"
	"bangfu/internal/store/storetest"
	"bangfu/internal/viewer"
	"bangfu/internal/workflow"
)

// TestLifecycleTable: every state but PLACED is entered by exactly one
// step, so the Order policy can tell from the new state alone whose step it
// is; and the parties are the ones the 832 platform practice names.
func TestLifecycleTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		into order.Status
		by   workflow.Party
	}{
		{order.StatusPLACED, 0},
		{order.StatusCONFIRMED, lifecycle.Supplier},
		{order.StatusSHIPPED, lifecycle.Supplier},
		{order.StatusDELIVERED, lifecycle.Supplier | lifecycle.Buyer},
		{order.StatusACCEPTED, lifecycle.Buyer},
		{order.StatusSETTLED, lifecycle.Buyer},
		{order.StatusCANCELLED, lifecycle.Buyer | lifecycle.Supplier},
		{order.StatusREFUNDED, lifecycle.Supplier},
	} {
		if n := len(lifecycle.Steps.Into(tc.into)); tc.by != 0 && n != 1 {
			t.Errorf("%s is entered by %d steps", tc.into, n)
		}
		if got := lifecycle.EnteredBy(tc.into); got != tc.by {
			t.Errorf("EnteredBy(%s) = %b, want %b", tc.into, got, tc.by)
		}
	}
	if _, err := lifecycle.Steps.Get("teleport"); gqlerr.CodeOf(err) != gqlerr.BadUserInput {
		t.Errorf("unknown step: %v", err)
	}
	settle := lifecycle.Steps[lifecycle.Settle]
	var e *apperr.Error
	if err := settle.Refuse("order", lifecycle.Settle, order.StatusPLACED); !errors.As(err, &e) ||
		e.ErrorCode() != gqlerr.Conflict || e.ErrorDetails()["currentStatus"] != "PLACED" {
		t.Errorf("refusal from the wrong state: %v", err)
	}
	if err := settle.Refuse("order", lifecycle.Settle, order.StatusACCEPTED); !strings.Contains(err.Error(), "changed while") {
		t.Errorf("refusal from an allowed state (a concurrent step): %v", err)
	}
}

// world is the demo data a market test acts on.
type world struct {
	db       *store.DB
	svc      *market.Service
	buyer    context.Context // buyer@'s organization
	supplier context.Context // supplier@'s organization
	own      []*ent.Product  // supplier@'s listed products, 50 in stock
	sys      context.Context
}

func setup(t *testing.T) world {
	t.Helper()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	as := func(email string, role membership.Role) (context.Context, int) {
		m := db.Client.Membership.Query().Where(membership.RoleEQ(role), membership.HasUserWith(user.Email(email))).OnlyX(sys)
		return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: m.UserID,
			Grants: []viewer.Grant{{Role: string(role), OrganizationID: *m.OrganizationID}}}), *m.OrganizationID
	}
	w := world{db: db, svc: market.New(db.Client, clock.Real, 0, nil), sys: sys}
	var supplierOrg int
	w.buyer, _ = as("buyer@bangfu.example", membership.RoleBUYER)
	w.supplier, supplierOrg = as("supplier@bangfu.example", membership.RoleSUPPLIER)
	w.own = db.Client.Product.Query().Where(product.SupplierID(supplierOrg), product.StatusEQ(product.StatusLISTED)).
		Order(ent.Asc(product.FieldID)).Limit(2).AllX(sys)
	if len(w.own) < 2 {
		t.Fatal("the demo supplier lists fewer than 2 products")
	}
	for _, p := range w.own {
		db.Client.Product.UpdateOne(p).SetStock(50).ExecX(sys)
	}
	return w
}

func (w world) stock(p *ent.Product) int { return w.db.Client.Product.GetX(w.sys, p.ID).Stock }

// TestPlaceOrderRules: each way a cart is refused, with its code, and that
// a refused cart takes no stock.
func TestPlaceOrderRules(t *testing.T) {
	t.Parallel()
	w := setup(t)
	draft := w.db.Client.Product.Create().SetSupplierID(w.own[0].SupplierID).SetName("草稿").SetCategory(product.CategoryOTHER).
		SetSpec("1kg").SetUnit("袋").SetPriceFen(100).SetOriginCountyID(w.own[0].OriginCountyID).SetStock(10).SaveX(w.sys)
	foreign := 1 // no buyer acts for it
	item := func(p *ent.Product, q int) market.Item { return market.Item{ProductID: p.ID, Quantity: q} }
	for _, tc := range []struct {
		name string
		as   context.Context
		in   market.PlaceInput
		want string
	}{
		{"key too short", w.buyer, market.PlaceInput{IdempotencyKey: "k", Items: []market.Item{item(w.own[0], 1)}}, gqlerr.BadUserInput},
		{"no items", w.buyer, market.PlaceInput{IdempotencyKey: "rules-0001"}, gqlerr.BadUserInput},
		{"zero quantity", w.buyer, market.PlaceInput{IdempotencyKey: "rules-0002", Items: []market.Item{item(w.own[0], 0)}}, gqlerr.BadUserInput},
		{"same product twice", w.buyer, market.PlaceInput{IdempotencyKey: "rules-0003", Items: []market.Item{item(w.own[0], 1), item(w.own[0], 2)}}, gqlerr.BadUserInput},
		{"not on sale", w.buyer, market.PlaceInput{IdempotencyKey: "rules-0004", Items: []market.Item{item(draft, 1)}}, gqlerr.BadUserInput},
		{"more than in stock", w.buyer, market.PlaceInput{IdempotencyKey: "rules-0005", Items: []market.Item{item(w.own[0], 1), item(w.own[1], 51)}}, gqlerr.Conflict},
		{"for another organization", w.buyer, market.PlaceInput{IdempotencyKey: "rules-0006", BuyerID: &foreign, Items: []market.Item{item(w.own[0], 51)}}, gqlerr.Forbidden},
		{"a supplier is no buyer", w.supplier, market.PlaceInput{IdempotencyKey: "rules-0007", Items: []market.Item{item(w.own[0], 1)}}, gqlerr.Forbidden},
	} {
		_, err := w.svc.PlaceOrder(tc.as, tc.in)
		if got := gqlerr.CodeOf(err); got != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
	if w.stock(w.own[0]) != 50 || w.stock(w.own[1]) != 50 {
		t.Fatalf("refused carts took stock: %d, %d", w.stock(w.own[0]), w.stock(w.own[1]))
	}

	// A suspended supplier sells nothing, whatever the stock.
	profile := w.db.Client.SupplierProfile.Query().Where(supplierprofile.OrganizationID(w.own[0].SupplierID)).OnlyX(w.sys)
	w.db.Client.SupplierProfile.UpdateOne(profile).SetStatus(supplierprofile.StatusSUSPENDED).ExecX(w.sys)
	_, err := w.svc.PlaceOrder(w.buyer, market.PlaceInput{IdempotencyKey: "rules-0008", Items: []market.Item{item(w.own[0], 1)}})
	if gqlerr.CodeOf(err) != gqlerr.Conflict || w.stock(w.own[0]) != 50 {
		t.Fatalf("ordering from a suspended supplier: %v, stock %d", err, w.stock(w.own[0]))
	}
}

// TestStepsDecideWhoBeforeState: the caller's right is checked before the
// order's state, so a party that may never take a step learns that, not
// the state of an order that is not theirs to move.
func TestStepsDecideWhoBeforeState(t *testing.T) {
	t.Parallel()
	w := setup(t)
	orders, err := w.svc.PlaceOrder(w.buyer, market.PlaceInput{IdempotencyKey: "steps-0001",
		Items: []market.Item{{ProductID: w.own[0].ID, Quantity: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	id := orders[0].ID
	for _, tc := range []struct {
		name string
		as   context.Context
		step lifecycle.Action
		want string
	}{
		{"the buyer settles a placed order", w.buyer, lifecycle.Settle, gqlerr.Conflict},
		{"the supplier settles (a buyer's step)", w.supplier, lifecycle.Settle, gqlerr.Forbidden},
		{"the buyer confirms (a supplier's step)", w.buyer, lifecycle.Confirm, gqlerr.Forbidden},
		{"the supplier confirms", w.supplier, lifecycle.Confirm, "ok"},
		{"confirming twice", w.supplier, lifecycle.Confirm, gqlerr.Conflict},
		{"shipping without a carrier", w.supplier, lifecycle.Ship, gqlerr.BadUserInput},
		{"the buyer cancels", w.buyer, lifecycle.Cancel, "ok"},
		{"a stranger (the order is not theirs to see)", viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 99}), lifecycle.Deliver, gqlerr.NotFound},
	} {
		_, err := w.svc.Move(tc.as, id, tc.step, market.Details{})
		if got := gqlerr.CodeOf(err); got != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
	if s := w.stock(w.own[0]); s != 50 {
		t.Errorf("cancelling returned stock to %d, want 50", s)
	}
	if _, err := w.svc.Rate(w.buyer, id, 5); gqlerr.CodeOf(err) != gqlerr.Conflict {
		t.Errorf("rating a cancelled order: %v", err)
	}
}

// TestCertificationNotice walks a certification through its public notice
// on a test clock: certified only once the notice has run.
func TestCertificationNotice(t *testing.T) {
	t.Parallel()
	w := setup(t)
	p := w.db.Client.Product.Create().SetSupplierID(w.own[0].SupplierID).SetName("新茶").SetCategory(product.CategoryTEA_BEVERAGE).
		SetSpec("250g").SetUnit("盒").SetPriceFen(5000).SetOriginCountyID(w.own[0].OriginCountyID).SaveX(w.sys)
	county := w.db.Client.Region.GetX(w.sys, p.OriginCountyID)
	certifier := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1,
		Grants: []viewer.Grant{{Role: viewer.Certifier, RegionCodes: []string{county.Code}}}})
	elsewhere := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: 1,
		Grants: []viewer.Grant{{Role: viewer.Certifier, RegionCodes: []string{"110101"}}}})
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	svc := market.New(w.db.Client, func() time.Time { return now }, 0, nil)

	c, err := svc.ApplyCertification(w.supplier, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyCertification(w.supplier, p.ID); gqlerr.CodeOf(err) != gqlerr.Conflict {
		t.Fatalf("a second open application: %v", err)
	}
	for _, tc := range []struct {
		name   string
		as     context.Context
		step   market.CertStep
		days   int
		reason string
		wait   time.Duration
		want   string
	}{
		{"a certifier of another county", elsewhere, market.StartReview, 0, "", 0, gqlerr.Forbidden},
		{"the supplier itself", w.supplier, market.StartReview, 0, "", 0, gqlerr.Forbidden},
		{"review", certifier, market.StartReview, 0, "", 0, "ok"},
		{"a notice too short", certifier, market.PublishNotice, 3, "", 0, gqlerr.BadUserInput},
		{"notice", certifier, market.PublishNotice, 5, "", 0, "ok"},
		{"certify during the notice", certifier, market.Certify, 0, "", 4 * 24 * time.Hour, gqlerr.Conflict},
		{"certify after the notice", certifier, market.Certify, 0, "", 24 * time.Hour, "ok"},
		{"revoke without a reason", certifier, market.Revoke, 0, "", 0, gqlerr.BadUserInput},
	} {
		now = now.Add(tc.wait)
		_, err := svc.StepCertification(tc.as, c.ID, tc.step, tc.days, tc.reason)
		if got := gqlerr.CodeOf(err); got != tc.want {
			t.Fatalf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
	got := w.db.Client.Product.GetX(w.sys, p.ID)
	if got.CertificationStatus == nil || *got.CertificationStatus != product.CertificationStatusCERTIFIED ||
		!got.CertifiedUntil.Equal(now.Add(market.DefaultValidity)) {
		t.Fatalf("product after certification: %v until %v", got.CertificationStatus, got.CertifiedUntil)
	}
	// The hourly sweep expires it at the end of its validity.
	late := market.New(w.db.Client, clock.At(now.Add(market.DefaultValidity)), 0, nil)
	if n, err := late.ExpireCertifications(context.Background()); err != nil || n == 0 {
		t.Fatalf("expired %d (%v)", n, err)
	}
	if s := w.db.Client.Certification.GetX(w.sys, c.ID).Status; s != certification.StatusEXPIRED {
		t.Fatalf("certificate is %s after its validity", s)
	}
}

// TestAdjustStock: stock never goes below zero, only the owner adjusts it,
// and each change is recorded with the stock it left.
func TestAdjustStock(t *testing.T) {
	t.Parallel()
	w := setup(t)
	p := w.own[0]
	for _, tc := range []struct {
		name  string
		as    context.Context
		delta int
		want  string
	}{
		{"no reason", w.supplier, 5, gqlerr.BadUserInput},
		{"below zero", w.supplier, -51, gqlerr.Conflict},
		{"someone else's product", w.buyer, 5, gqlerr.Forbidden},
		{"restock", w.supplier, 25, "ok"},
		{"write-off", w.supplier, -75, "ok"},
	} {
		reason := "盘点"
		if tc.name == "no reason" {
			reason = " "
		}
		a, err := w.svc.AdjustStock(tc.as, p.ID, tc.delta, reason)
		if got := gqlerr.CodeOf(err); got != tc.want {
			t.Fatalf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
		if err == nil && a.StockAfter != w.stock(p) {
			t.Fatalf("%s: recorded stock %d, product has %d", tc.name, a.StockAfter, w.stock(p))
		}
	}
	if s := w.stock(p); s != 0 {
		t.Fatalf("stock %d after +25 and -75 from 50", s)
	}
}

// Concurrent carts over the same products, with stock for all of them,
// all succeed (none deadlocks with another), and stock falls by exactly what they took: taking stock
// rechecks a row another cart changed meanwhile rather than dropping it
// (which would refuse the cart for "not enough stock").
func TestConcurrentCartsWithStockAllSucceed(t *testing.T) {
	t.Parallel()
	db := storetest.OpenDemo(t)
	sys := storetest.AsSystem()
	c := db.Client
	products, ctx := onSale(t, c, 3, 10_000)
	svc := market.New(c, clock.Real, 0, nil)
	const workers, each = 8, 15
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Carts listing the products in different orders, and
				// one-product carts (which take no lock ahead of their
				// update) among them, each taking 3 units.
				items := []market.Item{{ProductID: products[(w+i)%3].ID, Quantity: 1}, {ProductID: products[(w+i+1)%3].ID, Quantity: 2}}
				if i%3 == 0 {
					items = []market.Item{{ProductID: products[(w+i)%3].ID, Quantity: 3}}
				}
				if _, err := svc.PlaceOrder(ctx, market.PlaceInput{Items: items, IdempotencyKey: fmt.Sprintf("carts-%02d-%03d", w, i)}); err != nil {
					t.Errorf("cart %d/%d: %v", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
	var left int
	for _, p := range products {
		left += c.Product.GetX(sys, p.ID).Stock
	}
	if want := 3*10_000 - workers*each*3; left != want {
		t.Fatalf("stock left %d, want %d", left, want)
	}
}
