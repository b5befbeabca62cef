-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_users" table
CREATE TABLE `new_users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `display_name` text NOT NULL, `password_hash` text NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `last_login_at` datetime NULL);
-- set sequence for "new_users" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_users", 85899345920);
-- copy rows from old table "users" to new temporary table "new_users"
INSERT INTO `new_users` (`id`, `created_at`, `updated_at`, `email`, `display_name`, `password_hash`, `status`, `last_login_at`) SELECT `id`, `created_at`, `updated_at`, `email`, `display_name`, `password_hash`, `status`, `last_login_at` FROM `users`;
-- drop "users" table after copying rows
DROP TABLE `users`;
-- rename temporary table "new_users" to "users"
ALTER TABLE `new_users` RENAME TO `users`;
-- create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- create "order_requests" table
CREATE TABLE `order_requests` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `idempotency_key` text NOT NULL, `request_hash` text NOT NULL, `created_at` datetime NOT NULL, `buyer_id` integer NOT NULL, CONSTRAINT `order_requests_organizations_buyer` FOREIGN KEY (`buyer_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "order_requests" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("order_requests", 133143986176);
-- create index "orderrequest_buyer_id_idempotency_key" to table: "order_requests"
CREATE UNIQUE INDEX `orderrequest_buyer_id_idempotency_key` ON `order_requests` (`buyer_id`, `idempotency_key`);
-- create "sign_in_throttles" table
CREATE TABLE `sign_in_throttles` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `key` text NOT NULL, `failures` integer NOT NULL DEFAULT (0), `locked_until` datetime NULL, `updated_at` datetime NOT NULL);
-- set sequence for "sign_in_throttles" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("sign_in_throttles", 128849018880);
-- create index "sign_in_throttles_key_key" to table: "sign_in_throttles"
CREATE UNIQUE INDEX `sign_in_throttles_key_key` ON `sign_in_throttles` (`key`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
-- backfill: every idempotency key already used is claimed by its buyer
INSERT INTO order_requests (buyer_id, idempotency_key, request_hash, created_at)
SELECT buyer_id, idempotency_key, MIN(request_hash), MIN(created_at) FROM orders GROUP BY buyer_id, idempotency_key;
