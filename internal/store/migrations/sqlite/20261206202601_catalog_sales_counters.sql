-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "product_sales" table
CREATE TABLE `product_sales` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `units_sold` integer NOT NULL DEFAULT (0), `product_id` integer NOT NULL, CONSTRAINT `product_sales_products_sales` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE NO ACTION);
-- set sequence for "product_sales" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("product_sales", 154618822656);
-- every product's counter, from the column it replaces
INSERT INTO `product_sales` (`product_id`, `units_sold`) SELECT `id`, `units_sold` FROM `products`;
-- create "new_products" table
CREATE TABLE `new_products` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `description` text NULL, `category` text NOT NULL, `spec` text NOT NULL, `unit` text NOT NULL, `price_fen` integer NOT NULL, `stock` integer NOT NULL DEFAULT (0), `channel` text NOT NULL DEFAULT ('ONLINE'), `status` text NOT NULL DEFAULT ('DRAFT'), `image_urls` json NULL, `certification_status` text NULL, `certified_until` datetime NULL, `search_document` text NULL, `supplier_id` integer NOT NULL, `origin_county_id` integer NOT NULL, CONSTRAINT `products_organizations_products` FOREIGN KEY (`supplier_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION, CONSTRAINT `products_regions_products` FOREIGN KEY (`origin_county_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION);
-- set sequence for "new_products" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_products", 47244640256);
-- copy rows from old table "products" to new temporary table "new_products"
INSERT INTO `new_products` (`id`, `created_at`, `updated_at`, `name`, `description`, `category`, `spec`, `unit`, `price_fen`, `stock`, `channel`, `status`, `image_urls`, `certification_status`, `certified_until`, `search_document`, `supplier_id`, `origin_county_id`) SELECT `id`, `created_at`, `updated_at`, `name`, `description`, `category`, `spec`, `unit`, `price_fen`, `stock`, `channel`, `status`, `image_urls`, `certification_status`, `certified_until`, `search_document`, `supplier_id`, `origin_county_id` FROM `products`;
-- drop "products" table after copying rows
DROP TABLE `products`;
-- rename temporary table "new_products" to "products"
ALTER TABLE `new_products` RENAME TO `products`;
-- create index "product_supplier_id" to table: "products"
CREATE INDEX `product_supplier_id` ON `products` (`supplier_id`);
-- create index "product_origin_county_id" to table: "products"
CREATE INDEX `product_origin_county_id` ON `products` (`origin_county_id`);
-- create index "product_status_category" to table: "products"
CREATE INDEX `product_status_category` ON `products` (`status`, `category`);
-- create index "product_price_fen" to table: "products"
CREATE INDEX `product_price_fen` ON `products` (`price_fen`);
-- create index "product_created_at" to table: "products"
CREATE INDEX `product_created_at` ON `products` (`created_at`);
-- create index "product_certified_until" to table: "products"
CREATE INDEX `product_certified_until` ON `products` (`certified_until`);
-- create index "products_unsearched" to table: "products"
CREATE INDEX `products_unsearched` ON `products` (`id`) WHERE search_document IS NULL;
-- create index "product_search_document" to table: "products"
CREATE INDEX `product_search_document` ON `products` (`search_document`);
-- create index "product_sales_product_id_key" to table: "product_sales"
CREATE UNIQUE INDEX `product_sales_product_id_key` ON `product_sales` (`product_id`);
-- create index "productsales_units_sold_product_id" to table: "product_sales"
CREATE INDEX `productsales_units_sold_product_id` ON `product_sales` (`units_sold` DESC, `product_id` DESC);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
