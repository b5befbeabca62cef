-- create "stock_adjustments" table
CREATE TABLE `stock_adjustments` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `delta` integer NOT NULL, `stock_after` integer NOT NULL, `reason` text NOT NULL, `actor_id` integer NULL, `created_at` datetime NOT NULL, `product_id` integer NOT NULL, CONSTRAINT `stock_adjustments_products_stock_adjustments` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE NO ACTION);
-- set sequence for "stock_adjustments" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("stock_adjustments", 103079215104);
-- create index "stockadjustment_product_id_created_at" to table: "stock_adjustments"
CREATE INDEX `stockadjustment_product_id_created_at` ON `stock_adjustments` (`product_id`, `created_at`);
