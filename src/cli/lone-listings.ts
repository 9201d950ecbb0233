import type { DbHandle } from '../db/client.js';
import type { RunResult } from '../engine/runner.js';
import { getLoneListings, type LoneListing } from '../queries/lone-listings.js';
import type { Context } from './context.js';

/** How many lone listings a run names; past them it counts. */
const NAMED = 3;

/**
 * After a run that made assets of listings without a name (its assets after `afterAssetId`, the
 * newest before it) beside assets with their symbol, a warning naming them and the `kx link`
 * that joins each, should they be one coin: otherwise a BTC price history loaded with
 * `--symbol BTC` sits beside CoinGecko's Bitcoin unseen.
 */
export async function warnLoneListings(
  ctx: Context,
  handle: DbHandle,
  result: RunResult,
  afterAssetId: number,
): Promise<void> {
  if (result.loaded === 0) return;
  const query = { runId: result.runId, afterAssetId, limit: NAMED };
  // The run is committed: a database lost now costs the hint, not the run's exit code.
  const { listings, total } = await getLoneListings(handle.db, query).catch(() => ({
    listings: [],
    total: 0,
  }));
  if (total === 0) return;
  const more = total - listings.length;
  ctx.log.warn(
    [
      total === 1
        ? `${result.source} run #${result.runId} loaded a listing without a name as an asset of ` +
          'its own, beside another asset with its symbol (kx links listings by name or id, never ' +
          'by symbol alone); if they are one coin, link them:'
        : `${result.source} run #${result.runId} loaded ${total} listings without a name as ` +
          'assets of their own, beside other assets with their symbols (kx links listings by ' +
          'name or id, never by symbol alone); where two are one coin, link them:',
      ...listings.map(describeLone),
      ...(more > 0 ? [`  and ${more} more`] : []),
    ].join('\n'),
  );
}

function describeLone(lone: LoneListing): string {
  const others = lone.others.map(
    (o) => `#${o.assetId} (${o.source}:${o.sourceId}${o.name === null ? '' : `, ${o.name}`})`,
  );
  if (lone.otherAssets > others.length) others.push(`${lone.otherAssets - others.length} more`);
  const one = lone.otherAssets === 1 ? lone.others[0] : undefined;
  return (
    `  ${lone.source}:${lone.sourceId} (asset #${lone.assetId}) has the symbol of ` +
    `${one ? 'asset' : 'assets'} ${others.join(', ')}: ` +
    `kx link ${lone.source}:${lone.sourceId} ${one ? one.assetId : 'ASSET_ID'}`
  );
}
