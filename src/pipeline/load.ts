import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { toJsonText } from '../core/json.js';
import type { Source, SourceRecord } from '../core/source.js';
import { toNameKey, type UnifiedListing } from '../core/unified.js';
import type { Tx } from '../db/client.js';
import { assetSources, etlRunListings, quotes, rawTables, rejectedRecords } from '../db/schema.js';
import { resolveAssets } from './identity.js';

export interface BatchCounts {
  fetched: number;
  loaded: number;
  unchanged: number;
  rejected: number;
}

interface Fresh {
  listing: UnifiedListing;
  rawId: number;
  sha: string;
}

/**
 * Writes one batch inside the caller's transaction: lands the new raw payload versions, then
 * normalizes exactly those into listings and quotes, and quarantines rejected records.
 * A payload already stored for the same record is unchanged: no raw row, no quote.
 */
export async function loadBatch(
  tx: Tx,
  source: string,
  rawTable: Source['rawTable'],
  runId: number,
  records: readonly SourceRecord[],
): Promise<BatchCounts> {
  const valid = records.filter((r) => r.result.ok);
  const rejected = records.filter((r) => !r.result.ok);
  const fresh = await landRaw(tx, rawTables[rawTable], runId, valid);
  await rememberSeen(tx, runId, valid);
  if (fresh.length > 0) await normalize(tx, source, runId, fresh);
  if (rejected.length > 0) await quarantine(tx, source, runId, rejected);
  return {
    fetched: records.length,
    loaded: fresh.length,
    unchanged: valid.length - fresh.length,
    rejected: rejected.length,
  };
}

/** sha256 of the payload as landed: the identity of a record version. */
export function toPayloadSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function landRaw(
  tx: Tx,
  table: (typeof rawTables)[keyof typeof rawTables],
  runId: number,
  valid: readonly SourceRecord[],
): Promise<Fresh[]> {
  const byKey = new Map<
    string,
    { record: SourceRecord; listing: UnifiedListing; text: string; sha: string }
  >();
  for (const record of valid) {
    if (!record.result.ok) continue;
    const text = toJsonText(record.payload);
    const sha = toPayloadSha256(text);
    const key = `${record.result.listing.sourceId}\u0000${sha}`;
    if (!byKey.has(key)) byKey.set(key, { record, listing: record.result.listing, text, sha });
  }
  if (byKey.size === 0) return [];
  const landed = await tx
    .insert(table)
    .values(
      [...byKey.values()].map(({ record, listing, text, sha }) => ({
        runId,
        locator: record.locator,
        sourceId: listing.sourceId,
        payload: text,
        payloadSha256: sha,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: table.id, sourceId: table.sourceId, sha: table.payloadSha256 });
  return landed.map((row) => {
    const { listing } = byKey.get(`${row.sourceId}\u0000${row.sha}`)!;
    return { listing, rawId: row.id, sha: row.sha };
  });
}

async function normalize(
  tx: Tx,
  source: string,
  runId: number,
  fresh: readonly Fresh[],
): Promise<void> {
  const links = await resolveAssets(
    tx,
    source,
    fresh.map((f) => f.listing),
  );
  // One row per conflict key per statement (Postgres refuses to update a row twice): later wins.
  const quoteRows = new Map<string, Fresh>();
  const latest = new Map<string, Fresh>();
  for (const f of fresh) {
    quoteRows.set(`${f.listing.sourceId}\u0000${f.listing.observedAt.toISOString()}`, f);
    const seen = latest.get(f.listing.sourceId);
    if (!seen || seen.listing.observedAt <= f.listing.observedAt) latest.set(f.listing.sourceId, f);
  }
  await tx
    .insert(quotes)
    .values(
      [...quoteRows.values()].map(({ listing, rawId }) => ({
        assetId: links.get(listing.sourceId)!.assetId,
        source,
        sourceId: listing.sourceId,
        ...toValues(listing),
        observedAt: listing.observedAt,
        runId,
        rawId,
      })),
    )
    .onConflictDoUpdate({
      target: [quotes.source, quotes.sourceId, quotes.observedAt],
      set: { ...excludedValues, runId: sql`excluded.run_id`, rawId: sql`excluded.raw_id` },
    });
  await tx
    .insert(assetSources)
    .values(
      [...latest.values()].map(({ listing, rawId, sha }) => {
        const link = links.get(listing.sourceId)!;
        return {
          source,
          sourceId: listing.sourceId,
          assetId: link.assetId,
          matchMethod: link.method,
          confidence: link.confidence,
          symbol: listing.symbol,
          name: listing.name,
          nameKey: listing.name ? toNameKey(listing.name) || null : null,
          slug: listing.slug,
          ...toValues(listing),
          observedAt: listing.observedAt,
          payloadSha256: sha,
          runId,
          rawId,
        };
      }),
    )
    .onConflictDoUpdate({
      target: [assetSources.source, assetSources.sourceId],
      set: {
        ...excludedValues,
        symbol: sql`excluded.symbol`,
        name: sql`excluded.name`,
        nameKey: sql`excluded.name_key`,
        slug: sql`excluded.slug`,
        observedAt: sql`excluded.observed_at`,
        payloadSha256: sql`excluded.payload_sha256`,
        runId: sql`excluded.run_id`,
        rawId: sql`excluded.raw_id`,
        updatedAt: sql`now()`,
      },
      // An older observation (a history file read out of order) never overwrites a newer one.
      setWhere: sql`excluded.observed_at >= ${assetSources.observedAt}`,
    });
}

function toValues(l: UnifiedListing) {
  return {
    rank: l.rank,
    priceUsd: l.priceUsd,
    marketCapUsd: l.marketCapUsd,
    volume24hUsd: l.volume24hUsd,
    circulatingSupply: l.circulatingSupply,
    totalSupply: l.totalSupply,
    maxSupply: l.maxSupply,
    percentChange24h: l.percentChange24h,
  };
}

const excludedValues = {
  rank: sql`excluded.rank`,
  priceUsd: sql`excluded.price_usd`,
  marketCapUsd: sql`excluded.market_cap_usd`,
  volume24hUsd: sql`excluded.volume_24h_usd`,
  circulatingSupply: sql`excluded.circulating_supply`,
  totalSupply: sql`excluded.total_supply`,
  maxSupply: sql`excluded.max_supply`,
  percentChange24h: sql`excluded.percent_change_24h`,
};

async function quarantine(
  tx: Tx,
  source: string,
  runId: number,
  rejected: readonly SourceRecord[],
): Promise<void> {
  await tx.insert(rejectedRecords).values(
    rejected.map((r) => ({
      runId,
      source,
      locator: r.locator,
      sourceId: r.sourceId,
      raw: toJsonText(r.payload),
      reason: r.result.ok ? '' : r.result.reason,
      field: r.result.ok ? null : (r.result.field ?? null),
    })),
  );
}

/** Records which listings this run saw, changed or not, in one statement per batch. */
async function rememberSeen(tx: Tx, runId: number, valid: readonly SourceRecord[]): Promise<void> {
  const ids = [...new Set(valid.flatMap((r) => (r.result.ok ? [r.result.listing.sourceId] : [])))];
  if (ids.length === 0) return;
  await tx
    .insert(etlRunListings)
    .values(ids.map((sourceId) => ({ runId, sourceId })))
    .onConflictDoNothing();
}
