-- create "agreements" table
CREATE TABLE `agreements` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `title` text NOT NULL, `document_number` text NULL, `period_start` datetime NOT NULL, `period_end` datetime NOT NULL, `status` text NOT NULL DEFAULT ('DRAFT'), `version` integer NOT NULL DEFAULT (1), `supersedes_id` integer NULL, `helping_unit_id` integer NULL, `helping_region_id` integer NULL, CONSTRAINT `agreements_agreements_amendments` FOREIGN KEY (`supersedes_id`) REFERENCES `agreements` (`id`) ON DELETE SET NULL, CONSTRAINT `agreements_organizations_designated_agreements` FOREIGN KEY (`helping_unit_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `agreements_regions_helping_agreements` FOREIGN KEY (`helping_region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL);
-- set sequence for "agreements" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("agreements", 21474836480);
-- create index "agreement_kind_status" to table: "agreements"
CREATE INDEX `agreement_kind_status` ON `agreements` (`kind`, `status`);
-- create index "agreement_helping_region_id" to table: "agreements"
CREATE INDEX `agreement_helping_region_id` ON `agreements` (`helping_region_id`);
-- create index "agreement_helping_unit_id" to table: "agreements"
CREATE INDEX `agreement_helping_unit_id` ON `agreements` (`helping_unit_id`);
-- create index "agreement_supersedes_id" to table: "agreements"
CREATE INDEX `agreement_supersedes_id` ON `agreements` (`supersedes_id`);
-- create "annual_incomes" table
CREATE TABLE `annual_incomes` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `year` integer NOT NULL, `per_capita_net_income_fen` integer NOT NULL DEFAULT (0), `household_id` integer NOT NULL, CONSTRAINT `annual_incomes_households_annual_incomes` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE NO ACTION);
-- set sequence for "annual_incomes" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("annual_incomes", 38654705664);
-- create index "annualincome_household_id_year" to table: "annual_incomes"
CREATE UNIQUE INDEX `annualincome_household_id_year` ON `annual_incomes` (`household_id`, `year`);
-- create "audit_events" table
CREATE TABLE `audit_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `occurred_at` datetime NOT NULL, `actor_id` integer NULL, `organization_id` integer NULL, `action` text NOT NULL, `entity_type` text NOT NULL, `entity_id` integer NULL, `before` json NULL, `after` json NULL, `request_id` text NULL, `prev_hash` text NULL, `hash` text NOT NULL);
-- set sequence for "audit_events" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("audit_events", 94489280512);
-- create index "auditevent_entity_type_entity_id" to table: "audit_events"
CREATE INDEX `auditevent_entity_type_entity_id` ON `audit_events` (`entity_type`, `entity_id`);
-- create index "auditevent_actor_id" to table: "audit_events"
CREATE INDEX `auditevent_actor_id` ON `audit_events` (`actor_id`);
-- create index "auditevent_occurred_at" to table: "audit_events"
CREATE INDEX `auditevent_occurred_at` ON `audit_events` (`occurred_at`);
-- create "awards" table
CREATE TABLE `awards` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `badge` text NOT NULL, `year` integer NOT NULL, `points` integer NOT NULL, `awarded_at` datetime NOT NULL, `organization_id` integer NOT NULL, CONSTRAINT `awards_organizations_awards` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "awards" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("awards", 73014444032);
-- create index "award_organization_id_year_badge" to table: "awards"
CREATE UNIQUE INDEX `award_organization_id_year_badge` ON `awards` (`organization_id`, `year`, `badge`);
-- create "benefit_links" table
CREATE TABLE `benefit_links` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `mechanism` text NOT NULL, `share_bp` integer NOT NULL, `valid_from` datetime NOT NULL, `valid_until` datetime NULL, `household_id` integer NOT NULL, `supplier_id` integer NOT NULL, CONSTRAINT `benefit_links_households_benefit_links` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE NO ACTION, CONSTRAINT `benefit_links_organizations_benefit_links` FOREIGN KEY (`supplier_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "benefit_links" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("benefit_links", 42949672960);
-- create index "benefitlink_supplier_id_household_id_mechanism" to table: "benefit_links"
CREATE UNIQUE INDEX `benefitlink_supplier_id_household_id_mechanism` ON `benefit_links` (`supplier_id`, `household_id`, `mechanism`);
-- create index "benefitlink_household_id" to table: "benefit_links"
CREATE INDEX `benefitlink_household_id` ON `benefit_links` (`household_id`);
-- create "buyer_profiles" table
CREATE TABLE `buyer_profiles` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `has_canteen` bool NOT NULL DEFAULT (false), `canteen_food_budget_fen` integer NOT NULL DEFAULT (0), `reserved_share_bp` integer NOT NULL DEFAULT (1000), `organization_id` integer NOT NULL, CONSTRAINT `buyer_profiles_organizations_buyer_profile` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "buyer_profiles" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("buyer_profiles", 17179869184);
-- create index "buyer_profiles_organization_id_key" to table: "buyer_profiles"
CREATE UNIQUE INDEX `buyer_profiles_organization_id_key` ON `buyer_profiles` (`organization_id`);
-- create "certifications" table
CREATE TABLE `certifications` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('APPLIED'), `certificate_number` text NULL, `notice_start` datetime NULL, `notice_end` datetime NULL, `valid_from` datetime NULL, `valid_until` datetime NULL, `reason` text NULL, `product_id` integer NOT NULL, CONSTRAINT `certifications_products_certifications` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE NO ACTION);
-- set sequence for "certifications" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("certifications", 51539607552);
-- create index "certifications_certificate_number_key" to table: "certifications"
CREATE UNIQUE INDEX `certifications_certificate_number_key` ON `certifications` (`certificate_number`);
-- create index "certification_product_id_status_valid_until" to table: "certifications"
CREATE INDEX `certification_product_id_status_valid_until` ON `certifications` (`product_id`, `status`, `valid_until`);
-- create "households" table
CREATE TABLE `households` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `number` text NOT NULL, `attribute` text NOT NULL DEFAULT ('GENERAL'), `main_cause` text NOT NULL, `secondary_cause` text NULL, `status` text NOT NULL DEFAULT ('POOR'), `member_count` integer NOT NULL DEFAULT (1), `exit_year` integer NULL, `responsible_cadre` text NULL, `village_id` integer NOT NULL, CONSTRAINT `households_regions_households` FOREIGN KEY (`village_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION);
-- set sequence for "households" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("households", 30064771072);
-- create index "households_number_key" to table: "households"
CREATE UNIQUE INDEX `households_number_key` ON `households` (`number`);
-- create index "household_village_id_status" to table: "households"
CREATE INDEX `household_village_id_status` ON `households` (`village_id`, `status`);
-- create index "household_status" to table: "households"
CREATE INDEX `household_status` ON `households` (`status`);
-- create "household_members" table
CREATE TABLE `household_members` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `id_number` text NULL, `phone` text NULL, `relation` text NOT NULL, `age_band` text NOT NULL, `health` text NOT NULL DEFAULT ('HEALTHY'), `labor_ability` text NOT NULL DEFAULT ('NORMAL'), `schooling` text NOT NULL DEFAULT ('NONE'), `household_id` integer NOT NULL, CONSTRAINT `household_members_households_members` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE NO ACTION);
-- set sequence for "household_members" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("household_members", 34359738368);
-- create index "householdmember_household_id" to table: "household_members"
CREATE INDEX `householdmember_household_id` ON `household_members` (`household_id`);
-- create "incentive_rules" table
CREATE TABLE `incentive_rules` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `points_per_yuan_milli` integer NOT NULL, `key_county_multiplier_bp` integer NOT NULL DEFAULT (10000), `county_832_multiplier_bp` integer NOT NULL DEFAULT (10000), `category` text NULL, `cap_per_org_per_year` integer NULL, `effective_from` datetime NOT NULL, `effective_until` datetime NULL);
-- set sequence for "incentive_rules" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("incentive_rules", 68719476736);
-- create "ledger_entries" table
CREATE TABLE `ledger_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `kind` text NOT NULL, `amount` integer NOT NULL, `indicator` text NULL, `year` integer NOT NULL, `occurred_at` datetime NOT NULL, `note` text NULL, `household_id` integer NULL, `organization_id` integer NULL, `reverses_id` integer NULL, `order_line_id` integer NULL, `target_id` integer NULL, CONSTRAINT `ledger_entries_households_income_entries` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_ledger_entries_reversed_by` FOREIGN KEY (`reverses_id`) REFERENCES `ledger_entries` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_order_lines_ledger_entries` FOREIGN KEY (`order_line_id`) REFERENCES `order_lines` (`id`) ON DELETE SET NULL, CONSTRAINT `ledger_entries_targets_ledger_entries` FOREIGN KEY (`target_id`) REFERENCES `targets` (`id`) ON DELETE SET NULL);
-- set sequence for "ledger_entries" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("ledger_entries", 64424509440);
-- create index "ledger_entries_reverses_id_key" to table: "ledger_entries"
CREATE UNIQUE INDEX `ledger_entries_reverses_id_key` ON `ledger_entries` (`reverses_id`);
-- create index "ledgerentry_kind_target_id_year" to table: "ledger_entries"
CREATE INDEX `ledgerentry_kind_target_id_year` ON `ledger_entries` (`kind`, `target_id`, `year`);
-- create index "ledgerentry_household_id_year" to table: "ledger_entries"
CREATE INDEX `ledgerentry_household_id_year` ON `ledger_entries` (`household_id`, `year`);
-- create index "ledgerentry_order_line_id" to table: "ledger_entries"
CREATE INDEX `ledgerentry_order_line_id` ON `ledger_entries` (`order_line_id`);
-- create index "ledgerentry_organization_id_kind_year" to table: "ledger_entries"
CREATE INDEX `ledgerentry_organization_id_kind_year` ON `ledger_entries` (`organization_id`, `kind`, `year`);
-- create "memberships" table
CREATE TABLE `memberships` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `role` text NOT NULL, `organization_id` integer NULL, `user_id` integer NOT NULL, CONSTRAINT `memberships_organizations_memberships` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `memberships_users_memberships` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- set sequence for "memberships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("memberships", 90194313216);
-- create index "membership_user_id" to table: "memberships"
CREATE INDEX `membership_user_id` ON `memberships` (`user_id`);
-- create index "membership_organization_id" to table: "memberships"
CREATE INDEX `membership_organization_id` ON `memberships` (`organization_id`);
-- create "monitoring_cases" table
CREATE TABLE `monitoring_cases` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `type` text NOT NULL, `status` text NOT NULL DEFAULT ('DETECTED'), `risk_flags` json NULL, `opened_at` datetime NOT NULL, `identification_due` datetime NOT NULL, `notice_start` datetime NULL, `identified_at` datetime NULL, `risk_eliminated_at` datetime NULL, `notes` text NULL, `household_id` integer NOT NULL, CONSTRAINT `monitoring_cases_households_monitoring_cases` FOREIGN KEY (`household_id`) REFERENCES `households` (`id`) ON DELETE NO ACTION);
-- set sequence for "monitoring_cases" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("monitoring_cases", 77309411328);
-- create index "monitoringcase_household_id" to table: "monitoring_cases"
CREATE INDEX `monitoringcase_household_id` ON `monitoring_cases` (`household_id`);
-- create index "monitoringcase_status_identification_due" to table: "monitoring_cases"
CREATE INDEX `monitoringcase_status_identification_due` ON `monitoring_cases` (`status`, `identification_due`);
-- create "orders" table
CREATE TABLE `orders` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `idempotency_key` text NOT NULL, `status` text NOT NULL DEFAULT ('PLACED'), `total_fen` integer NOT NULL, `placed_at` datetime NOT NULL, `confirmed_at` datetime NULL, `shipped_at` datetime NULL, `carrier` text NULL, `tracking_number` text NULL, `delivered_at` datetime NULL, `accepted_at` datetime NULL, `inspection_ref` text NULL, `invoice_ref` text NULL, `settled_at` datetime NULL, `cancelled_at` datetime NULL, `refunded_at` datetime NULL, `rating` integer NULL, `placed_by_id` integer NULL, `buyer_id` integer NOT NULL, `supplier_id` integer NOT NULL, `facilitator_id` integer NULL, CONSTRAINT `orders_users_placed_by` FOREIGN KEY (`placed_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `orders_organizations_orders_placed` FOREIGN KEY (`buyer_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION, CONSTRAINT `orders_organizations_orders_received` FOREIGN KEY (`supplier_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION, CONSTRAINT `orders_organizations_orders_facilitated` FOREIGN KEY (`facilitator_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL);
-- set sequence for "orders" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("orders", 55834574848);
-- create index "order_buyer_id_idempotency_key_supplier_id" to table: "orders"
CREATE UNIQUE INDEX `order_buyer_id_idempotency_key_supplier_id` ON `orders` (`buyer_id`, `idempotency_key`, `supplier_id`);
-- create index "order_buyer_id_status" to table: "orders"
CREATE INDEX `order_buyer_id_status` ON `orders` (`buyer_id`, `status`);
-- create index "order_supplier_id_status" to table: "orders"
CREATE INDEX `order_supplier_id_status` ON `orders` (`supplier_id`, `status`);
-- create index "order_facilitator_id" to table: "orders"
CREATE INDEX `order_facilitator_id` ON `orders` (`facilitator_id`);
-- create index "order_status_settled_at" to table: "orders"
CREATE INDEX `order_status_settled_at` ON `orders` (`status`, `settled_at`);
-- create "order_lines" table
CREATE TABLE `order_lines` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `quantity` integer NOT NULL, `unit_price_fen` integer NOT NULL, `amount_fen` integer NOT NULL, `certified_at_order` bool NOT NULL DEFAULT (false), `order_id` integer NOT NULL, `product_id` integer NOT NULL, CONSTRAINT `order_lines_orders_lines` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`) ON DELETE NO ACTION, CONSTRAINT `order_lines_products_order_lines` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE NO ACTION);
-- set sequence for "order_lines" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("order_lines", 60129542144);
-- create index "orderline_order_id" to table: "order_lines"
CREATE INDEX `orderline_order_id` ON `order_lines` (`order_id`);
-- create index "orderline_product_id" to table: "order_lines"
CREATE INDEX `orderline_product_id` ON `order_lines` (`product_id`);
-- create "organizations" table
CREATE TABLE `organizations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `kind` text NOT NULL, `credit_code` text NULL, `parent_id` integer NULL, `region_id` integer NOT NULL, CONSTRAINT `organizations_organizations_children` FOREIGN KEY (`parent_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL, CONSTRAINT `organizations_regions_organizations` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION);
-- set sequence for "organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("organizations", 8589934592);
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
-- create "products" table
CREATE TABLE `products` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `description` text NULL, `category` text NOT NULL, `spec` text NOT NULL, `unit` text NOT NULL, `price_fen` integer NOT NULL, `stock` integer NOT NULL DEFAULT (0), `channel` text NOT NULL DEFAULT ('ONLINE'), `status` text NOT NULL DEFAULT ('DRAFT'), `image_urls` json NULL, `supplier_id` integer NOT NULL, `origin_county_id` integer NOT NULL, CONSTRAINT `products_organizations_products` FOREIGN KEY (`supplier_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION, CONSTRAINT `products_regions_products` FOREIGN KEY (`origin_county_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION);
-- set sequence for "products" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("products", 47244640256);
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
-- create "progress_reports" table
CREATE TABLE `progress_reports` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `indicator` text NOT NULL, `year` integer NOT NULL, `value` integer NOT NULL, `evidence_refs` json NULL, `status` text NOT NULL DEFAULT ('SUBMITTED'), `review_comment` text NULL, `reviewed_at` datetime NULL, `agreement_id` integer NOT NULL, `submitted_by_id` integer NULL, `reviewed_by_id` integer NULL, CONSTRAINT `progress_reports_agreements_progress_reports` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE NO ACTION, CONSTRAINT `progress_reports_users_submitted_by` FOREIGN KEY (`submitted_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `progress_reports_users_reviewed_by` FOREIGN KEY (`reviewed_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- set sequence for "progress_reports" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("progress_reports", 81604378624);
-- create index "progressreport_agreement_id_indicator_year_status" to table: "progress_reports"
CREATE INDEX `progressreport_agreement_id_indicator_year_status` ON `progress_reports` (`agreement_id`, `indicator`, `year`, `status`);
-- create "regions" table
CREATE TABLE `regions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `name` text NOT NULL, `level` text NOT NULL, `side` text NOT NULL, `poverty_county_832` bool NOT NULL DEFAULT (false), `key_assistance_county` bool NOT NULL DEFAULT (false), `exit_year` integer NULL, `parent_id` integer NULL, CONSTRAINT `regions_regions_children` FOREIGN KEY (`parent_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL);
-- set sequence for "regions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("regions", 4294967296);
-- create index "regions_code_key" to table: "regions"
CREATE UNIQUE INDEX `regions_code_key` ON `regions` (`code`);
-- create index "region_parent_id" to table: "regions"
CREATE INDEX `region_parent_id` ON `regions` (`parent_id`);
-- create index "region_level_side" to table: "regions"
CREATE INDEX `region_level_side` ON `regions` (`level`, `side`);
-- create index "region_name" to table: "regions"
CREATE INDEX `region_name` ON `regions` (`name`);
-- create "supplier_profiles" table
CREATE TABLE `supplier_profiles` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('APPLIED'), `status_reason` text NULL, `benefit_mechanisms` json NULL, `approved_at` datetime NULL, `organization_id` integer NOT NULL, CONSTRAINT `supplier_profiles_organizations_supplier_profile` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION);
-- set sequence for "supplier_profiles" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("supplier_profiles", 12884901888);
-- create index "supplier_profiles_organization_id_key" to table: "supplier_profiles"
CREATE UNIQUE INDEX `supplier_profiles_organization_id_key` ON `supplier_profiles` (`organization_id`);
-- create index "supplierprofile_status" to table: "supplier_profiles"
CREATE INDEX `supplierprofile_status` ON `supplier_profiles` (`status`);
-- create "targets" table
CREATE TABLE `targets` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `indicator` text NOT NULL, `year` integer NOT NULL, `target_value` integer NOT NULL, `agreement_id` integer NOT NULL, CONSTRAINT `targets_agreements_targets` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE NO ACTION);
-- set sequence for "targets" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("targets", 25769803776);
-- create index "target_agreement_id_indicator_year" to table: "targets"
CREATE UNIQUE INDEX `target_agreement_id_indicator_year` ON `targets` (`agreement_id`, `indicator`, `year`);
-- create "users" table
CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `display_name` text NOT NULL, `password_hash` text NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `last_login_at` datetime NULL);
-- set sequence for "users" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("users", 85899345920);
-- create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- create "agreement_helped_regions" table
CREATE TABLE `agreement_helped_regions` (`agreement_id` integer NOT NULL, `region_id` integer NOT NULL, PRIMARY KEY (`agreement_id`, `region_id`), CONSTRAINT `agreement_helped_regions_agreement_id` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE CASCADE, CONSTRAINT `agreement_helped_regions_region_id` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE CASCADE);
-- create "membership_scope_regions" table
CREATE TABLE `membership_scope_regions` (`membership_id` integer NOT NULL, `region_id` integer NOT NULL, PRIMARY KEY (`membership_id`, `region_id`), CONSTRAINT `membership_scope_regions_membership_id` FOREIGN KEY (`membership_id`) REFERENCES `memberships` (`id`) ON DELETE CASCADE, CONSTRAINT `membership_scope_regions_region_id` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE CASCADE);
-- create "membership_scope_agreements" table
CREATE TABLE `membership_scope_agreements` (`membership_id` integer NOT NULL, `agreement_id` integer NOT NULL, PRIMARY KEY (`membership_id`, `agreement_id`), CONSTRAINT `membership_scope_agreements_membership_id` FOREIGN KEY (`membership_id`) REFERENCES `memberships` (`id`) ON DELETE CASCADE, CONSTRAINT `membership_scope_agreements_agreement_id` FOREIGN KEY (`agreement_id`) REFERENCES `agreements` (`id`) ON DELETE CASCADE);
