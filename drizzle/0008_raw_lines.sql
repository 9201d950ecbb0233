-- #18: a raw CSV record is its line, its file and header are stored once per file version, and
-- payload hashes are 16 bytes instead of 64 hex characters. Existing rows are converted.
CREATE TABLE "raw_csv_files" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" "bytea" NOT NULL,
	"path" text NOT NULL,
	"header" "bytea",
	"columns" text[] NOT NULL,
	"delimiter" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "raw_csv_files_key_uq" UNIQUE("key")
);
--> statement-breakpoint
-- A hash keeps its first 128 bits: an API item stored before is still recognized as unchanged.
ALTER TABLE "asset_sources" RENAME COLUMN "payload_sha256" TO "payload_hash";--> statement-breakpoint
ALTER TABLE "asset_sources" ALTER COLUMN "payload_hash" SET DATA TYPE bytea USING decode(left("payload_hash", 32), 'hex');--> statement-breakpoint
ALTER TABLE "raw_coingecko" RENAME COLUMN "payload_sha256" TO "payload_hash";--> statement-breakpoint
ALTER TABLE "raw_coingecko" ALTER COLUMN "payload_hash" SET DATA TYPE bytea USING decode(left("payload_hash", 32), 'hex');--> statement-breakpoint
ALTER TABLE "raw_coinpaprika" RENAME COLUMN "payload_sha256" TO "payload_hash";--> statement-breakpoint
ALTER TABLE "raw_coinpaprika" ALTER COLUMN "payload_hash" SET DATA TYPE bytea USING decode(left("payload_hash", 32), 'hex');--> statement-breakpoint
ALTER TABLE "raw_csv" RENAME COLUMN "payload_sha256" TO "payload_hash";--> statement-breakpoint
ALTER TABLE "raw_csv" ALTER COLUMN "payload_hash" SET DATA TYPE bytea USING decode(left("payload_hash", 32), 'hex');--> statement-breakpoint
-- A stored CSV payload (header name → cell) becomes a line: its cells in the payload's key
-- order, comma-separated, quoted where a cell needs it; that order and those names are its
-- file version's header. The file's own bytes were never stored, so this is the closest line.
ALTER TABLE "raw_csv" ADD COLUMN "file_id" bigint;--> statement-breakpoint
ALTER TABLE "raw_csv" ADD COLUMN "line_number" integer;--> statement-breakpoint
ALTER TABLE "raw_csv" ADD COLUMN "line" "bytea";--> statement-breakpoint
INSERT INTO "raw_csv_files" ("key", "path", "header", "columns", "delimiter")
SELECT substring(sha256(convert_to(v.path, 'UTF8') || '\x0a'::bytea || v.header) FROM 1 FOR 16),
  v.path, v.header, v.columns, ','
FROM (
  SELECT d.path, d.columns, coalesce((
    SELECT convert_to(string_agg(CASE WHEN c ~ '[",\r\n]' THEN '"' || replace(c, '"', '""') || '"' ELSE c END, ',' ORDER BY o), 'UTF8')
    FROM unnest(d.columns) WITH ORDINALITY u(c, o)
  ), ''::bytea) AS header
  FROM (
    SELECT DISTINCT coalesce(r."locator"->>'file', '') AS path,
      array(SELECT jsonb_object_keys(r."payload")) AS columns
    FROM "raw_csv" r
  ) d
) v;--> statement-breakpoint
UPDATE "raw_csv" r SET
  "file_id" = f."id",
  "line_number" = coalesce((r."locator"->>'line')::int, 0),
  "line" = coalesce((
    SELECT convert_to(string_agg(CASE WHEN coalesce(e.value, '') ~ '[",\r\n]' THEN '"' || replace(e.value, '"', '""') || '"' ELSE coalesce(e.value, '') END, ',' ORDER BY e.o), 'UTF8')
    FROM jsonb_each_text(r."payload") WITH ORDINALITY e(key, value, o)
  ), ''::bytea)
FROM "raw_csv_files" f
WHERE f."path" = coalesce(r."locator"->>'file', '')
  AND f."columns" = array(SELECT jsonb_object_keys(r."payload"));--> statement-breakpoint
ALTER TABLE "raw_csv" ALTER COLUMN "file_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "raw_csv" ALTER COLUMN "line_number" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "raw_csv" ALTER COLUMN "line" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "raw_csv" DROP COLUMN "locator";--> statement-breakpoint
ALTER TABLE "raw_csv" DROP COLUMN "payload";--> statement-breakpoint
-- quotes: (source, source_id, observed_at) was already unique; it is now the key, and the
-- surrogate id, which nothing read, is gone with its index.
ALTER TABLE "quotes" DROP COLUMN "id";--> statement-breakpoint
DROP INDEX "quotes_listing_time_uq";--> statement-breakpoint
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_pkey" PRIMARY KEY("source","source_id","observed_at");
