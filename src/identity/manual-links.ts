import { and, eq } from 'drizzle-orm';
import { KxError } from '../core/errors.js';
import { toNameKey } from '../core/unified.js';
import type { Db, Tx } from '../db/client.js';
import { assetSources, assets, quotes } from '../db/schema.js';
import { lockSymbols } from './neighbourhood.js';
import { deleteOrphans } from './resolve.js';

export interface ManualLinkResult {
  source: string;
  sourceId: string;
  assetId: number;
  previousAssetId: number;
}

/**
 * Pins a listing to an asset (`kx link`). A pinned listing takes part in no identity rule, so
 * the pin wins over every rule and survives re-ingests.
 */
export async function linkListing(
  db: Db,
  source: string,
  sourceId: string,
  assetId: number,
): Promise<ManualLinkResult> {
  return db.transaction(async (tx) => {
    const [asset] = await tx.select({ id: assets.id }).from(assets).where(eq(assets.id, assetId));
    if (!asset)
      throw new KxError(
        'usage',
        `asset ${assetId} does not exist (see GET /data or /assets/:id for ids)`,
      );
    const previous = await pin(tx, source, sourceId, assetId);
    return { source, sourceId, assetId, previousAssetId: previous };
  });
}

/** Detaches a listing onto an asset of its own, pinned (`kx unlink`). */
export async function unlinkListing(
  db: Db,
  source: string,
  sourceId: string,
): Promise<ManualLinkResult> {
  return db.transaction(async (tx) => {
    const listing = await getListing(tx, source, sourceId);
    const [asset] = await tx
      .insert(assets)
      .values({
        symbol: listing.symbol,
        name: listing.name,
        nameKey: listing.name ? toNameKey(listing.name) : null,
        slug: listing.slug,
      })
      .returning({ id: assets.id });
    const previous = await pin(tx, source, sourceId, asset!.id);
    return { source, sourceId, assetId: asset!.id, previousAssetId: previous };
  });
}

async function getListing(tx: Tx, source: string, sourceId: string) {
  const [listing] = await tx
    .select()
    .from(assetSources)
    .where(and(eq(assetSources.source, source), eq(assetSources.sourceId, sourceId)));
  if (!listing)
    throw new KxError(
      'usage',
      `no listing ${source}:${sourceId} (ingest it first; ids are source_id in GET /data)`,
    );
  return listing;
}

async function pin(tx: Tx, source: string, sourceId: string, assetId: number): Promise<number> {
  // Identity's locks on both symbols: an ingest deciding on either waits for this pin.
  const [target] = await tx
    .select({ symbol: assets.symbol })
    .from(assets)
    .where(eq(assets.id, assetId));
  await lockSymbols(tx, [(await getListing(tx, source, sourceId)).symbol, target?.symbol ?? '']);
  const listing = await getListing(tx, source, sourceId);
  const where = and(eq(assetSources.source, source), eq(assetSources.sourceId, sourceId));
  await tx.update(assetSources).set({ assetId, matchMethod: 'manual', confidence: 1 }).where(where);
  await tx
    .update(quotes)
    .set({ assetId })
    .where(and(eq(quotes.source, source), eq(quotes.sourceId, sourceId)));
  await deleteOrphans(tx, [listing.assetId]);
  return listing.assetId;
}
