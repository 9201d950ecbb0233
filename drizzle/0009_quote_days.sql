CREATE TABLE "quote_days" (
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"day" date NOT NULL,
	"open" numeric,
	"open_at" timestamp with time zone,
	"high" numeric,
	"low" numeric,
	"close" numeric,
	"close_at" timestamp with time zone,
	"market_cap_usd" numeric,
	"market_cap_at" timestamp with time zone,
	"volume_24h_usd" numeric,
	"volume_at" timestamp with time zone,
	"observations" integer NOT NULL,
	CONSTRAINT "quote_days_pkey" PRIMARY KEY("source","source_id","day")
);
--> statement-breakpoint
-- Days stored before this migration: every listing-day with more than one observation.
INSERT INTO "quote_days" ("source", "source_id", "day", "open", "open_at", "high", "low", "close", "close_at",
	"market_cap_usd", "market_cap_at", "volume_24h_usd", "volume_at", "observations")
SELECT "source", "source_id", "day", "prices"[1], "open_at", "high", "low", "prices"[cardinality("prices")], "close_at",
	"caps"[cardinality("caps")], "market_cap_at", "volumes"[cardinality("volumes")], "volume_at", "observations"
FROM (
	SELECT "source", "source_id", ("observed_at" AT TIME ZONE 'UTC')::date AS "day",
		array_agg("price_usd" ORDER BY "observed_at") FILTER (WHERE "price_usd" IS NOT NULL) AS "prices",
		min("observed_at") FILTER (WHERE "price_usd" IS NOT NULL) AS "open_at",
		max("observed_at") FILTER (WHERE "price_usd" IS NOT NULL) AS "close_at",
		max("price_usd") AS "high", min("price_usd") AS "low",
		array_agg("market_cap_usd" ORDER BY "observed_at") FILTER (WHERE "market_cap_usd" IS NOT NULL) AS "caps",
		max("observed_at") FILTER (WHERE "market_cap_usd" IS NOT NULL) AS "market_cap_at",
		array_agg("volume_24h_usd" ORDER BY "observed_at") FILTER (WHERE "volume_24h_usd" IS NOT NULL) AS "volumes",
		max("observed_at") FILTER (WHERE "volume_24h_usd" IS NOT NULL) AS "volume_at",
		count(*)::int AS "observations"
	FROM "quotes"
	GROUP BY 1, 2, 3
	HAVING count(*) > 1
) "d";
