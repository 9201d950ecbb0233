import { KxError } from '../../core/errors.js';
import { linkListing, unlinkListing, type ManualLinkResult } from '../../identity/manual-links.js';
import { withSourceLock } from '../../engine/runner.js';
import { sourceNames } from '../../sources/index.js';
import type { Context } from '../context.js';

/** `coingecko:bitcoin` → source and id (the id may itself contain `:`). */
export function parseListingRef(ref: string): { source: string; sourceId: string } {
  const at = ref.indexOf(':');
  const source = ref.slice(0, at);
  const sourceId = ref.slice(at + 1);
  if (at <= 0 || sourceId === '' || !(sourceNames as string[]).includes(source)) {
    throw new KxError(
      'usage',
      `expected <source>:<id> with source one of ${sourceNames.join(', ')}, got ${JSON.stringify(ref)}`,
    );
  }
  return { source, sourceId };
}

export async function link(ctx: Context, ref: string, assetId: string): Promise<ManualLinkResult> {
  const { source, sourceId } = parseListingRef(ref);
  if (!/^\d{1,15}$/.test(assetId) || Number(assetId) < 1)
    throw new KxError(
      'usage',
      `asset id must be a positive whole number, got ${JSON.stringify(assetId)}`,
    );
  return ctx.withDb('link', (handle) =>
    withSourceLock(
      handle,
      source,
      () => linkListing(handle.db, source, sourceId, Number(assetId)),
      ctx.lockWait(),
    ),
  );
}

export async function unlink(ctx: Context, ref: string): Promise<ManualLinkResult> {
  const { source, sourceId } = parseListingRef(ref);
  return ctx.withDb('unlink', (handle) =>
    withSourceLock(
      handle,
      source,
      () => unlinkListing(handle.db, source, sourceId),
      ctx.lockWait(),
    ),
  );
}
