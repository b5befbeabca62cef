package attribution_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"bangfu/ent"
	"bangfu/ent/credittotal"
	"bangfu/ent/ledgerentry"
	"bangfu/ent/order"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
	"bangfu/internal/attribution"
	"bangfu/internal/clock"
	"bangfu/internal/market"
	"bangfu/internal/market/lifecycle"
	"bangfu/internal/store/storetest"
)

// TestRecomputeReproducesLedger settles thousands of random orders (random
// buyers, facilitators, certification, settlement moments across the
// 2026/2027 boundary, some refunded), then re-runs attribution over the
// whole ledger: it must find no difference. Then it tampers with the
// database behind the application and expects each change reported.
func TestRecomputeReproducesLedger(t *testing.T) {
	t.Parallel()
	n := 2000
	if testing.Short() {
		n = 300
	}
	sys := storetest.AsSystem()
	db := storetest.OpenDemo(t)
	c := db.Client
	approved := c.SupplierProfile.Query().Where(supplierprofile.StatusEQ(supplierprofile.StatusAPPROVED)).
		Select(supplierprofile.FieldOrganizationID).IntsX(sys)
	products := c.Product.Query().Where(product.StatusEQ(product.StatusLISTED), product.SupplierIDIn(approved...)).AllX(sys)
	buyers := c.Organization.Query().Where(organization.KindIn(organization.KindENTERPRISE, organization.KindBUDGET_UNIT,
		organization.KindUNION, organization.KindSOE, organization.KindDESIGNATED_UNIT, organization.KindAGENCY)).AllX(sys)
	if len(products) < 10 || len(buyers) < 5 {
		t.Fatalf("demo data too small: %d products, %d buyers", len(products), len(buyers))
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)
	span := time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC).Sub(start)
	// Most random pairs match no agreement; bias the draw so that most
	// orders pair a buyer with a product from the region it helps.
	world, err := attribution.Load(sys, c)
	if err != nil {
		t.Fatal(err)
	}
	mid := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	draw := func() (*ent.Product, *ent.Organization) {
		anyPair := rnd.IntN(4) == 0
		for try := 0; ; try++ {
			p, buyer := products[rnd.IntN(len(products))], buyers[rnd.IntN(len(buyers))]
			credits, _, err := attribution.Attribute(world, attribution.Line{AmountFen: 1, Certified: true,
				OriginCountyID: p.OriginCountyID, BuyerID: buyer.ID, SettledAt: mid})
			if err != nil {
				t.Fatal(err)
			}
			if len(credits) > 0 || anyPair || try > 200 {
				return p, buyer
			}
		}
	}
	refunds := 0
	for i := 0; i < n; i++ {
		p, buyer := draw()
		qty := 1 + rnd.IntN(5)
		create := c.Order.Create().SetBuyerID(buyer.ID).SetSupplierID(p.SupplierID).SetStatus(order.StatusACCEPTED).
			SetIdempotencyKey(fmt.Sprintf("recompute-%05d", i)).SetTotalFen(int64(qty) * p.PriceFen)
		if rnd.IntN(4) == 0 {
			create.SetFacilitatorID(buyers[rnd.IntN(len(buyers))].ID)
		}
		o := create.SaveX(sys)
		c.OrderLine.Create().SetOrder(o).SetProductID(p.ID).SetQuantity(qty).SetUnitPriceFen(p.PriceFen).
			SetAmountFen(int64(qty) * p.PriceFen).SetCertifiedAtOrder(rnd.IntN(5) != 0).
			SetOriginCountyID(p.OriginCountyID).ExecX(sys)
		at := start.Add(time.Duration(rnd.Int64N(int64(span))))
		svc := market.New(c, clock.At(at), 0, nil)
		if _, err := svc.Move(sys, o.ID, lifecycle.Settle, market.Details{}); err != nil {
			t.Fatalf("settling order %d: %v", i, err)
		}
		if rnd.IntN(6) == 0 {
			later := market.New(c, clock.At(at.Add(40*24*time.Hour)), 0, nil)
			if _, err := later.Move(sys, o.ID, lifecycle.Refund, market.Details{}); err != nil {
				t.Fatalf("refunding order %d: %v", i, err)
			}
			refunds++
		}
	}
	credits := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT), ledgerentry.ReversesIDIsNil()).CountX(sys)
	if credits < n/4 {
		t.Fatalf("only %d credits from %d orders: the random orders hardly match any agreement", credits, n)
	}

	rep, err := attribution.Recompute(sys, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d orders (%d refunded), %d lines, %d credits checked", rep.Orders, refunds, rep.Lines, rep.Credits)
	if rep.Credits != credits {
		t.Errorf("recompute checked %d credits, the ledger holds %d", rep.Credits, credits)
	}
	for _, d := range rep.Differences {
		t.Errorf("difference: %+v", d)
	}

	// Edits behind the application's back must show up.
	total := c.CreditTotal.Query().Where(credittotal.AmountGT(0)).FirstX(sys)
	if _, err := db.SQL.ExecContext(sys, `UPDATE credit_totals SET amount = amount + 100 WHERE id = `+fmt.Sprint(total.ID)); err != nil {
		t.Fatal(err)
	}
	entry := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT),
		ledgerentry.ReversesIDIsNil(), ledgerentry.Not(ledgerentry.HasReversedBy())).FirstX(sys)
	if _, err := db.SQL.ExecContext(sys, `DELETE FROM ledger_entries WHERE id = `+fmt.Sprint(entry.ID)); err != nil {
		t.Fatal(err)
	}
	rep, err = attribution.Recompute(sys, c)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, d := range rep.Differences {
		kinds[d.Kind]++
	}
	// The deleted credit is missing, and two totals differ: the edited
	// one and the one the deleted entry had counted toward (unless both
	// are the same row, which then differs once).
	if kinds["CREDIT_MISSING"] != 1 || kinds["CREDIT_TOTAL"] < 1 || kinds["CREDIT_TOTAL"] > 2 {
		t.Fatalf("after tampering: %v (%+v)", kinds, rep.Differences)
	}
}
