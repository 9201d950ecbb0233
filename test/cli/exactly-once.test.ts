import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlCheckpoints, etlRunAttempts, etlRuns } from '../../src/db/schema.js';
import { collect, runKx, startKx } from '../helpers/cli.js';
import { writeSnapshotCsv } from '../helpers/csv-gen.js';
import { createTestDatabase, withOpen, type TestDatabase } from '../helpers/db.js';
import { snapshotState } from '../helpers/state.js';

/** Small batches so that failures land inside and between batches. */
const BATCH = { KX_BATCH_SIZE: '64' };
const ROWS = 300;

let work: string;
let file: string;
let clean: Awaited<ReturnType<typeof snapshotState>>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kx-once-'));
  file = join(work, 'coins.csv');
  writeSnapshotCsv(file, ROWS, { badEvery: 7 });
  clean = await stateAfter(async (db) => {
    const r = await runKx(['ingest', '--source', 'csv', '--file', file], { ...db.env, ...BATCH });
    expect(r.code, r.stderr).toBe(0);
  });
  expect(clean.quotes.length + clean.rejected).toBe(ROWS);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function stateAfter(scenario: (db: TestDatabase) => Promise<void>) {
  const database = await createTestDatabase();
  try {
    await scenario(database);
    return await withOpen(database, snapshotState);
  } finally {
    await database.drop();
  }
}

async function committedOf(database: TestDatabase) {
  return withOpen(database, async (handle) => {
    const [run] = await handle.db.select().from(etlRuns);
    const [checkpoint] = await handle.db.select().from(etlCheckpoints);
    const state = await snapshotState(handle);
    return { run: run!, checkpoint, stored: state.rawRows + state.rejected };
  });
}

describe('FAIL_AFTER_N_RECORDS', () => {
  it.each([1, 100, 128, 299])(
    'N=%i commits exactly N records, exits 5, and resume completes to the clean state',
    async (n) => {
      const state = await stateAfter(async (database) => {
        const failed = await runKx(['ingest', '--source', 'csv', '--file', file], {
          ...database.env,
          ...BATCH,
          FAIL_AFTER_N_RECORDS: String(n),
        });
        expect(failed.code, failed.stderr).toBe(5);
        expect(failed.stderr).toContain(
          `FAIL_AFTER_N_RECORDS=${n}: failing after ${n} committed records`,
        );

        const { run, checkpoint, stored } = await committedOf(database);
        expect(run).toMatchObject({
          status: 'failed',
          errorCode: 'injected',
          resumable: true,
          fetched: n,
        });
        expect(checkpoint!.records).toBe(n);
        expect(stored).toBe(n);

        const resumed = await runKx(['resume', '--json'], { ...database.env, ...BATCH });
        expect(resumed.code, resumed.stderr).toBe(0);
        const [result] = JSON.parse(resumed.stdout) as {
          run_id: number;
          fetched: number;
          status: string;
        }[];
        expect(result).toMatchObject({ run_id: run.id, status: 'succeeded', fetched: ROWS - n });
      });
      expect(state).toEqual(clean);
    },
  );

  it('N larger than the file injects nothing: the run succeeds and there is nothing to resume', async () => {
    const state = await stateAfter(async (database) => {
      const r = await runKx(['ingest', '--source', 'csv', '--file', file, '--json'], {
        ...database.env,
        ...BATCH,
        FAIL_AFTER_N_RECORDS: '5000',
      });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded', fetched: ROWS });
      const resumed = await runKx(['resume'], database.env);
      expect(resumed.stdout.trim()).toBe('nothing to resume');
    });
    expect(state).toEqual(clean);
  });

  it('also limits a resume, which keeps the run id and records every attempt', async () => {
    const state = await stateAfter(async (database) => {
      const env = { ...database.env, ...BATCH };
      expect(
        (
          await runKx(['ingest', '--source', 'csv', '--file', file], {
            ...env,
            FAIL_AFTER_N_RECORDS: '70',
          })
        ).code,
      ).toBe(5);
      expect((await runKx(['resume'], { ...env, FAIL_AFTER_N_RECORDS: '33' })).code).toBe(5);
      const { run, stored } = await committedOf(database);
      expect(run.fetched).toBe(103);
      expect(stored).toBe(103);
      expect((await runKx(['resume'], env)).code).toBe(0);
      await withOpen(database, async ({ db }) => {
        const attempts = await db.select().from(etlRunAttempts).orderBy(etlRunAttempts.attempt);
        expect(
          attempts.map((a) => [a.attempt, a.trigger, a.status, a.records, a.errorCode]),
        ).toEqual([
          [1, 'ingest', 'failed', 70, 'injected'],
          [2, 'resume', 'failed', 33, 'injected'],
          [3, 'resume', 'succeeded', ROWS - 103, null],
        ]);
        const runs = await db.select().from(etlRuns);
        expect(runs).toHaveLength(1);
        expect(runs[0]).toMatchObject({ status: 'succeeded', attempts: 3, fetched: ROWS });
        // ISO times have no day-first or month-first, after a resume too (was "day-first")
        expect(runs[0]!.mapping).not.toHaveProperty('dateOrder');
      });
    });
    expect(state).toEqual(clean);
  });

  it('a resume that finds its file gone can be tried again once the file is back', async () => {
    // was "nothing to resume" (exit 0) after the file came back: the run stayed failed, half loaded
    const copy = join(work, 'moved.csv');
    copyFileSync(file, copy);
    const state = await stateAfter(async (database) => {
      const env = { ...database.env, ...BATCH };
      const ingest = ['ingest', '--source', 'csv', '--file', copy];
      expect((await runKx(ingest, { ...env, FAIL_AFTER_N_RECORDS: '100' })).code).toBe(5);
      renameSync(copy, `${copy}.away`);
      const gone = await runKx(['resume'], env);
      expect(gone.code).toBe(4);
      expect(gone.stderr).toContain('moved.csv: file not found');
      expect((await committedOf(database)).run).toMatchObject({
        status: 'failed',
        errorCode: 'input',
        resumable: true,
      });
      renameSync(`${copy}.away`, copy);
      const back = await runKx(['resume', '--json'], env);
      expect(back.code, back.stderr).toBe(0);
      expect(JSON.parse(back.stdout)).toMatchObject([{ status: 'succeeded', fetched: ROWS - 100 }]);
    });
    expect(state.quotes).toEqual(clean.quotes);
    expect(state.rejected).toBe(clean.rejected);
  });

  it('a resume stopped by a broken line past its checkpoint goes on once the line is fixed', async () => {
    const good = readFileSync(file, 'utf8');
    const lines = good.split('\n');
    const broken = join(work, 'broken.csv');
    // the 250th row's name opens a quote it never closes
    writeFileSync(
      broken,
      [...lines.slice(0, 250), `"${lines[250]}`, ...lines.slice(251)].join('\n'),
    );
    const state = await stateAfter(async (database) => {
      const env = { ...database.env, ...BATCH };
      const ingest = ['ingest', '--source', 'csv', '--file', broken];
      expect((await runKx(ingest, { ...env, FAIL_AFTER_N_RECORDS: '100' })).code).toBe(5);
      const stopped = await runKx(['resume'], env);
      expect(stopped.code).toBe(4);
      expect(stopped.stderr).toContain('broken quote');
      expect((await committedOf(database)).run).toMatchObject({
        status: 'failed',
        resumable: true,
      });
      writeFileSync(broken, good);
      const fixed = await runKx(['resume'], env);
      expect(fixed.code, fixed.stderr).toBe(0);
    });
    expect(state.quotes).toEqual(clean.quotes);
    expect(state.rejected).toBe(clean.rejected);
  });

  it.each(['abc', '-3', '1.5'])(
    'an invalid value (%s) is a configuration error (exit 2)',
    async (value) => {
      const r = await runKx(['ingest', '--source', 'csv', '--file', file], {
        KX_DATA_DIR: join(work, 'unused'),
        FAIL_AFTER_N_RECORDS: value,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `FAIL_AFTER_N_RECORDS=${value}: expected a whole number of records`,
      );
    },
  );
});

describe('a kx process killed with SIGKILL mid-ingest', () => {
  it('is resumed to the same state as an uninterrupted run: no duplicate, no missing quote', async () => {
    const big = join(work, 'big.csv');
    writeSnapshotCsv(big, 4_000, { badEvery: 11 });
    const env = { KX_BATCH_SIZE: '200', KX_LOG_LEVEL: 'debug' };
    const uninterrupted = await stateAfter(async (database) => {
      expect(
        (await runKx(['ingest', '--source', 'csv', '--file', big], { ...database.env, ...env }))
          .code,
      ).toBe(0);
    });
    let killedAt = 0;
    const resumed = await stateAfter(async (database) => {
      const child = startKx(['ingest', '--source', 'csv', '--file', big], {
        ...database.env,
        ...env,
      });
      const done = collect(child);
      await new Promise<void>((resolve) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          const m = /committed (\d+) records/.exec(chunk.toString());
          if (m && Number(m[1]) >= 1000 && killedAt === 0) {
            killedAt = Number(m[1]);
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      const killed = await done;
      expect(killed.signal).toBe('SIGKILL');

      const status = await runKx(['status', '--source', 'csv', '--json'], database.env);
      const csv = (
        JSON.parse(status.stdout) as {
          sources: { last_run: { status: string; fetched: number } }[];
        }
      ).sources[0]!;
      expect(csv.last_run.status).toBe('abandoned');
      expect(csv.last_run.fetched).toBeGreaterThanOrEqual(killedAt);
      expect(csv.last_run.fetched).toBeLessThan(4_000);

      const r = await runKx(['resume', '--json'], { ...database.env, ...env });
      expect(r.code, r.stderr).toBe(0);
      const [result] = JSON.parse(r.stdout) as { fetched: number }[];
      expect(result!.fetched + csv.last_run.fetched).toBe(4_000);
    });
    expect(killedAt).toBeGreaterThan(0);
    expect(resumed.quotes.length).toBe(uninterrupted.quotes.length);
    expect(resumed).toEqual(uninterrupted);
  });
});
