import type { Db } from '../db/client.js';
import { listAssets, type AssetListQuery, type AssetRow } from './asset-list.js';
import { getHistory, type Bucket, type HistoryQuery, type Observation } from './history.js';
import { getListings, type Listing, type ListingQuery } from './listings.js';
import {
  describeLocator,
  listRejected,
  rejectedToJson,
  type RejectedQuery,
  type RejectedRecord,
} from './rejected.js';

/**
 * Exports: every row a list query matches, read a page at a time by its keyset cursor and
 * encoded as CSV, NDJSON or one JSON array while it is read. Memory stays flat however many
 * rows there are (one page at a time), on PGlite and on a server alike, and the first bytes
 * leave after the first page. `GET /data|/assets|/assets/:id/quotes?format=…` and
 * `kx export` both use these.
 */
export const EXPORT_FORMATS = ['csv', 'ndjson', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
};

/** Rows per query while exporting. */
const PAGE = 2000;

type Cell = string | number | boolean | null;
/** A CSV column: its header and how a row gives its value. */
type Column<R> = [header: string, get: (row: R) => Cell];

/** The rows of an export and the CSV columns that flatten them (JSON keeps each row as the API shows it). */
export interface Export<R = unknown> {
  rows: AsyncIterable<R>;
  columns: Column<R>[];
  /** A row as JSON text, where `JSON.stringify` would not write it as the API shows it. */
  json?: (row: R) => string;
}

const field = <R>(key: keyof R & string): Column<R> => [key, (row) => row[key] as Cell];

export function exportListings(
  db: Db,
  query: Omit<ListingQuery, 'limit' | 'cursor' | 'page'>,
): Export<Listing> {
  const keys = [
    'source',
    'source_id',
    'asset_id',
    'symbol',
    'name',
    'rank',
    'price_usd',
    'market_cap_usd',
    'volume_24h_usd',
    'circulating_supply',
    'total_supply',
    'max_supply',
    'percent_change_24h',
    'observed_at',
  ] as const;
  return {
    rows: pages(async (cursor) => {
      const page = await getListings(db, { ...query, limit: PAGE, cursor });
      return {
        rows: page.data,
        next: page.pagination.mode === 'cursor' ? page.pagination.next_cursor : null,
      };
    }),
    columns: [
      ...keys.map((k) => field<Listing>(k)),
      ['match_method', (l) => l.match.method],
      ['match_confidence', (l) => l.match.confidence],
    ],
  };
}

export function exportAssets(
  db: Db,
  query: Omit<AssetListQuery, 'limit' | 'cursor'>,
): Export<AssetRow> {
  return {
    rows: pages(async (cursor) => {
      const page = await listAssets(db, { ...query, limit: PAGE, cursor });
      return { rows: page.data, next: page.pagination.next_cursor };
    }),
    columns: [
      field('id'),
      field('symbol'),
      field('name'),
      field('slug'),
      ['sources', (a) => a.sources.join(';')],
      field('listings'),
      field('price_usd'),
      field('prices'),
      field('spread'),
      field('observed_at'),
      field('market_cap_usd'),
      field('rank'),
    ],
  };
}

/** Buckets are bounded by the window (a year of days is 365 per source): one query. */
const MAX_BUCKETS = 1_000_000;

export function exportQuotes(
  db: Db,
  query: Omit<HistoryQuery, 'limit' | 'cursor'>,
): Export<Observation | Bucket> {
  if (query.interval !== 'raw')
    return {
      rows: pages<Observation | Bucket>(async () => {
        const page = await getHistory(db, { ...query, limit: MAX_BUCKETS });
        return { rows: page.data, next: null };
      }),
      columns: (
        [
          'source',
          'bucket',
          'open',
          'high',
          'low',
          'close',
          'market_cap_usd',
          'volume_24h_usd',
          'observations',
        ] as const
      ).map((k) => field<Bucket>(k)) as Column<Observation | Bucket>[],
    };
  return {
    rows: pages<Observation | Bucket>(async (cursor) => {
      const page = await getHistory(db, { ...query, limit: PAGE, cursor });
      return { rows: page.data, next: page.pagination.next_cursor };
    }),
    columns: (
      [
        'source',
        'source_id',
        'observed_at',
        'price_usd',
        'market_cap_usd',
        'volume_24h_usd',
      ] as const
    ).map((k) => field<Observation>(k)) as Column<Observation | Bucket>[],
  };
}

/**
 * Rejected records, oldest first: where each was (`prices.csv:14`), the field and the reason,
 * and the record as its source gave it. In JSON the record is an object with its numbers exact.
 */
export function exportRejected(
  db: Db,
  query: Omit<RejectedQuery, 'limit' | 'afterId'>,
): Export<RejectedRecord> {
  return {
    rows: pages(async (cursor) => {
      const rows = await listRejected(db, {
        ...query,
        limit: PAGE,
        afterId: cursor === undefined ? undefined : Number(cursor),
      });
      return { rows, next: rows.length === PAGE ? String(rows.at(-1)!.id) : null };
    }),
    columns: [
      field('run_id'),
      field('source'),
      ['locator', (r) => describeLocator(r.locator)],
      field('source_id'),
      field('field'),
      field('reason'),
      field('record'),
      field('rejected_at'),
    ],
    json: rejectedToJson,
  };
}

/** Follows `next` cursors until there is none; one page in memory at a time. */
async function* pages<R>(
  read: (cursor: string | undefined) => Promise<{ rows: readonly R[]; next: string | null }>,
): AsyncGenerator<R> {
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    yield* page.rows;
    cursor = page.next ?? undefined;
  } while (cursor);
}

/** Text chunks of about this size: one write per chunk, not per row. */
const CHUNK = 64 * 1024;

/** The export as text chunks in `format`; `tally.rows` counts the rows encoded, if given. */
export async function* encode<R>(
  { rows, columns, json = (row) => JSON.stringify(row) }: Export<R>,
  format: ExportFormat,
  tally?: { rows: number },
): AsyncGenerator<string> {
  let chunk = '';
  let first = true;
  if (format === 'csv') chunk = `${columns.map(([header]) => header).join(',')}\r\n`;
  if (format === 'json') chunk = '[';
  for await (const row of rows) {
    if (tally) tally.rows++;
    if (format === 'csv') chunk += `${columns.map(([, get]) => csvField(get(row))).join(',')}\r\n`;
    else if (format === 'ndjson') chunk += `${json(row)}\n`;
    else chunk += `${first ? '\n' : ',\n'}${json(row)}`;
    first = false;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (format === 'json') chunk += first ? ']\n' : '\n]\n';
  if (chunk) yield chunk;
}

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. Text a
 * spreadsheet would run as a formula (`=HYPERLINK(…)`, `-2+3+cmd|…`, `@SUM(…)`: a listing's name
 * is whatever its source says) gets an apostrophe before it, as OWASP advises; numbers do not.
 */
function csvField(value: Cell): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;
