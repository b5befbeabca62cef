-- The SQL at the core of a one-line placeOrder, for pgbench: take one
-- unit of a product's stock conditionally and count it sold, insert the order and its
-- line, in one transaction. BenchmarkPlaceOrderVsPgbench
-- (internal/httpapi/bench_test.go) runs it on the same database and the
-- same products as bangfu's placeOrder, in the same run:
--
--   pgbench -n -f bench/pgbench/place_order.sql -c 8 -j 2 -T 10 \
--     -D first=<first product id> -D last=<last product id> -D buyer=<buyer organization id> <database>
--
-- The products first..last must be listed, with stock.
\set p random(:first, :last)
\set key random(1, 2000000000)
BEGIN;
-- the stock and the product's sales counter (its own table, as in bangfu)
-- in one statement
WITH taken AS (
  UPDATE products SET stock = stock - 1, updated_at = now()
    WHERE id = :p AND stock >= 1
    RETURNING id, supplier_id, price_fen, origin_county_id
), sold AS (
  UPDATE product_sales SET units_sold = units_sold + 1 WHERE product_id IN (SELECT id FROM taken)
)
SELECT supplier_id, price_fen, origin_county_id FROM taken \gset
INSERT INTO orders (created_at, updated_at, idempotency_key, request_hash, status, total_fen, placed_at, buyer_id, supplier_id)
  VALUES (now(), now(), 'pgbench-' || :client_id || '-' || :key, 'pgbench', 'PLACED', :price_fen, now(), :buyer, :supplier_id)
  RETURNING id AS order_id \gset
INSERT INTO order_lines (created_at, updated_at, order_id, product_id, quantity, unit_price_fen, amount_fen, certified_at_order, origin_county_id)
  VALUES (now(), now(), :order_id, :p, 1, :price_fen, :price_fen, true, :origin_county_id);
END;
