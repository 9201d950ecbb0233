ALTER TABLE "asset_sources" ADD COLUMN "name_key" text;--> statement-breakpoint
ALTER TABLE "asset_sources" ADD COLUMN "slug" text;--> statement-breakpoint
CREATE INDEX "asset_sources_symbol_idx" ON "asset_sources" USING btree ("symbol","name_key");--> statement-breakpoint
CREATE INDEX "asset_sources_slug_idx" ON "asset_sources" USING btree ("slug");