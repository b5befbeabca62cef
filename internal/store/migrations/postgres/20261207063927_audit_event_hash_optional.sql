-- modify "audit_events" table
ALTER TABLE "audit_events" ALTER COLUMN "hash" DROP NOT NULL;
