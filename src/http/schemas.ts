import * as v from 'valibot';

/**
 * What every JSON route answers, as valibot schemas of the wire form (snake_case, decimals as
 * strings). The OpenAPI document is built from them, and the API tests validate real answers
 * against them, so the documented shape is the served one.
 */

const decimal = v.pipe(
  v.string(),
  v.description('a decimal number, exact, as a JSON string'),
  v.examples(['96114.08481738689']),
);
const nullableDecimal = v.nullable(decimal);
const instant = v.pipe(
  v.string(),
  v.description('ISO 8601 UTC timestamp'),
  v.examples(['2025-02-09T17:44:04.143Z']),
);
const sourceName = v.pipe(v.string(), v.examples(['coingecko']));
const symbol = v.pipe(v.string(), v.examples(['BTC']));
const coinName = v.pipe(v.string(), v.examples(['Bitcoin']));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const MetaSchema = v.strictObject({
  request_id: v.string(),
  api_latency_ms: v.number(),
});

export const ErrorBodySchema = v.strictObject({
  error: v.strictObject({ code: v.string(), message: v.string() }),
  meta: v.strictObject({ request_id: v.optional(v.string()) }),
});

export const ListingSchema = v.strictObject({
  source: sourceName,
  source_id: v.pipe(v.string(), v.examples(['bitcoin'])),
  asset_id: count,
  symbol,
  name: v.nullable(coinName),
  rank: v.nullable(count),
  price_usd: nullableDecimal,
  market_cap_usd: nullableDecimal,
  volume_24h_usd: nullableDecimal,
  circulating_supply: nullableDecimal,
  total_supply: nullableDecimal,
  max_supply: nullableDecimal,
  percent_change_24h: nullableDecimal,
  observed_at: instant,
  match: v.strictObject({ method: v.string(), confidence: v.number() }),
});

export const ListingPageSchema = v.strictObject({
  data: v.array(ListingSchema),
  pagination: v.variant('mode', [
    v.strictObject({
      mode: v.literal('cursor'),
      limit: count,
      next_cursor: v.nullable(v.string()),
      has_more: v.boolean(),
    }),
    v.strictObject({
      mode: v.literal('page'),
      limit: count,
      page: count,
      total: count,
      pages: count,
    }),
  ]),
  meta: MetaSchema,
});

const envelope = <T extends v.GenericSchema>(data: T) => v.strictObject({ data, meta: MetaSchema });

export const AssetSchema = envelope(
  v.strictObject({
    id: count,
    symbol: v.string(),
    name: v.nullable(v.string()),
    slug: v.nullable(v.string()),
    listings: v.array(ListingSchema),
  }),
);

export const AssetPageSchema = v.strictObject({
  data: v.array(
    v.strictObject({
      id: count,
      symbol,
      name: v.nullable(coinName),
      slug: v.nullable(v.pipe(v.string(), v.examples(['bitcoin']))),
      sources: v.pipe(
        v.array(v.string()),
        v.description('the sources that list the coin'),
        v.examples([['coingecko', 'coinpaprika', 'csv']]),
      ),
      listings: v.pipe(count, v.description('its listings; two CSV files make two')),
      price_usd: v.pipe(
        nullableDecimal,
        v.description("consensus: the median of the fresh listings' latest prices"),
      ),
      prices: v.pipe(count, v.description('how many prices the consensus took')),
      spread: v.pipe(
        nullableDecimal,
        v.description('(max − min) / median of those prices, to 8 places; null below two'),
      ),
      observed_at: v.pipe(instant, v.description('the newest observation of any listing')),
      market_cap_usd: v.pipe(
        nullableDecimal,
        v.description('from the most recently observed listing that has one'),
      ),
      rank: v.nullable(count),
    }),
  ),
  pagination: v.strictObject({
    limit: count,
    next_cursor: v.nullable(v.string()),
    has_more: v.boolean(),
  }),
  meta: MetaSchema,
});

export const DivergenceSchema = v.strictObject({
  data: v.array(
    v.strictObject({
      bucket: v.pipe(instant, v.description('start of the UTC hour, day or week (Monday)')),
      sources: v.pipe(count, v.description('sources with a close in the bucket')),
      low: nullableDecimal,
      low_source: v.nullable(v.string()),
      high: nullableDecimal,
      high_source: v.nullable(v.string()),
      median: v.pipe(nullableDecimal, v.description("the median of the sources' closes")),
      divergence: v.pipe(
        nullableDecimal,
        v.description('(high − low) / median, to 8 places; null with fewer than two sources'),
      ),
    }),
  ),
  pagination: v.strictObject({
    limit: count,
    next_cursor: v.nullable(v.string()),
    has_more: v.boolean(),
  }),
  meta: MetaSchema,
});

const runError = v.nullable(v.strictObject({ code: v.string(), message: v.nullable(v.string()) }));

const RunSummarySchema = v.strictObject({
  id: count,
  status: v.picklist(['running', 'succeeded', 'failed', 'abandoned']),
  trigger: v.string(),
  attempts: count,
  resumable: v.boolean(),
  fetched: count,
  loaded: count,
  unchanged: count,
  rejected: count,
  error: runError,
  warnings: v.array(v.string()),
  params: v.record(v.string(), v.unknown()),
  started_at: instant,
  finished_at: v.nullable(instant),
});

/** Which of a source's streams a run read: a CSV file's real path; an API's one feed. */
const streamKey = v.pipe(
  v.string(),
  v.description(
    "the stream the run read: a CSV file's real path, `markets` (CoinGecko), `tickers` (CoinPaprika); runs of one stream continue each other's checkpoints",
  ),
);

export const RunListSchema = envelope(
  v.array(
    v.strictObject({ ...RunSummarySchema.entries, source: v.string(), stream_key: streamKey }),
  ),
);

const locator = v.pipe(
  v.record(v.string(), v.union([v.string(), v.number()])),
  v.description(
    'where the record was: `{ file, line }` in a CSV file, `{ page, index }` or `{ ordinal }` in an answer',
  ),
);

export const RunDetailSchema = envelope(
  v.strictObject({
    ...RunSummarySchema.entries,
    source: v.string(),
    stream_key: streamKey,
    mapping: v.unknown(),
    attempts_detail: v.array(
      v.strictObject({
        attempt: count,
        trigger: v.string(),
        status: v.string(),
        records: count,
        error: runError,
        started_at: instant,
        finished_at: v.nullable(instant),
      }),
    ),
    rejected_sample: v.pipe(
      v.array(
        v.strictObject({
          locator,
          source_id: v.nullable(v.string()),
          field: v.nullable(v.string()),
          reason: v.string(),
        }),
      ),
      v.description('the first 20 rejected records: where, which field, why'),
    ),
  }),
);

export const RejectedPageSchema = v.strictObject({
  data: v.array(
    v.strictObject({
      id: count,
      run_id: count,
      source: v.string(),
      locator,
      source_id: v.nullable(v.string()),
      field: v.nullable(v.string()),
      reason: v.string(),
      rejected_at: instant,
      record: v.pipe(
        v.unknown(),
        v.description(
          'the record as its source gave it, numbers exact: a CSV row by its header, an API item',
        ),
      ),
    }),
  ),
  pagination: v.strictObject({
    mode: v.literal('cursor'),
    limit: count,
    next_cursor: v.nullable(v.string()),
    has_more: v.boolean(),
  }),
  meta: MetaSchema,
});

const runCounts = v.strictObject({
  id: count,
  status: v.string(),
  fetched: count,
  loaded: count,
  unchanged: count,
  rejected: count,
  continues_run_id: v.pipe(
    v.nullable(count),
    v.description(
      "the run whose checkpoint this run read on from (a CSV file's appended lines); null when it read from the start",
    ),
  ),
  stream: v.pipe(
    v.strictObject({ runs: count, first_run_id: count, fetched: count, rejected: count }),
    v.description(
      'what its stream held as of this run, which the comparison compares: the runs that read it (this run and those it read on from, back to `first_run_id`, which read it from the start) and their records',
    ),
  ),
});

export const ComparisonSchema = envelope(
  v.strictObject({
    source: v.string(),
    a: runCounts,
    b: runCounts,
    anomalies: v.array(
      v.strictObject({
        kind: v.picklist([
          'record_count_drop',
          'rejected_share_jump',
          'coins_vanished',
          'coins_appeared',
          'price_move',
        ]),
        message: v.string(),
        details: v.record(v.string(), v.unknown()),
      }),
    ),
  }),
);

export const StatsSchema = envelope(
  v.strictObject({
    database: v.strictObject({ driver: v.string(), location: v.string() }),
    assets: count,
    assets_by_source_count: v.record(v.string(), count),
    sources: v.array(
      v.strictObject({
        source: v.string(),
        runs: v.strictObject({ total: count, succeeded: count, failed: count, running: count }),
        records: v.strictObject({
          fetched: count,
          loaded: count,
          unchanged: count,
          rejected: count,
        }),
        durations: v.strictObject({
          last_ms: v.nullable(v.number()),
          avg_ms: v.nullable(v.number()),
          max_ms: v.nullable(v.number()),
        }),
        last_run: v.nullable(RunSummarySchema),
        last_success_at: v.nullable(instant),
        last_failure_at: v.nullable(instant),
        resumable_runs: v.array(count),
        checkpoints: v.array(
          v.strictObject({
            stream: v.string(),
            run_id: count,
            records: v.pipe(
              count,
              v.description(
                'the records the cursor covers: read by the run that wrote it and those it read on from',
              ),
            ),
            updated_at: instant,
            cursor: v.record(v.string(), v.unknown()),
          }),
        ),
        listings: count,
        quotes: count,
        calls: v.strictObject({ month: v.string(), used: count, budget: v.nullable(count) }),
        schedule: v.pipe(
          v.nullable(v.strictObject({ every_ms: count, next_at: v.nullable(instant) })),
          v.description(
            'under `kx serve --schedule`: the interval and the next tick (null while running)',
          ),
        ),
      }),
    ),
  }),
);

/** /health: without the token (or with the database away) only the first two members. */
export const HealthSchema = v.strictObject({
  status: v.picklist(['ok', 'unavailable']),
  database: v.strictObject({
    reachable: v.boolean(),
    driver: v.optional(v.string()),
    latency_ms: v.optional(v.number()),
  }),
  last_runs: v.optional(
    v.record(
      v.string(),
      v.nullable(
        v.strictObject({
          id: count,
          status: v.string(),
          started_at: instant,
          finished_at: v.nullable(instant),
        }),
      ),
    ),
  ),
  version: v.optional(v.string()),
});

export const HistorySchema = v.strictObject({
  data: v.union([
    v.array(
      v.strictObject({
        source: v.string(),
        source_id: v.string(),
        observed_at: instant,
        price_usd: nullableDecimal,
        market_cap_usd: nullableDecimal,
        volume_24h_usd: nullableDecimal,
      }),
    ),
    v.array(
      v.strictObject({
        source: v.string(),
        bucket: v.pipe(instant, v.description('start of the UTC hour, day or week (Monday)')),
        open: nullableDecimal,
        high: nullableDecimal,
        low: nullableDecimal,
        close: nullableDecimal,
        market_cap_usd: nullableDecimal,
        volume_24h_usd: nullableDecimal,
        observations: count,
      }),
    ),
  ]),
  pagination: v.strictObject({
    limit: count,
    next_cursor: v.nullable(v.string()),
    has_more: v.boolean(),
  }),
  meta: MetaSchema,
});
