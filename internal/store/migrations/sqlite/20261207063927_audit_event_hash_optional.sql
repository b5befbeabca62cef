-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_audit_events" table
CREATE TABLE `new_audit_events` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `occurred_at` datetime NOT NULL, `actor_id` integer NULL, `job` text NULL, `organization_id` integer NULL, `action` text NOT NULL, `entity_type` text NOT NULL, `entity_id` integer NULL, `before` json NULL, `after` json NULL, `changes` json NULL, `ledger` json NULL, `request_id` text NULL, `prev_hash` text NULL, `hash` text NULL, `xid` integer NULL);
-- set sequence for "new_audit_events" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_audit_events", 94489280512);
-- copy rows from old table "audit_events" to new temporary table "new_audit_events"
INSERT INTO `new_audit_events` (`id`, `occurred_at`, `actor_id`, `job`, `organization_id`, `action`, `entity_type`, `entity_id`, `before`, `after`, `changes`, `ledger`, `request_id`, `prev_hash`, `hash`, `xid`) SELECT `id`, `occurred_at`, `actor_id`, `job`, `organization_id`, `action`, `entity_type`, `entity_id`, `before`, `after`, `changes`, `ledger`, `request_id`, `prev_hash`, `hash`, `xid` FROM `audit_events`;
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
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
