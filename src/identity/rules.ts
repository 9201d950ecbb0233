/**
 * Identity clustering: which listings are one real-world coin. Pure and deterministic: the
 * result depends only on the set of listings, never on the order they were ingested in.
 *
 * Evidence, strongest first (DESIGN §5), always between listings with the same symbol:
 * 1. `manual`: a person pinned the listing to an asset (`kx link`/`kx unlink`); pinned
 *    listings take part in no rule.
 * 2. `csv_id`: a CSV's explicit id column names the CoinGecko or CoinPaprika listing.
 * 3. `slug`: CoinPaprika id `sym-slug` equals `<symbol>-<CoinGecko id>`.
 * 4. `symbol_name`: equal normalized names, when no API source has two listings with that
 *    name (an ambiguous name merges nothing).
 * A cluster never holds two listings of one API source: a source never lists one coin twice.
 * CSV listings may share a cluster (different files name the same coin differently).
 */
export interface Member {
  source: string;
  sourceId: string;
  symbol: string;
  nameKey: string | null;
  /** CSV: its explicit id column; CoinGecko: its id; CoinPaprika: its id without `sym-`. */
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
export function clusterListings(input: readonly Member[]): Cluster[] {
  const members = [...new Map(input.map((m) => [keyOf(m), m])).values()].sort((a, b) =>
    cmp(keyOf(a), keyOf(b)),
  );
  const index = new Map(members.map((m, i) => [keyOf(m), i]));
  const parent = members.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const state = members.map((m) => ({
    apiSources: new Set(isApi(m.source) ? [m.source] : []),
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

  for (const [a, b, method] of edgesOf(members, index)) union(a, b, method);

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
): [number, number, Method][] {
  const edges: [number, number, Method][] = [];
  const free = members.filter((m) => m.pinnedAssetId === null);
  // Pinned listings of the same asset belong together.
  const pins = new Map<number, number[]>();
  members.forEach(
    (m, i) =>
      m.pinnedAssetId !== null &&
      pins.set(m.pinnedAssetId, [...(pins.get(m.pinnedAssetId) ?? []), i]),
  );
  for (const group of pins.values())
    group.slice(1).forEach((i) => edges.push([group[0]!, i, 'manual']));

  const bySource = (source: string) =>
    new Map(free.filter((m) => m.source === source && m.symbol).map((m) => [m.sourceId, m]));
  const gecko = bySource('coingecko');
  const paprika = bySource('coinpaprika');
  const at = (m: Member) => index.get(keyOf(m))!;
  for (const m of free) {
    if (m.source !== 'csv' || !m.slug) continue;
    for (const target of [gecko.get(m.slug), paprika.get(m.slug)]) {
      if (target && target.symbol === m.symbol) edges.push([at(m), at(target), 'csv_id']);
    }
  }
  for (const p of paprika.values()) {
    const g = gecko.get(p.sourceId.slice(p.symbol.length + 1));
    if (p.sourceId.startsWith(`${p.symbol.toLowerCase()}-`) && g && g.symbol === p.symbol)
      edges.push([at(p), at(g), 'slug']);
  }
  const byName = new Map<string, Member[]>();
  for (const m of free) {
    if (!m.nameKey) continue;
    const key = `${m.symbol}|${m.nameKey}`;
    byName.set(key, [...(byName.get(key) ?? []), m]);
  }
  for (const group of [...byName.values()].sort((a, b) => cmp(keyOf(a[0]!), keyOf(b[0]!)))) {
    const perApi = new Map<string, number>();
    for (const m of group)
      if (isApi(m.source)) perApi.set(m.source, (perApi.get(m.source) ?? 0) + 1);
    if ([...perApi.values()].some((n) => n > 1)) continue; // ambiguous: two coins of one source share the name
    group.slice(1).forEach((m) => edges.push([at(group[0]!), at(m), 'symbol_name']));
  }
  return edges;
}

function isApi(source: string): boolean {
  return source !== 'csv';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
