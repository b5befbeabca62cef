-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_households" table
CREATE TABLE `new_households` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `number` text NOT NULL, `county_code` text NULL, `attribute` text NOT NULL DEFAULT ('GENERAL'), `main_cause` text NOT NULL, `secondary_cause` text NULL, `status` text NOT NULL DEFAULT ('POOR'), `member_count` integer NOT NULL DEFAULT (1), `exit_year` integer NULL, `responsible_cadre` text NULL, `village_id` integer NOT NULL, CONSTRAINT `households_regions_households` FOREIGN KEY (`village_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION);
-- set sequence for "new_households" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_households", 30064771072);
-- copy rows from old table "households" to new temporary table "new_households"
INSERT INTO `new_households` (`id`, `created_at`, `updated_at`, `number`, `attribute`, `main_cause`, `secondary_cause`, `status`, `member_count`, `exit_year`, `responsible_cadre`, `village_id`) SELECT `id`, `created_at`, `updated_at`, `number`, `attribute`, `main_cause`, `secondary_cause`, `status`, `member_count`, `exit_year`, `responsible_cadre`, `village_id` FROM `households`;
-- drop "households" table after copying rows
DROP TABLE `households`;
-- rename temporary table "new_households" to "households"
ALTER TABLE `new_households` RENAME TO `households`;
-- create index "households_number_key" to table: "households"
CREATE UNIQUE INDEX `households_number_key` ON `households` (`number`);
-- create index "household_village_id_status" to table: "households"
CREATE INDEX `household_village_id_status` ON `households` (`village_id`, `status`);
-- create index "household_status" to table: "households"
CREATE INDEX `household_status` ON `households` (`status`);
-- create index "household_county_code" to table: "households"
CREATE INDEX `household_county_code` ON `households` (`county_code`);
-- create "new_household_members" table
CREATE TABLE `new_household_members` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `county_code` text NULL, `id_number_hash` text NULL, `name` text NOT NULL, `id_number` text NULL, `phone` text NULL, `relation` text NOT NULL, `age_band` text NOT NULL, `health` text NOT NULL DEFAULT ('HEALTHY'), `labor_ability` text NOT NULL DEFAULT ('NORMAL'), `schooling` text NOT NULL DEFAULT ('NONE'), `household_id` integer NOT NULL, CONSTRAINT `household_members_households_members` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE NO ACTION);
-- set sequence for "new_household_members" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_household_members", 34359738368);
-- copy rows from old table "household_members" to new temporary table "new_household_members"
INSERT INTO `new_household_members` (`id`, `created_at`, `updated_at`, `name`, `id_number`, `phone`, `relation`, `age_band`, `health`, `labor_ability`, `schooling`, `household_id`) SELECT `id`, `created_at`, `updated_at`, `name`, `id_number`, `phone`, `relation`, `age_band`, `health`, `labor_ability`, `schooling`, `household_id` FROM `household_members`;
-- drop "household_members" table after copying rows
DROP TABLE `household_members`;
-- rename temporary table "new_household_members" to "household_members"
ALTER TABLE `new_household_members` RENAME TO `household_members`;
-- create index "householdmember_household_id" to table: "household_members"
CREATE INDEX `householdmember_household_id` ON `household_members` (`household_id`);
-- create index "householdmember_id_number_hash" to table: "household_members"
CREATE INDEX `householdmember_id_number_hash` ON `household_members` (`id_number_hash`);
-- create "new_users" table
CREATE TABLE `new_users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `display_name` text NOT NULL, `password_hash` text NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `last_login_at` datetime NULL, `failed_logins` integer NOT NULL DEFAULT (0), `locked_until` datetime NULL);
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
-- create "sessions" table
CREATE TABLE `sessions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `token_hash` text NOT NULL, `family` text NOT NULL, `expires_at` datetime NOT NULL, `revoked_at` datetime NULL, `revoke_reason` text NULL, `user_id` integer NOT NULL, CONSTRAINT `sessions_users_sessions` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- set sequence for "sessions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("sessions", 98784247808);
-- create index "sessions_token_hash_key" to table: "sessions"
CREATE UNIQUE INDEX `sessions_token_hash_key` ON `sessions` (`token_hash`);
-- create index "session_family" to table: "sessions"
CREATE INDEX `session_family` ON `sessions` (`family`);
-- create index "session_user_id" to table: "sessions"
CREATE INDEX `session_user_id` ON `sessions` (`user_id`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
-- backfill: households' county comes from their village code (GB/T 2260 codes nest)
UPDATE households SET county_code = (SELECT substr(r.code, 1, 6) FROM regions r WHERE r.id = households.village_id) WHERE county_code IS NULL;
UPDATE household_members SET county_code = (SELECT h.county_code FROM households h WHERE h.id = household_members.household_id) WHERE county_code IS NULL;
