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
