-- add column "request_hash" to table: "orders"
ALTER TABLE `orders` ADD COLUMN `request_hash` text NULL;
