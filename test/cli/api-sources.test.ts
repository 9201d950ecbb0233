import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assetSources,
  etlCheckpoints,
  etlRuns,
  quotes,
  rawCoingecko,
  rawCoinpaprika,
  rejectedRecords,
} from '../../src/db/schema.js';
import { LosslessNumber } from 'lossless-json';
import { runKx } from '../helpers/cli.js';
import { createTestDatabase, withOpen, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, upstreamEnv, type FakeUpstream } from '../helpers/fake-upstream.js';

let database: TestDatabase;
let fake: FakeUpstream;
let env: Record<string, string>;

beforeEach(async () => {
  database = await createTestDatabase();
  fake = await startFakeUpstream();
  env = { ...database.env, ...upstreamEnv(fake) };
});
afterEach(async () => {
  await fake.close();
  await database.drop();
});

const listing = (handle: Awaited<ReturnType<TestDatabase['open']>>, source: string, id: string) =>
  handle.db
    .select()
    .from(assetSources)
    .where(sql`${assetSources.source} = ${source} and ${assetSources.sourceId} = ${id}`)
    .then((rows) => rows[0]);

describe('kx ingest --source coingecko', () => {
  it('pages through /coins/markets and keeps the recorded values exactly', async () => {
    const r = await runKx(['ingest', '--source', 'coingecko', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 'succeeded',
      fetched: 401,
      loaded: 401,
      rejected: 0,
    });
    // 401 coins: a full page of 250, then a short page of 151 ends the run.
    expect(fake.requests.map((q) => [q.query.page, q.query.per_page, q.query.order])).toEqual([
      ['1', '250', 'id_asc'],
      ['2', '250', 'id_asc'],
    ]);
    await withOpen(database, async (handle) => {
      expect(await listing(handle, 'coingecko', 'bitcoin')).toMatchObject({
        symbol: 'BTC',
        name: 'Bitcoin',
        priceUsd: '96114.08481738689',
        marketCapUsd: '1903746811536',
        totalSupply: '19822050',
        maxSupply: '21000000',
        rank: 1,
      });
      expect((await listing(handle, 'coingecko', 'ripple'))!.percentChange24h).toBe('-0.00006');
      const stale = await listing(handle, 'coingecko', 'resolv-wstusr');
      expect(stale).toMatchObject({ percentChange24h: null, priceUsd: '1.0526848814770329' });
      expect(stale!.observedAt.toISOString()).toBe('2025-01-28T14:07:13.341Z');
      // Above 2^53 and written in exponent form upstream: exact in quotes and in the raw payload.
      expect(await listing(handle, 'coingecko', 'baby-doge-coin')).toMatchObject({
        totalSupply: '420000000000000000',
        circulatingSupply: '164301252026556060',
        priceUsd: '0.000000004279',
      });
      const [raw] = await handle.db
        .select({
          supply: sql<string>`${rawCoingecko.payload}->>'total_supply'`,
          circulating: sql<string>`(${rawCoingecko.payload}->'circulating_supply')::text`,
        })
        .from(rawCoingecko)
        .where(sql`${rawCoingecko.sourceId} = 'baby-doge-coin'`);
      expect(raw).toEqual({ supply: '420000000000000000', circulating: '164301252026556060' });
    });
  });

  it('a market cap, supply or price of 0 is not known: NULL, and the raw payload keeps the 0', async () => {
    // CoinGecko writes 0 for a coin whose supply it has not verified. Stored, the 0 became the
    // coin's market cap in /assets (the newest listing's that has one) and a price of 0 the
    // median of its sources' prices.
    const zero = new LosslessNumber('0');
    fake.transform('markets', (item) =>
      item.id === 'ripple'
        ? { ...item, market_cap: zero, circulating_supply: zero, total_supply: zero }
        : item.id === 'tron'
          ? { ...item, current_price: new LosslessNumber('0.0') }
          : item,
    );
    const r = await runKx(['ingest', '--source', 'coingecko', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ fetched: 401, loaded: 401, rejected: 0 });
    await withOpen(database, async (handle) => {
      const ripple = await listing(handle, 'coingecko', 'ripple');
      expect(ripple).toMatchObject({
        marketCapUsd: null,
        circulatingSupply: null,
        totalSupply: null,
      });
      expect(ripple!.priceUsd).toMatch(/^[1-9]/);
      const tron = await listing(handle, 'coingecko', 'tron');
      expect(tron).toMatchObject({ priceUsd: null });
      expect(tron!.marketCapUsd).toMatch(/^[1-9]/);
      const [raw] = await handle.db
        .select({ cap: sql<string>`(${rawCoingecko.payload}->'market_cap')::text` })
        .from(rawCoingecko)
        .where(sql`${rawCoingecko.sourceId} = 'ripple'`);
      expect(raw).toEqual({ cap: '0' });
    });
  });

  it('--max-pages takes the top N pages by market cap', async () => {
    const r = await runKx(['ingest', '--source', 'coingecko', '--max-pages', '1', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ fetched: 250 });
    expect(fake.requests.map((q) => [q.query.page, q.query.order])).toEqual([
      ['1', 'market_cap_desc'],
    ]);
  });

  it('a re-run over unchanged data writes nothing new; one changed coin writes one quote', async () => {
    expect((await runKx(['ingest', '--source', 'coingecko'], env)).code).toBe(0);
    const again = await runKx(['ingest', '--source', 'coingecko', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ fetched: 401, loaded: 0, unchanged: 401 });
    fake.transform('markets', (item) =>
      item.id === 'bitcoin'
        ? { ...item, current_price: 97000.5, last_updated: '2025-02-09T18:00:00.000Z' }
        : item,
    );
    const changed = await runKx(['ingest', '--source', 'coingecko', '--json'], env);
    expect(JSON.parse(changed.stdout)).toMatchObject({ fetched: 401, loaded: 1, unchanged: 400 });
    await withOpen(database, async (handle) => {
      const [counts] = await handle.db
        .select({
          quotes: sql<number>`(select count(*)::int from quotes)`,
          raw: sql<number>`(select count(*)::int from raw_coingecko)`,
        })
        .from(sql`(select 1) as one`);
      expect(counts).toEqual({ quotes: 402, raw: 402 });
      expect((await listing(handle, 'coingecko', 'bitcoin'))!.priceUsd).toBe('97000.5');
      // The checkpoint counts what the last run read, not every run's records summed.
      const [checkpoint] = await handle.db.select().from(etlCheckpoints);
      expect(checkpoint).toMatchObject({ runId: 3, records: 401 });
    });
  });
});

describe('kx ingest --source coinpaprika', () => {
  it('lands /tickers whole and maps full, legacy and free-plan tickers', async () => {
    const r = await runKx(['ingest', '--source', 'coinpaprika', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 'succeeded',
      fetched: 3,
      loaded: 3,
      rejected: 0,
    });
    await withOpen(database, async (handle) => {
      const btc = await handle.db
        .select()
        .from(quotes)
        .where(sql`${quotes.sourceId} = 'btc-bitcoin'`)
        .orderBy(quotes.observedAt);
      expect(
        btc.map((q) => [
          q.observedAt.toISOString(),
          q.priceUsd,
          q.circulatingSupply,
          q.totalSupply,
        ]),
      ).toEqual([
        ['2022-01-30T18:33:33.000Z', '38001.009348956', '18944294', '18944300'],
        // The free plan sends no circulating_supply at all.
        ['2025-06-25T10:47:48.000Z', expect.any(String), null, expect.any(String)],
      ]);
      // Legacy 2020 record: max_supply 0 means "none".
      expect(await listing(handle, 'coinpaprika', 'eth-ethereum')).toMatchObject({
        symbol: 'ETH',
        maxSupply: null,
        circulatingSupply: '109469522',
      });
      const [run] = await handle.db.select().from(etlRuns);
      expect(run!.warnings.join('\n')).not.toContain('unknown field');
      const [raw] = await handle.db.select({ n: sql<number>`count(*)::int` }).from(rawCoinpaprika);
      expect(raw!.n).toBe(3);
    });
  });

  it('one id twice at one time with different data loads neither; copies alike load once', async () => {
    await fake.close();
    fake = await startFakeUpstream({ paprikaTickers: 20 });
    env = { ...env, ...upstreamEnv(fake) };
    const served = fake.paprikaItems();
    const twin = served[4]!;
    fake.transform('tickers', (item, i) =>
      i === 5
        ? { ...item, id: twin.id, last_updated: twin.last_updated }
        : i === 7
          ? served[6]!
          : item,
    );
    const r = await runKx(['ingest', '--source', 'coinpaprika', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ fetched: 20, loaded: 17, unchanged: 1 });
    await withOpen(database, async (handle) => {
      const rejected = await handle.db.select().from(rejectedRecords);
      expect(rejected.map((x) => [x.locator, x.sourceId, x.reason])).toEqual(
        [4, 5].map((ordinal) => [
          { ordinal },
          twin.id,
          `source_id: tickers 4 and 5 of this response are both "${String(twin.id)}" at one time, with different data: which one is right is unknown, so none is loaded`,
        ]),
      );
      expect(await listing(handle, 'coinpaprika', String(twin.id))).toBeUndefined();
      const copies = await handle.db
        .select()
        .from(quotes)
        .where(sql`${quotes.sourceId} = ${String(served[6]!.id)}`);
      expect(copies).toHaveLength(1);
    });
  });
});
