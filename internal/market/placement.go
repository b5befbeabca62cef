package market

import (
	"context"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"bangfu/ent/order"
	"bangfu/ent/product"
	"bangfu/internal/audit"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// On PostgreSQL a placement is one statement, in a transaction of its own
// (placeInOneStatement): it locks the cart's products, checks every rule
// of placeIn's, claims the key, takes the stock, counts the sales, writes
// the orders, their lines and the audit event, and returns the orders;
// or, when anything fails, changes nothing and returns no row. Placed the
// way placeIn places it, through ent's builders in a transaction, a one-line
// order took seven round trips to PostgreSQL and back (BEGIN, the claim,
// the stock, the order, its line, the event, COMMIT), and on a virtual
// machine every round trip costs both processes a wake-up: a sixth of the
// server's CPU went to writing to sockets, most of it PostgreSQL's, and a placement
// cost PostgreSQL twice the CPU of pgbench running the same SQL
// (BenchmarkPlaceOrderVsPgbench). SQLite, in process, keeps placeIn.
//
// The statement is placeIn in SQL, and TestOneStatementPlacesAsPlaceIn
// holds the two to the same orders, lines, stock, sales and audit event.
// What ent's hooks do for placeIn's inserts is done here too: the audit
// event (audit.InsertFrom) and the orders-placed metric (Service.placed).
// The live hook's wake-up for a new order is not: nobody can have
// subscribed to an order before it exists.

// placement is a placement's statement.
type placement struct {
	query string // with $n placeholders
	args  []any
}

// orders makes an Order query read the orders the placement makes: the
// statement goes first, as the query's WITH, and the query selects from
// its ord CTE in place of the orders table, so ent builds the orders as
// from any query.
func (p placement) orders(s *entsql.Selector) {
	s.Prefix(entsql.Expr(p.query, p.args...))
	s.From(entsql.Table("ord").As(order.Table))
}

// placementStatement writes the statement for a cart of items (sorted by
// product, as normalize leaves them). Its text depends only on the number
// of items and on whether a facilitator and a placing person are named, so
// each connection prepares it once per shape (store's statement cache).
func placementStatement(ctx context.Context, items []Item, buyer int, in PlaceInput, fingerprint string, now time.Time) (placement, error) {
	var q strings.Builder
	var args []any
	arg := func(sql string, vs ...any) {
		q.WriteString(sql)
		args = append(args, vs...)
	}
	rule := func(sql string, vs []any) { arg(sql, vs...) }
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(items)), ", ")
	quantities := func(column string) {
		q.WriteString("CASE " + column)
		for _, it := range items {
			arg(" WHEN ? THEN CAST(? AS BIGINT)", it.ProductID, it.Quantity)
		}
		q.WriteString(" END")
	}
	ids := make([]any, len(items))
	for i, it := range items {
		ids[i] = it.ProductID
	}
	now = now.UTC()
	key := strings.TrimSpace(in.IdempotencyKey)
	placedBy := viewer.FromContext(ctx).UserID
	// Rows are stamped created as TimeMixin's default stamps them, and
	// the event writes times as the trail does.
	created := time.Now().UTC()
	stamp := func(t time.Time) any { return audit.Value("", "", t) }

	// locked: the cart's products that may be sold now, locked in id
	// order, so that two carts never wait on each other in a cycle. The
	// lock is the one the update takes anyway, FOR NO KEY UPDATE (FOR
	// UPDATE would also block every other placement's foreign-key check on
	// the product, its order line's). A product updated by a concurrent
	// placement while this one waited for its lock is checked again as it
	// is now, and drops out if it no longer qualifies: the rows locked are
	// exactly the ones whose stock suffices, and they stay so until commit.
	q.WriteString("WITH locked AS MATERIALIZED (SELECT p.id, p.supplier_id, p.price_fen, p.origin_county_id, ")
	quantities("p.id")
	arg(" AS quantity,\n\t")
	rule(certifiedAt("p", now))
	arg(" AS certified\n\tFROM products p WHERE p.id IN ("+marks+") AND p.status = ? AND p.stock >= ", ids...)
	args = append(args, product.StatusLISTED.String())
	quantities("p.id")
	// A product must have its sales counter (every product gets one when
	// it is created): the event's changes are read from it, as placeIn's
	// takeStock requires.
	arg("\n\tAND ")
	rule(supplierMaySell("p"))
	arg(`
	AND EXISTS (SELECT 1 FROM product_sales ps WHERE ps.product_id = p.id)
	ORDER BY p.id FOR NO KEY UPDATE OF p),`)

	// ok: every item qualifies, the buyer is active and a named
	// facilitator has agreed to help this buyer.
	arg("\nok AS (SELECT count(*) = ? AS ok FROM locked WHERE ", len(items))
	rule(buyerActive(buyer))
	if in.FacilitatorID != nil {
		arg("\n\tAND ")
		rule(facilitationAgreed(*in.FacilitatorID, buyer, now))
	}
	q.WriteString("),")

	// claim: the key, once. A concurrent request with the same key waits
	// here for the other to commit and then claims nothing.
	arg(`
claim AS (INSERT INTO order_requests (idempotency_key, request_hash, created_at, buyer_id)
	SELECT ?, ?, ?, ? FROM ok WHERE ok.ok ON CONFLICT DO NOTHING RETURNING id),`, key, fingerprint, created, buyer)

	// taken, sold: the stock and the sales counters, only once claimed.
	// Units sold are counted apart (product_sales): no indexed column of
	// the product changes, so PostgreSQL updates it in place (HOT).
	arg(`
taken AS (UPDATE products SET stock = products.stock - locked.quantity, updated_at = ?
	FROM locked WHERE products.id = locked.id AND EXISTS (SELECT 1 FROM claim)
	RETURNING products.id, products.stock, locked.supplier_id, locked.price_fen, locked.origin_county_id, locked.certified, locked.quantity),
sold AS (UPDATE product_sales SET units_sold = product_sales.units_sold + taken.quantity
	FROM taken WHERE product_sales.product_id = taken.id RETURNING product_sales.product_id, product_sales.units_sold),`, now)

	// ord, lines: one order per supplier, in supplier order, and its lines.
	var placedByArg any
	if placedBy != 0 {
		placedByArg = placedBy
	}
	var facilitatorArg any
	if in.FacilitatorID != nil {
		facilitatorArg = *in.FacilitatorID
	}
	arg(`
ord AS (INSERT INTO orders (created_at, updated_at, idempotency_key, request_hash, status, total_fen, placed_at, placed_by_id, buyer_id, supplier_id, facilitator_id)
	SELECT ?, ?, ?, ?, ?, sum(taken.price_fen * taken.quantity), ?, CAST(? AS BIGINT), ?, taken.supplier_id, CAST(? AS BIGINT)
	FROM taken GROUP BY taken.supplier_id ORDER BY taken.supplier_id RETURNING *),
lines AS (INSERT INTO order_lines (created_at, updated_at, order_id, product_id, quantity, unit_price_fen, amount_fen, certified_at_order, origin_county_id)
	SELECT ?, ?, ord.id, taken.id, taken.quantity, taken.price_fen, taken.price_fen * taken.quantity, taken.certified, taken.origin_county_id
	FROM taken JOIN ord ON ord.supplier_id = taken.supplier_id ORDER BY ord.id, taken.id
	RETURNING id, order_id, product_id, quantity, unit_price_fen, amount_fen, certified_at_order, origin_county_id)`,
		created, created, key, fingerprint, order.StatusPLACED.String(), now, placedByArg, buyer, facilitatorArg,
		created, created)

	// The event: the changes the audit hook records for placeIn (the
	// claim, the products, the orders, their lines; each kind in id order,
	// where ent records a bulk insert's rows last first).
	var changes strings.Builder
	var changeArgs []any
	change := func(sql string, vs ...any) {
		changes.WriteString(sql)
		changeArgs = append(changeArgs, vs...)
	}
	change(`jsonb_build_array(jsonb_build_object('type', 'OrderRequest', 'op', 'create', 'id', claim.id, 'after',
		jsonb_build_object('buyer_id', CAST(? AS BIGINT), 'created_at', CAST(? AS TEXT), 'request_hash', CAST(? AS TEXT), 'idempotency_key', CAST(? AS TEXT))))
	|| (SELECT jsonb_agg(jsonb_build_object('type', 'Product', 'op', 'update', 'id', taken.id,
		'before', jsonb_build_object('stock', taken.stock + taken.quantity, 'units_sold', sold.units_sold - taken.quantity),
		'after', jsonb_build_object('stock', taken.stock, 'units_sold', sold.units_sold)) ORDER BY taken.id)
		FROM taken JOIN sold ON sold.product_id = taken.id)
	|| (SELECT jsonb_agg(jsonb_build_object('type', 'Order', 'op', 'create', 'id', ord.id, 'after', jsonb_build_object(
		'status', ord.status, 'buyer_id', ord.buyer_id, 'placed_at', CAST(? AS TEXT), 'total_fen', ord.total_fen,
		'created_at', CAST(? AS TEXT), 'updated_at', CAST(? AS TEXT), 'supplier_id', ord.supplier_id,
		'request_hash', ord.request_hash, 'idempotency_key', ord.idempotency_key`,
		buyer, stamp(created), fingerprint, key, stamp(now), stamp(created), stamp(created))
	if placedBy != 0 {
		changes.WriteString(", 'placed_by_id', ord.placed_by_id")
	}
	if in.FacilitatorID != nil {
		changes.WriteString(", 'facilitator_id', ord.facilitator_id")
	}
	change(`)) ORDER BY ord.id) FROM ord)
	|| (SELECT jsonb_agg(jsonb_build_object('type', 'OrderLine', 'op', 'create', 'id', lines.id, 'after', jsonb_build_object(
		'order_id', lines.order_id, 'quantity', lines.quantity, 'amount_fen', lines.amount_fen, 'created_at', CAST(? AS TEXT),
		'product_id', lines.product_id, 'updated_at', CAST(? AS TEXT), 'unit_price_fen', lines.unit_price_fen,
		'origin_county_id', lines.origin_county_id, 'certified_at_order', lines.certified_at_order)) ORDER BY lines.id) FROM lines)`,
		stamp(created), stamp(created))
	event, eventArgs, audited, err := audit.InsertFrom(ctx, "OrderRequest.create", "OrderRequest", "claim.id",
		changes.String(), changeArgs, "claim")
	if err != nil {
		return placement{}, err
	}
	if audited {
		arg(",\nevent AS ("+event+")", eventArgs...)
	}
	return placement{query: store.Rebind(dialect.Postgres, q.String()), args: args}, nil
}
