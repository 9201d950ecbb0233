import { and, asc, count, desc, eq, gte, sql, type SQL } from 'drizzle-orm';
import { KxError } from '../core/errors.js';
import { decodeCursor, encodeCursor, isCastable } from './cursor.js';
import type { Db } from '../db/client.js';
import { assetSources } from '../db/schema.js';

/**
 * Sort orders of `GET /data`. Each sorts by a non-null key, then by the listing's identity
 * (source, source_id), so that a keyset cursor is exact. Missing values sort last.
 */
export const LISTING_SORTS = {
  id: { key: null, dir: 'asc', cast: 'text' },
  symbol: { key: sql`${assetSources.symbol}`, dir: 'asc', cast: 'text' },
  '-symbol': { key: sql`${assetSources.symbol}`, dir: 'desc', cast: 'text' },
  rank: { key: sql`coalesce(${assetSources.rank}, 2147483647)`, dir: 'asc', cast: 'int' },
  market_cap_usd: {
    key: sql`coalesce(${assetSources.marketCapUsd}, 1e40)`,
    dir: 'asc',
    cast: 'numeric',
  },
  '-market_cap_usd': {
    key: sql`coalesce(${assetSources.marketCapUsd}, -1)`,
    dir: 'desc',
    cast: 'numeric',
  },
  price_usd: { key: sql`coalesce(${assetSources.priceUsd}, 1e40)`, dir: 'asc', cast: 'numeric' },
  '-price_usd': { key: sql`coalesce(${assetSources.priceUsd}, -1)`, dir: 'desc', cast: 'numeric' },
  observed_at: { key: sql`${assetSources.observedAt}`, dir: 'asc', cast: 'timestamptz' },
  '-observed_at': { key: sql`${assetSources.observedAt}`, dir: 'desc', cast: 'timestamptz' },
} as const;
export type ListingSort = keyof typeof LISTING_SORTS;

export interface ListingQuery {
  source?: string | undefined;
  symbol?: string | undefined;
  assetId?: number | undefined;
  q?: string | undefined;
  updatedSince?: Date | undefined;
  sort: ListingSort;
  limit: number;
  cursor?: string | undefined;
  page?: number | undefined;
}

export interface Listing {
  source: string;
  source_id: string;
  asset_id: number;
  symbol: string;
  name: string | null;
  rank: number | null;
  price_usd: string | null;
  market_cap_usd: string | null;
  volume_24h_usd: string | null;
  circulating_supply: string | null;
  total_supply: string | null;
  max_supply: string | null;
  percent_change_24h: string | null;
  observed_at: string;
  match: { method: string; confidence: number };
}

export interface ListingPage {
  data: Listing[];
  pagination:
    | { mode: 'cursor'; limit: number; next_cursor: string | null; has_more: boolean }
    | { mode: 'page'; limit: number; page: number; total: number; pages: number };
}

/** The unified listings (latest values of every source listing), filtered and paged. */
export async function getListings(db: Db, query: ListingQuery): Promise<ListingPage> {
  const sort = LISTING_SORTS[query.sort];
  const filters = toFilters(query);
  const order = orderOf(sort);
  if (query.page !== undefined) {
    const where = and(...filters);
    const rows = await selectListings(
      db,
      sort.key,
      where,
      order,
      query.limit,
      (query.page - 1) * query.limit,
    );
    const [total] = await db.select({ n: count() }).from(assetSources).where(where);
    const n = total?.n ?? 0;
    return {
      data: rows.map(toListing),
      pagination: {
        mode: 'page',
        limit: query.limit,
        page: query.page,
        total: n,
        pages: Math.ceil(n / query.limit),
      },
    };
  }
  if (query.cursor) filters.push(afterCursor(query.sort, query.cursor));
  const rows = await selectListings(db, sort.key, and(...filters), order, query.limit + 1, 0);
  const hasMore = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(toListing),
    pagination: {
      mode: 'cursor',
      limit: query.limit,
      has_more: hasMore,
      next_cursor:
        hasMore && last
          ? encodeCursor([query.sort, last.sortValue, last.source, last.sourceId])
          : null,
    },
  };
}

type Sort = (typeof LISTING_SORTS)[ListingSort];

function toFilters(query: ListingQuery): SQL[] {
  const filters: SQL[] = [];
  if (query.source) filters.push(eq(assetSources.source, query.source));
  if (query.symbol) filters.push(sql`${assetSources.symbol} = upper(${query.symbol})`);
  if (query.assetId !== undefined) filters.push(eq(assetSources.assetId, query.assetId));
  if (query.q) {
    const prefix = `${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(
      sql`(lower(${assetSources.name}) like ${prefix} or lower(${assetSources.symbol}) like ${prefix})`,
    );
  }
  if (query.updatedSince) filters.push(gte(assetSources.observedAt, query.updatedSince));
  return filters;
}

function orderOf(sort: Sort): SQL[] {
  const by = sort.dir === 'asc' ? asc : desc;
  return [
    ...(sort.key ? [sort.dir === 'asc' ? sql`${sort.key} asc` : sql`${sort.key} desc`] : []),
    by(assetSources.source),
    by(assetSources.sourceId),
  ];
}

function selectListings(
  db: Db,
  key: SQL | null,
  where: SQL | undefined,
  order: SQL[],
  limit: number,
  offset: number,
) {
  return db
    .select({
      row: assetSources,
      source: assetSources.source,
      sourceId: assetSources.sourceId,
      sortValue: key ? sql<string>`(${key})::text` : sql<string>`''`,
    })
    .from(assetSources)
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .offset(offset);
}

function afterCursor(sortName: ListingSort, cursor: string): SQL {
  const [name, value, source, sourceId] = decodeListingCursor(cursor);
  if (name !== sortName)
    throw new KxError('usage', `cursor: it belongs to sort=${name}, not sort=${sortName}`);
  const sort = LISTING_SORTS[sortName];
  const op = sort.dir === 'asc' ? sql`>` : sql`<`;
  if (!sort.key)
    return sql`(${assetSources.source}, ${assetSources.sourceId}) ${op} (${source}, ${sourceId})`;
  const typed = sql`${value}::${sql.raw(sort.cast)}`;
  return sql`(${sort.key}, ${assetSources.source}, ${assetSources.sourceId}) ${op} (${typed}, ${source}, ${sourceId})`;
}

/** A listing cursor: its sort, the sort value, and the listing's key. */
function decodeListingCursor(cursor: string): [ListingSort, string, string, string] {
  return decodeCursor(
    cursor,
    4,
    ([sort, value]) =>
      sort! in LISTING_SORTS && isCastable(LISTING_SORTS[sort as ListingSort].cast, value!),
  ) as [ListingSort, string, string, string];
}

export function toListing({ row }: { row: typeof assetSources.$inferSelect }): Listing {
  return {
    source: row.source,
    source_id: row.sourceId,
    asset_id: row.assetId,
    symbol: row.symbol,
    name: row.name,
    rank: row.rank,
    price_usd: row.priceUsd,
    market_cap_usd: row.marketCapUsd,
    volume_24h_usd: row.volume24hUsd,
    circulating_supply: row.circulatingSupply,
    total_supply: row.totalSupply,
    max_supply: row.maxSupply,
    percent_change_24h: row.percentChange24h,
    observed_at: row.observedAt.toISOString(),
    match: { method: row.matchMethod, confidence: row.confidence },
  };
}
