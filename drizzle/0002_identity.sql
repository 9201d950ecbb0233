ALTER TABLE "asset_sources" ADD COLUMN "slug" text;--> statement-breakpoint
CREATE INDEX "asset_sources_symbol_idx" ON "asset_sources" USING btree ("symbol");