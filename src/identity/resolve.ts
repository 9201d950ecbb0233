import { and, sql } from 'drizzle-orm';
import { toNameKey } from '../core/unified.js';
import type { Tx } from '../db/client.js';
import { anyBigint, copyRows, selectRows, toCopyField } from '../db/sql.js';
import { assetSources, assets, quotes } from '../db/schema.js';
import {
  getLockedNeighbourhood,
  lockSymbols,
  type IncomingListing,
  type StoredListing,
} from './neighbourhood.js';
import type { IdentityPolicy } from '../core/source.js';
import {
  CONFIDENCE,
  clusterListings,
  keyOf,
  type Cluster,
  type Member,
  type Method,
} from './rules.js';

export interface AssetLink {
  assetId: number;
  method: Method;
  confidence: number;
}

/**
 * Links the staged new versions (`kx_stage` ⋈ `kx_fresh`, see load.ts) to assets, into
 * `kx_links`. A listing stored with the same symbol, name and slug brings no new evidence and
 * keeps its link, in one statement (a primary-key probe per listing); only the others are
 * clustered (`resolveAssets`), and their links are copied in after.
 */
export async function resolveStaged(tx: Tx, source: string, policy: IdentityPolicy): Promise<void> {
  const latest = sql`(
    select distinct on (s.i) s.i, s.s, s.n, s.g from kx_stage s join kx_fresh f using (o)
    order by s.i, s.o desc
  ) latest`;
  const symbols = await selectRows<{ s: string }>(
    tx,
    sql`select distinct s.s from kx_stage s join kx_fresh f using (o)`,
  );
  const locked = new Set<string>();
  await lockSymbols(
    tx,
    symbols.map((r) => r.s),
    locked,
  );
  await tx.execute(sql`
    insert into kx_links (i, asset_id, m, c)
    select a.source_id, a.asset_id, a.match_method, a.confidence from ${latest}
    join lateral (
      select * from asset_sources a where a.source = ${source}::text and a.source_id = latest.i
      limit 1
    ) a on true
    where a.symbol = latest.s and a.name is not distinct from latest.n
      and a.slug is not distinct from latest.g`);
  const unknown = await selectRows<IncomingListing>(
    tx,
    sql`select latest.i as "sourceId", latest.s as symbol, latest.n as name, latest.g as slug
        from ${latest} where not exists (select from kx_links k where k.i = latest.i)`,
  );
  if (unknown.length === 0) return;
  const links = await resolveAssets(tx, source, unknown, locked, policy);
  await copyRows(
    tx,
    'kx_links',
    ['i', 'asset_id', 'm', 'c'],
    [...links].map(([i, link]) =>
      [i, link.assetId, link.method, link.confidence].map(toCopyField).join('\t'),
    ),
  );
}

/**
 * Links each incoming listing to one asset, in the caller's transaction. The incoming listings
 * are clustered again together with their stored neighbourhood (identity/rules.ts), so a
 * listing that arrives later can join, or split, earlier ones: the grouping is the same
 * whatever order the sources were ingested in. Listings that move take their quotes along.
 */
export async function resolveAssets(
  tx: Tx,
  source: string,
  incoming: readonly IncomingListing[],
  locked: Set<string>,
  policy: IdentityPolicy,
): Promise<Map<string, AssetLink>> {
  const latest = new Map(incoming.map((l) => [l.sourceId, l]));
  const stored = await getLockedNeighbourhood(tx, source, [...latest.values()], locked, policy);
  const known = toMembers(source, stored, latest.values());
  const clusters = clusterListings([...known.members.values()], policy);
  const chosen = chooseAssets(clusters, known.current);
  const describe = (cluster: Cluster): AssetAttributes => {
    const m = canonicalMember(cluster.members, policy);
    return { s: m.symbol, n: known.names.get(keyOf(m)) ?? null, k: m.nameKey, g: m.slug };
  };
  const created = await createAssets(
    tx,
    clusters.filter((_, i) => chosen[i] === undefined).map(describe),
  );
  let next = 0;
  const assetIds = chosen.map((id) => id ?? created[next++]!);
  const { links, moved } = linkMembers(clusters, assetIds, { source, latest, ...known });
  await applyMoves(
    tx,
    moved,
    stored.map((r) => r.assetId),
  );
  await describeAssets(
    tx,
    clusters.flatMap((cluster, i) =>
      chosen[i] === undefined ? [] : [{ a: assetIds[i]!, ...describe(cluster) }],
    ),
  );
  return links;
}

/**
 * The listings to cluster, stored and incoming, by `keyOf`; an incoming listing replaces its
 * stored self.
 */
interface Known {
  /** The stored listings (their asset and method now). */
  current: Map<string, StoredListing>;
  members: Map<string, Member>;
  /** Each member's name as given (members keep only its key). */
  names: Map<string, string | null>;
}

/** Stored and incoming listings as cluster members; an incoming listing keeps its stored pin. */
function toMembers(
  source: string,
  stored: readonly StoredListing[],
  incoming: Iterable<IncomingListing>,
): Known {
  const current = new Map(stored.map((row) => [keyOf(row), row]));
  const members = new Map<string, Member>();
  const names = new Map<string, string | null>();
  for (const row of stored) {
    names.set(keyOf(row), row.name);
    members.set(keyOf(row), {
      ...row,
      nameKey: row.name ? toNameKey(row.name) : null,
      pinnedAssetId: row.method === 'manual' ? row.assetId : null,
    });
  }
  for (const l of incoming) {
    const key = keyOf({ source, sourceId: l.sourceId });
    const pinned = current.get(key)?.method === 'manual' ? current.get(key)!.assetId : null;
    names.set(key, l.name);
    members.set(key, {
      source,
      sourceId: l.sourceId,
      symbol: l.symbol,
      nameKey: l.name ? toNameKey(l.name) || null : null,
      slug: l.slug,
      pinnedAssetId: pinned,
    });
  }
  return { current, members, names };
}

/**
 * Each cluster's asset: its pin, else the lowest current asset of its members that no earlier
 * cluster took; undefined for a cluster that needs a new one.
 */
function chooseAssets(
  clusters: readonly Cluster[],
  current: ReadonlyMap<string, StoredListing>,
): (number | undefined)[] {
  const claimed = new Set<number>();
  return clusters.map((cluster) => {
    const id =
      cluster.pinnedAssetId ??
      pickAsset(
        cluster.members.map((m) => current.get(keyOf(m))?.assetId),
        claimed,
      );
    if (id !== undefined) claimed.add(id);
    return id;
  });
}

/** A listing re-pointed to another asset or method, with the link it now has. */
interface Move {
  source: string;
  sourceId: string;
  link: AssetLink;
}

/**
 * The links of the incoming listings (cluster `i` is asset `assetIds[i]`), and the stored
 * listings whose asset or method changed.
 */
function linkMembers(
  clusters: readonly Cluster[],
  assetIds: readonly number[],
  known: Known & { source: string; latest: ReadonlyMap<string, IncomingListing> },
): { links: Map<string, AssetLink>; moved: Move[] } {
  const links = new Map<string, AssetLink>();
  const moved: Move[] = [];
  for (const [i, cluster] of clusters.entries()) {
    const assetId = assetIds[i]!;
    for (const m of cluster.members) {
      const method =
        cluster.members.length === 1 && m.pinnedAssetId === null
          ? 'new'
          : cluster.methods.get(keyOf(m))!;
      const link = { assetId, method, confidence: CONFIDENCE[method] };
      if (m.source === known.source && known.latest.has(m.sourceId)) links.set(m.sourceId, link);
      const was = known.current.get(keyOf(m));
      if (was && (was.assetId !== assetId || was.method !== method))
        moved.push({ source: m.source, sourceId: m.sourceId, link });
    }
  }
  return { links, moved };
}

/** What an asset shows: symbol, name, name key and slug, as createAssets and describeAssets take them. */
interface AssetAttributes {
  s: string;
  n: string | null;
  k: string | null;
  g: string | null;
}

/**
 * The member an asset takes its symbol, name and slug from: the catalogues in registry order
 * before files, then by source and source id. It depends only on who the members are, never
 * on which one arrived first, so an asset looks the same whatever order (or concurrency) its
 * listings were loaded in.
 */
function canonicalMember(members: readonly Member[], policy: IdentityPolicy): Member {
  const rank = (m: Member) => {
    const i = policy.catalogues.indexOf(m.source);
    return i < 0 ? policy.catalogues.length : i;
  };
  const before = (a: Member, b: Member) =>
    rank(a) !== rank(b) ? rank(a) < rank(b) : keyOf(a) < keyOf(b);
  return members.reduce((best, m) => (before(m, best) ? m : best));
}

/** Brings the kept assets' attributes in line with their clusters; unchanged rows are not written. */
async function describeAssets(
  tx: Tx,
  rows: readonly (AssetAttributes & { a: number })[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update assets set symbol = v.s, name = v.n, name_key = v.k, slug = v.g
    from json_to_recordset(${JSON.stringify(rows)}::json) as v(a bigint, s text, n text, k text, g text)
    where assets.id = v.a
      and (assets.symbol, assets.name, assets.name_key, assets.slug)
        is distinct from (v.s, v.n, v.k, v.g)`);
}

/** The lowest current asset of the cluster that no earlier cluster took. */
function pickAsset(ids: (number | undefined)[], claimed: Set<number>): number | undefined {
  return ids
    .filter((id): id is number => id !== undefined && !claimed.has(id))
    .sort((a, b) => a - b)[0];
}

/** One asset per cluster that has none, in one statement; ids in the order of `rows`. */
async function createAssets(tx: Tx, rows: readonly AssetAttributes[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const json = JSON.stringify(rows.map((row, o) => ({ o, ...row })));
  const ids = await selectRows<{ id: number | string }>(
    tx,
    sql`insert into assets (symbol, name, name_key, slug)
        select s, n, k, g from json_to_recordset(${json}::json) as x(o int, s text, n text, k text, g text)
        order by o
        returning id`,
  );
  // Postgres assigns serial ids in the order the rows are inserted; sorting makes that explicit.
  return ids.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** Re-points moved listings and their quotes, then drops assets nothing points to any more. */
async function applyMoves(tx: Tx, moved: Move[], previous: number[]): Promise<void> {
  if (moved.length === 0) return;
  const json = JSON.stringify(
    moved.map(({ source, sourceId, link }) => ({
      s: source,
      i: sourceId,
      a: link.assetId,
      m: link.method,
      c: link.confidence,
    })),
  );
  const values = sql`json_to_recordset(${json}::json) as v(s text, i text, a bigint, m text, c real)`;
  await tx.execute(sql`
    update asset_sources set asset_id = v.a, match_method = v.m, confidence = v.c from ${values}
    where asset_sources.source = v.s and asset_sources.source_id = v.i`);
  await tx.execute(sql`
    update quotes set asset_id = v.a from ${values}
    where quotes.source = v.s and quotes.source_id = v.i and quotes.asset_id <> v.a`);
  await deleteOrphans(tx, previous);
}

export async function deleteOrphans(tx: Tx, candidates: number[]): Promise<void> {
  const ids = new Set(candidates);
  if (ids.size === 0) return;
  await tx
    .delete(assets)
    .where(
      and(
        anyBigint(assets.id, ids),
        sql`not exists (select 1 from ${assetSources} where ${assetSources.assetId} = ${assets.id})`,
        sql`not exists (select 1 from ${quotes} where ${quotes.assetId} = ${assets.id})`,
      ),
    );
}
