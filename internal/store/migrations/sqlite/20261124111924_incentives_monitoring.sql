-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_awards" table
CREATE TABLE `new_awards` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `badge` text NOT NULL, `year` integer NOT NULL, `points` integer NOT NULL, `threshold` integer NOT NULL DEFAULT (0), `awarded_at` datetime NOT NULL, `revoked_at` datetime NULL, `organization_id` integer NOT NULL, CONSTRAINT `awards_organizations_awards` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "new_awards" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_awards", 73014444032);
-- copy rows from old table "awards" to new temporary table "new_awards"
INSERT INTO `new_awards` (`id`, `created_at`, `updated_at`, `badge`, `year`, `points`, `awarded_at`, `organization_id`) SELECT `id`, `created_at`, `updated_at`, `badge`, `year`, `points`, `awarded_at`, `organization_id` FROM `awards`;
-- drop "awards" table after copying rows
DROP TABLE `awards`;
-- rename temporary table "new_awards" to "awards"
ALTER TABLE `new_awards` RENAME TO `awards`;
-- create index "award_organization_id_year_badge" to table: "awards"
CREATE UNIQUE INDEX `award_organization_id_year_badge` ON `awards` (`organization_id`, `year`, `badge`);
-- create "new_incentive_rules" table
CREATE TABLE `new_incentive_rules` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `points_per_yuan_milli` integer NOT NULL, `key_county_multiplier_bp` integer NOT NULL DEFAULT (10000), `county_832_multiplier_bp` integer NOT NULL DEFAULT (10000), `category` text NULL, `cap_per_org_per_year` integer NULL, `multiplier_bp` integer NOT NULL DEFAULT (10000), `effective_from` datetime NOT NULL, `effective_until` datetime NULL, `replaces_id` integer NULL, CONSTRAINT `incentive_rules_incentive_rules_revisions` FOREIGN KEY (`replaces_id`) REFERENCES `incentive_rules` (`id`) ON DELETE SET NULL);
-- set sequence for "new_incentive_rules" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_incentive_rules", 68719476736);
-- copy rows from old table "incentive_rules" to new temporary table "new_incentive_rules"
INSERT INTO `new_incentive_rules` (`id`, `created_at`, `updated_at`, `name`, `points_per_yuan_milli`, `key_county_multiplier_bp`, `county_832_multiplier_bp`, `category`, `cap_per_org_per_year`, `effective_from`, `effective_until`) SELECT `id`, `created_at`, `updated_at`, `name`, `points_per_yuan_milli`, `key_county_multiplier_bp`, `county_832_multiplier_bp`, `category`, `cap_per_org_per_year`, `effective_from`, `effective_until` FROM `incentive_rules`;
-- drop "incentive_rules" table after copying rows
DROP TABLE `incentive_rules`;
-- rename temporary table "new_incentive_rules" to "incentive_rules"
ALTER TABLE `new_incentive_rules` RENAME TO `incentive_rules`;
-- add column "detection_reason" to table: "monitoring_cases"
ALTER TABLE `monitoring_cases` ADD COLUMN `detection_reason` text NULL;
-- add column "data_quality_issue" to table: "monitoring_cases"
ALTER TABLE `monitoring_cases` ADD COLUMN `data_quality_issue` text NULL;
-- add column "closed_at" to table: "monitoring_cases"
ALTER TABLE `monitoring_cases` ADD COLUMN `closed_at` datetime NULL;
-- create "new_ledger_entries" table
CREATE TABLE `new_ledger_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `amount` integer NOT NULL, `indicator` text NULL, `year` integer NOT NULL, `occurred_at` datetime NOT NULL, `month` integer NULL, `note` text NULL, `agreement_id` integer NULL, `household_id` integer NULL, `incentive_rule_id` integer NULL, `origin_county_id` integer NULL, `organization_id` integer NULL, `reverses_id` integer NULL, `order_line_id` integer NULL, CONSTRAINT `ledger_entries_agreements_credits` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_households_income_entries` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_incentive_rules_points` FOREIGN KEY (`incentive_rule_id`) REFERENCES `incentive_rules` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_regions_origin_county` FOREIGN KEY (`origin_county_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_ledger_entries_reversed_by` FOREIGN KEY (`reverses_id`) REFERENCES `ledger_entries` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_order_lines_ledger_entries` FOREIGN KEY (`order_line_id`) REFERENCES `order_lines` (`id`) ON DELETE SET NULL);
-- set sequence for "new_ledger_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_ledger_entries", 64424509440);
-- copy rows from old table "ledger_entries" to new temporary table "new_ledger_entries"
INSERT INTO `new_ledger_entries` (`id`, `kind`, `amount`, `indicator`, `year`, `occurred_at`, `month`, `note`, `agreement_id`, `household_id`, `origin_county_id`, `organization_id`, `reverses_id`, `order_line_id`) SELECT `id`, `kind`, `amount`, `indicator`, `year`, `occurred_at`, `month`, `note`, `agreement_id`, `household_id`, `origin_county_id`, `organization_id`, `reverses_id`, `order_line_id` FROM `ledger_entries`;
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
-- create "new_purchase_totals" table
CREATE TABLE `new_purchase_totals` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `organization_id` integer NOT NULL, `year` integer NOT NULL, `month` integer NOT NULL, `settled_fen` integer NOT NULL DEFAULT (0), `counted_fen` integer NOT NULL DEFAULT (0), `points` integer NOT NULL DEFAULT (0));
-- set sequence for "new_purchase_totals" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_purchase_totals", 115964116992);
-- copy rows from old table "purchase_totals" to new temporary table "new_purchase_totals"
INSERT INTO `new_purchase_totals` (`id`, `organization_id`, `year`, `month`, `settled_fen`, `counted_fen`) SELECT `id`, `organization_id`, `year`, `month`, `settled_fen`, `counted_fen` FROM `purchase_totals`;
-- drop "purchase_totals" table after copying rows
DROP TABLE `purchase_totals`;
-- rename temporary table "new_purchase_totals" to "purchase_totals"
ALTER TABLE `new_purchase_totals` RENAME TO `purchase_totals`;
-- create index "purchasetotal_organization_id_year_month" to table: "purchase_totals"
CREATE UNIQUE INDEX `purchasetotal_organization_id_year_month` ON `purchase_totals` (`organization_id`, `year`, `month`);
-- create index "purchasetotal_year" to table: "purchase_totals"
CREATE INDEX `purchasetotal_year` ON `purchase_totals` (`year`);
-- create "monitoring_thresholds" table
CREATE TABLE `monitoring_thresholds` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `year` integer NOT NULL, `per_capita_income_fen` integer NOT NULL DEFAULT (0), `province_id` integer NOT NULL, CONSTRAINT `monitoring_thresholds_regions_province` FOREIGN KEY (`province_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION);
-- set sequence for "monitoring_thresholds" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("monitoring_thresholds", 124554051584);
-- create index "monitoringthreshold_province_id_year" to table: "monitoring_thresholds"
CREATE UNIQUE INDEX `monitoringthreshold_province_id_year` ON `monitoring_thresholds` (`province_id`, `year`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
