import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { selectRows } from '../../src/db/sql.js';
import { createApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import { AssetPageSchema } from '../../src/http/schemas.js';
import { sourceNames, type Sources } from '../../src/sources/index.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { createFakeSources, ingestWith } from '../helpers/ingest.js';

/**
 * #16: `GET /assets`, one row per coin across the recorded CoinGecko and CoinPaprika data and
 * the CSV sample. Every row is checked against the listings as stored, with the consensus and
 * the spread recomputed here in exact integer arithmetic.
 */
type Row = v.InferOutput<typeof AssetPageSchema>['data'][number];
interface StoredListing {
  asset_id: number;
  source: string;
  price: string | null;
  market_cap: string | null;
  rank: number | null;
  at: number;
}

let fake: FakeUpstream;
let database: TestDatabase;
let handle: DbHandle;
let app: ReturnType<typeof createApp>;
let listings: StoredListing[];

beforeAll(async () => {
  fake = await startFakeUpstream();
  const sources: Sources = createFakeSources(fake);
  database = await createTestDatabase();
  handle = await database.open();
  await ingestWith(handle, sources.coingecko, {});
  await ingestWith(handle, sources.coinpaprika, {});
  await ingestWith(handle, sources.csv, { file: join(repoRoot, 'fixtures/sample.csv'), map: [] });
  app = createApp({ handle, sources: sourceNames, metrics: createHttpMetrics(), version: 'test' });
  listings = (
    await selectRows<StoredListing & { asset_id: string; at: string }>(
      handle.db,
      sql`select asset_id, source, price_usd::text as price, market_cap_usd::text as market_cap,
            rank, (extract(epoch from observed_at) * 1000000)::bigint::text as at,
            source_id
          from asset_sources order by observed_at desc, source, source_id`,
    )
  ).map((r) => ({ ...r, asset_id: Number(r.asset_id), at: Number(r.at) }));
}, 120_000);
afterAll(async () => {
  await handle.close();
  await database.drop();
  await fake.close();
});

/** A decimal string as an integer and its scale: `12.50` → [1250n, 2]. */
function parse(d: string): [bigint, number] {
  const [int, frac = ''] = d.split('.');
  return [BigInt(`${int}${frac}`), frac.length];
}
function format(n: bigint, scale: number): string {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return `${negative ? '-' : ''}${trimmed}`;
}
const rescale = ([n, s]: [bigint, number], to: number) => n * 10n ** BigInt(to - s);

/** What /assets must answer for an asset, from its stored listings. */
function expectedRow(id: number, freshSeconds: number) {
  const mine = listings.filter((l) => l.asset_id === id);
  const newest = Math.max(...mine.map((l) => l.at));
  const prices = mine
    .filter((l) => l.price !== null && l.at >= newest - freshSeconds * 1_000_000)
    .map((l) => parse(l.price!));
  const scale = Math.max(0, ...prices.map(([, s]) => s)) + 1;
  const sorted = prices.map((p) => rescale(p, scale)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = sorted.length;
  const median = n === 0 ? null : (sorted[(n - 1) >> 1]! + sorted[n >> 1]!) / 2n; // exact: one spare digit
  let spread: string | null = null;
  if (n > 1 && median! > 0n) {
    // round((max − min) / median, 8), half away from zero, as PostgreSQL rounds numeric.
    const q = ((sorted[n - 1]! - sorted[0]!) * 10n ** 9n) / median!;
    spread = format((q + 5n) / 10n, 8);
  }
  const latest = (pick: (l: StoredListing) => unknown) => mine.find((l) => pick(l) !== null);
  return {
    sources: [...new Set(mine.map((l) => l.source))].sort(),
    listings: mine.length,
    prices: n,
    price_usd: median === null ? null : format(median, scale),
    spread,
    market_cap_usd: latest((l) => l.market_cap)?.market_cap ?? null,
    rank: latest((l) => l.rank)?.rank ?? null,
  };
}

async function get(query: string) {
  const res = await app.request(`/assets?${query}`);
  const body = (await res.json()) as v.InferOutput<typeof AssetPageSchema>;
  return { status: res.status, body };
}

/** Every page of a query, following next_cursor; checks each page against the schema. */
async function walk(query: string): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const r = await get(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(v.safeParse(AssetPageSchema, r.body).issues).toBeUndefined();
    rows.push(...r.body.data);
    cursor = r.body.pagination.next_cursor;
  } while (cursor);
  return rows;
}

describe('GET /assets', () => {
  it('one row per asset, each exact against its stored listings, at either freshness', async () => {
    const assetIds = new Set(listings.map((l) => l.asset_id));
    for (const fresh of [
      ['', 3600],
      ['&fresh_within=366d', 366 * 86_400],
    ] as const) {
      const rows = await walk(`limit=97${fresh[0]}`);
      expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(
        [...assetIds].sort((a, b) => a - b),
      );
      for (const row of rows)
        expect(row, `asset ${row.id}`).toMatchObject(expectedRow(row.id, fresh[1]));
    }
    // The data really exercises the consensus: 248 coins with two prices (a mean of two),
    // and coins on all three sources.
    const everything = await walk('limit=500&fresh_within=366d');
    expect(everything.filter((r) => r.prices === 2).length).toBeGreaterThan(100);
    expect(everything.filter((r) => r.sources.length === 3).length).toBeGreaterThan(0);
    const btc = (await get('symbol=btc&fresh_within=366d')).body.data;
    expect(btc[0]).toMatchObject({ symbol: 'BTC', sources: ['coingecko', 'coinpaprika', 'csv'] });
    // Recorded on different days, CoinGecko and CoinPaprika disagree on BTC by about 11%.
    expect(Number(btc[0]!.spread)).toBeGreaterThan(0.1);
  });

  it('sorts each way with missing values last, and pages without gaps or repeats', async () => {
    const all = await walk('limit=500');
    for (const [sort, value] of [
      ['market_cap_usd', (r: Row) => (r.market_cap_usd === null ? null : Number(r.market_cap_usd))],
      ['price_usd', (r: Row) => (r.price_usd === null ? null : Number(r.price_usd))],
      ['spread', (r: Row) => (r.spread === null ? null : Number(r.spread))],
      ['rank', (r: Row) => r.rank],
      ['symbol', (r: Row) => r.symbol],
    ] as const) {
      for (const desc of [false, true]) {
        const order = `sort=${desc ? '-' : ''}${sort}`;
        const rows = await walk(`${order}&limit=41`);
        // Pages of 41 read exactly as one page of all: no gap, no repeat, the same order.
        expect(
          rows.map((r) => r.id),
          order,
        ).toEqual((await walk(`${order}&limit=500`)).map((r) => r.id));
        expect(rows).toHaveLength(all.length);
        if (sort === 'symbol') continue; // text order is the database's collation
        const values = rows.map(value);
        const firstNull = values.indexOf(null);
        if (firstNull >= 0)
          expect(
            values.slice(firstNull).every((x) => x === null),
            sort,
          ).toBe(true);
        const present = values.filter((x) => x !== null);
        const ordered = [...present].sort((a, b) =>
          a < b ? (desc ? 1 : -1) : a > b ? (desc ? -1 : 1) : 0,
        );
        expect(present, `${desc ? '-' : ''}${sort}`).toEqual(ordered);
      }
    }
  });

  it('filters by prefix, symbol, source and number of sources', async () => {
    const bit = await walk('q=bit&limit=100');
    expect(bit.length).toBeGreaterThan(0);
    for (const r of bit)
      expect([r.symbol, r.name ?? ''].some((t) => t.toLowerCase().startsWith('bit'))).toBe(true);
    const csv = await walk('source=csv&limit=100');
    const listedByCsv = new Set(listings.filter((l) => l.source === 'csv').map((l) => l.asset_id));
    expect(csv.map((r) => r.id).sort((a, b) => a - b)).toEqual(
      [...listedByCsv].sort((a, b) => a - b),
    );
    const three = await walk('min_sources=3&limit=100');
    expect(three.length).toBeGreaterThan(0);
    expect(three.every((r) => r.sources.length === 3)).toBe(true);
    expect((await walk('symbol=eth')).every((r) => r.symbol === 'ETH')).toBe(true);
  });

  it('refuses bad parameters with a 400 that names them', async () => {
    const first = await get('limit=1&sort=spread');
    for (const [query, name] of [
      ['fresh_within=1x', 'fresh_within'],
      ['fresh_within=0s', 'fresh_within'],
      ['min_sources=0', 'min_sources'],
      ['sort=volume', 'sort'],
      ['source=kraken', 'source'],
      [`sort=rank&cursor=${first.body.pagination.next_cursor}`, 'cursor'],
      ['cursor=bm9wZQ', 'cursor'],
    ] as const) {
      const res = await app.request(`/assets?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(name);
    }
  });
});

describe('exports: /data, /assets and a coin history as CSV and NDJSON', () => {
  /** A JSON row as its CSV line shows it: nested values flattened, null as empty. */
  const flat = (row: Record<string, unknown>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(row).flatMap(([k, value]): [string, string][] => {
        if (value === null) return [[k, '']];
        if (Array.isArray(value)) return [[k, (value as string[]).join(';')]];
        if (typeof value === 'object')
          return Object.entries(value).map(([inner, x]) => [`${k}_${inner}`, String(x as string)]);
        return [[k, typeof value === 'string' ? value : JSON.stringify(value)]];
      }),
    );
  const csvOf = (text: string) => parseCsv<Record<string, string>>(text, { columns: true });

  it('/data?format=csv: every listing the JSON pages show, streamed as an attachment', async () => {
    const pages: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const res = await app.request(
        `/data?sort=-market_cap_usd&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const body = (await res.json()) as {
        data: Record<string, unknown>[];
        pagination: { next_cursor: string | null };
      };
      pages.push(...body.data);
      cursor = body.pagination.next_cursor;
    } while (cursor);
    const res = await app.request('/data?sort=-market_cap_usd&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="kx-listings.csv"');
    expect(res.body).toBeInstanceOf(ReadableStream);
    expect(csvOf(await res.text())).toEqual(pages.map(flat));
    expect(pages.length).toBe(listings.length);
  });

  it('/assets with Accept: text/csv, and a history as NDJSON, equal to their JSON', async () => {
    const json = await walk('limit=500&min_sources=2');
    const res = await app.request('/assets?min_sources=2', { headers: { accept: 'text/csv' } });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csvOf(await res.text())).toEqual(json.map(flat));

    const btc = json.find((a) => a.symbol === 'BTC')!;
    const window = 'from=2000-01-01&to=2030-01-01';
    const history = (await (await app.request(`/assets/${btc.id}/quotes?${window}`)).json()) as {
      data: unknown[];
    };
    expect(history.data.length).toBeGreaterThan(1);
    const nd = await app.request(`/assets/${btc.id}/quotes?${window}&format=ndjson`);
    expect(nd.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await nd.text()).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(history.data);
  });

  it('an export takes no limit, cursor or page; OpenAPI names its content types', async () => {
    for (const query of ['format=csv&limit=5', 'format=ndjson&page=2', 'format=csv&cursor=x']) {
      const res = await app.request(`/data?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text()).toContain('an export returns every matching row');
    }
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: { 200: { content: object } } } }>;
    };
    for (const path of ['/data', '/assets', '/assets/{id}/quotes'])
      expect(Object.keys(doc.paths[path]!.get.responses[200].content)).toEqual([
        'application/json',
        'text/csv',
        'application/x-ndjson',
      ]);
  });
});
