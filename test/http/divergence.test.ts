import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { assetSources } from '../../src/db/schema.js';
import { createApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import { DivergenceSchema, HistorySchema } from '../../src/http/schemas.js';
import { sourceNames } from '../../src/sources/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { moveBitcoin, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { createFakeSources, ingestWith } from '../helpers/ingest.js';
import { eq, and } from 'drizzle-orm';

/**
 * #16: where sources disagree. CoinGecko and CoinPaprika are ingested on four days of March
 * 2025 with BTC moved each day: CoinGecko at 100.25 + i, CoinPaprika at 110.5 + i (and twice on
 * the last day, so the close is the later one). The consensus and the divergence are checked
 * against those numbers, exactly.
 */
let fake: FakeUpstream;
let database: TestDatabase;
let handle: DbHandle;
let app: ReturnType<typeof createApp>;
let btc: number;

const DAYS = 4;
const day = (i: number) => `2025-03-0${i + 1}`;
const gecko = (i: number) => String(100.25 + i);
const paprika = (i: number) => String(110.5 + i);

beforeAll(async () => {
  fake = await startFakeUpstream();
  const sources = createFakeSources(fake);
  database = await createTestDatabase();
  handle = await database.open();
  const round = async (i: number, hour: string, paprikaPrice: string) => {
    moveBitcoin(fake, `${day(i)}T${hour}:00:00Z`, {
      coingecko: gecko(i),
      coinpaprika: paprikaPrice,
    });
    await ingestWith(handle, sources.coingecko, {});
    await ingestWith(handle, sources.coinpaprika, {});
  };
  // The last day, CoinPaprika first says 999 at 09:00, then its real price at 12:00.
  await round(DAYS - 1, '09', '999');
  for (let i = 0; i < DAYS; i++) await round(i, '12', paprika(i));
  app = createApp({
    handle,
    sources: sourceNames,
    metrics: createHttpMetrics(),
    version: 'test',
    logError: (e) => console.error('SERVER', e),
  });
  const [row] = await handle.db
    .select({ assetId: assetSources.assetId })
    .from(assetSources)
    .where(and(eq(assetSources.source, 'coingecko'), eq(assetSources.sourceId, 'bitcoin')));
  btc = row!.assetId;
}, 120_000);
afterAll(async () => {
  await handle.close();
  await database.drop();
  await fake.close();
});

const march = 'from=2025-03-01&to=2025-03-05';

async function get<S extends v.GenericSchema>(path: string, schema: S) {
  const res = await app.request(path);
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(v.safeParse(schema, body).issues).toBeUndefined();
  return body as v.InferOutput<S>;
}

/** The exact median of two 2-place prices: (a + b) / 2, trailing zeros dropped. */
const mean = (a: string, b: string) => ((Number(a) * 100 + Number(b) * 100) / 2 / 100).toString();

describe('GET /assets/:id/quotes?source=…,consensus', () => {
  it('adds per day the median close across sources, and only that when asked alone', async () => {
    const body = await get(
      `/assets/${btc}/quotes?${march}&interval=1d&source=coingecko,coinpaprika,consensus`,
      HistorySchema,
    );
    const rows = body.data as { source: string; bucket: string; close: string | null }[];
    const expected = Array.from({ length: DAYS }, (_, i) => [
      { source: 'coingecko', bucket: `${day(i)}T00:00:00Z`, close: gecko(i) },
      { source: 'coinpaprika', bucket: `${day(i)}T00:00:00Z`, close: paprika(i) },
      { source: 'consensus', bucket: `${day(i)}T00:00:00Z`, close: mean(gecko(i), paprika(i)) },
    ]).flat();
    expect(rows.map(({ source, bucket, close }) => ({ source, bucket, close }))).toEqual(expected);
    // The 999 of the last morning is its high, not its close.
    expect(rows.at(-2)).toMatchObject({ high: '999', observations: 2 });

    const alone = await get(
      `/assets/${btc}/quotes?${march}&interval=1d&source=consensus`,
      HistorySchema,
    );
    expect(alone.data).toEqual(
      expected
        .filter((r) => r.source === 'consensus')
        .map((r) => ({
          ...r,
          open: null,
          high: null,
          low: null,
          market_cap_usd: null,
          volume_24h_usd: null,
          observations: 2,
        })),
    );
    const raw = await app.request(`/assets/${btc}/quotes?${march}&source=consensus`);
    expect(raw.status).toBe(400);
    expect(await raw.text()).toContain('consensus needs an interval');
  });
});

describe('GET /assets/:id/divergence', () => {
  it('per day the lowest and highest close, by whom, and their distance over the median', async () => {
    const body = await get(`/assets/${btc}/divergence?${march}`, DivergenceSchema);
    expect(body.data).toEqual(
      Array.from({ length: DAYS }, (_, i) => {
        const median = mean(gecko(i), paprika(i));
        return {
          bucket: `${day(i)}T00:00:00Z`,
          sources: 2,
          low: gecko(i),
          low_source: 'coingecko',
          high: paprika(i),
          high_source: 'coinpaprika',
          median,
          // 10.25 / median, rounded half up to 8 places.
          divergence: (Math.round((10.25 / Number(median)) * 1e8) / 1e8).toString(),
        };
      }),
    );
    const largest = await get(
      `/assets/${btc}/divergence?${march}&order=divergence&limit=1`,
      DivergenceSchema,
    );
    expect(largest.data.map((r) => r.bucket)).toEqual([`${day(0)}T00:00:00Z`]);
    expect(largest.pagination.has_more).toBe(true);
    // One source alone has nothing to disagree with: no bucket reaches min_sources=2.
    const one = await get(`/assets/${btc}/divergence?${march}&source=coingecko`, DivergenceSchema);
    expect(one.data).toEqual([]);
    for (const query of ['interval=raw', 'order=size', 'min_sources=9', 'source=consensus'])
      expect((await app.request(`/assets/${btc}/divergence?${query}`)).status, query).toBe(400);
    expect((await app.request('/assets/999999/divergence')).status).toBe(404);
  });
});
