import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { lastOf, QUOTE_SUMMARY } from '../db/quote-summary.js';
import { selectRows, toArrayLiteral } from '../db/sql.js';
import { relativeRange, sortedMedian } from './consensus.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export const INTERVALS = ['raw', '1h', '1d', '1w'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The bucket of each interval, as `date_trunc` names it (in UTC: a day is a UTC day). */
const BUCKETS: Record<Exclude<Interval, 'raw'>, string> = {
  '1h': 'hour',
  '1d': 'day',
  '1w': 'week',
};

/** A history without `from` covers the 30 days before `to`. */
const DEFAULT_SPAN_MS = 30 * 86_400_000;

/** `from` and `to` of a history as asked for, `to` now and `from` 30 days before it by default. */
export function historyWindow(from?: Date, to?: Date): { from: Date; to: Date } {
  const end = to ?? new Date();
  return { from: from ?? new Date(end.getTime() - DEFAULT_SPAN_MS), to: end };
}

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
  if (query.interval === 'raw') {
    const after = query.cursor ? afterCursor(query.cursor) : sql``;
    // The time to the microsecond (the cursor's), shown to the millisecond.
    const rows = await selectRows<Omit<Observation, 'observed_at'> & { at: string }>(
      db,
      sql`select q.source, q.source_id,
            to_char(q.observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
            q.price_usd::text as price_usd, q.market_cap_usd::text as market_cap_usd,
            q.volume_24h_usd::text as volume_24h_usd
          from quotes q where ${windowOf(query)} ${after}
          order by q.observed_at, q.source, q.source_id limit ${query.limit + 1}`,
    );
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      data: page.map(({ at, source, source_id, ...values }) => ({
        source,
        source_id,
        observed_at: `${at.slice(0, 23)}Z`,
        ...values,
      })),
      pagination: {
        limit: query.limit,
        has_more: more,
        next_cursor: more && last ? encodeCursor([last.at, last.source, last.source_id]) : null,
      },
    };
  }
  const consensus = query.sources.includes(CONSENSUS);
  const parts = [
    ...(query.sources.length === 0 || query.sources.some((s) => s !== CONSENSUS)
      ? [sql`select * from b`]
      : []),
    ...(consensus
      ? [
          sql`select ${CONSENSUS}::text as source, bucket, null::numeric as open, null::numeric as high,
                null::numeric as low, ${sortedMedian(sql`closes`, sql`n`)} as close, null::numeric as market_cap_usd,
                null::numeric as volume_24h_usd, n as observations
              from (${closesPerBucket()}) k where n > 0`,
        ]
      : []),
  ];
  const rows = await selectRows<Bucket>(
    db,
    sql`with ${bucketed(query, query.interval)}
        select source, to_char(bucket, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket, open::text, high::text,
          low::text, close::text, market_cap_usd::text, volume_24h_usd::text, observations
        from (${sql.join(parts, sql` union all `)}) x
        order by x.bucket, x.source limit ${query.limit + 1}`,
  );
  const more = rows.length > query.limit;
  return {
    data: rows.slice(0, query.limit),
    // Buckets are few (a year of days is 365 per source): a narrower from/to is the next page.
    pagination: { limit: query.limit, has_more: more, next_cursor: null },
  };
}

/** `source=consensus` in a history: the per-bucket median of the sources' closes. */
export const CONSENSUS = 'consensus';

/** One bucket where sources disagree: how far apart their closes are. */
export interface Divergence {
  bucket: string;
  /** Sources with a close in the bucket. */
  sources: number;
  low: string | null;
  low_source: string | null;
  high: string | null;
  high_source: string | null;
  median: string | null;
  /** (highest − lowest close) / median, to 8 places; null with fewer than two sources. */
  divergence: string | null;
}

/**
 * Where a coin's sources disagree (`GET /assets/:id/divergence`): per UTC bucket the lowest
 * and highest close among the sources and their relative distance, largest first or in time
 * order. A stale CSV, a mismatched identity or a broken upstream shows up as a run of high
 * values.
 */
export async function getDivergence(
  db: Db,
  query: Omit<HistoryQuery, 'interval' | 'cursor'> & {
    interval: Exclude<Interval, 'raw'>;
    order: 'time' | 'divergence';
    minSources: number;
  },
): Promise<{ data: Divergence[]; pagination: HistoryPage['pagination'] }> {
  const order =
    query.order === 'divergence' ? sql`divergence desc nulls last, bucket` : sql`bucket`;
  const rows = await selectRows<Divergence>(
    db,
    sql`with ${bucketed(query, query.interval)},
        k as (
          select bucket, count(close)::int as n,
            coalesce(array_agg(close order by close, source) filter (where close is not null), '{}') as closes,
            coalesce(array_agg(source order by close, source) filter (where close is not null), '{}') as names
          from b group by bucket
        ),
        m as (
          select bucket, n as sources, closes[1] as low, names[1] as low_source, closes[n] as high,
            names[n] as high_source, ${sortedMedian(sql`closes`, sql`n`)} as median
          from k where n >= ${query.minSources}
        ),
        r as (
          select *, ${relativeRange(sql`high`, sql`low`, sql`median`, sql`sources`)} as divergence
          from m
        )
        select to_char(bucket, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket, sources, low::text, low_source,
          high::text, high_source, median::text, divergence::text
        from r order by ${order} limit ${query.limit + 1}`,
  );
  const more = rows.length > query.limit;
  return {
    data: rows.slice(0, query.limit),
    pagination: { limit: query.limit, has_more: more, next_cursor: null },
  };
}

/** The window of a history query: one asset, from/to, and its sources (consensus aside). */
function windowOf(query: Window): SQL {
  return sql`q.asset_id = ${query.assetId} and q.observed_at >= ${query.from.toISOString()}::timestamptz
    and q.observed_at < ${query.to.toISOString()}::timestamptz ${sourcesIn(sql`q.source`, query)}`;
}

/** `and <column> in` the query's named sources (consensus aside); nothing when it names none. */
function sourcesIn(column: SQL, query: Pick<HistoryQuery, 'sources'>): SQL {
  const named = query.sources.filter((s) => s !== CONSENSUS);
  return named.length > 0 ? sql`and ${column} = any(${toArrayLiteral(named)}::text[])` : sql``;
}

type Window = Pick<HistoryQuery, 'assetId' | 'from' | 'to' | 'sources'>;

/**
 * The first and last time the coin was observed (by the named sources, when some are), or
 * null: what an empty history's window missed (the index on asset and time answers it).
 */
export async function getQuoteSpan(
  db: Db,
  query: Pick<HistoryQuery, 'assetId' | 'sources'>,
): Promise<{ first: string; last: string } | null> {
  const [span] = await selectRows<{ first: string | null; last: string | null }>(
    db,
    sql`select
          to_char(min(q.observed_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as first,
          to_char(max(q.observed_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last
        from quotes q where q.asset_id = ${query.assetId} ${sourcesIn(sql`q.source`, query)}`,
  );
  return span?.first && span.last ? { first: span.first, last: span.last } : null;
}

/**
 * The CTEs that end in `b`: per source and UTC bucket the first, highest, lowest and last
 * price, the last market cap and volume (numeric) and the number of observations.
 */
function bucketed(query: Window, interval: Exclude<Interval, 'raw'>): SQL {
  return interval === '1h'
    ? sql`b as (${hourly(windowOf(query))})`
    : fromDays(query, BUCKETS[interval]);
}

/** Hours straight from `quotes`: each source's hour is a `QUOTE_SUMMARY`. */
function hourly(window: SQL): SQL {
  return sql`select source, bucket, prices[1] as open, high, low, ${lastOf('prices')} as close,
      ${lastOf('caps')} as market_cap_usd, ${lastOf('volumes')} as volume_24h_usd, n as observations
    from (
      select q.source, date_trunc('hour', q.observed_at at time zone 'UTC') as bucket, ${QUOTE_SUMMARY}
      from quotes q where ${window}
      -- bucket first: the sort then compares timestamps, and the source name only within a bucket
      group by 2, 1
    ) g`;
}

/**
 * Days and weeks from `quote_days` (a listing-day of many observations, summed up at load)
 * and, in the gaps between those days, from `quotes` one by one: the days with a single
 * observation and the window's partial first and last day. A year of hourly quotes is then
 * 365 rows a listing instead of 8,760. Each part carries the times its open, close, market
 * cap and volume were observed, so several listings of one source merge by time.
 */
function fromDays(query: Window, unit: string): SQL {
  const from = query.from.toISOString();
  const to = query.to.toISOString();
  // The whole UTC days inside [from, to): a summed-up day counts only if none of it is cut off.
  const firstDay = new Date(Math.ceil(query.from.getTime() / DAY_MS) * DAY_MS);
  const endDay = new Date(Math.floor(query.to.getTime() / DAY_MS) * DAY_MS);
  return sql`listings as (
      select source, source_id from asset_sources where asset_id = ${query.assetId}
        ${sourcesIn(sql`source`, query)}
    ),
    days as materialized (
      select d.* from quote_days d join listings l using (source, source_id)
      where d.day >= ${firstDay.toISOString().slice(0, 10)}::date
        and d.day < ${endDay.toISOString().slice(0, 10)}::date
    ),
    -- per listing, the time before, between and after its summed-up days
    gaps as (
      select source, source_id,
        coalesce((lag(day) over w + 1)::timestamp at time zone 'UTC', ${from}::timestamptz) as start,
        day::timestamp at time zone 'UTC' as stop
      from days window w as (partition by source, source_id order by day)
      union all
      select l.source, l.source_id,
        coalesce((max(d.day) + 1)::timestamp at time zone 'UTC', ${from}::timestamptz), ${to}::timestamptz
      from listings l left join days d using (source, source_id) group by l.source, l.source_id
    ),
    parts as (
      select source, day::timestamp as at, open, open_at, high, low, close, close_at, market_cap_usd,
        market_cap_at, volume_24h_usd, volume_at, observations
      from days
      union all
      select q.source, q.observed_at at time zone 'UTC', q.price_usd, q.observed_at, q.price_usd,
        q.price_usd, q.price_usd, q.observed_at, q.market_cap_usd, q.observed_at, q.volume_24h_usd,
        q.observed_at, 1
      from gaps g join quotes q on q.asset_id = ${query.assetId} and q.source = g.source
        and q.source_id = g.source_id and q.observed_at >= g.start and q.observed_at < g.stop
      where g.start < g.stop
    ),
    b as (
      select source, date_trunc(${unit}, at) as bucket,
        (array_agg(open order by open_at) filter (where open is not null))[1] as open,
        max(high) as high, min(low) as low,
        (array_agg(close order by close_at desc) filter (where close is not null))[1] as close,
        (array_agg(market_cap_usd order by market_cap_at desc) filter (where market_cap_usd is not null))[1] as market_cap_usd,
        (array_agg(volume_24h_usd order by volume_at desc) filter (where volume_24h_usd is not null))[1] as volume_24h_usd,
        sum(observations)::int as observations
      from parts group by 2, 1
    )`;
}
const DAY_MS = 86_400_000;

/** Per bucket of `b`: the sources' closes in order, and how many. */
function closesPerBucket(): SQL {
  return sql`select bucket, coalesce(array_agg(close order by close) filter (where close is not null), '{}') as closes,
      count(close)::int as n from b group by bucket`;
}

/** Rows after the cursor's (time, source, source_id). */
function afterCursor(cursor: string) {
  const [at, source, sourceId] = decodeCursor(cursor, 3, ([time]) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(time!),
  );
  return sql`and (q.observed_at, q.source, q.source_id) > (${at}::timestamptz, ${source}, ${sourceId})`;
}
