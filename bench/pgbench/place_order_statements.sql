-- placeOrder's own statements, for pgbench: what PostgreSQL alone does for
-- one bangfu placeOrder of one line, with pgbench as the client (no HTTP,
-- GraphQL, JWT or Go). It is the ceiling of BenchmarkPlaceOrderVsPgbench's
-- ratio on a machine: bangfu cannot place orders faster than PostgreSQL
-- runs its statements, and shares the cores with it. A copy of the two
-- statements TestWriteStatements lists on PostgreSQL (the viewer, and the
-- placement: internal/market/placement.go, which claims the key, takes the
-- stock, writes the order, its line and the audit event in one statement;
-- keep it in step), with literal values where bangfu binds parameters (the viewer's
-- session family matches no session here, so it returns no row); see README
-- "The write path" for what it measured. To see what one statement costs,
-- delete it and run again.
--
--   pgbench -n -M prepared -f bench/pgbench/place_order_statements.sql -c 8 -j 2 -T 10 \
--     -D first=<first product id> -D last=<last product id> -D buyer=<buyer organization id> \
--     -D user=<buyer user id> <database>
--
-- The products first..last must be listed, with stock, and sold by one
-- approved, active supplier each.
\set p random(:first, :last)
\set key random(1, 2000000000)
SELECT m.id, m.role, m.organization_id, orr.code, sc.kind, sc.ref_id, sc.code
FROM users u
LEFT JOIN memberships m ON m.user_id = u.id
LEFT JOIN organizations o ON o.id = m.organization_id
LEFT JOIN regions orr ON orr.id = o.region_id
LEFT JOIN (
	SELECT t.membership_id, 'REGION' AS kind, t.region_id AS ref_id, g.code AS code
	FROM membership_scope_regions t JOIN regions g ON g.id = t.region_id
	UNION ALL
	SELECT t.membership_id, 'AGREEMENT' AS kind, t.agreement_id AS ref_id, '' AS code
	FROM membership_scope_agreements t
) sc ON sc.membership_id = m.id
WHERE u.id = :user AND u.status = 'ACTIVE'
	AND EXISTS (SELECT 1 FROM sessions x WHERE x.user_id = u.id AND x.family = 'fam' AND x.revoked_at IS NULL AND x.expires_at > now())
ORDER BY m.id, sc.kind, sc.ref_id;
WITH locked AS MATERIALIZED (SELECT p.id, p.supplier_id, p.price_fen, p.origin_county_id, CASE p.id WHEN :p THEN CAST(1 AS BIGINT) END AS quantity,
	EXISTS (SELECT 1 FROM certifications c WHERE c.product_id = p.id AND c.status = 'CERTIFIED' AND c.valid_from <= now() AND c.valid_until > now()) AS certified
	FROM products p WHERE p.id IN (:p) AND p.status = 'LISTED' AND p.stock >= CASE p.id WHEN :p THEN CAST(1 AS BIGINT) END
	AND (SELECT sp.status = 'APPROVED' AND so.status = 'ACTIVE' FROM supplier_profiles sp JOIN organizations so ON so.id = sp.organization_id
		WHERE sp.organization_id = p.supplier_id)
	AND EXISTS (SELECT 1 FROM product_sales ps WHERE ps.product_id = p.id)
	ORDER BY p.id FOR NO KEY UPDATE OF p),
ok AS (SELECT count(*) = 1 AS ok FROM locked WHERE (SELECT bo.status FROM organizations bo WHERE bo.id = :buyer) = 'ACTIVE'),
claim AS (INSERT INTO order_requests (idempotency_key, request_hash, created_at, buyer_id)
	SELECT 'pgb-' || :client_id || '-' || :key, 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', now(), :buyer FROM ok WHERE ok.ok ON CONFLICT DO NOTHING RETURNING id),
taken AS (UPDATE products SET stock = products.stock - locked.quantity, updated_at = now()
	FROM locked WHERE products.id = locked.id AND EXISTS (SELECT 1 FROM claim)
	RETURNING products.id, products.stock, locked.supplier_id, locked.price_fen, locked.origin_county_id, locked.certified, locked.quantity),
sold AS (UPDATE product_sales SET units_sold = product_sales.units_sold + taken.quantity
	FROM taken WHERE product_sales.product_id = taken.id RETURNING product_sales.product_id, product_sales.units_sold),
ord AS (INSERT INTO orders (created_at, updated_at, idempotency_key, request_hash, status, total_fen, placed_at, placed_by_id, buyer_id, supplier_id, facilitator_id)
	SELECT now(), now(), 'pgb-' || :client_id || '-' || :key, 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', 'PLACED', sum(taken.price_fen * taken.quantity), now(), CAST(:user AS BIGINT), :buyer, taken.supplier_id, CAST(NULL AS BIGINT)
	FROM taken GROUP BY taken.supplier_id ORDER BY taken.supplier_id RETURNING *),
lines AS (INSERT INTO order_lines (created_at, updated_at, order_id, product_id, quantity, unit_price_fen, amount_fen, certified_at_order, origin_county_id)
	SELECT now(), now(), ord.id, taken.id, taken.quantity, taken.price_fen, taken.price_fen * taken.quantity, taken.certified, taken.origin_county_id
	FROM taken JOIN ord ON ord.supplier_id = taken.supplier_id ORDER BY ord.id, taken.id
	RETURNING id, order_id, product_id, quantity, unit_price_fen, amount_fen, certified_at_order, origin_county_id),
event AS (INSERT INTO audit_events (occurred_at, actor_id, job, organization_id, action, entity_type, entity_id, changes, request_id) SELECT now(), CAST(:user AS BIGINT), '', CAST(NULL AS BIGINT), 'placeOrder', 'OrderRequest', claim.id, jsonb_build_array(jsonb_build_object('type', 'OrderRequest', 'op', 'create', 'id', claim.id, 'after',
		jsonb_build_object('buyer_id', CAST(:buyer AS BIGINT), 'created_at', CAST('2026-12-07T14:51:11.512111Z' AS TEXT), 'request_hash', CAST('abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789' AS TEXT), 'idempotency_key', CAST('pgb-' || :client_id || '-' || :key AS TEXT))))
	|| (SELECT jsonb_agg(jsonb_build_object('type', 'Product', 'op', 'update', 'id', taken.id,
		'before', jsonb_build_object('stock', taken.stock + taken.quantity, 'units_sold', sold.units_sold - taken.quantity),
		'after', jsonb_build_object('stock', taken.stock, 'units_sold', sold.units_sold)) ORDER BY taken.id)
		FROM taken JOIN sold ON sold.product_id = taken.id)
	|| (SELECT jsonb_agg(jsonb_build_object('type', 'Order', 'op', 'create', 'id', ord.id, 'after', jsonb_build_object(
		'status', ord.status, 'buyer_id', ord.buyer_id, 'placed_at', CAST('2026-12-07T14:51:11.512029Z' AS TEXT), 'total_fen', ord.total_fen,
		'created_at', CAST('2026-12-07T14:51:11.512111Z' AS TEXT), 'updated_at', CAST('2026-12-07T14:51:11.512111Z' AS TEXT), 'supplier_id', ord.supplier_id,
		'request_hash', ord.request_hash, 'idempotency_key', ord.idempotency_key, 'placed_by_id', ord.placed_by_id)) ORDER BY ord.id) FROM ord)
	|| (SELECT jsonb_agg(jsonb_build_object('type', 'OrderLine', 'op', 'create', 'id', lines.id, 'after', jsonb_build_object(
		'order_id', lines.order_id, 'quantity', lines.quantity, 'amount_fen', lines.amount_fen, 'created_at', CAST('2026-12-07T14:51:11.512111Z' AS TEXT),
		'product_id', lines.product_id, 'updated_at', CAST('2026-12-07T14:51:11.512111Z' AS TEXT), 'unit_price_fen', lines.unit_price_fen,
		'origin_county_id', lines.origin_county_id, 'certified_at_order', lines.certified_at_order)) ORDER BY lines.id) FROM lines), '' FROM claim) SELECT * FROM ord ORDER BY id;
