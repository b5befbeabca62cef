-- modify "products" table
ALTER TABLE "products" ADD COLUMN "certification_status" character varying NULL, ADD COLUMN "certified_until" timestamptz NULL;
-- create index "product_certified_until" to table: "products"
CREATE INDEX "product_certified_until" ON "products" ("certified_until");
-- backfill from the certifications already recorded
UPDATE products SET certification_status = (SELECT c.status FROM certifications c WHERE c.product_id = products.id ORDER BY c.id DESC LIMIT 1);
UPDATE products SET certified_until = (SELECT MAX(c.valid_until) FROM certifications c WHERE c.product_id = products.id AND c.status = 'CERTIFIED');
