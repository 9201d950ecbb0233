import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { assetSources, assets } from '../db/schema.js';
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
