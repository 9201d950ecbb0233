import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { selectRows } from '../db/sql.js';

/**
 * A listing a run made an asset of its own for want of a name (a one-coin history file read
 * with `--symbol BTC`), though other assets have its symbol: a symbol alone links nothing
 * (docs/identity.md), so only a person can say they are one coin, with `kx link`.
 */
export interface LoneListing {
  source: string;
  sourceId: string;
  symbol: string;
  assetId: number;
  /** Assets with the symbol, each by one of its listings; the first few. */
  others: { assetId: number; source: string; sourceId: string; name: string | null }[];
  /** How many other assets have the symbol. */
  otherAssets: number;
}

/** How many assets with its symbol a lone listing names. */
const OTHERS = 3;

/** The newest asset's id: assets made after it have greater ids. */
export async function getLastAssetId(db: Db): Promise<number> {
  const [row] = await selectRows<{ id: number }>(
    db,
    sql`select coalesce(max(id), 0)::bigint as id from assets`,
  );
  return Number(row?.id ?? 0);
}

/**
 * The listings of run `runId` without a name whose asset was made after asset `afterAssetId`,
 * and that share a symbol with other assets: the first `limit` by symbol, and how many there
 * are. The asset ids bound the scan to the run's new assets, through their listings' index.
 */
export async function getLoneListings(
  db: Db,
  query: { runId: number; afterAssetId: number; limit: number },
): Promise<{ listings: LoneListing[]; total: number }> {
  const rows = await selectRows<LoneListing & { total: number }>(
    db,
    sql`
      with lone as (
        select s.source, s.source_id, s.symbol, s.asset_id
        from asset_sources s
        where s.asset_id > ${query.afterAssetId} and s.run_id = ${query.runId}
          and s.name is null and s.match_method = 'new'
          and exists (
            select from asset_sources o where o.symbol = s.symbol and o.asset_id <> s.asset_id
          )
      )
      select l.source, l.source_id as "sourceId", l.symbol, l.asset_id as "assetId",
        (select count(*)::int from lone) as total,
        (select count(distinct o.asset_id)::int from asset_sources o
          where o.symbol = l.symbol and o.asset_id <> l.asset_id) as "otherAssets",
        (select json_agg(json_build_object(
            'assetId', o.asset_id, 'source', o.source, 'sourceId', o.source_id, 'name', o.name))
          from (
            select distinct on (o.asset_id) o.asset_id, o.source, o.source_id, o.name
            from asset_sources o where o.symbol = l.symbol and o.asset_id <> l.asset_id
            order by o.asset_id, o.name is null, o.source, o.source_id
            limit ${OTHERS}
          ) o) as others
      from lone l order by l.symbol, l.source_id limit ${query.limit}`,
  );
  return {
    // bigint ids come back from postgres.js as text
    listings: rows.map(({ total: _, ...listing }) => ({
      ...listing,
      assetId: Number(listing.assetId),
    })),
    total: rows[0]?.total ?? 0,
  };
}
