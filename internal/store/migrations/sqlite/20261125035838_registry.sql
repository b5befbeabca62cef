-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- add column "food_clothing_ok" to table: "annual_incomes"
ALTER TABLE `annual_incomes` ADD COLUMN `food_clothing_ok` bool NULL;
-- add column "schooling_ok" to table: "annual_incomes"
ALTER TABLE `annual_incomes` ADD COLUMN `schooling_ok` bool NULL;
-- add column "medical_ok" to table: "annual_incomes"
ALTER TABLE `annual_incomes` ADD COLUMN `medical_ok` bool NULL;
-- add column "housing_ok" to table: "annual_incomes"
ALTER TABLE `annual_incomes` ADD COLUMN `housing_ok` bool NULL;
-- create "new_benefit_links" table
CREATE TABLE `new_benefit_links` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `mechanism` text NOT NULL, `share_bp` integer NOT NULL, `valid_from` datetime NOT NULL, `valid_until` datetime NULL, `status` text NOT NULL DEFAULT ('APPROVED'), `evidence` json NULL, `cross_county_reason` text NULL, `decision_reason` text NULL, `proposed_by_id` integer NULL, `decided_by_id` integer NULL, `decided_at` datetime NULL, `ended_at` datetime NULL, `household_id` integer NOT NULL, `supplier_id` integer NOT NULL, CONSTRAINT `benefit_links_households_benefit_links` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE NO ACTION, CONSTRAINT `benefit_links_organizations_benefit_links` FOREIGN KEY (`supplier_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "new_benefit_links" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_benefit_links", 42949672960);
-- copy rows from old table "benefit_links" to new temporary table "new_benefit_links"
INSERT INTO `new_benefit_links` (`id`, `created_at`, `updated_at`, `mechanism`, `share_bp`, `valid_from`, `valid_until`, `household_id`, `supplier_id`) SELECT `id`, `created_at`, `updated_at`, `mechanism`, `share_bp`, `valid_from`, `valid_until`, `household_id`, `supplier_id` FROM `benefit_links`;
-- drop "benefit_links" table after copying rows
DROP TABLE `benefit_links`;
-- rename temporary table "new_benefit_links" to "benefit_links"
ALTER TABLE `new_benefit_links` RENAME TO `benefit_links`;
-- create index "benefitlink_supplier_id_status" to table: "benefit_links"
CREATE INDEX `benefitlink_supplier_id_status` ON `benefit_links` (`supplier_id`, `status`);
-- create index "benefitlink_household_id" to table: "benefit_links"
CREATE INDEX `benefitlink_household_id` ON `benefit_links` (`household_id`);
-- create "new_buyer_profiles" table
CREATE TABLE `new_buyer_profiles` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `year` integer NOT NULL, `has_canteen` bool NOT NULL DEFAULT (false), `canteen_food_budget_fen` integer NOT NULL DEFAULT (0), `reserved_share_bp` integer NOT NULL DEFAULT (1000), `organization_id` integer NOT NULL, CONSTRAINT `buyer_profiles_organizations_buyer_profiles` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "new_buyer_profiles" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_buyer_profiles", 17179869184);
-- copy rows from old table "buyer_profiles" to new temporary table "new_buyer_profiles"
-- (hand-edited) a profile kept before profiles were yearly is the 2026 profile
INSERT INTO `new_buyer_profiles` (`id`, `created_at`, `updated_at`, `year`, `has_canteen`, `canteen_food_budget_fen`, `reserved_share_bp`, `organization_id`) SELECT `id`, `created_at`, `updated_at`, 2026, `has_canteen`, `canteen_food_budget_fen`, `reserved_share_bp`, `organization_id` FROM `buyer_profiles`;
-- drop "buyer_profiles" table after copying rows
DROP TABLE `buyer_profiles`;
-- rename temporary table "new_buyer_profiles" to "buyer_profiles"
ALTER TABLE `new_buyer_profiles` RENAME TO `buyer_profiles`;
-- create index "buyerprofile_organization_id_year" to table: "buyer_profiles"
CREATE UNIQUE INDEX `buyerprofile_organization_id_year` ON `buyer_profiles` (`organization_id`, `year`);
-- add column "invited_by_id" to table: "memberships"
ALTER TABLE `memberships` ADD COLUMN `invited_by_id` integer NULL;
-- create "new_organizations" table
CREATE TABLE `new_organizations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `kind` text NOT NULL, `credit_code` text NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `status_reason` text NULL, `contact_phone` text NULL, `registered_by_id` integer NULL, `decided_at` datetime NULL, `parent_id` integer NULL, `region_id` integer NOT NULL, CONSTRAINT `organizations_organizations_children` FOREIGN KEY (`parent_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `organizations_regions_organizations` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION);
-- set sequence for "new_organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_organizations", 8589934592);
-- copy rows from old table "organizations" to new temporary table "new_organizations"
INSERT INTO `new_organizations` (`id`, `created_at`, `updated_at`, `name`, `kind`, `credit_code`, `parent_id`, `region_id`) SELECT `id`, `created_at`, `updated_at`, `name`, `kind`, `credit_code`, `parent_id`, `region_id` FROM `organizations`;
-- drop "organizations" table after copying rows
DROP TABLE `organizations`;
-- rename temporary table "new_organizations" to "organizations"
ALTER TABLE `new_organizations` RENAME TO `organizations`;
-- create index "organizations_credit_code_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_credit_code_key` ON `organizations` (`credit_code`);
-- create index "organization_region_id" to table: "organizations"
CREATE INDEX `organization_region_id` ON `organizations` (`region_id`);
-- create index "organization_parent_id" to table: "organizations"
CREATE INDEX `organization_parent_id` ON `organizations` (`parent_id`);
-- create index "organization_kind" to table: "organizations"
CREATE INDEX `organization_kind` ON `organizations` (`kind`);
-- create index "organization_name" to table: "organizations"
CREATE INDEX `organization_name` ON `organizations` (`name`);
-- create index "organization_status" to table: "organizations"
CREATE INDEX `organization_status` ON `organizations` (`status`);
-- add column "monitoring_type" to table: "households"
ALTER TABLE `households` ADD COLUMN `monitoring_type` text NULL;
-- add column "person_number" to table: "household_members"
ALTER TABLE `household_members` ADD COLUMN `person_number` text NULL;
-- add column "birth_month" to table: "household_members"
ALTER TABLE `household_members` ADD COLUMN `birth_month` text NULL;
-- add column "removed_at" to table: "household_members"
ALTER TABLE `household_members` ADD COLUMN `removed_at` datetime NULL;
-- add column "removed_reason" to table: "household_members"
ALTER TABLE `household_members` ADD COLUMN `removed_reason` text NULL;
-- create "facilitations" table
CREATE TABLE `facilitations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `valid_from` datetime NOT NULL, `valid_until` datetime NULL, `status` text NOT NULL DEFAULT ('PROPOSED'), `proposed_by_org_id` integer NOT NULL, `proposed_by_id` integer NULL, `accepted_at` datetime NULL, `accepted_by_id` integer NULL, `ended_at` datetime NULL, `facilitator_id` integer NOT NULL, `buyer_id` integer NOT NULL, CONSTRAINT `facilitations_organizations_facilitator` FOREIGN KEY (`facilitator_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION, CONSTRAINT `facilitations_organizations_buyer` FOREIGN KEY (`buyer_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "facilitations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("facilitations", 141733920768);
-- create index "facilitation_facilitator_id_buyer_id_status" to table: "facilitations"
CREATE INDEX `facilitation_facilitator_id_buyer_id_status` ON `facilitations` (`facilitator_id`, `buyer_id`, `status`);
-- create index "facilitation_buyer_id" to table: "facilitations"
CREATE INDEX `facilitation_buyer_id` ON `facilitations` (`buyer_id`);
-- create "invitations" table
CREATE TABLE `invitations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `role` text NOT NULL, `token_hash` text NOT NULL, `expires_at` datetime NOT NULL, `invited_by_id` integer NOT NULL, `accepted_at` datetime NULL, `accepted_by_id` integer NULL, `revoked_at` datetime NULL, `organization_id` integer NOT NULL, CONSTRAINT `invitations_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "invitations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("invitations", 137438953472);
-- create index "invitations_token_hash_key" to table: "invitations"
CREATE UNIQUE INDEX `invitations_token_hash_key` ON `invitations` (`token_hash`);
-- create index "invitation_organization_id" to table: "invitations"
CREATE INDEX `invitation_organization_id` ON `invitations` (`organization_id`);
-- create index "invitation_email" to table: "invitations"
CREATE INDEX `invitation_email` ON `invitations` (`email`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
