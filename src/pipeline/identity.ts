import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { toNameKey, type UnifiedListing } from '../core/unified.js';
import type { Tx } from '../db/client.js';
import { assetSources, assets, quotes } from '../db/schema.js';
import { CONFIDENCE, clusterListings, keyOf, type Member, type Method } from './identity-rules.js';

export interface AssetLink {
  assetId: number;
  method: Method;
  confidence: number;
}

/**
 * Links each incoming listing to one asset, in the caller's transaction. The listings of every
 * symbol in the batch are clustered again together with the incoming ones (identity-rules.ts),
 * so a listing that arrives later can join, or split, earlier ones: the grouping is the same
 * whatever order the sources were ingested in. Listings that move take their quotes along.
 */
export async function resolveAssets(
  tx: Tx,
  source: string,
  incoming: readonly UnifiedListing[],
): Promise<Map<string, AssetLink>> {
  const all = new Map(incoming.map((l) => [l.sourceId, l]));
  // A listing stored with the same symbol, name and slug brings no new evidence: keep its link.
  const known = await selectListings(
    tx,
    and(eq(assetSources.source, source), inArray(assetSources.sourceId, [...all.keys()])),
  );
  const links = new Map<string, AssetLink>();
  for (const row of known) {
    const l = all.get(row.sourceId)!;
    if (row.symbol === l.symbol && (row.name ?? null) === l.name && (row.slug ?? null) === l.slug) {
      links.set(row.sourceId, {
        assetId: row.assetId,
        method: row.method as Method,
        confidence: row.confidence,
      });
      all.delete(row.sourceId);
    }
  }
  if (all.size === 0) return links;
  const latest = all;
  const stored = await getNeighbourhood(tx, source, [...latest.values()]);
  const current = new Map(stored.map((row) => [keyOf(row), row]));
  const members = new Map<string, Member>();
  for (const row of stored) {
    members.set(keyOf(row), {
      ...row,
      nameKey: row.name ? toNameKey(row.name) : null,
      pinnedAssetId: row.method === 'manual' ? row.assetId : null,
    });
  }
  for (const l of latest.values()) {
    const key = keyOf({ source, sourceId: l.sourceId });
    const pinned = current.get(key)?.method === 'manual' ? current.get(key)!.assetId : null;
    members.set(key, {
      source,
      sourceId: l.sourceId,
      symbol: l.symbol,
      nameKey: l.name ? toNameKey(l.name) || null : null,
      slug: l.slug,
      pinnedAssetId: pinned,
    });
  }

  const claimed = new Set<number>();
  const moved: { source: string; sourceId: string; link: AssetLink }[] = [];
  const clusters = clusterListings([...members.values()]);
  const chosen = clusters.map((cluster) => {
    const id =
      cluster.pinnedAssetId ??
      pickAsset(
        cluster.members.map((m) => current.get(keyOf(m))?.assetId),
        claimed,
      );
    if (id !== undefined) claimed.add(id);
    return id;
  });
  const created = await createAssets(
    tx,
    clusters.filter((_, i) => chosen[i] === undefined).map((c) => c.members[0]!),
    latest,
  );
  for (const [i, cluster] of clusters.entries()) {
    const assetId = chosen[i] ?? created.shift()!;
    for (const m of cluster.members) {
      const method =
        cluster.members.length === 1 && m.pinnedAssetId === null
          ? 'new'
          : cluster.methods.get(keyOf(m))!;
      const link = { assetId, method, confidence: CONFIDENCE[method] };
      if (m.source === source && latest.has(m.sourceId)) links.set(m.sourceId, link);
      const was = current.get(keyOf(m));
      if (was && (was.assetId !== assetId || was.method !== method))
        moved.push({ source: m.source, sourceId: m.sourceId, link });
    }
  }
  await applyMoves(
    tx,
    moved,
    stored.map((r) => r.assetId),
  );
  return links;
}

type StoredListing = Awaited<ReturnType<typeof selectListings>>[number];

function selectListings(tx: Tx, where: SQL | undefined) {
  return tx
    .select({
      source: assetSources.source,
      sourceId: assetSources.sourceId,
      symbol: assetSources.symbol,
      name: assetSources.name,
      slug: assetSources.slug,
      assetId: assetSources.assetId,
      method: assetSources.matchMethod,
      confidence: assetSources.confidence,
    })
    .from(assetSources)
    .where(where);
}

/** Rounds of evidence followed from the incoming listings; clusters are small, so 3 reach all. */
const NEIGHBOURHOOD_ROUNDS = 3;

/**
 * The stored listings that can share a cluster with the incoming ones: the same symbol and
 * name, the other side of a slug or CSV-id rule, and the other listings of their assets,
 * followed for a few rounds. Never a whole symbol's listings: a ticker held by thousands of
 * listings would make every batch read them all.
 */
async function getNeighbourhood(
  tx: Tx,
  source: string,
  incoming: UnifiedListing[],
): Promise<StoredListing[]> {
  const found = new Map<string, StoredListing>();
  let seeds: {
    source: string;
    sourceId: string;
    symbol: string;
    name: string | null;
    slug: string | null;
    assetId?: number;
  }[] = incoming.map((l) => ({
    source,
    sourceId: l.sourceId,
    symbol: l.symbol,
    name: l.name,
    slug: l.slug,
  }));
  for (let round = 0; round < NEIGHBOURHOOD_ROUNDS && seeds.length > 0; round++) {
    const nameKeys = seeds.map((s) => (s.name ? toNameKey(s.name) : '')).filter((k) => k !== '');
    const ids = new Set<string>();
    const slugs = new Set<string>();
    for (const s of seeds) {
      if (s.source === 'coingecko') ids.add(`${s.symbol.toLowerCase()}-${s.sourceId}`);
      if (s.source === 'coinpaprika') ids.add(s.sourceId.slice(s.symbol.length + 1));
      if (s.source === 'csv' && s.slug) ids.add(s.slug);
      if (s.source !== 'csv') slugs.add(s.sourceId);
    }
    const assetIds = seeds.flatMap((s) => (s.assetId === undefined ? [] : [s.assetId]));
    const conditions = [
      nameKeys.length > 0
        ? and(
            inArray(assetSources.symbol, [...new Set(seeds.map((s) => s.symbol))]),
            inArray(assetSources.nameKey, [...new Set(nameKeys)]),
          )
        : undefined,
      ids.size > 0 ? inArray(assetSources.sourceId, [...ids]) : undefined,
      slugs.size > 0 ? inArray(assetSources.slug, [...slugs]) : undefined,
      assetIds.length > 0 ? inArray(assetSources.assetId, [...new Set(assetIds)]) : undefined,
    ].filter((c): c is SQL => c !== undefined);
    const rows = await selectListings(tx, or(...conditions));
    seeds = [];
    for (const row of rows) {
      if (found.has(keyOf(row))) continue;
      found.set(keyOf(row), row);
      seeds.push(row);
    }
  }
  return [...found.values()];
}

/** The lowest current asset of the cluster that no earlier cluster took. */
function pickAsset(ids: (number | undefined)[], claimed: Set<number>): number | undefined {
  return ids
    .filter((id): id is number => id !== undefined && !claimed.has(id))
    .sort((a, b) => a - b)[0];
}

/** One asset per cluster that has none, in one statement; ids in the order of `firsts`. */
async function createAssets(
  tx: Tx,
  firsts: Member[],
  latest: Map<string, UnifiedListing>,
): Promise<number[]> {
  if (firsts.length === 0) return [];
  const rows = await tx
    .insert(assets)
    .values(
      firsts.map((m) => ({
        symbol: m.symbol,
        name: latest.get(m.sourceId)?.name ?? null,
        nameKey: m.nameKey,
        slug: m.slug,
      })),
    )
    .returning({ id: assets.id });
  // Postgres assigns serial ids in VALUES order; sorting makes that explicit.
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** Re-points moved listings and their quotes, then drops assets nothing points to any more. */
async function applyMoves(
  tx: Tx,
  moved: { source: string; sourceId: string; link: AssetLink }[],
  previous: number[],
): Promise<void> {
  if (moved.length === 0) return;
  const values = sql.join(
    moved.map(
      ({ source, sourceId, link }) =>
        sql`(${source}, ${sourceId}, ${link.assetId}::bigint, ${link.method}, ${link.confidence}::real)`,
    ),
    sql`, `,
  );
  await tx.execute(sql`
    update ${assetSources} set asset_id = v.asset_id, match_method = v.method, confidence = v.confidence
    from (values ${values}) as v(source, source_id, asset_id, method, confidence)
    where ${assetSources.source} = v.source and ${assetSources.sourceId} = v.source_id`);
  await tx.execute(sql`
    update ${quotes} set asset_id = v.asset_id
    from (values ${values}) as v(source, source_id, asset_id, method, confidence)
    where ${quotes.source} = v.source and ${quotes.sourceId} = v.source_id and ${quotes.assetId} <> v.asset_id`);
  await deleteOrphans(tx, previous);
}

export async function deleteOrphans(tx: Tx, candidates: number[]): Promise<void> {
  const ids = [...new Set(candidates)];
  if (ids.length === 0) return;
  await tx
    .delete(assets)
    .where(
      and(
        inArray(assets.id, ids),
        sql`not exists (select 1 from ${assetSources} where ${assetSources.assetId} = ${assets.id})`,
        sql`not exists (select 1 from ${quotes} where ${quotes.assetId} = ${assets.id})`,
      ),
    );
}
