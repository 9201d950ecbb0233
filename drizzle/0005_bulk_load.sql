ALTER TABLE "asset_sources" DROP CONSTRAINT "asset_sources_asset_id_assets_id_fk";
--> statement-breakpoint
ALTER TABLE "etl_run_listings" DROP CONSTRAINT "etl_run_listings_run_id_etl_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "quotes" DROP CONSTRAINT "quotes_asset_id_assets_id_fk";
--> statement-breakpoint
ALTER TABLE "raw_coingecko" DROP CONSTRAINT "raw_coingecko_run_id_etl_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "raw_coinpaprika" DROP CONSTRAINT "raw_coinpaprika_run_id_etl_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "raw_csv" DROP CONSTRAINT "raw_csv_run_id_etl_runs_id_fk";
--> statement-breakpoint
CREATE INDEX "raw_coingecko_run_idx" ON "raw_coingecko" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "raw_coinpaprika_run_idx" ON "raw_coinpaprika" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "raw_csv_run_idx" ON "raw_csv" USING btree ("run_id");