import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, ingestUntilCommitted, runKx, startKx } from '../helpers/cli.js';
import { writeSnapshotCsv } from '../helpers/csv-gen.js';
import { withOpen } from '../helpers/db.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { snapshotState } from '../helpers/state.js';
import { useUpstreamSetup } from '../helpers/upstream-setup.js';

/**
 * #13: Ctrl-C (SIGINT) or a scheduler's SIGTERM stops a run at its next checkpoint: what was
 * committed stays, the run is failed and resumable, kx says so and how to continue, and exits
 * 128 + the signal's number.
 */
const { setup, database: newDatabase } = useUpstreamSetup();
let work: string;
beforeAll(() => (work = makeScratchDir('kx-signals-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a signal during an ingest', () => {
  it('SIGINT stops at a checkpoint with exit 130; kx resume ends equal to an uninterrupted run', async () => {
    const file = join(work, 'signal.csv');
    writeSnapshotCsv(file, 3000);
    const env = { KX_BATCH_SIZE: '200' };
    const clean = await newDatabase();
    const ok = await runKx(['ingest', '--source', 'csv', '--file', file], { ...clean.env, ...env });
    expect(ok.code, ok.stderr).toBe(0);
    const expected = await withOpen(clean, snapshotState);

    const database = await newDatabase();
    const r = await ingestUntilCommitted(
      ['ingest', '--source', 'csv', '--file', file],
      { ...database.env, ...env },
      600,
      (child) => child.kill('SIGINT'),
    );
    expect(r.actedAt).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(130);
    const committed = Number(/stopped by SIGINT after (\d+) committed records/.exec(r.stderr)?.[1]);
    expect(committed).toBeGreaterThanOrEqual(r.actedAt);
    expect(committed).toBeLessThan(3000);
    expect(r.stderr).toContain('`kx resume` continues from there');
    expect(r.stdout).toMatch(/^csv run #1 failed: [\d,]+ read/);

    const status = await runKx(['status', '--source', 'csv', '--json'], database.env);
    expect(JSON.parse(status.stdout)).toMatchObject({
      sources: [{ last_run: { status: 'failed', resumable: true, fetched: committed } }],
    });
    const resumed = await runKx(['resume', '--json'], { ...database.env, ...env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ fetched: 3000 - committed }]);
    expect(await withOpen(database, snapshotState)).toEqual(expected);
  });

  it('SIGTERM while a retry backoff waits ends at once with exit 143, not after the wait', async () => {
    const { fake, env } = await setup({ coingeckoCoins: 500 });
    fake.fault('markets', { status: 503, body: 'busy' }, 2);
    const child = startKx(['ingest', '--source', 'coingecko', '--json'], {
      ...env,
      KX_HTTP_RETRY_BASE_MS: '60000', // the first retry would wait 30 to 60 s
    });
    const done = collect(child);
    // Page 1 is committed (a page in hand is not held for the next), page 2 answered 503.
    const page2 = new Promise<void>((resolve) => {
      const check = () => fake.requests.some((q) => q.query.page === '2') && resolve();
      fake.onRequest(check);
      check();
    });
    const early = await Promise.race([page2.then(() => null), done]);
    expect(early, 'kx exited before it asked for page 2').toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stderr).toBe(143);
    expect(Date.now() - signalled).toBeLessThan(25_000);
    expect(r.stderr).toMatch(/stopped by SIGTERM after 250 committed records/);
    // With --json the stopped run is the document, with why it stopped.
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 'failed',
      loaded: 250,
      error: { code: 'interrupted', exit_code: 143 },
    });
    const resumed = await runKx(['resume', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ status: 'succeeded', fetched: 250 }]);
  });
});
