import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { selectRows, toArrayLiteral } from '../../src/db/sql.js';
import { createApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import { HistorySchema } from '../../src/http/schemas.js';
import { csvSource } from '../../src/sources/csv/index.js';
import { sourceNames } from '../../src/sources/index.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ingestWith } from '../helpers/ingest.js';

/** #16: a coin's history over HTTP, exact, checked against the rows in `quotes`. */
let database: TestDatabase;
let handle: DbHandle;
let app: ReturnType<typeof createApp>;
let assetId: number;
/** BTC's quotes as stored: time, exact price and volume, in time order. */
let stored: { at: string; price: string; volume: string }[];

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await database.open();
  // Yahoo Finance, 100 days from 2014-09-17: `2014-09-17,465.864014,…,457.334015,…`.
  const file = join(repoRoot, 'fixtures/csv/wild/yahoo_finance_btc_usd_2014.csv');
  await ingestWith(handle, csvSource, { file, map: [], symbol: 'BTC' });
  app = createApp({ handle, sources: sourceNames, metrics: createHttpMetrics(), version: 'test' });
  const list = await selectRows<{ asset_id: number; at: string; price: string; volume: string }>(
    handle.db,
    sql`select asset_id, to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at,
          price_usd::text as price, volume_24h_usd::text as volume from quotes order by observed_at`,
  );
  stored = list.map((r) => ({ at: r.at, price: r.price, volume: r.volume }));
  assetId = Number(list[0]!.asset_id);
});
afterAll(async () => {
  await handle.close();
  await database.drop();
});

async function get(path: string) {
  const res = await app.request(path);
  return { status: res.status, body: (await res.json()) as v.InferOutput<typeof HistorySchema> };
}

describe('GET /assets/:id/quotes', () => {
  const year = 'from=2014-01-01&to=2015-01-01';

  it('raw: every observation, in time order, exact, paged by cursor', async () => {
    const seen: { at: string; price: string | null }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get(
        `/assets/${assetId}/quotes?${year}&limit=30${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(r.status).toBe(200);
      expect(v.safeParse(HistorySchema, r.body).success).toBe(true);
      const rows = r.body.data as { observed_at: string; price_usd: string | null }[];
      seen.push(...rows.map((o) => ({ at: o.observed_at, price: o.price_usd })));
      cursor = r.body.pagination.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4); // 100 rows, 30 a page
    expect(seen).toEqual(stored.map(({ at, price }) => ({ at, price })));
    expect(seen[0]).toEqual({ at: '2014-09-17T00:00:00.000Z', price: '457.334015' });
  });

  it('raw: pages of any size; ids JSON must escape, nulls, microseconds', async () => {
    // Outside `year`: three sources with two listings each, observed 0.123456 s past the hour.
    const ids = ['qu"ote\\back/slash', 'ünï\u0001\t'];
    await handle.db.execute(sql`insert into quotes (asset_id, source, source_id, observed_at,
        price_usd, market_cap_usd, volume_24h_usd, run_id, raw_id)
      select ${assetId}, s, id, '2016-01-01T00:00:00.123456Z'::timestamptz + n * interval '1 hour',
        n * 1.5, case when n % 2 = 0 then 10.25 * n end, null, 1, 1
      from unnest(array['csv', 'coingecko', 'coinpaprika']) s,
        unnest(${toArrayLiteral(ids)}::text[]) id,
        generate_series(0, 24) n`);
    const expected = Array.from({ length: 25 }, (_, n) =>
      ['coingecko', 'coinpaprika', 'csv'].flatMap((source) =>
        ids.map((source_id) => ({
          source,
          source_id,
          observed_at: new Date(Date.UTC(2016, 0, 1, n, 0, 0, 123)).toISOString(),
          price_usd: (n * 1.5).toFixed(1),
          market_cap_usd: n % 2 === 0 ? (n * 10.25).toFixed(2) : null,
          volume_24h_usd: null,
        })),
      ),
    ).flat();
    for (const limit of [1, 49, 50, 150, 151]) {
      const seen: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const path = `/assets/${assetId}/quotes?from=2016-01-01&to=2016-02-01&limit=${limit}`;
        const r = await get(`${path}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status).toBe(200);
        expect(v.safeParse(HistorySchema, r.body).success).toBe(true);
        expect(r.body.data.length).toBeLessThanOrEqual(limit);
        seen.push(...r.body.data);
        cursor = r.body.pagination.next_cursor;
        expect(r.body.pagination.has_more).toBe(cursor !== null);
        pages++;
      } while (cursor && pages < 200);
      expect(pages, `limit ${limit}`).toBe(Math.ceil(150 / limit));
      expect(seen, `limit ${limit}`).toEqual(expected);
    }
  });

  it('1w: per UTC week (from Monday) the first, highest, lowest and last price', async () => {
    const r = await get(`/assets/${assetId}/quotes?${year}&interval=1w`);
    expect(r.status).toBe(200);
    expect(v.safeParse(HistorySchema, r.body).success).toBe(true);
    const weekOf = (at: string) => {
      const day = new Date(at);
      day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7)); // back to Monday
      return `${day.toISOString().slice(0, 10)}T00:00:00Z`;
    };
    const weeks = new Map<string, typeof stored>();
    for (const q of stored) weeks.set(weekOf(q.at), [...(weeks.get(weekOf(q.at)) ?? []), q]);
    const byValue = (a: string, b: string) => Number(a) - Number(b);
    const expected = [...weeks].map(([bucket, quotes]) => {
      const prices = quotes.map((q) => q.price);
      return {
        source: 'csv',
        bucket,
        open: prices[0],
        high: [...prices].sort(byValue).at(-1),
        low: [...prices].sort(byValue)[0],
        close: prices.at(-1),
        market_cap_usd: null,
        volume_24h_usd: quotes.at(-1)!.volume,
        observations: prices.length,
      };
    });
    expect(r.body.data).toMatchObject(expected);
    expect(r.body.data).toHaveLength(weeks.size);
  });

  it('without from and to: the last 30 days (none here); a source filter; refusals', async () => {
    expect((await get(`/assets/${assetId}/quotes`)).body.data).toEqual([]);
    expect((await get(`/assets/${assetId}/quotes?${year}&source=coingecko`)).body.data).toEqual([]);
    expect(
      (await get(`/assets/${assetId}/quotes?${year}&source=csv,coingecko`)).body.data,
    ).toHaveLength(100);
    for (const [query, status] of [
      ['interval=2d', 400],
      ['source=kraken', 400],
      ['from=2015-01-01&to=2014-01-01', 400],
      ['cursor=bm9wZQ', 400],
    ] as const)
      expect((await app.request(`/assets/${assetId}/quotes?${query}`)).status, query).toBe(status);
    expect((await app.request('/assets/999999/quotes')).status).toBe(404);
  });
});
