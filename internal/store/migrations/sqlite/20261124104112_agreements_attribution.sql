-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_agreements" table
CREATE TABLE `new_agreements` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `title` text NOT NULL, `document_number` text NULL, `period_start` datetime NOT NULL, `period_end` datetime NOT NULL, `status` text NOT NULL DEFAULT ('DRAFT'), `version` integer NOT NULL DEFAULT (1), `original_id` integer NULL, `activated_at` datetime NULL, `closed_at` datetime NULL, `supersedes_id` integer NULL, `helping_unit_id` integer NULL, `helping_region_id` integer NULL, CONSTRAINT `agreements_agreements_amendments` FOREIGN KEY (`supersedes_id`) REFERENCES `agreements` (`id`) ON DELETE SET NULL, CONSTRAINT `agreements_organizations_designated_agreements` FOREIGN KEY (`helping_unit_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `agreements_regions_helping_agreements` FOREIGN KEY (`helping_region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL);
-- set sequence for "new_agreements" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_agreements", 21474836480);
-- copy rows from old table "agreements" to new temporary table "new_agreements"
INSERT INTO `new_agreements` (`id`, `created_at`, `updated_at`, `kind`, `title`, `document_number`, `period_start`, `period_end`, `status`, `version`, `supersedes_id`, `helping_unit_id`, `helping_region_id`) SELECT `id`, `created_at`, `updated_at`, `kind`, `title`, `document_number`, `period_start`, `period_end`, `status`, `version`, `supersedes_id`, `helping_unit_id`, `helping_region_id` FROM `agreements`;
-- drop "agreements" table after copying rows
DROP TABLE `agreements`;
-- rename temporary table "new_agreements" to "agreements"
ALTER TABLE `new_agreements` RENAME TO `agreements`;
-- create index "agreement_kind_status" to table: "agreements"
CREATE INDEX `agreement_kind_status` ON `agreements` (`kind`, `status`);
-- create index "agreement_helping_region_id" to table: "agreements"
CREATE INDEX `agreement_helping_region_id` ON `agreements` (`helping_region_id`);
-- create index "agreement_helping_unit_id" to table: "agreements"
CREATE INDEX `agreement_helping_unit_id` ON `agreements` (`helping_unit_id`);
-- create index "agreement_supersedes_id" to table: "agreements"
CREATE INDEX `agreement_supersedes_id` ON `agreements` (`supersedes_id`);
-- create index "agreement_original_id" to table: "agreements"
CREATE INDEX `agreement_original_id` ON `agreements` (`original_id`);
-- create "new_ledger_entries" table
CREATE TABLE `new_ledger_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `amount` integer NOT NULL, `indicator` text NULL, `year` integer NOT NULL, `occurred_at` datetime NOT NULL, `month` integer NULL, `note` text NULL, `agreement_id` integer NULL, `household_id` integer NULL, `origin_county_id` integer NULL, `organization_id` integer NULL, `reverses_id` integer NULL, `order_line_id` integer NULL, CONSTRAINT `ledger_entries_agreements_credits` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_households_income_entries` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_regions_origin_county` FOREIGN KEY (`origin_county_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_ledger_entries_reversed_by` FOREIGN KEY (`reverses_id`) REFERENCES `ledger_entries` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_order_lines_ledger_entries` FOREIGN KEY (`order_line_id`) REFERENCES `order_lines` (`id`) ON DELETE SET NULL);
-- set sequence for "new_ledger_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_ledger_entries", 64424509440);
-- copy rows from old table "ledger_entries" to new temporary table "new_ledger_entries"
INSERT INTO `new_ledger_entries` (`id`, `kind`, `amount`, `indicator`, `year`, `occurred_at`, `note`, `household_id`, `organization_id`, `reverses_id`, `order_line_id`) SELECT `id`, `kind`, `amount`, `indicator`, `year`, `occurred_at`, `note`, `household_id`, `organization_id`, `reverses_id`, `order_line_id` FROM `ledger_entries`;
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
-- add column "origin_county_id" to table: "order_lines"
ALTER TABLE `order_lines` ADD COLUMN `origin_county_id` integer NULL;
-- create "assessments" table
CREATE TABLE `assessments` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `year` integer NOT NULL, `status` text NOT NULL DEFAULT ('SELF_REPORTED'), `self_report` text NOT NULL, `cross_review` text NULL, `grade` text NULL, `grade_comment` text NULL, `graded_at` datetime NULL, `agreement_id` integer NOT NULL, `self_reported_by_id` integer NULL, `cross_reviewed_by_id` integer NULL, `graded_by_id` integer NULL, CONSTRAINT `assessments_agreements_assessments` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE NO ACTION, CONSTRAINT `assessments_users_self_reported_by` FOREIGN KEY (`self_reported_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `assessments_users_cross_reviewed_by` FOREIGN KEY (`cross_reviewed_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `assessments_users_graded_by` FOREIGN KEY (`graded_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- set sequence for "assessments" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("assessments", 120259084288);
-- create index "assessment_agreement_id_year" to table: "assessments"
CREATE UNIQUE INDEX `assessment_agreement_id_year` ON `assessments` (`agreement_id`, `year`);
-- create "credit_totals" table
CREATE TABLE `credit_totals` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `agreement_id` integer NOT NULL, `indicator` text NOT NULL, `year` integer NOT NULL, `month` integer NOT NULL, `origin_county_id` integer NOT NULL, `amount` integer NOT NULL DEFAULT (0), `lines` integer NOT NULL DEFAULT (0));
-- set sequence for "credit_totals" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("credit_totals", 111669149696);
-- create index "credittotal_agreement_id_indicator_year_month_origin_county_id" to table: "credit_totals"
CREATE UNIQUE INDEX `credittotal_agreement_id_indicator_year_month_origin_county_id` ON `credit_totals` (`agreement_id`, `indicator`, `year`, `month`, `origin_county_id`);
-- create index "credittotal_origin_county_id_year" to table: "credit_totals"
CREATE INDEX `credittotal_origin_county_id_year` ON `credit_totals` (`origin_county_id`, `year`);
-- create "pairings" table
CREATE TABLE `pairings` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `valid_from` datetime NOT NULL, `valid_until` datetime NULL, `basis` text NULL, `end_reason` text NULL, `helping_region_id` integer NULL, `helping_unit_id` integer NULL, `helped_region_id` integer NOT NULL, CONSTRAINT `pairings_regions_helping_region` FOREIGN KEY (`helping_region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `pairings_organizations_helping_unit` FOREIGN KEY (`helping_unit_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `pairings_regions_helped_region` FOREIGN KEY (`helped_region_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION);
-- set sequence for "pairings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("pairings", 107374182400);
-- create index "pairing_helping_region_id" to table: "pairings"
CREATE INDEX `pairing_helping_region_id` ON `pairings` (`helping_region_id`);
-- create index "pairing_helping_unit_id" to table: "pairings"
CREATE INDEX `pairing_helping_unit_id` ON `pairings` (`helping_unit_id`);
-- create index "pairing_helped_region_id" to table: "pairings"
CREATE INDEX `pairing_helped_region_id` ON `pairings` (`helped_region_id`);
-- create "purchase_totals" table
CREATE TABLE `purchase_totals` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `organization_id` integer NOT NULL, `year` integer NOT NULL, `month` integer NOT NULL, `settled_fen` integer NOT NULL DEFAULT (0), `counted_fen` integer NOT NULL DEFAULT (0));
-- set sequence for "purchase_totals" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("purchase_totals", 115964116992);
-- create index "purchasetotal_organization_id_year_month" to table: "purchase_totals"
CREATE UNIQUE INDEX `purchasetotal_organization_id_year_month` ON `purchase_totals` (`organization_id`, `year`, `month`);
-- create index "purchasetotal_year" to table: "purchase_totals"
CREATE INDEX `purchasetotal_year` ON `purchase_totals` (`year`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
-- backfill: the origin county of existing lines is their product's current one
UPDATE "order_lines" SET "origin_county_id" = (SELECT "origin_county_id" FROM "products" WHERE "products"."id" = "order_lines"."product_id");
