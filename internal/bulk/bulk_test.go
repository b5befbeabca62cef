package bulk_test

import (
	"testing"

	"bangfu/ent/ledgerentry"
	"bangfu/ent/orderline"
	"bangfu/ent/product"
	"bangfu/internal/attribution"
	"bangfu/internal/bulk"
	"bangfu/internal/gid"
	"bangfu/internal/store/storetest"
)

func TestGenerate(t *testing.T) {
	t.Parallel()
	ctx := storetest.AsSystem()
	db := storetest.OpenDemo(t)
	c := db.Client
	linesBefore := c.OrderLine.Query().CountX(ctx)
	productsBefore := c.Product.Query().CountX(ctx)

	plan := bulk.Plan{Households: 300, Products: 200, OrderLines: 1000}
	rep, err := bulk.Generate(ctx, db, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.OrderLine.Query().CountX(ctx) - linesBefore; got != plan.OrderLines || rep.Rows["order_lines"] != plan.OrderLines {
		t.Errorf("wrote %d order lines, want %d", got, plan.OrderLines)
	}
	if got := c.Product.Query().CountX(ctx) - productsBefore; got != plan.Products {
		t.Errorf("wrote %d products, want %d", got, plan.Products)
	}

	// Generated settlements are booked as the marketplace books them:
	// recompute finds every credit and total where the rules put it.
	credits := c.LedgerEntry.Query().Where(ledgerentry.KindEQ(ledgerentry.KindATTRIBUTION_CREDIT)).CountX(ctx)
	if credits == 0 {
		t.Error("no generated line earned a credit")
	}
	report, err := attribution.Recompute(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range report.Differences {
		t.Errorf("after generating: %+v", d)
	}

	// Every generated key sits in its type's block, so global IDs work.
	ids := c.Product.Query().IDsX(ctx)
	for _, id := range ids {
		if typ, _ := gid.TypeOf(id); typ != "Product" {
			t.Fatalf("product key %d decodes as %q", id, typ)
		}
	}

	// Order totals equal the sum of their lines.
	var mismatched int
	err = db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM orders o
		WHERE o.total_fen <> (SELECT COALESCE(SUM(l.amount_fen), 0) FROM order_lines l WHERE l.order_id = o.id)`).Scan(&mismatched)
	if err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 {
		t.Errorf("%d orders whose total is not the sum of their lines", mismatched)
	}

	// Units sold equal the quantities in placed, not cancelled orders.
	var wrongSales int
	err = db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM products p LEFT JOIN product_sales s ON s.product_id = p.id
		WHERE s.units_sold IS NULL OR s.units_sold <> (SELECT COALESCE(SUM(l.quantity), 0)
		FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.product_id = p.id AND o.status <> 'CANCELLED')`).Scan(&wrongSales)
	if err != nil {
		t.Fatal(err)
	}
	if wrongSales != 0 {
		t.Errorf("%d products with wrong units sold", wrongSales)
	}

	// Lines marked certified belong to certified products only.
	certifiedLines := c.OrderLine.Query().Where(orderline.CertifiedAtOrder(true), orderline.HasProductWith(product.Not(product.HasCertifications()))).CountX(ctx)
	if certifiedLines != 0 {
		t.Errorf("%d lines claim certification for uncertified products", certifiedLines)
	}

	// The key sequences moved past the explicit keys: ent can still insert.
	p := c.Product.Query().FirstX(ctx)
	created, err := c.Product.Create().SetSupplierID(p.SupplierID).SetOriginCountyID(p.OriginCountyID).
		SetName("序列检查").SetCategory(product.CategoryOTHER).SetSpec("1件").SetUnit("件").SetPriceFen(100).Save(ctx)
	if err != nil {
		t.Fatalf("insert after bulk load: %v", err)
	}
	if created.ID <= maxInt(ids) {
		t.Errorf("new key %d collides with the bulk range", created.ID)
	}
}

func maxInt(xs []int) int {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
