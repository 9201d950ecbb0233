import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { etlRuns, rejectedRecords } from '../../src/db/schema.js';
import { collect, runKx, startKx } from '../helpers/cli.js';
import { createTestDatabase, withOpen, type TestDatabase } from '../helpers/db.js';
import {
  startFakeUpstream,
  upstreamEnv,
  type FakeUpstream,
  type FakeUpstreamOptions,
} from '../helpers/fake-upstream.js';
import { snapshotState } from '../helpers/state.js';

const opened: (FakeUpstream | TestDatabase)[] = [];
afterEach(async () => {
  for (const thing of opened.splice(0)) await ('close' in thing ? thing.close() : thing.drop());
});

/** A fresh database and fake upstream, and the env that points kx at both. */
async function setup(options: FakeUpstreamOptions = {}) {
  const database = await createTestDatabase();
  const fake = await startFakeUpstream(options);
  opened.push(fake, database);
  return { database, fake, env: { ...database.env, ...upstreamEnv(fake) } };
}

async function cleanState(source: string, options: FakeUpstreamOptions = {}) {
  const { database, env } = await setup(options);
  const r = await runKx(['ingest', '--source', source], env);
  expect(r.code, r.stderr).toBe(0);
  return withOpen(database, snapshotState);
}

const pagesFetched = (fake: FakeUpstream) =>
  fake.requests.filter((q) => q.path.endsWith('/coins/markets')).map((q) => Number(q.query.page));

describe('CoinGecko: a failure on page k, then kx resume', () => {
  let clean: Awaited<ReturnType<typeof snapshotState>>;
  beforeEach(async () => {
    clean ??= await cleanState('coingecko', { coingeckoCoins: 700 });
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
    const until = async (what: () => boolean) => {
      for (let waited = 0; !what() && waited < 10_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await until(() => pagesFetched(fake).includes(3) && committed.includes(500));
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
    const options = { paprikaTickers: 12_000 };
    const clean = await cleanState('coinpaprika', options);
    const { database, fake, env } = await setup(options);
    const child = startKx(['ingest', '--source', 'coinpaprika'], {
      ...env,
      KX_BATCH_SIZE: '500',
      KX_LOG_LEVEL: 'debug',
    });
    const done = collect(child);
    let killedAt = 0;
    child.stderr!.on('data', (chunk: Buffer) => {
      const m = /committed (\d+) records/.exec(chunk.toString());
      if (m && Number(m[1]) >= 3000 && killedAt === 0) {
        killedAt = Number(m[1]);
        child.kill('SIGKILL');
      }
    });
    expect((await done).signal).toBe('SIGKILL');
    const resumed = await runKx(['resume', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [result] = JSON.parse(resumed.stdout) as { fetched: number }[];
    expect(result!.fetched).toBeLessThanOrEqual(12_000 - killedAt);
    expect(fake.requests.filter((q) => q.path.endsWith('/tickers'))).toHaveLength(1);
    const state = await withOpen(database, snapshotState);
    expect(state.quotes.length).toBe(clean.quotes.length);
    expect(state).toEqual(clean);
  }, 180_000); // three ingests of 12,000 tickers on PGlite
});

describe('retries, terminal statuses and error pages', () => {
  const gaps = (fake: FakeUpstream) =>
    fake.requests.slice(1).map((q, i) => q.at - fake.requests[i]!.at);

  it('429 with Retry-After is honoured, then the page is fetched', async () => {
    const { fake, env } = await setup();
    fake.fault(
      'markets',
      { status: 429, headers: { 'retry-after': '1' }, body: '{"status":{"error_code":429}}' },
      1,
    );
    fake.fault('markets', { status: 429, headers: { 'retry-after': '0' } }, 1);
    const r = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(pagesFetched(fake)).toEqual([1, 1, 1, 2]);
    const [afterOne, afterZero] = gaps(fake);
    expect(afterOne).toBeGreaterThanOrEqual(950);
    expect(afterZero).toBeGreaterThanOrEqual(450); // Retry-After: 0 still waits a minimum
    expect(r.stderr).toContain('HTTP 429');
  });

  it('5xx backs off exponentially and gives up after KX_HTTP_MAX_RETRIES', async () => {
    const { fake, env } = await setup();
    for (let i = 0; i < 10; i++)
      fake.fault('markets', {
        status: 502,
        body: 'Bad Gateway',
        headers: { 'content-type': 'text/plain' },
      });
    const r = await runKx(['ingest', '--source', 'coingecko'], {
      ...env,
      KX_HTTP_RETRY_BASE_MS: '200',
    });
    expect(r.code).toBe(3);
    expect(fake.requests).toHaveLength(4);
    const [g1, g2, g3] = gaps(fake) as [number, number, number];
    // Jitter keeps each wait between half and all of 200·2^k ms.
    expect(g1).toBeGreaterThanOrEqual(95);
    expect(g1).toBeLessThan(400);
    expect(g2).toBeGreaterThanOrEqual(195);
    expect(g3).toBeGreaterThanOrEqual(395);
    expect(r.stderr).toContain('HTTP 502 from');
    expect(r.stderr).toContain('text/plain: "Bad Gateway"');
  });

  it.each([401, 403, 404])(
    '%i is terminal: no retry, exit 3, says what to check',
    async (status) => {
      const { fake, env } = await setup();
      fake.fault('markets', { status, body: '{"error":"nope"}' });
      const r = await runKx(['ingest', '--source', 'coingecko'], env);
      expect(r.code).toBe(3);
      expect(fake.requests).toHaveLength(1);
      expect(r.stderr).toContain(`HTTP ${status}`);
      expect(r.stderr).toContain('check KX_COINGECKO_API_KEY and KX_COINGECKO_PLAN');
    },
  );

  it('a Cloudflare HTML page becomes a clear error with the status and its title', async () => {
    const { fake, env } = await setup();
    const html =
      '<!DOCTYPE html><html><head><title>api.coingecko.com | 520: Web server is returning an unknown error</title><style>body{}</style></head><body><h1>Error 520</h1></body></html>';
    for (let i = 0; i < 4; i++)
      fake.fault('tickers', {
        status: 520,
        body: html,
        headers: { 'content-type': 'text/html; charset=UTF-8' },
      });
    const r = await runKx(['ingest', '--source', 'coinpaprika'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('CoinPaprika: HTTP 520 from');
    expect(r.stderr).toContain(
      'text/html: "api.coingecko.com | 520: Web server is returning an unknown error"',
    );
    expect(r.stderr).not.toContain('<html');
  });

  it('a truncated body and a response slower than the timeout are retried', async () => {
    const { fake, env } = await setup();
    fake.fault('tickers', { truncate: true });
    fake.fault('tickers', { delayMs: 2000 });
    const r = await runKx(['ingest', '--source', 'coinpaprika', '--json'], {
      ...env,
      KX_HTTP_TIMEOUT_MS: '500',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests).toHaveLength(3);
    expect(r.stderr).toContain('is not valid JSON');
    expect(r.stderr).toContain('no answer within 500 ms');
  });
});

describe('API keys', () => {
  const key = 'CG-sekr3t-key-value';

  it.each([
    ['demo', 'x-cg-demo-api-key'],
    ['pro', 'x-cg-pro-api-key'],
  ])(
    'CoinGecko %s plan sends the key in %s, and the key appears nowhere else',
    async (plan, header) => {
      const { database, fake, env } = await setup({ coingeckoAuth: { header, value: key } });
      const r = await runKx(['ingest', '--source', 'coingecko', '--log-level', 'debug'], {
        ...env,
        KX_COINGECKO_API_KEY: key,
        KX_COINGECKO_PLAN: plan,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(fake.requests.every((q) => q.headers[header] === key)).toBe(true);
      const status = await runKx(['status', '--json'], env);
      const stored = await withOpen(database, async ({ db }) =>
        JSON.stringify(await db.select().from(etlRuns)),
      );
      for (const text of [r.stdout, r.stderr, status.stdout, stored])
        expect(text).not.toContain(key);
    },
  );

  it('a wrong key is a 401: exit 3 naming what to check, and the key is not echoed', async () => {
    const { fake, env } = await setup({
      coingeckoAuth: { header: 'x-cg-demo-api-key', value: key },
    });
    const r = await runKx(['ingest', '--source', 'coingecko'], {
      ...env,
      KX_COINGECKO_API_KEY: 'wrong-key-123',
      KX_COINGECKO_PLAN: 'demo',
    });
    expect(r.code).toBe(3);
    expect(fake.requests).toHaveLength(1);
    expect(r.stderr).toContain('HTTP 401');
    expect(r.stderr).not.toContain('wrong-key-123');
  });

  it('CoinPaprika sends the key as a bare Authorization header', async () => {
    const { fake, env } = await setup({ paprikaAuth: { header: 'authorization', value: key } });
    const r = await runKx(['ingest', '--source', 'coinpaprika'], {
      ...env,
      KX_COINPAPRIKA_API_KEY: key,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests[0]!.headers.authorization).toBe(key);
  });

  it.each([
    [
      'coingecko',
      { KX_COINGECKO_API_KEY: key, KX_COINGECKO_PLAN: 'pro' },
      'https://pro-api.coingecko.com/api/v3/coins/markets',
    ],
    [
      'coingecko',
      { KX_COINGECKO_API_KEY: key, KX_COINGECKO_PLAN: 'demo' },
      'https://api.coingecko.com/api/v3/coins/markets',
    ],
    ['coinpaprika', { KX_COINPAPRIKA_API_KEY: key }, 'https://api-pro.coinpaprika.com/v1/tickers'],
    ['coinpaprika', {}, 'https://api.coinpaprika.com/v1/tickers'],
  ])('%s goes to the host of its plan (%j)', async (source, keys, host) => {
    const database = await createTestDatabase();
    opened.push(database);
    // No internet here: the request fails, and the error names the host it went to.
    const r = await runKx(['ingest', '--source', source], {
      ...database.env,
      ...keys,
      KX_HTTP_MAX_RETRIES: '0',
      KX_HTTP_TIMEOUT_MS: '3000',
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(host);
    expect(r.stderr).not.toContain(key);
  });
});

describe('schema drift', () => {
  it('a new field is a warning stored once on the run; the data loads', async () => {
    const { database, fake, env } = await setup();
    fake.transform('markets', (item) => ({ ...item, price_change_percentage_5m: 0.1 }));
    const r = await runKx(['ingest', '--source', 'coingecko', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/unknown field "price_change_percentage_5m"/g)).toHaveLength(1);
    await withOpen(database, async ({ db }) => {
      const [run] = await db.select().from(etlRuns);
      expect(run!.warnings).toEqual([
        'coingecko: unknown field "price_change_percentage_5m" (first seen in page 1 item 0); it is kept in the raw payload',
      ]);
    });
  });

  it('a renamed field rejects the items that lack it and fails the run above KX_MAX_REJECT_RATIO (exit 4)', async () => {
    const { database, fake, env } = await setup();
    fake.transform('markets', (item, i) => {
      if (i % 2 === 0) return item;
      const { current_price, ...rest } = item;
      return { ...rest, price: current_price };
    });
    const r = await runKx(['ingest', '--source', 'coingecko', '--json'], {
      ...env,
      KX_MAX_REJECT_RATIO: '0.1',
    });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 'failed',
      fetched: 401,
      rejected: 200,
      loaded: 201,
    });
    await withOpen(database, async ({ db }) => {
      const [run] = await db.select().from(etlRuns);
      expect(run!.warnings).toEqual(
        expect.arrayContaining([
          expect.stringContaining('unknown field "price"'),
          expect.stringContaining('expected field "current_price" is missing'),
        ]),
      );
      const rejected = await db
        .select()
        .from(rejectedRecords)
        .where(eq(rejectedRecords.source, 'coingecko'));
      expect(rejected).toHaveLength(200);
      expect(rejected[0]!.reason).toMatch(/^current_price: /);
    });
  });
});

describe('call budgets', () => {
  it('a run that would exceed the monthly budget stops at its checkpoint (exit 7) and resumes when calls are available', async () => {
    const clean = await cleanState('coingecko', { coingeckoCoins: 700 });
    const { database, fake, env } = await setup({ coingeckoCoins: 700 });
    const stopped = await runKx(['ingest', '--source', 'coingecko', '--json'], {
      ...env,
      KX_COINGECKO_MONTHLY_CALLS: '2',
    });
    expect(stopped.code).toBe(7);
    expect(stopped.stderr).toMatch(
      /coingecko: the call budget of 2 calls for \d{4}-\d{2} is used up/,
    );
    expect(JSON.parse(stopped.stdout)).toMatchObject({
      status: 'failed',
      fetched: 500,
      error: { code: 'budget' },
    });
    expect(pagesFetched(fake)).toEqual([1, 2]); // the third call was never made
    const status = JSON.parse(
      (
        await runKx(['status', '--source', 'coingecko', '--json'], {
          ...env,
          KX_COINGECKO_MONTHLY_CALLS: '2',
        })
      ).stdout,
    ) as {
      sources: { calls: { used: number; budget: number }; lastRun: { resumable: boolean } }[];
    };
    expect(status.sources[0]).toMatchObject({
      calls: { used: 2, budget: 2 },
      lastRun: { resumable: true },
    });
    expect((await runKx(['resume'], { ...env, KX_COINGECKO_MONTHLY_CALLS: '2' })).code).toBe(7); // still spent
    const resumed = await runKx(['resume'], { ...env, KX_COINGECKO_MONTHLY_CALLS: '10' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(pagesFetched(fake)).toEqual([1, 2, 3]);
    expect(await withOpen(database, snapshotState)).toEqual(clean);
  });
});
