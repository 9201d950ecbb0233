CREATE TABLE "etl_run_listings" (
	"run_id" bigint NOT NULL,
	"source_id" text NOT NULL,
	CONSTRAINT "etl_run_listings_run_id_source_id_pk" PRIMARY KEY("run_id","source_id")
);
--> statement-breakpoint
ALTER TABLE "etl_run_listings" ADD CONSTRAINT "etl_run_listings_run_id_etl_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."etl_runs"("id") ON DELETE no action ON UPDATE no action;