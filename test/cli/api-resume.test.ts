import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { assetSources, etlRuns } from '../../src/db/schema.js';
import { collect, runKx, startKx } from '../helpers/cli.js';
import { withOpen } from '../helpers/db.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { snapshotState } from '../helpers/state.js';
import { useUpstreamSetup, pagesFetched } from '../helpers/upstream-setup.js';

/** API runs that fail or are killed mid-run, then resumed: nothing refetched but the page in flight. */
const { setup, cleanState } = useUpstreamSetup();

describe('CoinGecko: a failure on page k, then kx resume', () => {
  let clean: Awaited<ReturnType<typeof snapshotState>>;
  beforeEach(async () => {
    clean = await cleanState('coingecko', { coingeckoCoins: 700 });
  });

  it('FAIL_AFTER_N_RECORDS inside page 2: resume refetches only that page and ends equal to a clean run', async () => {
    const { database, fake, env } = await setup({ coingeckoCoins: 700 });
    const failed = await runKx(['ingest', '--source', 'coingecko'], {
      ...env,
      FAIL_AFTER_N_RECORDS: '300',
      KX_BATCH_SIZE: '64',
    });
    expect(failed.code, failed.stderr).toBe(5);
    expect(pagesFetched(fake)).toEqual([1, 2]);
    const resumed = await runKx(['resume', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ status: 'succeeded', fetched: 400 }]);
    expect(pagesFetched(fake)).toEqual([1, 2, 2, 3]); // page 2 was in flight: the only page fetched twice
    expect(await withOpen(database, snapshotState)).toEqual(clean);
  });

  it('an upstream outage on page 3 exits 3 after bounded retries; resume continues at page 3', async () => {
    const { database, fake, env } = await setup({ coingeckoCoins: 700 });
    for (let i = 0; i < 4; i++) fake.fault('markets', { status: 503, body: '{"error":"busy"}' }, 3);
    const failed = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(
      /CoinGecko: HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/api\/v3\/coins\/markets\?.*page=3.* \(gave up after 4 tries\)/,
    );
    expect(pagesFetched(fake)).toEqual([1, 2, 3, 3, 3, 3]);
    const resumed = await runKx(['resume'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(pagesFetched(fake).slice(6)).toEqual([3]);
    expect(await withOpen(database, snapshotState)).toEqual(clean);
    await withOpen(database, async ({ db }) => {
      const [run] = await db.select().from(etlRuns);
      expect(run).toMatchObject({ status: 'succeeded', attempts: 2, fetched: 700 });
    });
  });
});

describe('CoinGecko: a coin on two pages (the ranking moved while kx paged)', () => {
  it('a crash between its two copies ends equal to a clean run', async () => {
    // The second copy is fresher: coin 10 of page 1 again as item 10 of page 2.
    const moved = (fake: FakeUpstream) => {
      const first = fake.coingeckoItems()[10]!;
      fake.transform('markets', (item, i) =>
        i === 260
          ? { ...first, current_price: 12345.5, last_updated: '2025-02-09T18:00:00.000Z' }
          : item,
      );
      return String(first.id);
    };
    const clean = await setup({ coingeckoCoins: 500 });
    const id = moved(clean.fake);
    const run = ['ingest', '--source', 'coingecko', '--max-pages', '2'];
    const whole = await runKx([...run, '--json'], clean.env);
    expect(whole.code, whole.stderr).toBe(0);
    expect(JSON.parse(whole.stdout)).toMatchObject({ fetched: 500, loaded: 500 });
    const cleanState = await withOpen(clean.database, snapshotState);

    const { database, fake, env } = await setup({ coingeckoCoins: 500 });
    moved(fake);
    const failed = await runKx(run, { ...env, FAIL_AFTER_N_RECORDS: '250' });
    expect(failed.code, failed.stderr).toBe(5);
    // was the first copy's price: a resumed run forgot it had read the coin, a clean one
    // skipped its second copy
    expect((await runKx(['resume'], env)).code).toBe(0);
    expect(await withOpen(database, snapshotState)).toEqual(cleanState);
    await withOpen(database, async ({ db }) => {
      const [listing] = await db
        .select()
        .from(assetSources)
        .where(sql`${assetSources.source} = 'coingecko' and ${assetSources.sourceId} = ${id}`);
      expect(listing!.priceUsd).toBe('12345.5');
    });
  });
});

describe('CoinGecko: pages in hand are committed while the next one is awaited', () => {
  it('killed while page 3 hangs, it keeps pages 1 and 2; resume fetches page 3 only', async () => {
    const clean = await cleanState('coingecko', { coingeckoCoins: 700 });
    const { database, fake, env } = await setup({ coingeckoCoins: 700 });
    fake.fault('markets', { delayMs: 20_000 }, 3);
    const child = startKx(['ingest', '--source', 'coingecko'], { ...env, KX_LOG_LEVEL: 'debug' });
    const done = collect(child);
    const committed: number[] = [];
    child.stderr!.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString().matchAll(/committed (\d+) records/g))
        committed.push(Number(m[1]));
    });
    // Checked on every event that can change the answer (a log line, a request seen by the
    // fake upstream); no wall-clock deadline but the test's own, and kx exiting first fails.
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pagesFetched(fake).includes(3) && committed.includes(500)) resolve();
      };
      child.stderr!.on('data', () => setImmediate(check));
      fake.onRequest(() => setImmediate(check));
      child.on('exit', (code) =>
        reject(new Error(`kx exited (${code}) before page 3 was requested and 500 committed`)),
      );
      check();
    });
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    // Pages that come back to back share a commit; a commit never splits a page here.
    expect(committed.at(-1)).toBe(500);
    expect(committed.every((n) => n % 250 === 0)).toBe(true);

    const resumed = await runKx(['resume', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ status: 'succeeded', fetched: 200 }]);
    expect(pagesFetched(fake)).toEqual([1, 2, 3, 3]);
    expect(await withOpen(database, snapshotState)).toEqual(clean);
  });
});

describe('CoinPaprika: the landed snapshot is resumed, never refetched', () => {
  it('FAIL_AFTER_N_RECORDS then resume: one /tickers call, the clean state', async () => {
    const clean = await cleanState('coinpaprika', { paprikaTickers: 2000 });
    const { database, fake, env } = await setup({ paprikaTickers: 2000 });
    const failed = await runKx(['ingest', '--source', 'coinpaprika'], {
      ...env,
      FAIL_AFTER_N_RECORDS: '777',
    });
    expect(failed.code).toBe(5);
    fake.transform('tickers', (t) => ({ ...t, name: 'changed upstream after the crash' }));
    const resumed = await runKx(['resume', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ fetched: 2000 - 777 }]);
    expect(fake.requests.filter((q) => q.path.endsWith('/tickers'))).toHaveLength(1);
    expect(await withOpen(database, snapshotState)).toEqual(clean);
  });

  it('a kx child killed with SIGKILL mid-normalize is resumed to the clean state', async () => {
    // The clean state of the test above: the memo makes it once.
    const options = { paprikaTickers: 2_000 };
    const clean = await cleanState('coinpaprika', options);
    const { database, fake, env } = await setup(options);
    const child = startKx(['ingest', '--source', 'coinpaprika'], {
      ...env,
      KX_BATCH_SIZE: '250',
      KX_LOG_LEVEL: 'debug',
    });
    const done = collect(child);
    let killedAt = 0;
    child.stderr!.on('data', (chunk: Buffer) => {
      const m = /committed (\d+) records/.exec(chunk.toString());
      if (m && Number(m[1]) >= 1000 && killedAt === 0) {
        killedAt = Number(m[1]);
        child.kill('SIGKILL');
      }
    });
    expect((await done).signal).toBe('SIGKILL');
    const resumed = await runKx(['resume', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [result] = JSON.parse(resumed.stdout) as { fetched: number }[];
    expect(result!.fetched).toBeLessThanOrEqual(2_000 - killedAt);
    expect(killedAt).toBeLessThan(2_000);
    expect(fake.requests.filter((q) => q.path.endsWith('/tickers'))).toHaveLength(1);
    const state = await withOpen(database, snapshotState);
    expect(state.quotes.length).toBe(clean.quotes.length);
    expect(state).toEqual(clean);
  });
});
