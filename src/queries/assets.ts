import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { assetSources, assets } from '../db/schema.js';
import { selectRows } from '../db/sql.js';
import { toListing, type Listing } from './listings.js';

export interface AssetDetail {
  id: number;
  symbol: string;
  name: string | null;
  slug: string | null;
  /** Every source listing linked to this asset, as `GET /data` shows it: latest values and `match`. */
  listings: Listing[];
}

/** One canonical asset with its per-source listings and their provenance; undefined if unknown. */
export async function getAsset(db: Db, id: number): Promise<AssetDetail | undefined> {
  const [asset] = await db.select().from(assets).where(eq(assets.id, id));
  if (!asset) return undefined;
  const rows = await db
    .select()
    .from(assetSources)
    .where(eq(assetSources.assetId, id))
    .orderBy(assetSources.source, assetSources.sourceId);
  return {
    id: asset.id,
    symbol: asset.symbol,
    name: asset.name,
    slug: asset.slug,
    listings: rows.map((row) => toListing({ row })),
  };
}

/** Whether an asset of this id exists (without reading its listings). */
export async function assetExists(db: Db, id: number): Promise<boolean> {
  const [row] = await db.select({ id: assets.id }).from(assets).where(eq(assets.id, id));
  return row !== undefined;
}

/** An asset `kx export --asset` may mean: its id, name and the sources that list it. */
export interface AssetCandidate {
  id: number;
  name: string | null;
  sources: string;
}

/**
 * The assets `ref` names: the one with that id when `ref` is a number, else those with that
 * symbol (any case), lowest id first, at most `limit`.
 */
export async function findAssets(db: Db, ref: string, limit: number): Promise<AssetCandidate[]> {
  const match = /^\d{1,15}$/.test(ref) ? sql`a.id = ${Number(ref)}` : sql`a.symbol = upper(${ref})`;
  const rows = await selectRows<AssetCandidate & { id: string | number }>(
    db,
    sql`select a.id, a.name, coalesce(string_agg(distinct s.source, ', '), 'no listings') as sources
        from assets a left join asset_sources s on s.asset_id = a.id
        where ${match} group by a.id, a.name order by a.id limit ${limit}`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
