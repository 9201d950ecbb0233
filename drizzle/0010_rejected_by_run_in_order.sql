DROP INDEX "rejected_records_run_idx";--> statement-breakpoint
CREATE INDEX "rejected_records_run_idx" ON "rejected_records" USING btree ("run_id","id");