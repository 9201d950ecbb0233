import { sql, type SQL } from 'drizzle-orm';
import { KxError } from '../core/errors.js';
import type { Db } from '../db/client.js';
import { selectRows, toBigintArrayLiteral } from '../db/sql.js';
import { relativeRange, sortedMedian } from './consensus.js';
import { decodeCursor, encodeCursor, isCastable, type SortCast } from './cursor.js';

/**
 * Sort orders of `GET /assets`, over the columns of `ASSET_ROWS`. Each sorts by a non-null
 * key (missing values last, either way), then by the asset id, so a keyset cursor is exact.
 */
export const ASSET_SORTS = {
  symbol: { key: 'symbol', dir: 'asc', cast: 'text' },
  '-symbol': { key: 'symbol', dir: 'desc', cast: 'text' },
  rank: { key: 'coalesce(rank, 2147483647)', dir: 'asc', cast: 'int' },
  '-rank': { key: 'coalesce(rank, -1)', dir: 'desc', cast: 'int' },
  market_cap_usd: { key: 'coalesce(market_cap_usd, 1e40)', dir: 'asc', cast: 'numeric' },
  '-market_cap_usd': { key: 'coalesce(market_cap_usd, -1)', dir: 'desc', cast: 'numeric' },
  price_usd: { key: 'coalesce(price_usd, 1e40)', dir: 'asc', cast: 'numeric' },
  '-price_usd': { key: 'coalesce(price_usd, -1)', dir: 'desc', cast: 'numeric' },
  spread: { key: 'coalesce(spread, 1e40)', dir: 'asc', cast: 'numeric' },
  '-spread': { key: 'coalesce(spread, -1)', dir: 'desc', cast: 'numeric' },
} as const satisfies Record<string, { key: string; dir: 'asc' | 'desc'; cast: SortCast }>;
export type AssetSort = keyof typeof ASSET_SORTS;

export interface AssetListQuery {
  /** Name or symbol prefix, case-insensitive. */
  q?: string | undefined;
  symbol?: string | undefined;
  /** Only assets listed by at least this many sources. */
  minSources?: number | undefined;
  /** Only assets this source lists. */
  source?: string | undefined;
  /** Only these assets. */
  ids?: readonly number[] | undefined;
  /** A listing's price counts toward the consensus if observed this close to the newest one. */
  freshWithinSeconds: number;
  sort: AssetSort;
  limit: number;
  cursor?: string | undefined;
}

/** One real-world coin across its sources. */
export interface AssetRow {
  id: number;
  symbol: string;
  name: string | null;
  slug: string | null;
  /** The sources that list it, by name. */
  sources: string[];
  /** Its listings (a source may list it more than once: two CSV files). */
  listings: number;
  /** The consensus: the median of the fresh listings' latest prices. */
  price_usd: string | null;
  /** How many prices the consensus took. */
  prices: number;
  /** (max − min) / median of those prices, to 8 places; null with fewer than two. */
  spread: string | null;
  /** The newest observation of any of its listings. */
  observed_at: string;
  /** From the most recently observed listing that has one. */
  market_cap_usd: string | null;
  rank: number | null;
}

export interface AssetPage {
  data: AssetRow[];
  pagination: { limit: number; next_cursor: string | null; has_more: boolean };
}

/**
 * One row per asset (`GET /assets`), aggregated from its listings' latest values. The
 * consensus leaves out a listing observed more than `freshWithinSeconds` before the asset's
 * newest observation: a CSV loaded last month does not pull today's price. The median and
 * the spread are computed in numeric, so the consensus is an exact decimal: the middle price,
 * or the mean of the two middle ones.
 */
export async function listAssets(db: Db, query: AssetListQuery): Promise<AssetPage> {
  const sort = ASSET_SORTS[query.sort];
  const key = sql.raw(sort.key);
  const op = sort.dir === 'asc' ? sql`>` : sql`<`;
  const dir = sql.raw(sort.dir);
  const after = query.cursor ? afterCursor(query.sort, query.cursor, key, op) : sql``;
  const rows = await selectRows<AssetRow & { sort_value: string }>(
    db,
    sql`select id, symbol, name, slug, sources, listings, price_usd::text as price_usd, prices,
          spread::text as spread, market_cap_usd::text as market_cap_usd, rank,
          to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as observed_at,
          (${key})::text as sort_value
        from (${assetRows(query)}) x
        where true ${query.minSources ? sql`and cardinality(sources) >= ${query.minSources}` : sql``}
          ${after}
        order by ${key} ${dir}, id ${dir} limit ${query.limit + 1}`,
  );
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit).map((row) => ({ ...row, id: Number(row.id) }));
  const last = page.at(-1);
  return {
    data: page.map(({ sort_value: _value, ...row }) => row),
    pagination: {
      limit: query.limit,
      has_more: more,
      next_cursor:
        more && last ? encodeCursor([query.sort, last.sort_value, String(last.id)]) : null,
    },
  };
}

/** The per-asset aggregate, filtered by the asset's own attributes before anything is summed. */
function assetRows(query: AssetListQuery): SQL {
  const filters: SQL[] = [];
  if (query.symbol) filters.push(sql`a.symbol = upper(${query.symbol})`);
  if (query.ids) filters.push(sql`a.id = any(${toBigintArrayLiteral(query.ids)}::bigint[])`);
  if (query.q) {
    const prefix = `${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(sql`(lower(a.name) like ${prefix} or lower(a.symbol) like ${prefix})`);
  }
  if (query.source)
    filters.push(
      sql`exists (select from asset_sources x where x.asset_id = a.id and x.source = ${query.source})`,
    );
  const where = filters.length > 0 ? sql`where ${sql.join(filters, sql` and `)}` : sql``;
  return sql`
    with a as (select id, symbol, name, slug from assets a ${where}),
    l as (
      select s.asset_id, s.source, s.source_id, s.price_usd, s.market_cap_usd, s.rank, s.observed_at,
        max(s.observed_at) over (partition by s.asset_id) as newest
      from asset_sources s join a on a.id = s.asset_id
    ),
    g as (
      select asset_id, array_agg(distinct source order by source) as sources, count(*)::int as listings,
        max(observed_at) as observed_at,
        coalesce(array_agg(price_usd order by price_usd) filter (
          where price_usd is not null
            and observed_at >= newest - make_interval(secs => ${query.freshWithinSeconds})
        ), '{}') as p,
        (array_agg(market_cap_usd order by observed_at desc, source, source_id)
          filter (where market_cap_usd is not null))[1] as market_cap_usd,
        (array_agg(rank order by observed_at desc, source, source_id)
          filter (where rank is not null))[1] as rank
      from l group by asset_id
    ),
    c as (
      select g.*, cardinality(p) as n, ${sortedMedian(sql`p`, sql`cardinality(p)`)} as median
      from g
    )
    select a.id, a.symbol, a.name, a.slug, c.sources, c.listings, c.median as price_usd, c.n as prices,
      ${relativeRange(sql`c.p[c.n]`, sql`c.p[1]`, sql`c.median`, sql`c.n`)} as spread,
      c.observed_at, c.market_cap_usd, c.rank
    from a join c on c.asset_id = a.id`;
}

function afterCursor(sortName: AssetSort, cursor: string, key: SQL, op: SQL): SQL {
  const [name, value, id] = decodeCursor(
    cursor,
    3,
    ([sort, value, id]) =>
      sort! in ASSET_SORTS &&
      isCastable(ASSET_SORTS[sort as AssetSort].cast, value!) &&
      /^\d{1,15}$/.test(id!),
  );
  if (name !== sortName)
    throw new KxError('usage', `cursor: it belongs to sort=${name}, not sort=${sortName}`);
  const typed = sql`${value}::${sql.raw(ASSET_SORTS[sortName].cast)}`;
  return sql`and (${key}, id) ${op} (${typed}, ${Number(id)})`;
}
