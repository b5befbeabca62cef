-- drop index "product_units_sold" from table: "products"
DROP INDEX "product_units_sold";
-- create index "product_units_sold_id" to table: "products"
CREATE INDEX "product_units_sold_id" ON "products" ("units_sold" DESC, "id" DESC);
