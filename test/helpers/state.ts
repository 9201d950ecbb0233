import { count, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { DbHandle } from '../../src/db/client.js';
import { selectRows } from '../../src/db/sql.js';
import { assetSources, assets, quotes, rawTables, rejectedRecords } from '../../src/db/schema.js';

/**
 * The unified state without surrogate ids, run ids or timestamps of the load itself: two runs
 * over the same data, interrupted or not, must produce equal snapshots.
 */
export async function snapshotState(handle: DbHandle) {
  await assertReferences(handle);
  await assertDerived(handle);
  const { db } = handle;
  const quoteRows = await db
    .select({
      source: quotes.source,
      sourceId: quotes.sourceId,
      observedAt: quotes.observedAt,
      priceUsd: quotes.priceUsd,
      marketCapUsd: quotes.marketCapUsd,
      volume24hUsd: quotes.volume24hUsd,
      circulatingSupply: quotes.circulatingSupply,
      totalSupply: quotes.totalSupply,
      maxSupply: quotes.maxSupply,
      rank: quotes.rank,
      percentChange24h: quotes.percentChange24h,
      asset: sql<string>`(select symbol || '/' || coalesce(name, '') from assets where id = ${quotes.assetId})`,
    })
    .from(quotes)
    .orderBy(quotes.source, quotes.sourceId, quotes.observedAt);
  const listings = await db
    .select({
      source: assetSources.source,
      sourceId: assetSources.sourceId,
      symbol: assetSources.symbol,
      name: assetSources.name,
      priceUsd: assetSources.priceUsd,
      observedAt: assetSources.observedAt,
      matchMethod: assetSources.matchMethod,
    })
    .from(assetSources)
    .orderBy(assetSources.source, assetSources.sourceId);
  const assetRows = await db
    .select({ symbol: assets.symbol, name: assets.name })
    .from(assets)
    .orderBy(assets.symbol, assets.name);
  let rawRows = 0;
  let rawDistinct = 0;
  for (const table of Object.values(rawTables)) {
    const [raw] = await db
      .select({
        n: count(),
        distinct: sql<number>`count(distinct (${table.sourceId}, ${table.payloadHash}))::int`,
      })
      .from(table);
    rawRows += raw!.n;
    rawDistinct += raw!.distinct;
  }
  const [rejected] = await db.select({ n: count() }).from(rejectedRecords);
  // Which listings share an asset: the grouping itself, whatever the assets' ids.
  const groups = await selectRows<{ g: string }>(
    db,
    sql`select string_agg(source || ':' || source_id, ',' order by source, source_id) as g
        from asset_sources group by asset_id order by g`,
  );
  return {
    quotes: quoteRows,
    listings,
    assets: assetRows,
    groups: groups.map((r) => r.g),
    rawRows,
    rawDistinct,
    rejected: rejected!.n,
  };
}

/**
 * The per-record tables have no foreign keys (schema.ts: they cost a tenth of a bulk load);
 * this is the check in their place: every run and asset they point to exists.
 */
export async function assertReferences(handle: DbHandle): Promise<void> {
  const checks = [
    ...Object.values(rawTables).map(
      (t) =>
        sql`select count(*)::int as n from ${t} where not exists (select 1 from etl_runs r where r.id = ${t.runId})`,
    ),
    sql`select count(*)::int as n from etl_run_listings l where not exists (select 1 from etl_runs r where r.id = l.run_id)`,
    sql`select count(*)::int as n from quotes q where not exists (select 1 from assets a where a.id = q.asset_id)`,
    sql`select count(*)::int as n from asset_sources s where not exists (select 1 from assets a where a.id = s.asset_id)`,
  ];
  for (const check of checks) {
    const [row] = await selectRows<{ n: number }>(handle.db, check);
    if (Number(row?.n) !== 0) {
      const { sql: text } = new PgDialect().sqlToQuery(check);
      throw new Error(`dangling references: ${row?.n} rows of ${text}`);
    }
  }
}

/** One listing-day's first or last value of `column` (not null), with its time. */
const firstOrLast = (column: string, order: 'asc' | 'desc') =>
  sql.raw(`select distinct on (source, source_id, day) source, source_id, day,
      ${column}::text as value, observed_at::text as at
    from r where ${column} is not null order by source, source_id, day, observed_at ${order}`);

/**
 * What the loader derives and history reads, checked against the rows it comes from: each
 * quote's asset is its listing's (history finds a coin's summed-up days through its listings),
 * a listing's `observed_at` is its latest quote's, and `quote_days` holds exactly the listing-days of more than one quote, each value and time
 * what those quotes give (worked out here another way than the loader's SQL).
 */
export async function assertDerived(handle: DbHandle): Promise<void> {
  const [moved] = await selectRows<{ n: number }>(
    handle.db,
    sql`select count(*)::int as n from quotes q join asset_sources l
          on l.source = q.source and l.source_id = q.source_id where l.asset_id <> q.asset_id`,
  );
  if (Number(moved?.n) !== 0)
    throw new Error(`${moved?.n} quotes are not on their listing's asset`);
  // The loader skips a day no quote can share, judged by the listing's latest observation.
  const [behind] = await selectRows<{ n: number }>(
    handle.db,
    sql`select count(*)::int as n from asset_sources l
          join (select source, source_id, max(observed_at) as latest from quotes group by 1, 2) q
            using (source, source_id)
        where l.observed_at <> q.latest`,
  );
  if (Number(behind?.n) !== 0)
    throw new Error(`${behind?.n} listings' observed_at is not their latest quote's`);
  const recomputed = sql`with r as (
      select source, source_id, (observed_at at time zone 'UTC')::date as day, observed_at,
        price_usd, market_cap_usd, volume_24h_usd from quotes
    ),
    g as (
      select source, source_id, day, count(*)::int as n, max(price_usd)::text as high,
        min(price_usd)::text as low
      from r group by source, source_id, day having count(*) > 1
    ),
    o as (${firstOrLast('price_usd', 'asc')}), c as (${firstOrLast('price_usd', 'desc')}),
    m as (${firstOrLast('market_cap_usd', 'desc')}), w as (${firstOrLast('volume_24h_usd', 'desc')})
    select g.source, g.source_id, g.day::text, o.value as open, o.at as open_at, g.high, g.low,
      c.value as close, c.at as close_at, m.value as market_cap_usd, m.at as market_cap_at,
      w.value as volume_24h_usd, w.at as volume_at, g.n
    from g left join o using (source, source_id, day) left join c using (source, source_id, day)
      left join m using (source, source_id, day) left join w using (source, source_id, day)`;
  const stored = sql`select source, source_id, day::text, open::text, open_at::text, high::text,
      low::text, close::text, close_at::text, market_cap_usd::text, market_cap_at::text,
      volume_24h_usd::text, volume_at::text, observations from quote_days`;
  const [diff] = await selectRows<{ missing: number; extra: number }>(
    handle.db,
    sql`select (select count(*) from ((${recomputed}) except all (${stored})) x)::int as missing,
          (select count(*) from ((${stored}) except all (${recomputed})) y)::int as extra`,
  );
  if (Number(diff?.missing) !== 0 || Number(diff?.extra) !== 0)
    throw new Error(
      `quote_days is not what quotes give: ${diff?.missing} days missing or different, ${diff?.extra} extra`,
    );
}
