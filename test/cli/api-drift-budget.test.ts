import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { etlRuns, rejectedRecords } from '../../src/db/schema.js';
import { runKx } from '../helpers/cli.js';
import { withOpen } from '../helpers/db.js';
import { snapshotState } from '../helpers/state.js';
import { useUpstreamSetup, pagesFetched } from '../helpers/upstream-setup.js';

/** Schema drift in upstream items, and monthly call budgets. */
const { setup, cleanState } = useUpstreamSetup();

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

  it('a field name holding a NUL quarantines its item; the warning quotes it escaped', async () => {
    const { database, fake, env } = await setup();
    fake.transform('markets', (item, i) => (i === 3 ? { ...item, 'bad\u0000key': 1 } : item));
    const r = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\u0000');
    await withOpen(database, async ({ db }) => {
      const [run] = await db.select().from(etlRuns);
      expect(run).toMatchObject({ status: 'succeeded', rejected: 1 });
      expect(run!.warnings).toHaveLength(1);
      expect(run!.warnings[0]).toMatch(
        /^coingecko: unknown field "bad\\u0000key" \(first seen in page \d+ item \d+\)/,
      );
      const [rejected] = await db.select().from(rejectedRecords);
      expect(rejected!.reason).toBe(
        'payload holds a NUL character (\\u0000), which jsonb cannot store',
      );
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
      sources: { calls: { used: number; budget: number }; last_run: { resumable: boolean } }[];
    };
    expect(status.sources[0]).toMatchObject({
      calls: { used: 2, budget: 2 },
      last_run: { resumable: true },
    });
    expect((await runKx(['resume'], { ...env, KX_COINGECKO_MONTHLY_CALLS: '2' })).code).toBe(7); // still spent
    const resumed = await runKx(['resume'], { ...env, KX_COINGECKO_MONTHLY_CALLS: '10' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(pagesFetched(fake)).toEqual([1, 2, 3]);
    expect(await withOpen(database, snapshotState)).toEqual(clean);
  });
});
