import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { assetSources, assets } from '../db/schema.js';

export interface AssetDetail {
  id: number;
  symbol: string;
  name: string | null;
  slug: string | null;
  /** Every source listing linked to this asset, how it was matched, and its latest values. */
  listings: {
    source: string;
    source_id: string;
    symbol: string;
    name: string | null;
    match: { method: string; confidence: number };
    latest: {
      observed_at: string;
      rank: number | null;
      price_usd: string | null;
      market_cap_usd: string | null;
      volume_24h_usd: string | null;
      circulating_supply: string | null;
      total_supply: string | null;
      max_supply: string | null;
      percent_change_24h: string | null;
    };
  }[];
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
    listings: rows.map((r) => ({
      source: r.source,
      source_id: r.sourceId,
      symbol: r.symbol,
      name: r.name,
      match: { method: r.matchMethod, confidence: r.confidence },
      latest: {
        observed_at: r.observedAt.toISOString(),
        rank: r.rank,
        price_usd: r.priceUsd,
        market_cap_usd: r.marketCapUsd,
        volume_24h_usd: r.volume24hUsd,
        circulating_supply: r.circulatingSupply,
        total_supply: r.totalSupply,
        max_supply: r.maxSupply,
        percent_change_24h: r.percentChange24h,
      },
    })),
  };
}
