-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_ledger_entries" table
CREATE TABLE `new_ledger_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `amount` integer NOT NULL, `indicator` text NULL, `year` integer NOT NULL, `occurred_at` datetime NOT NULL, `month` integer NULL, `note` text NULL, `xid` integer NULL, `agreement_id` integer NULL, `flag_id` integer NULL, `household_id` integer NULL, `incentive_rule_id` integer NULL, `origin_county_id` integer NULL, `organization_id` integer NULL, `reverses_id` integer NULL, `order_line_id` integer NULL, CONSTRAINT `ledger_entries_agreements_credits` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_flags_ledger_entries` FOREIGN KEY (`flag_id`) REFERENCES `flags` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_households_income_entries` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_incentive_rules_points` FOREIGN KEY (`incentive_rule_id`) REFERENCES `incentive_rules` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_regions_origin_county` FOREIGN KEY (`origin_county_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_ledger_entries_reversed_by` FOREIGN KEY (`reverses_id`) REFERENCES `ledger_entries` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_order_lines_ledger_entries` FOREIGN KEY (`order_line_id`) REFERENCES `order_lines` (`id`) ON DELETE SET NULL);
-- set sequence for "new_ledger_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_ledger_entries", 64424509440);
-- copy rows from old table "ledger_entries" to new temporary table "new_ledger_entries"
INSERT INTO `new_ledger_entries` (`id`, `kind`, `amount`, `indicator`, `year`, `occurred_at`, `month`, `note`, `xid`, `agreement_id`, `household_id`, `incentive_rule_id`, `origin_county_id`, `organization_id`, `reverses_id`, `order_line_id`) SELECT `id`, `kind`, `amount`, `indicator`, `year`, `occurred_at`, `month`, `note`, `xid`, `agreement_id`, `household_id`, `incentive_rule_id`, `origin_county_id`, `organization_id`, `reverses_id`, `order_line_id` FROM `ledger_entries`;
-- drop "ledger_entries" table after copying rows
DROP TABLE `ledger_entries`;
-- rename temporary table "new_ledger_entries" to "ledger_entries"
ALTER TABLE `new_ledger_entries` RENAME TO `ledger_entries`;
-- create index "ledger_entries_reverses_id_key" to table: "ledger_entries"
CREATE UNIQUE INDEX `ledger_entries_reverses_id_key` ON `ledger_entries` (`reverses_id`);
-- create index "ledgerentry_agreement_id_indicator_year" to table: "ledger_entries"
CREATE INDEX `ledgerentry_agreement_id_indicator_year` ON `ledger_entries` (`agreement_id`, `indicator`, `year`);
-- create index "ledgerentry_household_id_year" to table: "ledger_entries"
CREATE INDEX `ledgerentry_household_id_year` ON `ledger_entries` (`household_id`, `year`);
-- create index "ledgerentry_order_line_id" to table: "ledger_entries"
CREATE INDEX `ledgerentry_order_line_id` ON `ledger_entries` (`order_line_id`);
-- create index "ledgerentry_organization_id_kind_year" to table: "ledger_entries"
CREATE INDEX `ledgerentry_organization_id_kind_year` ON `ledger_entries` (`organization_id`, `kind`, `year`);
-- create index "ledgerentry_incentive_rule_id_organization_id_year" to table: "ledger_entries"
CREATE INDEX `ledgerentry_incentive_rule_id_organization_id_year` ON `ledger_entries` (`incentive_rule_id`, `organization_id`, `year`);
-- create index "ledgerentry_xid" to table: "ledger_entries"
CREATE INDEX `ledgerentry_xid` ON `ledger_entries` (`xid`);
-- create "flags" table
CREATE TABLE `flags` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `subject_type` text NOT NULL, `subjects` json NOT NULL, `subject_key` text NOT NULL, `score` real NOT NULL, `summary` text NOT NULL, `evidence` json NULL, `thresholds` json NULL, `status` text NOT NULL DEFAULT ('OPEN'), `reason` text NULL, `raised_at` datetime NOT NULL, `reviewed_at` datetime NULL, `order_id` integer NULL, `reviewer_id` integer NULL, CONSTRAINT `flags_orders_order` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`) ON DELETE SET NULL, CONSTRAINT `flags_users_reviewer` FOREIGN KEY (`reviewer_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- set sequence for "flags" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("flags", 146028888064);
-- create index "flag_code_subject_key" to table: "flags"
CREATE UNIQUE INDEX `flag_code_subject_key` ON `flags` (`code`, `subject_key`);
-- create index "flag_status_code" to table: "flags"
CREATE INDEX `flag_status_code` ON `flags` (`status`, `code`);
-- create index "flag_order_id" to table: "flags"
CREATE INDEX `flag_order_id` ON `flags` (`order_id`);
-- create "indicator_settings" table
CREATE TABLE `indicator_settings` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `enabled` bool NOT NULL DEFAULT (true), `fence_multiplier` real NOT NULL DEFAULT (1.5), `min_sample` integer NOT NULL DEFAULT (5), `params` json NULL);
-- set sequence for "indicator_settings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("indicator_settings", 150323855360);
-- create index "indicator_settings_code_key" to table: "indicator_settings"
CREATE UNIQUE INDEX `indicator_settings_code_key` ON `indicator_settings` (`code`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
