import { describe, expect, it } from 'vitest';
import { runKx, sampleCsv } from '../helpers/cli.js';
import { createTestDatabase, serverUrl, withOpen } from '../helpers/db.js';
import { keysNotSnakeCase } from '../helpers/json-keys.js';

/** #19: with --json, every outcome is one JSON document on stdout, errors included. */
describe('--json', () => {
  const errorOf = (stdout: string) =>
    (JSON.parse(stdout) as { error: { code: string; exit_code: number; message: string } }).error;

  it.each<[string, string[], Record<string, string>, string, number, string]>([
    [
      'a missing required option',
      ['ingest', '--json'],
      {},
      'usage',
      2,
      "required option '--source",
    ],
    [
      'a bad setting',
      ['status', '--json'],
      { KX_BATCH_SIZE: 'abc' },
      'usage',
      2,
      'KX_BATCH_SIZE=abc: expected a whole number from 1 to 100000',
    ],
    [
      'a missing file',
      ['ingest', '--source', 'csv', '--file', '/no/such.csv', '--json'],
      {},
      'input',
      4,
      '/no/such.csv: file not found',
    ],
    [
      'an upstream that refuses connections',
      ['ingest', '--source', 'coinpaprika', '--json'],
      { KX_COINPAPRIKA_BASE_URL: 'http://127.0.0.1:47', KX_HTTP_MAX_RETRIES: '0' },
      'upstream',
      3,
      'CoinPaprika: network error',
    ],
    [
      'a call budget spent before the first call',
      ['ingest', '--source', 'coinpaprika', '--json'],
      { KX_COINPAPRIKA_BASE_URL: 'http://127.0.0.1:47', KX_COINPAPRIKA_MONTHLY_CALLS: '0' },
      'budget',
      7,
      'KX_COINPAPRIKA_MONTHLY_CALLS',
    ],
    [
      'a database server that is not there',
      ['status', '--json'],
      { DATABASE_URL: 'postgres://kx:kx@127.0.0.1:1/kx' },
      'unavailable',
      8,
      'cannot connect to the database at postgres://kx:***@127.0.0.1:1/kx',
    ],
  ])('%s: {"error": …} with its code and exit code', async (_, args, env, code, exit, message) => {
    const database = await createTestDatabase();
    try {
      const r = await runKx(args, { ...database.env, ...env });
      expect(r.code).toBe(exit);
      expect(errorOf(r.stdout)).toMatchObject({ code, exit_code: exit });
      expect(errorOf(r.stdout).message).toContain(message);
    } finally {
      await database.drop();
    }
  });

  it('a failed run is the run with its error and run_id', async () => {
    const database = await createTestDatabase();
    try {
      const failed = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv, '--json'], {
        ...database.env,
        FAIL_AFTER_N_RECORDS: '10',
      });
      expect(failed.code).toBe(5);
      const run = JSON.parse(failed.stdout) as { run_id: number; status: string };
      expect(run).toMatchObject({ status: 'failed', error: { code: 'injected', exit_code: 5 } });
      expect(errorOf(failed.stdout)).toMatchObject({ run_id: run.run_id });
    } finally {
      await database.drop();
    }
  });

  it.skipIf(serverUrl)('an embedded database in use: exit 6', async () => {
    const database = await createTestDatabase();
    try {
      await withOpen(database, async () => {
        const locked = await runKx(['status', '--json'], database.env);
        expect(locked.code).toBe(6);
        expect(errorOf(locked.stdout)).toMatchObject({ code: 'locked', exit_code: 6 });
      });
    } finally {
      await database.drop();
    }
  });

  it('keys are snake_case, as over HTTP: an ingest, a dry run, the status', async () => {
    const database = await createTestDatabase();
    try {
      const outputs = [
        await runKx(['ingest', '--source', 'csv', '--file', sampleCsv, '--json'], database.env),
        await runKx(
          ['ingest', '--source', 'csv', '--file', sampleCsv, '--dry-run', '--json'],
          database.env,
        ),
        await runKx(['status', '--json'], database.env),
      ];
      for (const r of outputs) {
        expect(r.code, r.stderr).toBe(0);
        expect(keysNotSnakeCase(JSON.parse(r.stdout))).toEqual([]);
      }
      const status = JSON.parse(outputs[2]!.stdout) as { sources: { last_run: unknown }[] };
      expect(status.sources.filter((s) => s.last_run)).toHaveLength(1); // csv's run
    } finally {
      await database.drop();
    }
  });

  it('-V is --version', async () => {
    const [short, long] = await Promise.all([runKx(['-V']), runKx(['--version'])]);
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(short.stdout).toBe(long.stdout);
  });
});
