-- modify "products" table
ALTER TABLE "products" ADD COLUMN "units_sold" bigint NOT NULL DEFAULT 0, ADD COLUMN "search_document" tsvector NULL;
-- create index "product_units_sold" to table: "products"
CREATE INDEX "product_units_sold" ON "products" ("units_sold");
-- create index "product_search_document" to table: "products"
CREATE INDEX "product_search_document" ON "products" USING GIN ("search_document");
-- backfill: units in placed, not cancelled orders (the search document is filled by the server at start-up)
UPDATE products SET units_sold = (SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.product_id = products.id AND o.status <> 'CANCELLED');
