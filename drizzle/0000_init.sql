CREATE TABLE "asset_sources" (
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"asset_id" bigint NOT NULL,
	"match_method" text NOT NULL,
	"confidence" real NOT NULL,
	"symbol" text NOT NULL,
	"name" text,
	"rank" integer,
	"price_usd" numeric,
	"market_cap_usd" numeric,
	"volume_24h_usd" numeric,
	"circulating_supply" numeric,
	"total_supply" numeric,
	"max_supply" numeric,
	"percent_change_24h" numeric,
	"observed_at" timestamp with time zone NOT NULL,
	"payload_sha256" text NOT NULL,
	"run_id" bigint NOT NULL,
	"raw_id" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "asset_sources_source_source_id_pk" PRIMARY KEY("source","source_id")
);
--> statement-breakpoint
CREATE TABLE "assets" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"name" text,
	"name_key" text,
	"slug" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "etl_checkpoints" (
	"source" text NOT NULL,
	"stream_key" text NOT NULL,
	"run_id" bigint NOT NULL,
	"cursor" jsonb NOT NULL,
	"records" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "etl_checkpoints_source_stream_key_pk" PRIMARY KEY("source","stream_key")
);
--> statement-breakpoint
CREATE TABLE "etl_run_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"attempt" integer NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"records" integer DEFAULT 0 NOT NULL,
	"error_code" text,
	"error_message" text,
	"pid" integer,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "etl_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"stream_key" text NOT NULL,
	"params" jsonb NOT NULL,
	"fetched" integer DEFAULT 0 NOT NULL,
	"loaded" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"resumable" boolean DEFAULT false NOT NULL,
	"error_code" text,
	"error_message" text,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"mapping" jsonb,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "quotes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"asset_id" bigint NOT NULL,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"rank" integer,
	"price_usd" numeric,
	"market_cap_usd" numeric,
	"volume_24h_usd" numeric,
	"circulating_supply" numeric,
	"total_supply" numeric,
	"max_supply" numeric,
	"percent_change_24h" numeric,
	"run_id" bigint NOT NULL,
	"raw_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "raw_coingecko" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"locator" jsonb NOT NULL,
	"source_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"payload_sha256" text NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "raw_coinpaprika" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"locator" jsonb NOT NULL,
	"source_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"payload_sha256" text NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "raw_csv" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"locator" jsonb NOT NULL,
	"source_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"payload_sha256" text NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rejected_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"source" text NOT NULL,
	"locator" jsonb NOT NULL,
	"source_id" text,
	"raw" jsonb NOT NULL,
	"reason" text NOT NULL,
	"field" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "asset_sources" ADD CONSTRAINT "asset_sources_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "etl_checkpoints" ADD CONSTRAINT "etl_checkpoints_run_id_etl_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."etl_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "etl_run_attempts" ADD CONSTRAINT "etl_run_attempts_run_id_etl_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."etl_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_coingecko" ADD CONSTRAINT "raw_coingecko_run_id_etl_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."etl_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_coinpaprika" ADD CONSTRAINT "raw_coinpaprika_run_id_etl_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."etl_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_csv" ADD CONSTRAINT "raw_csv_run_id_etl_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."etl_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejected_records" ADD CONSTRAINT "rejected_records_run_id_etl_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."etl_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "asset_sources_asset_idx" ON "asset_sources" USING btree ("asset_id");--> statement-breakpoint
CREATE INDEX "assets_symbol_name_idx" ON "assets" USING btree ("symbol","name_key");--> statement-breakpoint
CREATE UNIQUE INDEX "etl_run_attempts_run_attempt_uq" ON "etl_run_attempts" USING btree ("run_id","attempt");--> statement-breakpoint
CREATE INDEX "etl_runs_source_idx" ON "etl_runs" USING btree ("source","id");--> statement-breakpoint
CREATE UNIQUE INDEX "quotes_listing_time_uq" ON "quotes" USING btree ("source","source_id","observed_at");--> statement-breakpoint
CREATE INDEX "quotes_asset_time_idx" ON "quotes" USING btree ("asset_id","observed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "raw_coingecko_version_uq" ON "raw_coingecko" USING btree ("source_id","payload_sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "raw_coinpaprika_version_uq" ON "raw_coinpaprika" USING btree ("source_id","payload_sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "raw_csv_version_uq" ON "raw_csv" USING btree ("source_id","payload_sha256");--> statement-breakpoint
CREATE INDEX "rejected_records_run_idx" ON "rejected_records" USING btree ("run_id");