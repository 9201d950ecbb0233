import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const tstz = (name: string) => timestamp(name, { withTimezone: true });
const id = () => bigserial('id', { mode: 'number' }).primaryKey();
const ref = (name: string) => bigint(name, { mode: 'number' });
/**
 * A payload as JSON text with its numbers exactly as received (see core/json.ts): cast to
 * `jsonb`, where numbers are `numeric`, so `4.2e+17` and integers above 2^53 survive. Reads
 * come back parsed by the driver (numbers as JS doubles): query `payload->>'field'` for exact text.
 */
const exactJsonb = customType<{ data: string; driverData: unknown }>({
  dataType: () => 'jsonb',
  toDriver: (text) => sql`${text}::jsonb`,
  // postgres.js hands drizzle the text, PGlite a parsed value: read back as JSON text either way.
  fromDriver: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
});

/** Market numbers: exact decimals, never float (DESIGN §2). Read back as strings. */
const decimal = (name: string) => numeric(name);

/** One ingest run of one source. A resumed run keeps its id; each try is an `etl_run_attempts` row. */
export const etlRuns = pgTable(
  'etl_runs',
  {
    id: id(),
    source: text('source').notNull(),
    /** running | succeeded | failed */
    status: text('status').notNull(),
    /** ingest | resume: what started the latest attempt */
    trigger: text('trigger').notNull(),
    streamKey: text('stream_key').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    /**
     * The run whose checkpoint this one read on from (a CSV file's appended lines), or null
     * when it read its stream from the start: what the stream held as of this run is what
     * this run and the runs it continued from read.
     */
    continuesRunId: ref('continues_run_id'),
    fetched: integer('fetched').notNull().default(0),
    loaded: integer('loaded').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    attempts: integer('attempts').notNull().default(1),
    /** A failed run `kx resume` may continue (crashes, injected failures, upstream outages). */
    resumable: boolean('resumable').notNull().default(false),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    warnings: jsonb('warnings').$type<string[]>().notNull().default([]),
    mapping: jsonb('mapping'),
    startedAt: tstz('started_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    finishedAt: tstz('finished_at'),
  },
  (t) => [index('etl_runs_source_idx').on(t.source, t.id)],
);

export const etlRunAttempts = pgTable(
  'etl_run_attempts',
  {
    id: id(),
    runId: ref('run_id')
      .notNull()
      .references(() => etlRuns.id),
    attempt: integer('attempt').notNull(),
    trigger: text('trigger').notNull(),
    status: text('status').notNull(),
    records: integer('records').notNull().default(0),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    pid: integer('pid'),
    startedAt: tstz('started_at').notNull().defaultNow(),
    finishedAt: tstz('finished_at'),
  },
  (t) => [uniqueIndex('etl_run_attempts_run_attempt_uq').on(t.runId, t.attempt)],
);

/** The cursor of one stream of one source, written in the same transaction as the data it covers. */
export const etlCheckpoints = pgTable(
  'etl_checkpoints',
  {
    source: text('source').notNull(),
    streamKey: text('stream_key').notNull(),
    runId: ref('run_id')
      .notNull()
      .references(() => etlRuns.id),
    cursor: jsonb('cursor').$type<Record<string, unknown>>().notNull(),
    records: integer('records').notNull().default(0),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.source, t.streamKey] })],
);

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});
/**
 * A payload hash: the first 128 bits of a sha256 (see engine/batch.ts), as bytes. Compared per
 * record (source_id), where a collision is no risk, at a quarter of 64 hex characters' size.
 */
const hash = (name: string) => bytea(name);

// No foreign keys on the per-record tables (raw_*, asset_sources, quotes, etl_run_listings): a
// check per row costs a tenth of a bulk load. The loader writes the run and the assets before,
// and in the same transaction as, the rows that point to them; test/helpers/state.ts checks
// every reference after each test scenario.

/**
 * Raw payloads: one row per distinct payload version of a source record. Each source has its
 * own table (its `rawTable`); a new source adds its line below and a migration
 * (`npm run db:generate`), and the contract test checks every registered source has one. An
 * API item is its JSON (numbers exact); a file's record is its line (`rawLineTable`).
 */
function rawTable(name: `raw_${string}`) {
  return pgTable(
    name,
    {
      id: id(),
      runId: ref('run_id').notNull(),
      locator: jsonb('locator').$type<Record<string, string | number>>().notNull(),
      sourceId: text('source_id').notNull(),
      payload: exactJsonb('payload').notNull(),
      payloadHash: hash('payload_hash').notNull(),
      fetchedAt: tstz('fetched_at').notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex(`${name}_version_uq`).on(t.sourceId, t.payloadHash),
      // Which listings a run saw changed (run comparison).
      index(`${name}_run_idx`).on(t.runId),
    ],
  );
}

/**
 * What a file's lines were read with, once per file version rather than on every line: its
 * path, the header line's exact bytes (null when `--columns` named the cells), the names the
 * cells were read by and the delimiter. `key` is a hash of all four (engine/batch.ts).
 */
function rawFileTable(name: `raw_${string}_files`) {
  return pgTable(name, {
    id: id(),
    key: hash('key').notNull().unique(`${name}_key_uq`),
    path: text('path').notNull(),
    header: bytea('header'),
    columns: text('columns').array().notNull(),
    delimiter: text('delimiter').notNull(),
    createdAt: createdAt(),
  });
}

/**
 * Raw lines of files: one row per distinct line version, its exact bytes (any encoding, line
 * break left off) and where it was read: the file version and the line number. Header, path
 * and delimiter are in the `_files` table.
 */
function rawLineTable(name: `raw_${string}`) {
  return pgTable(
    name,
    {
      id: id(),
      runId: ref('run_id').notNull(),
      fileId: ref('file_id').notNull(),
      lineNumber: integer('line_number').notNull(),
      sourceId: text('source_id').notNull(),
      line: bytea('line').notNull(),
      payloadHash: hash('payload_hash').notNull(),
      fetchedAt: tstz('fetched_at').notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex(`${name}_version_uq`).on(t.sourceId, t.payloadHash),
      index(`${name}_run_idx`).on(t.runId),
    ],
  );
}
export const rawCsvFiles = rawFileTable('raw_csv_files');
export const rawCsv = rawLineTable('raw_csv');
export const rawCoingecko = rawTable('raw_coingecko');
export const rawCoinpaprika = rawTable('raw_coinpaprika');
export const rawTables = {
  raw_csv: rawCsv,
  raw_coingecko: rawCoingecko,
  raw_coinpaprika: rawCoinpaprika,
};
/** The raw tables that keep lines, each with its file versions' table. */
export const rawFileTables: Partial<Record<keyof typeof rawTables, typeof rawCsvFiles>> = {
  raw_csv: rawCsvFiles,
};

/** One real-world coin. */
export const assets = pgTable(
  'assets',
  {
    id: id(),
    symbol: text('symbol').notNull(),
    name: text('name'),
    /** `name` folded for matching: case, diacritics, punctuation and spaces removed. */
    nameKey: text('name_key'),
    slug: text('slug'),
    createdAt: createdAt(),
  },
  // No index but the key: identity finds assets through asset_sources.
);

/** A listing: one (source, source_id), linked to its asset, with its latest unified values. */
export const assetSources = pgTable(
  'asset_sources',
  {
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    assetId: ref('asset_id').notNull(),
    /** manual | csv_id | slug | symbol_name | new (see identity/rules.ts) */
    matchMethod: text('match_method').notNull(),
    confidence: real('confidence').notNull(),
    symbol: text('symbol').notNull(),
    name: text('name'),
    /** `name` folded (`toNameKey`), to find listings with the same name. */
    nameKey: text('name_key'),
    /** The id the source gives the coin, as identity evidence (CSV: its explicit id column). */
    slug: text('slug'),
    rank: integer('rank'),
    priceUsd: decimal('price_usd'),
    marketCapUsd: decimal('market_cap_usd'),
    volume24hUsd: decimal('volume_24h_usd'),
    circulatingSupply: decimal('circulating_supply'),
    totalSupply: decimal('total_supply'),
    maxSupply: decimal('max_supply'),
    percentChange24h: decimal('percent_change_24h'),
    observedAt: tstz('observed_at').notNull(),
    payloadHash: hash('payload_hash').notNull(),
    runId: ref('run_id').notNull(),
    rawId: ref('raw_id').notNull(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.source, t.sourceId] }),
    index('asset_sources_asset_idx').on(t.assetId),
    index('asset_sources_symbol_idx').on(t.symbol, t.nameKey),
    index('asset_sources_slug_idx').on(t.slug),
  ],
);

/** The unified history: one row per (source, source_id, observed_at), its key. */
export const quotes = pgTable(
  'quotes',
  {
    assetId: ref('asset_id').notNull(),
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    observedAt: tstz('observed_at').notNull(),
    rank: integer('rank'),
    priceUsd: decimal('price_usd'),
    marketCapUsd: decimal('market_cap_usd'),
    volume24hUsd: decimal('volume_24h_usd'),
    circulatingSupply: decimal('circulating_supply'),
    totalSupply: decimal('total_supply'),
    maxSupply: decimal('max_supply'),
    percentChange24h: decimal('percent_change_24h'),
    runId: ref('run_id').notNull(),
    rawId: ref('raw_id').notNull(),
  },
  (t) => [
    primaryKey({ name: 'quotes_pkey', columns: [t.source, t.sourceId, t.observedAt] }),
    // A coin's history (GET /assets/:id/quotes, exports) reads from the index alone: its rows
    // are spread about one per table page, as every run writes all coins at one time.
    index('quotes_asset_history_idx').on(
      t.assetId,
      t.observedAt,
      t.source,
      t.sourceId,
      t.priceUsd,
      t.marketCapUsd,
      t.volume24hUsd,
    ),
  ],
);

/**
 * A listing's UTC day with more than one observation, summed up from its `quotes`: what daily
 * and weekly history (GET /assets/:id/quotes?interval=1d|1w, /divergence) reads instead of a
 * day's many rows. Each value comes with the time of the observation it was taken from, so
 * two listings of one source merge into one bucket. A day with one observation has no row
 * here: that quote is its own summary, and daily files cost no extra bytes. The loader brings
 * the days each batch touched up to date in the same transaction (engine/load.ts).
 */
export const quoteDays = pgTable(
  'quote_days',
  {
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    open: decimal('open'),
    openAt: tstz('open_at'),
    high: decimal('high'),
    low: decimal('low'),
    close: decimal('close'),
    closeAt: tstz('close_at'),
    marketCapUsd: decimal('market_cap_usd'),
    marketCapAt: tstz('market_cap_at'),
    volume24hUsd: decimal('volume_24h_usd'),
    volumeAt: tstz('volume_at'),
    observations: integer('observations').notNull(),
  },
  (t) => [primaryKey({ name: 'quote_days_pkey', columns: [t.source, t.sourceId, t.day] })],
);

/** Records that failed validation, with the reason: never silently dropped. */
export const rejectedRecords = pgTable(
  'rejected_records',
  {
    id: id(),
    runId: ref('run_id')
      .notNull()
      .references(() => etlRuns.id),
    source: text('source').notNull(),
    locator: jsonb('locator').$type<Record<string, string | number>>().notNull(),
    sourceId: text('source_id'),
    raw: exactJsonb('raw').notNull(),
    reason: text('reason').notNull(),
    field: text('field'),
    createdAt: createdAt(),
  },
  (t) => [index('rejected_records_run_idx').on(t.runId, t.id)],
);

/** Which listings each run saw unchanged (the changed ones are its raw rows): what run comparison needs to tell coins that vanished. */
export const etlRunListings = pgTable(
  'etl_run_listings',
  {
    runId: ref('run_id').notNull(),
    sourceId: text('source_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.sourceId] })],
);

/** Upstream calls per source and calendar month (UTC), for call budgets. */
export const apiCalls = pgTable(
  'api_calls',
  {
    source: text('source').notNull(),
    /** `YYYY-MM`, UTC. */
    month: text('month').notNull(),
    calls: integer('calls').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.source, t.month] })],
);

/**
 * An upstream response landed whole before it is normalized (the CoinPaprika tickers array), so
 * a resume continues the same snapshot instead of fetching a new one.
 */
export const etlSnapshots = pgTable('etl_snapshots', {
  runId: ref('run_id')
    .primaryKey()
    .references(() => etlRuns.id),
  source: text('source').notNull(),
  body: text('body').notNull(),
  fetchedAt: tstz('fetched_at').notNull().defaultNow(),
});

export const schema = {
  etlRuns,
  etlRunAttempts,
  etlCheckpoints,
  rawCsvFiles,
  rawCsv,
  rawCoingecko,
  rawCoinpaprika,
  assets,
  assetSources,
  quotes,
  quoteDays,
  rejectedRecords,
  etlSnapshots,
  etlRunListings,
  apiCalls,
};
