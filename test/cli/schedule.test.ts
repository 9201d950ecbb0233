import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSchedule } from '../../src/engine/scheduler.js';
import { runKx, startServe } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, upstreamEnv, type FakeUpstream } from '../helpers/fake-upstream.js';

describe('parseSchedule', () => {
  const apis = ['coingecko', 'coinpaprika'];
  it('reads SOURCE=INTERVAL pairs in s, m and h', () => {
    expect(parseSchedule('coinpaprika=10m, coingecko=2h', apis)).toEqual([
      { source: 'coinpaprika', everyMs: 600_000 },
      { source: 'coingecko', everyMs: 7_200_000 },
    ]);
  });
  it.each([
    ['coingecko=10x', 'is not SOURCE=INTERVAL'],
    ['csv=10m', 'csv cannot be scheduled'],
    ['coingecko=0s', 'shorter than 1s'],
    ['coingecko=1m,coingecko=2m', 'names a source twice'],
    ['coinpaprika=1000h', 'longer than 480h (20 days)'],
    ['coinpaprika=1728001s', 'longer than 480h (20 days)'],
  ])('%s is refused: %s', (spec, message) => {
    expect(() => parseSchedule(spec, apis)).toThrow(message);
  });
  it('takes the longest interval a timer can wait, jitter included', () => {
    expect(parseSchedule('coinpaprika=480h', apis)).toEqual([
      { source: 'coinpaprika', everyMs: 480 * 3_600_000 },
    ]);
    expect(480 * 3_600_000 * 1.1).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});

describe('kx serve --schedule', () => {
  let database: TestDatabase;
  let fake: FakeUpstream;
  beforeAll(async () => {
    database = await createTestDatabase();
    fake = await startFakeUpstream();
  });
  afterAll(async () => {
    await fake.close();
    await database.drop();
  });

  it('runs ingests on their intervals inside the server, never two of a source at once', async () => {
    // Each /tickers answer takes 1.5 s, longer than the 1 s interval.
    for (let i = 0; i < 20; i++) fake.fault('tickers', { delayMs: 1500 });
    // The third ticker has a negative price: each run rejects it, and its log line says where
    // to read why.
    fake.transform('tickers', (item, i) => {
      if (i !== 2) return item;
      const usd = (item.quotes as { USD: Record<string, unknown> }).USD;
      return { ...item, quotes: { USD: { ...usd, price: -1 } } };
    });
    const { child, done, url } = await startServe({ ...database.env, ...upstreamEnv(fake) }, [
      '--schedule',
      'coinpaprika=1s,coingecko=2s',
    ]);
    type Run = {
      id: number;
      source: string;
      status: string;
      started_at: string;
      finished_at: string | null;
    };
    let runs: Run[] = [];
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 250));
      runs = ((await (await fetch(`${url}/runs?limit=50`)).json()) as { data: Run[] }).data;
      const paprika = runs.filter((r) => r.source === 'coinpaprika' && r.status === 'succeeded');
      if (
        paprika.length >= 3 &&
        runs.some((r) => r.source === 'coingecko' && r.status === 'succeeded')
      )
        break;
    }
    // /stats shows each scheduled source's interval and next tick; csv is not scheduled.
    type Planned = {
      source: string;
      schedule: { every_ms: number; next_at: string | null } | null;
    };
    const stats = ((await (await fetch(`${url}/stats`)).json()) as { data: { sources: Planned[] } })
      .data.sources;
    const planned = Object.fromEntries(stats.map((s) => [s.source, s.schedule]));
    expect(planned.coinpaprika?.every_ms).toBe(1000);
    expect(planned.coingecko?.every_ms).toBe(2000);
    expect(planned.csv).toBeNull();
    const next = planned.coingecko?.next_at;
    if (next) expect(Math.abs(Date.parse(next) - Date.now())).toBeLessThan(5000);
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit.code).toBe(0);
    const paprika = runs
      .filter((r) => r.source === 'coinpaprika' && r.status === 'succeeded')
      .sort((a, b) => a.id - b.id);
    expect(paprika.length).toBeGreaterThanOrEqual(3);
    expect(runs.some((r) => r.source === 'coingecko' && r.status === 'succeeded')).toBe(true);
    for (let i = 1; i < paprika.length; i++)
      expect(paprika[i]!.started_at >= paprika[i - 1]!.finished_at!).toBe(true);
    expect(exit.stderr).toMatch(
      /schedule: coinpaprika run #(\d+): 3 read, \d+ loaded, \d+ unchanged, 1 rejected; every one: GET \/runs\/\1\/rejected\n/,
    );
    expect(exit.stderr).toMatch(/schedule: coingecko run #\d+: \d+ read, .*, 0 rejected\n/);
  });

  it("an interval is the source's: a run elsewhere (a replica, cron, before a restart) counts", async () => {
    const database = await createTestDatabase();
    const fake = await startFakeUpstream();
    try {
      const env = { ...database.env, ...upstreamEnv(fake) };
      const ingest = await runKx(['ingest', '--source', 'coinpaprika'], env);
      expect(ingest.code, ingest.stderr).toBe(0);
      const calls = () => fake.requests.filter((q) => q.path.endsWith('/tickers')).length;
      expect(calls()).toBe(1);
      // The first tick comes within 3 s of the start (a tenth of 30 s): the run above started
      // under 80% of an interval before it (a loaded machine may take 10 s to start the
      // server), so the tick waits for the rest of the interval.
      const { child, done, url } = await startServe(env, ['--schedule', 'coinpaprika=30s']);
      let skipped = false;
      child.stderr!.on('data', (d: Buffer) => (skipped ||= d.toString().includes('skipped')));
      for (let i = 0; i < 60 && !skipped; i++) await new Promise((r) => setTimeout(r, 100));
      const stats = (await (await fetch(`${url}/stats`)).json()) as {
        data: { sources: { source: string; schedule: { next_at: string | null } | null }[] };
      };
      child.kill('SIGTERM');
      const exit = await done;
      expect(exit.code, exit.stderr).toBe(0);
      expect(exit.stderr).toMatch(
        /schedule: coinpaprika skipped: run #1 started [\d.]+ s ago; next in [\d.]+ s/,
      );
      expect(calls()).toBe(1);
      const next = stats.data.sources.find((s) => s.source === 'coinpaprika')!.schedule!.next_at;
      // The rest of the interval, ± 10% of it.
      expect(Date.parse(next!) - Date.now()).toBeGreaterThan(10_000);
    } finally {
      await fake.close();
      await database.drop();
    }
  });

  it('SIGTERM while a scheduled run waits on its upstream: stops at once, starts nothing new', async () => {
    const database = await createTestDatabase();
    const slow = await startFakeUpstream();
    try {
      slow.fault('tickers', { delayMs: 30_000 }); // the first run's fetch hangs
      const seen = new Promise<void>((resolve) =>
        slow.onRequest(() => {
          if (slow.requests.some((q) => q.path.endsWith('/tickers'))) resolve();
        }),
      );
      const { child, done } = await startServe({ ...database.env, ...upstreamEnv(slow) }, [
        '--schedule',
        'coinpaprika=1s',
      ]);
      await seen;
      const stoppedAt = Date.now();
      child.kill('SIGTERM');
      const exit = await done;
      expect(exit.code, exit.stderr).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000); // the 30 s fetch is not waited for
      // One tick reached the upstream; none came after the signal (the interval is 1 s).
      await new Promise((r) => setTimeout(r, 1500));
      expect(slow.requests.filter((q) => q.path.endsWith('/tickers'))).toHaveLength(1);
      const status = await runKx(['status', '--source', 'coinpaprika', '--json'], database.env);
      const [paprika] = (
        JSON.parse(status.stdout) as {
          sources: { last_run: { status: string; resumable: boolean } }[];
        }
      ).sources;
      expect(paprika!.last_run).toMatchObject({ resumable: true });
      expect(paprika!.last_run.status).not.toBe('succeeded');
    } finally {
      await slow.close();
      await database.drop();
    }
  });
});
