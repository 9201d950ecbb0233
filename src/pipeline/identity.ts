import { and, eq, inArray, notExists } from 'drizzle-orm';
import { toNameKey, type UnifiedListing } from '../core/unified.js';
import type { Tx } from '../db/client.js';
import { assetSources, assets } from '../db/schema.js';

export interface AssetLink {
  assetId: number;
  /** existing | symbol_name | new */
  method: string;
  confidence: number;
}

/**
 * Links each listing to one asset, strongest rule first: the listing's existing link; an asset
 * with the same symbol and normalized name that this source does not list yet (one source never
 * lists one coin twice); otherwise a new asset. A symbol alone never merges two listings.
 */
export async function resolveAssets(
  tx: Tx,
  source: string,
  listings: readonly UnifiedListing[],
): Promise<Map<string, AssetLink>> {
  const bySourceId = new Map(listings.map((l) => [l.sourceId, l]));
  const links = await getExistingLinks(tx, source, [...bySourceId.keys()]);
  const unlinked = [...bySourceId.values()].filter((l) => !links.has(l.sourceId));
  const named = unlinked.filter((l) => l.name && toNameKey(l.name) !== '');
  const candidates = await getNameMatches(tx, source, named);
  for (const listing of named) {
    const key = `${listing.symbol}|${toNameKey(listing.name!)}`;
    const assetId = candidates.get(key);
    if (assetId === undefined) continue;
    candidates.delete(key); // one listing of this source per asset
    links.set(listing.sourceId, { assetId, method: 'symbol_name', confidence: 0.9 });
  }
  const fresh = unlinked.filter((l) => !links.has(l.sourceId));
  if (fresh.length > 0) {
    const created = await tx
      .insert(assets)
      .values(
        fresh.map((l) => ({
          symbol: l.symbol,
          name: l.name,
          nameKey: l.name ? toNameKey(l.name) : null,
          slug: l.slug,
        })),
      )
      .returning({ id: assets.id });
    fresh.forEach((l, i) =>
      links.set(l.sourceId, { assetId: created[i]!.id, method: 'new', confidence: 1 }),
    );
  }
  return links;
}

async function getExistingLinks(
  tx: Tx,
  source: string,
  sourceIds: string[],
): Promise<Map<string, AssetLink>> {
  if (sourceIds.length === 0) return new Map();
  const rows = await tx
    .select({
      sourceId: assetSources.sourceId,
      assetId: assetSources.assetId,
      method: assetSources.matchMethod,
      confidence: assetSources.confidence,
    })
    .from(assetSources)
    .where(and(eq(assetSources.source, source), inArray(assetSources.sourceId, sourceIds)));
  return new Map(
    rows.map((r) => [
      r.sourceId,
      { assetId: r.assetId, method: r.method, confidence: r.confidence },
    ]),
  );
}

/** `symbol|nameKey` → the oldest asset with that symbol and name not yet listed by `source`. */
async function getNameMatches(
  tx: Tx,
  source: string,
  listings: readonly UnifiedListing[],
): Promise<Map<string, number>> {
  if (listings.length === 0) return new Map();
  const listedHere = tx
    .select({ one: assetSources.assetId })
    .from(assetSources)
    .where(and(eq(assetSources.assetId, assets.id), eq(assetSources.source, source)));
  const rows = await tx
    .select({ id: assets.id, symbol: assets.symbol, nameKey: assets.nameKey })
    .from(assets)
    .where(
      and(
        inArray(assets.symbol, [...new Set(listings.map((l) => l.symbol))]),
        inArray(assets.nameKey, [...new Set(listings.map((l) => toNameKey(l.name!)))]),
        notExists(listedHere),
      ),
    )
    .orderBy(assets.id);
  const matches = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.symbol}|${row.nameKey}`;
    if (!matches.has(key)) matches.set(key, row.id);
  }
  return matches;
}
