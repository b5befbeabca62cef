-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_audit_events" table
CREATE TABLE `new_audit_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `occurred_at` datetime NOT NULL, `actor_id` integer NULL, `job` text NULL, `organization_id` integer NULL, `action` text NOT NULL, `entity_type` text NOT NULL, `entity_id` integer NULL, `before` json NULL, `after` json NULL, `changes` json NULL, `ledger` json NULL, `request_id` text NULL, `prev_hash` text NULL, `hash` text NOT NULL, `xid` integer NULL);
-- set sequence for "new_audit_events" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_audit_events", 94489280512);
-- copy rows from old table "audit_events" to new temporary table "new_audit_events"
INSERT INTO `new_audit_events` (`id`, `occurred_at`, `actor_id`, `organization_id`, `action`, `entity_type`, `entity_id`, `before`, `after`, `request_id`, `prev_hash`, `hash`) SELECT `id`, `occurred_at`, `actor_id`, `organization_id`, `action`, `entity_type`, `entity_id`, `before`, `after`, `request_id`, `prev_hash`, `hash` FROM `audit_events`;
-- drop "audit_events" table after copying rows
DROP TABLE `audit_events`;
-- rename temporary table "new_audit_events" to "audit_events"
ALTER TABLE `new_audit_events` RENAME TO `audit_events`;
-- create index "auditevent_entity_type_entity_id" to table: "audit_events"
CREATE INDEX `auditevent_entity_type_entity_id` ON `audit_events` (`entity_type`, `entity_id`);
-- create index "auditevent_actor_id" to table: "audit_events"
CREATE INDEX `auditevent_actor_id` ON `audit_events` (`actor_id`);
-- create index "auditevent_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_occurred_at` ON `audit_events` (`occurred_at`);
-- create index "auditevent_xid" to table: "audit_events"
CREATE INDEX `auditevent_xid` ON `audit_events` (`xid`);
-- create "new_ledger_entries" table
CREATE TABLE `new_ledger_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `amount` integer NOT NULL, `indicator` text NULL, `year` integer NOT NULL, `occurred_at` datetime NOT NULL, `month` integer NULL, `note` text NULL, `xid` integer NULL, `agreement_id` integer NULL, `household_id` integer NULL, `incentive_rule_id` integer NULL, `origin_county_id` integer NULL, `organization_id` integer NULL, `reverses_id` integer NULL, `order_line_id` integer NULL, CONSTRAINT `ledger_entries_agreements_credits` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_households_income_entries` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_incentive_rules_points` FOREIGN KEY (`incentive_rule_id`) REFERENCES `incentive_rules` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_regions_origin_county` FOREIGN KEY (`origin_county_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_ledger_entries_reversed_by` FOREIGN KEY (`reverses_id`) REFERENCES `ledger_entries` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_order_lines_ledger_entries` FOREIGN KEY (`order_line_id`) REFERENCES `order_lines` (`id`) ON DELETE SET NULL);
-- set sequence for "new_ledger_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_ledger_entries", 64424509440);
-- copy rows from old table "ledger_entries" to new temporary table "new_ledger_entries"
INSERT INTO `new_ledger_entries` (`id`, `kind`, `amount`, `indicator`, `year`, `occurred_at`, `month`, `note`, `agreement_id`, `household_id`, `incentive_rule_id`, `origin_county_id`, `organization_id`, `reverses_id`, `order_line_id`) SELECT `id`, `kind`, `amount`, `indicator`, `year`, `occurred_at`, `month`, `note`, `agreement_id`, `household_id`, `incentive_rule_id`, `origin_county_id`, `organization_id`, `reverses_id`, `order_line_id` FROM `ledger_entries`;
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
-- create "job_runs" table
CREATE TABLE `job_runs` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `job` text NOT NULL, `period` text NOT NULL, `instance` text NOT NULL, `started_at` datetime NOT NULL, `finished_at` datetime NULL, `outcome` text NULL);
-- create index "jobrun_job_period" to table: "job_runs"
CREATE UNIQUE INDEX `jobrun_job_period` ON `job_runs` (`job`, `period`);
-- create "log_checkpoints" table
CREATE TABLE `log_checkpoints` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `root_hash` blob NOT NULL, `note` text NOT NULL, `signed_at` datetime NOT NULL);
-- create "log_hashes" table
CREATE TABLE `log_hashes` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `hash` blob NOT NULL);
-- create "log_leaves" table
CREATE TABLE `log_leaves` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `ref_id` integer NOT NULL, `xid` integer NULL, `hash` blob NOT NULL, `sealed_at` datetime NOT NULL);
-- create index "logleaf_kind_ref_id" to table: "log_leaves"
CREATE UNIQUE INDEX `logleaf_kind_ref_id` ON `log_leaves` (`kind`, `ref_id`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
