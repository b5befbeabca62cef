-- modify "orders" table
ALTER TABLE "orders" ADD COLUMN "request_hash" character varying NULL;
