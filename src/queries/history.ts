import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { selectRows, toArrayLiteral } from '../db/sql.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export const INTERVALS = ['raw', '1h', '1d', '1w'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The bucket of each interval, as `date_trunc` names it (in UTC: a day is a UTC day). */
const BUCKETS: Record<Exclude<Interval, 'raw'>, string> = {
  '1h': 'hour',
  '1d': 'day',
  '1w': 'week',
};

export interface HistoryQuery {
  assetId: number;
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Only these sources; all when empty. */
  sources: readonly string[];
  interval: Interval;
  limit: number;
  /** `next_cursor` of the previous page (raw rows only). */
  cursor?: string | undefined;
}

/** One observation of a listing of the coin, its values exact (decimal strings). */
export interface Observation {
  source: string;
  source_id: string;
  observed_at: string;
  price_usd: string | null;
  market_cap_usd: string | null;
  volume_24h_usd: string | null;
}

/** One source's observations in one bucket: first, highest, lowest and last price. */
export interface Bucket {
  source: string;
  bucket: string;
  open: string | null;
  high: string | null;
  low: string | null;
  close: string | null;
  market_cap_usd: string | null;
  volume_24h_usd: string | null;
  observations: number;
}

export interface HistoryPage {
  data: Observation[] | Bucket[];
  pagination: { limit: number; next_cursor: string | null; has_more: boolean };
}

/**
 * A coin's history from `from` to `to`: its observations (`raw`, keyset-paged in time order),
 * or per source and UTC bucket the open, high, low and close of the prices observed, with the
 * last market cap and volume. Values come from `quotes` as stored: exact.
 */
export async function getHistory(db: Db, query: HistoryQuery): Promise<HistoryPage> {
  const sources =
    query.sources.length > 0
      ? sql`and q.source = any(${toArrayLiteral(query.sources)}::text[])`
      : sql``;
  const window = sql`q.asset_id = ${query.assetId} and q.observed_at >= ${query.from.toISOString()}::timestamptz
    and q.observed_at < ${query.to.toISOString()}::timestamptz ${sources}`;
  if (query.interval === 'raw') {
    const after = query.cursor ? afterCursor(query.cursor) : sql``;
    const rows = await selectRows<Observation & { at: string }>(
      db,
      sql`select q.source, q.source_id, to_char(q.observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as observed_at,
            q.price_usd::text as price_usd, q.market_cap_usd::text as market_cap_usd,
            q.volume_24h_usd::text as volume_24h_usd,
            to_char(q.observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
          from quotes q where ${window} ${after}
          order by q.observed_at, q.source, q.source_id limit ${query.limit + 1}`,
    );
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      data: page.map(({ at: _at, ...o }) => o),
      pagination: {
        limit: query.limit,
        has_more: more,
        next_cursor: more && last ? encodeCursor([last.at, last.source, last.source_id]) : null,
      },
    };
  }
  const unit = BUCKETS[query.interval];
  const rows = await selectRows<Bucket>(
    db,
    sql`select q.source,
          to_char(date_trunc(${unit}, q.observed_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket,
          ((array_agg(q.price_usd order by q.observed_at) filter (where q.price_usd is not null))[1])::text as open,
          max(q.price_usd)::text as high, min(q.price_usd)::text as low,
          ((array_agg(q.price_usd order by q.observed_at desc) filter (where q.price_usd is not null))[1])::text as close,
          ((array_agg(q.market_cap_usd order by q.observed_at desc) filter (where q.market_cap_usd is not null))[1])::text as market_cap_usd,
          ((array_agg(q.volume_24h_usd order by q.observed_at desc) filter (where q.volume_24h_usd is not null))[1])::text as volume_24h_usd,
          count(*)::int as observations
        from quotes q where ${window}
        group by 1, 2 order by 2, 1 limit ${query.limit + 1}`,
  );
  const more = rows.length > query.limit;
  return {
    data: rows.slice(0, query.limit),
    // Buckets are few (a year of days is 365 per source): a narrower from/to is the next page.
    pagination: { limit: query.limit, has_more: more, next_cursor: null },
  };
}

/** Rows after the cursor's (time, source, source_id). */
function afterCursor(cursor: string) {
  const [at, source, sourceId] = decodeCursor(cursor, 3, ([time]) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(time!),
  );
  return sql`and (q.observed_at, q.source, q.source_id) > (${at}::timestamptz, ${source}, ${sourceId})`;
}
