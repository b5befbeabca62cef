-- placeOrder's own statements, for pgbench: what PostgreSQL alone does for
-- one bangfu placeOrder of one line, with pgbench as the client (no HTTP,
-- GraphQL, JWT or Go). It is the ceiling of BenchmarkPlaceOrderVsPgbench's
-- ratio on a machine: bangfu cannot place orders faster than PostgreSQL
-- runs its statements, and shares the cores with it. A copy of the
-- statements TestWriteStatements lists (the viewer, BEGIN, the key's claim,
-- takeStock, the order, its line, the audit event, COMMIT; keep it in step
-- with internal/market and internal/audit), with literal values where bangfu binds parameters (the viewer's
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
BEGIN READ WRITE;
INSERT INTO "order_requests" ("idempotency_key", "request_hash", "created_at", "buyer_id") VALUES ('pgb-' || :client_id || '-' || :key, 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', now(), :buyer) RETURNING "id";
WITH taken AS (UPDATE products SET stock = products.stock - CASE products.id WHEN :p THEN CAST(1 AS BIGINT) END, updated_at = now() WHERE products.id IN (:p) AND products.stock >= CASE products.id WHEN :p THEN CAST(1 AS BIGINT) END AND products.status = 'LISTED'
	AND (SELECT sp.status = 'APPROVED' AND so.status = 'ACTIVE' FROM supplier_profiles sp JOIN organizations so ON so.id = sp.organization_id
		WHERE sp.organization_id = products.supplier_id) RETURNING products.id, products.supplier_id, products.price_fen, products.origin_county_id, products.stock, 0 AS units_sold,
	EXISTS (SELECT 1 FROM certifications c WHERE c.product_id = products.id AND c.status = 'CERTIFIED' AND c.valid_from <= now() AND c.valid_until > now()) AS certified,
	(SELECT bo.status FROM organizations bo WHERE bo.id = :buyer) = 'ACTIVE' AS buyer_active, true AS facilitation_ok), sold AS (UPDATE product_sales SET units_sold = product_sales.units_sold + CASE product_sales.product_id WHEN :p THEN CAST(1 AS BIGINT) END FROM taken WHERE product_sales.product_id = taken.id RETURNING product_sales.product_id, product_sales.units_sold)
	SELECT taken.id, taken.supplier_id, taken.price_fen, taken.origin_county_id AS origin, taken.stock, sold.units_sold,
		taken.certified, taken.buyer_active, taken.facilitation_ok FROM taken JOIN sold ON sold.product_id = taken.id \gset
INSERT INTO "orders" ("buyer_id", "created_at", "idempotency_key", "placed_at", "placed_by_id", "request_hash", "status", "supplier_id", "total_fen", "updated_at") VALUES (:buyer, now(), 'pgb-' || :client_id || '-' || :key, now(), :user, 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', 'PLACED', :supplier_id, :price_fen, now()) RETURNING "id" AS order_id \gset
INSERT INTO "order_lines" ("amount_fen", "certified_at_order", "created_at", "order_id", "origin_county_id", "product_id", "quantity", "unit_price_fen", "updated_at") VALUES (:price_fen, true, now(), :order_id, :origin, :p, 1, :price_fen, now()) RETURNING "id";
INSERT INTO "audit_events" ("occurred_at", "actor_id", "job", "organization_id", "action", "entity_type", "entity_id", "changes", "request_id") VALUES (now(), :user, '', :buyer, 'placeOrder', 'OrderRequest', 1, '[{"type":"OrderRequest","op":"create","id":123,"after":{"buyer_id":8589934592,"idempotency_key":"k","request_hash":"abc"}},{"type":"Product","op":"update","id":47244640512,"before":{"stock":100,"units_sold":3},"after":{"stock":99,"units_sold":4}},{"type":"Order","op":"create","id":5,"after":{"buyer_id":1,"total_fen":100}},{"type":"OrderLine","op":"create","id":6,"after":{"quantity":1}}]', 'req-0123456789') RETURNING "id";
COMMIT;
