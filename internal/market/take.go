package market

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"bangfu/ent"
	"bangfu/ent/product"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

// taken is a product whose stock a placement took.
type taken struct {
	id, supplier, originCounty int
	priceFen                   int64
	stockAfter, soldAfter      int
	certified                  bool
}

// takeResult is what taking stock found out in the same statement.
type takeResult struct {
	products map[int]taken
	// buyerActive and facilitationOK are known when any row came back.
	buyerActive, facilitationOK bool
}

// takeStock decrements the stock of every item in one statement, only
// where the product is listed, its supplier approved and active, and the
// stock suffices; it returns what the order needs of each product it took
// (price, supplier, origin, whether it is certified now), and whether the
// buyer is active and the facilitator (if any) has agreed. Items that did
// not qualify are missing from the result: the caller finds out why, off
// the hot path, and rolls back. On PostgreSQL the rows of a cart of
// several products are locked in id order first (items are sorted), so
// concurrent carts never lock in a cycle; the stock condition is rechecked on the row's newest version, so
// stock never goes below zero.
func takeStock(ctx context.Context, tx *ent.Client, stmt takeStatement, items []Item) (*takeResult, error) {
	rows, err := tx.QueryContext(ctx, stmt.query, stmt.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &takeResult{products: make(map[int]taken, len(items))}
	var changes []audit.Change
	for rows.Next() {
		var t taken
		var origin sql.NullInt64
		var buyerActive, facilitationOK sql.NullBool
		if err := rows.Scan(&t.id, &t.supplier, &t.priceFen, &origin, &t.stockAfter, &t.soldAfter, &t.certified,
			&buyerActive, &facilitationOK); err != nil {
			return nil, err
		}
		t.originCounty = int(origin.Int64)
		res.products[t.id] = t
		res.buyerActive, res.facilitationOK = buyerActive.Bool, facilitationOK.Bool
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !stmt.countsSales {
		if err := countSales(ctx, tx, items, res.products); err != nil {
			return nil, err
		}
	}
	for _, it := range items {
		if t, ok := res.products[it.ProductID]; ok {
			changes = append(changes, audit.Change{Type: "Product", ID: t.id, Op: "update",
				Before: map[string]any{"stock": t.stockAfter + it.Quantity, "units_sold": t.soldAfter - it.Quantity},
				After:  map[string]any{"stock": t.stockAfter, "units_sold": t.soldAfter}})
		}
	}
	return res, audit.Record(ctx, tx, changes...)
}

// takeStatement is takeStock's statement with its arguments. Its text
// depends only on the dialect, the number of items and whether a
// facilitator is named, so each connection prepares it once per shape
// (store's statement cache).
type takeStatement struct {
	query string
	args  []any
	// countsSales: the statement also adds to the sales counters
	// (PostgreSQL, in a data-modifying CTE); otherwise countSales does.
	countsSales bool
}

func takeStockStatement(dialectName string, items []Item, buyer int, facilitator *int, now time.Time) takeStatement {
	var q strings.Builder
	var args []any
	marks := func(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
	ids := make([]any, len(items))
	qty := "CASE products.id"
	var qtyArgs []any
	for i, it := range items {
		ids[i] = it.ProductID
		qty += " WHEN ? THEN CAST(? AS BIGINT)"
		qtyArgs = append(qtyArgs, it.ProductID, it.Quantity)
	}
	qty += " END"
	pg := dialectName == dialect.Postgres
	// lockFirst: a cart of several products locks their rows in id order
	// before updating any, so that two carts never wait on each other in a
	// cycle. One product needs no order: the update's own row lock is the
	// only one (its sales counter is only ever locked after it), and
	// leaving the locking scan and its sort out is most of a one-line
	// placement's executor start-up.
	lockFirst := pg && len(items) > 1
	switch {
	case lockFirst:
		// The CTE runs as a one-time filter ahead of the scan. (A join to
		// it would lock in order too, but a row rechecked after a
		// concurrent update could then drop out of the join.) The lock is
		// the one the update takes anyway, FOR NO KEY UPDATE: FOR UPDATE
		// would also block every other placement's foreign-key check on
		// the product (its order line's), serializing them.
		q.WriteString("WITH locked AS MATERIALIZED (SELECT id FROM products WHERE id IN (" + marks(len(items)) + ") ORDER BY id FOR NO KEY UPDATE), taken AS (")
		args = append(args, ids...)
	case pg:
		q.WriteString("WITH taken AS (")
	}
	// Units sold are counted apart (countSales): no indexed column of the
	// product changes here, so PostgreSQL updates the row in place (HOT)
	// and the product's indexes take no new entries.
	q.WriteString("UPDATE products SET stock = products.stock - " + qty + ", updated_at = ?")
	args = append(args, qtyArgs...)
	args = append(args, now.UTC())
	q.WriteString(" WHERE products.id IN (" + marks(len(items)) + ") AND products.stock >= " + qty + " AND products.status = ?")
	args = append(args, ids...)
	args = append(args, qtyArgs...)
	args = append(args, product.StatusLISTED.String())
	maySell, mayArgs := supplierMaySell("products")
	q.WriteString("\n\tAND " + maySell)
	args = append(args, mayArgs...)
	if lockFirst {
		q.WriteString(" AND (SELECT count(*) FROM locked) >= 0")
	}
	certified, certArgs := certifiedAt("products", now)
	active, activeArgs := buyerActive(buyer)
	q.WriteString(` RETURNING products.id, products.supplier_id, products.price_fen, products.origin_county_id, products.stock, 0 AS units_sold,
	` + certified + ` AS certified, ` + active + ` AS buyer_active`)
	args = append(append(args, certArgs...), activeArgs...)
	if facilitator != nil {
		agreed, agreedArgs := facilitationAgreed(*facilitator, buyer, now)
		q.WriteString(",\n\t" + agreed + " AS facilitation_ok")
		args = append(args, agreedArgs...)
	} else {
		q.WriteString(", 1 = 1 AS facilitation_ok")
	}
	if pg {
		// The sales counters of the rows taken, in the same statement.
		q.WriteString("), sold AS (UPDATE product_sales SET units_sold = product_sales.units_sold + CASE product_sales.product_id")
		for _, it := range items {
			q.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			args = append(args, it.ProductID, it.Quantity)
		}
		q.WriteString(` END FROM taken WHERE product_sales.product_id = taken.id RETURNING product_sales.product_id, product_sales.units_sold)
	SELECT taken.id, taken.supplier_id, taken.price_fen, taken.origin_county_id, taken.stock, sold.units_sold,
		taken.certified, taken.buyer_active, taken.facilitation_ok FROM taken JOIN sold ON sold.product_id = taken.id`)
	}
	return takeStatement{query: store.Rebind(dialectName, q.String()), args: args, countsSales: pg}
}

// countSales adds the quantities taken to the products' sales counters
// (ProductSales) in one statement, and records each counter's new value
// in taken. It runs right after takeStock's update, in its transaction.
func countSales(ctx context.Context, tx *ent.Client, items []Item, took map[int]taken) error {
	if len(took) == 0 {
		return nil
	}
	qty := "CASE product_id"
	var args []any
	for _, it := range items {
		if _, ok := took[it.ProductID]; ok {
			qty += " WHEN ? THEN CAST(? AS BIGINT)"
			args = append(args, it.ProductID, it.Quantity)
		}
	}
	qty += " END"
	ids := make([]any, 0, len(took))
	for id := range took {
		ids = append(ids, id)
	}
	q := "UPDATE product_sales SET units_sold = units_sold + " + qty +
		" WHERE product_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ") RETURNING product_id, units_sold"
	rows, err := tx.QueryContext(ctx, store.Rebind(tx.Dialect(), q), append(args, ids...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, sold int
		if err := rows.Scan(&id, &sold); err != nil {
			return err
		}
		t := took[id]
		t.soldAfter = sold
		took[id] = t
	}
	return rows.Err()
}
