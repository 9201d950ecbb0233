CREATE TABLE "api_calls" (
	"source" text NOT NULL,
	"month" text NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "api_calls_source_month_pk" PRIMARY KEY("source","month")
);
