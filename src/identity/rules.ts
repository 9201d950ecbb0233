import type { IdentityPolicy } from '../core/source.js';

/**
 * Identity clustering: which listings are one real-world coin. Pure and deterministic: the
 * result depends only on the set of listings, never on the order they were ingested in.
 * What a source's listings prove comes from its declared role (`IdentityRole`): the rules
 * name no source.
 *
 * Evidence, strongest first (DESIGN §5), always between listings with the same symbol:
 * 1. `manual`: a person pinned the listing to an asset (`kx link`/`kx unlink`); pinned
 *    listings take part in no rule.
 * 2. `csv_id`: a file's explicit id column names a catalogue listing by its id.
 * 3. `slug`: two catalogues give the coin the same slug (CoinPaprika `btc-bitcoin` declares
 *    `bitcoin`, CoinGecko's id).
 * 4. `symbol_name`: equal normalized names, when no catalogue has two listings with that
 *    name (an ambiguous name merges nothing).
 * A cluster never holds two listings of one catalogue: a catalogue never lists one coin twice.
 * File listings may share a cluster (different files name the same coin differently).
 */
export interface Member {
  source: string;
  sourceId: string;
  symbol: string;
  nameKey: string | null;
  /** A catalogue's slug for the coin; for a file, its explicit id column. */
  slug: string | null;
  /** The asset it is pinned to by a person, if any. */
  pinnedAssetId: number | null;
}

export type Method = 'manual' | 'csv_id' | 'slug' | 'symbol_name' | 'new';

export const CONFIDENCE: Record<Method, number> = {
  manual: 1,
  csv_id: 0.95,
  slug: 0.98,
  symbol_name: 0.9,
  new: 1,
};

const STRENGTH: Record<Method, number> = { manual: 0, csv_id: 1, slug: 2, symbol_name: 3, new: 4 };

export interface Cluster {
  members: Member[];
  pinnedAssetId: number | null;
  /** How each member (by `keyOf`) joined: the strongest rule among its accepted edges. */
  methods: Map<string, Method>;
}

export function keyOf(m: Pick<Member, 'source' | 'sourceId'>): string {
  return `${m.source}:${m.sourceId}`;
}

/** Groups listings into clusters, one per coin; clusters come sorted by their first member key. */
export function clusterListings(input: readonly Member[], policy: IdentityPolicy): Cluster[] {
  const catalogues = new Set(policy.catalogues);
  const isCatalogue = (source: string) => catalogues.has(source);
  const members = [...new Map(input.map((m) => [keyOf(m), m])).values()].sort((a, b) =>
    cmp(keyOf(a), keyOf(b)),
  );
  const index = new Map(members.map((m, i) => [keyOf(m), i]));
  const parent = members.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const state = members.map((m) => ({
    apiSources: new Set(isCatalogue(m.source) ? [m.source] : []),
    pinned: m.pinnedAssetId,
  }));
  const methods = new Map<string, Method>();

  const union = (a: number, b: number, method: Method) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) return;
    const [sa, sb] = [state[ra]!, state[rb]!];
    if ([...sa.apiSources].some((s) => sb.apiSources.has(s))) return;
    if (sa.pinned !== null && sb.pinned !== null && sa.pinned !== sb.pinned) return;
    parent[rb] = ra;
    sa.apiSources = new Set([...sa.apiSources, ...sb.apiSources]);
    sa.pinned ??= sb.pinned;
    for (const i of [a, b]) {
      const key = keyOf(members[i]!);
      const seen = methods.get(key);
      if (!seen || STRENGTH[method] < STRENGTH[seen]) methods.set(key, method);
    }
  };

  for (const [a, b, method] of edgesOf(members, index, isCatalogue)) union(a, b, method);

  const clusters = new Map<number, Cluster>();
  members.forEach((m, i) => {
    const root = find(i);
    const cluster: Cluster = clusters.get(root) ?? {
      members: [],
      pinnedAssetId: state[root]!.pinned,
      methods: new Map(),
    };
    cluster.members.push(m);
    const method: Method = m.pinnedAssetId !== null ? 'manual' : (methods.get(keyOf(m)) ?? 'new');
    cluster.methods.set(keyOf(m), method);
    clusters.set(root, cluster);
  });
  return [...clusters.values()];
}

/** Every rule edge, strongest first, in a fixed order. */
function edgesOf(
  members: readonly Member[],
  index: Map<string, number>,
  isCatalogue: (source: string) => boolean,
): [number, number, Method][] {
  const edges: [number, number, Method][] = [];
  const free = members.filter((m) => m.pinnedAssetId === null);
  const at = (m: Member) => index.get(keyOf(m))!;
  // Pinned listings of the same asset belong together.
  const pins = new Map<number, number[]>();
  members.forEach(
    (m, i) =>
      m.pinnedAssetId !== null &&
      pins.set(m.pinnedAssetId, [...(pins.get(m.pinnedAssetId) ?? []), i]),
  );
  for (const group of pins.values())
    group.slice(1).forEach((i) => edges.push([group[0]!, i, 'manual']));

  const catalogued = free.filter((m) => isCatalogue(m.source) && m.symbol);
  const byId = groupBy(catalogued, (m) => m.sourceId);
  for (const m of free) {
    if (isCatalogue(m.source) || !m.slug) continue;
    for (const target of byId.get(m.slug) ?? [])
      if (target.symbol === m.symbol) edges.push([at(m), at(target), 'csv_id']);
  }
  const bySlug = groupBy(
    catalogued.filter((m) => m.slug),
    (m) => `${m.symbol}|${m.slug}`,
  );
  for (const group of bySlug.values())
    group.slice(1).forEach((m) => edges.push([at(group[0]!), at(m), 'slug']));

  const byName = groupBy(
    free.filter((m) => m.nameKey),
    (m) => `${m.symbol}|${m.nameKey}`,
  );
  for (const group of [...byName.values()].sort((a, b) => cmp(keyOf(a[0]!), keyOf(b[0]!)))) {
    const perCatalogue = new Map<string, number>();
    for (const m of group)
      if (isCatalogue(m.source)) perCatalogue.set(m.source, (perCatalogue.get(m.source) ?? 0) + 1);
    if ([...perCatalogue.values()].some((n) => n > 1)) continue; // ambiguous: two coins of one catalogue share the name
    group.slice(1).forEach((m) => edges.push([at(group[0]!), at(m), 'symbol_name']));
  }
  return edges;
}

/** Members by key, each group in member order (members come sorted, so groups are stable). */
function groupBy(members: readonly Member[], key: (m: Member) => string): Map<string, Member[]> {
  const groups = new Map<string, Member[]>();
  for (const m of members) {
    const k = key(m);
    const group = groups.get(k);
    if (group) group.push(m);
    else groups.set(k, [m]);
  }
  return groups;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
