import { sql } from 'drizzle-orm';

/**
 * What a group of `quotes q` sums up to, as aggregate columns: `prices`, `caps` and `volumes`
 * (the values that are there, in time order), `open_at` and `close_at` (when the first and
 * last price were observed), `market_cap_at`, `volume_at`, `high`, `low` and `n`. Every
 * ordered aggregate has the same `order by observed_at`: PostgreSQL 16 and later sort a group
 * once for all of them (PGlite is 18), 15 once for each. An hourly bucket of history and a
 * day of `quote_days` are both this.
 */
export const QUOTE_SUMMARY = sql.raw(`
  array_agg(q.price_usd order by q.observed_at) filter (where q.price_usd is not null) as prices,
  min(q.observed_at) filter (where q.price_usd is not null) as open_at,
  max(q.observed_at) filter (where q.price_usd is not null) as close_at,
  max(q.price_usd) as high, min(q.price_usd) as low,
  array_agg(q.market_cap_usd order by q.observed_at) filter (where q.market_cap_usd is not null) as caps,
  max(q.observed_at) filter (where q.market_cap_usd is not null) as market_cap_at,
  array_agg(q.volume_24h_usd order by q.observed_at) filter (where q.volume_24h_usd is not null) as volumes,
  max(q.observed_at) filter (where q.volume_24h_usd is not null) as volume_at,
  count(*)::int as n`);

/** The last element of an array column of a `QUOTE_SUMMARY` (null when there is none). */
export const lastOf = (array: string) => sql.raw(`${array}[cardinality(${array})]`);
