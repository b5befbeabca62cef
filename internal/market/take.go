package market

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"bangfu/ent"
	"bangfu/ent/certification"
	"bangfu/ent/facilitation"
	"bangfu/ent/organization"
	"bangfu/ent/product"
	"bangfu/ent/supplierprofile"
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
// the hot path, and rolls back. On PostgreSQL the rows are locked in id
// order first (items are sorted), so concurrent carts never lock in a
// cycle; the stock condition is rechecked on the row's newest version, so
// stock never goes below zero.
func takeStock(ctx context.Context, tx *ent.Client, items []Item, buyer int, facilitator *int, now time.Time) (*takeResult, error) {
	var q strings.Builder
	var args []any
	pg := tx.Dialect() == dialect.Postgres
	marks := func(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
	if pg {
		q.WriteString("WITH locked AS MATERIALIZED (SELECT id FROM products WHERE id IN (" + marks(len(items)) + ") ORDER BY id FOR UPDATE) ")
		for _, it := range items {
			args = append(args, it.ProductID)
		}
	}
	q.WriteString("UPDATE products SET stock = products.stock - v.qty, units_sold = products.units_sold + v.qty, updated_at = ? FROM (")
	args = append(args, now.UTC())
	for i, it := range items {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		q.WriteString("SELECT CAST(? AS BIGINT) AS id, CAST(? AS BIGINT) AS qty")
		args = append(args, it.ProductID, it.Quantity)
	}
	q.WriteString(") AS v")
	if pg {
		q.WriteString(", locked")
	}
	q.WriteString(` WHERE products.id = v.id AND products.stock >= v.qty AND products.status = ?
	AND EXISTS (SELECT 1 FROM supplier_profiles sp JOIN organizations so ON so.id = sp.organization_id
		WHERE sp.organization_id = products.supplier_id AND sp.status = ? AND so.status = ?)`)
	args = append(args, product.StatusLISTED.String(), supplierprofile.StatusAPPROVED.String(), organization.StatusACTIVE.String())
	if pg {
		q.WriteString(" AND locked.id = products.id")
	}
	q.WriteString(` RETURNING products.id, products.supplier_id, products.price_fen, products.origin_county_id, products.stock, products.units_sold,
	EXISTS (SELECT 1 FROM certifications c WHERE c.product_id = products.id AND c.status = ? AND c.valid_from <= ? AND c.valid_until > ?),
	(SELECT bo.status FROM organizations bo WHERE bo.id = ?) = ?`)
	args = append(args, certification.StatusCERTIFIED.String(), now.UTC(), now.UTC(), buyer, organization.StatusACTIVE.String())
	if facilitator != nil {
		q.WriteString(`,
	EXISTS (SELECT 1 FROM facilitations f JOIN organizations fo ON fo.id = f.facilitator_id
		WHERE f.facilitator_id = ? AND f.buyer_id = ? AND f.status = ? AND fo.status = ?
		AND f.valid_from <= ? AND (f.valid_until IS NULL OR f.valid_until > ?))`)
		args = append(args, *facilitator, buyer, facilitation.StatusACCEPTED.String(), organization.StatusACTIVE.String(), now.UTC(), now.UTC())
	} else {
		q.WriteString(", 1 = 1")
	}
	rows, err := tx.QueryContext(ctx, store.Rebind(tx.Dialect(), q.String()), args...)
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
	for _, it := range items {
		if t, ok := res.products[it.ProductID]; ok {
			changes = append(changes, audit.Change{Type: "Product", ID: t.id, Op: "update",
				Before: map[string]any{"stock": t.stockAfter + it.Quantity, "units_sold": t.soldAfter - it.Quantity},
				After:  map[string]any{"stock": t.stockAfter, "units_sold": t.soldAfter}})
		}
	}
	return res, audit.Record(ctx, tx, changes...)
}
