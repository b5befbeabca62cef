-- Four one-line carts placed in ONE statement: a design not built (see
-- README, "The write path"), kept to measure what batching concurrent
-- placements (a group commit) would save on PostgreSQL's side. It is
-- place_order_statements.sql's placement statement taking a VALUES list of
-- carts: one claim, order, line and audit event per cart. It does not
-- handle two carts of one batch wanting the same product (the four
-- products here are consecutive and distinct), which a real batcher must.
--
--   pgbench -n -M prepared -f bench/pgbench/place_order_batch.sql -c 8 -j 2 -T 10 \
--     -D first=<first product id> -D last=<last product id> -D buyer=<buyer organization id> \
--     -D user=<buyer user id> <database>
--
-- Each transaction places four orders: compare 4 × its tps with the
-- placement statement of place_order_statements.sql run alone.
\set p1 random(:first, :last - 3)
\set key random(1, 2000000000)
WITH items(cart, pid, qty, key) AS (VALUES (1, CAST(:p1 AS BIGINT), CAST(1 AS BIGINT), 'pgb-' || :client_id || '-' || :key || '-1'),
  (2, CAST(:p1 AS BIGINT) + 1, CAST(1 AS BIGINT), 'pgb-' || :client_id || '-' || :key || '-2'),
  (3, CAST(:p1 AS BIGINT) + 2, CAST(1 AS BIGINT), 'pgb-' || :client_id || '-' || :key || '-3'),
  (4, CAST(:p1 AS BIGINT) + 3, CAST(1 AS BIGINT), 'pgb-' || :client_id || '-' || :key || '-4')),
locked AS MATERIALIZED (SELECT i.cart, i.key, p.id, p.supplier_id, p.price_fen, p.origin_county_id, i.qty AS quantity,
	EXISTS (SELECT 1 FROM certifications c WHERE c.product_id = p.id AND c.status = 'CERTIFIED' AND c.valid_from <= now() AND c.valid_until > now()) AS certified
	FROM products p JOIN items i ON i.pid = p.id WHERE p.status = 'LISTED' AND p.stock >= i.qty
	AND (SELECT sp.status = 'APPROVED' AND so.status = 'ACTIVE' FROM supplier_profiles sp JOIN organizations so ON so.id = sp.organization_id
		WHERE sp.organization_id = p.supplier_id)
	AND EXISTS (SELECT 1 FROM product_sales ps WHERE ps.product_id = p.id)
	ORDER BY p.id FOR NO KEY UPDATE OF p),
ok AS (SELECT cart, key FROM locked WHERE (SELECT bo.status FROM organizations bo WHERE bo.id = :buyer) = 'ACTIVE'),
claim AS (INSERT INTO order_requests (idempotency_key, request_hash, created_at, buyer_id)
	SELECT key, 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', now(), :buyer FROM ok ON CONFLICT DO NOTHING RETURNING id, idempotency_key),
taken AS (UPDATE products SET stock = products.stock - locked.quantity, updated_at = now()
	FROM locked JOIN claim ON claim.idempotency_key = locked.key WHERE products.id = locked.id
	RETURNING products.id, products.stock, locked.key, claim.id AS claim_id, locked.supplier_id, locked.price_fen, locked.origin_county_id, locked.certified, locked.quantity),
sold AS (UPDATE product_sales SET units_sold = product_sales.units_sold + taken.quantity
	FROM taken WHERE product_sales.product_id = taken.id RETURNING product_sales.product_id, product_sales.units_sold),
ord AS (INSERT INTO orders (created_at, updated_at, idempotency_key, request_hash, status, total_fen, placed_at, placed_by_id, buyer_id, supplier_id, facilitator_id)
	SELECT now(), now(), taken.key, 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', 'PLACED', taken.price_fen * taken.quantity, now(), CAST(:user AS BIGINT), :buyer, taken.supplier_id, CAST(NULL AS BIGINT)
	FROM taken ORDER BY taken.key RETURNING *),
lines AS (INSERT INTO order_lines (created_at, updated_at, order_id, product_id, quantity, unit_price_fen, amount_fen, certified_at_order, origin_county_id)
	SELECT now(), now(), ord.id, taken.id, taken.quantity, taken.price_fen, taken.price_fen * taken.quantity, taken.certified, taken.origin_county_id
	FROM taken JOIN ord ON ord.idempotency_key = taken.key ORDER BY ord.id
	RETURNING id, order_id, product_id, quantity, unit_price_fen, amount_fen, certified_at_order, origin_county_id),
event AS (INSERT INTO audit_events (occurred_at, actor_id, job, organization_id, action, entity_type, entity_id, changes, request_id)
	SELECT now(), CAST(:user AS BIGINT), '', CAST(NULL AS BIGINT), 'placeOrder', 'OrderRequest', taken.claim_id, jsonb_build_array(
	jsonb_build_object('type', 'OrderRequest', 'op', 'create', 'id', taken.claim_id, 'after',
		jsonb_build_object('buyer_id', CAST(:buyer AS BIGINT), 'created_at', CAST('2026-12-07T00:00:00Z' AS TEXT), 'request_hash', CAST('abc' AS TEXT), 'idempotency_key', taken.key)),
	jsonb_build_object('type', 'Product', 'op', 'update', 'id', taken.id,
		'before', jsonb_build_object('stock', taken.stock + taken.quantity, 'units_sold', sold.units_sold - taken.quantity),
		'after', jsonb_build_object('stock', taken.stock, 'units_sold', sold.units_sold)),
	jsonb_build_object('type', 'Order', 'op', 'create', 'id', ord.id, 'after', jsonb_build_object(
		'status', ord.status, 'buyer_id', ord.buyer_id, 'placed_at', CAST('2026-12-07T00:00:00Z' AS TEXT), 'total_fen', ord.total_fen,
		'created_at', CAST('2026-12-07T00:00:00Z' AS TEXT), 'updated_at', CAST('2026-12-07T00:00:00Z' AS TEXT), 'supplier_id', ord.supplier_id,
		'request_hash', ord.request_hash, 'idempotency_key', ord.idempotency_key, 'placed_by_id', ord.placed_by_id)),
	jsonb_build_object('type', 'OrderLine', 'op', 'create', 'id', lines.id, 'after', jsonb_build_object(
		'order_id', lines.order_id, 'quantity', lines.quantity, 'amount_fen', lines.amount_fen, 'created_at', CAST('2026-12-07T00:00:00Z' AS TEXT),
		'product_id', lines.product_id, 'updated_at', CAST('2026-12-07T00:00:00Z' AS TEXT), 'unit_price_fen', lines.unit_price_fen,
		'origin_county_id', lines.origin_county_id, 'certified_at_order', lines.certified_at_order))), ''
	FROM taken JOIN sold ON sold.product_id = taken.id JOIN ord ON ord.idempotency_key = taken.key JOIN lines ON lines.order_id = ord.id)
SELECT * FROM ord ORDER BY id;
