import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKx, runKxBinary, sampleCsv, type CliResult } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Most CLI tests run kx in their own process (helpers/cli.ts `runKx`). Here every command runs
 * both ways, through the built `bin/kx.js` and in-process, each on its own fresh database: the
 * exit codes, stdout and stderr must be the same but for times and where the database is.
 */
let binary: TestDatabase;
let inProcess: TestDatabase;

beforeAll(async () => {
  [binary, inProcess] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([binary.drop(), inProcess.drop()]);
});

/** What differs between two runs of the same command: clock readings and the database's name. */
function comparable(r: CliResult, database: TestDatabase) {
  const where = database.env.DATABASE_URL || database.env.KX_DATA_DIR!;
  const name = /\/(kx_test_\w+)/.exec(where)?.[1];
  const scrub = (text: string) =>
    [where, name]
      .filter((s): s is string => Boolean(s))
      .reduce((t, s) => t.split(s).join('<database>'), text)
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      .replace(/"(\w*(?:_ms|_seconds))": \d+/g, '"$1": <n>')
      .replace(/\d+(\.\d+)? s \([\d,]+ records\/s\)/g, '<n> s (<n> records/s)')
      .replace(/\d+(\.\d+)? ?(ms|s|m|h|d)\b/g, '<n> $2');
  return { code: r.code, stdout: scrub(r.stdout), stderr: scrub(r.stderr) };
}

const steps: { args: string[]; env?: Record<string, string> }[] = [
  { args: ['--version'] },
  { args: ['--help'] },
  { args: ['ingest', '--source', 'kraken'] },
  { args: ['migrate'] },
  {
    args: ['ingest', '--source', 'csv', '--file', sampleCsv],
    env: { FAIL_AFTER_N_RECORDS: '40', KX_BATCH_SIZE: '16' },
  },
  { args: ['status', '--json'] },
  { args: ['resume'] },
  { args: ['unlink', 'csv:ethereum', '--json'] },
  { args: ['link', 'csv:ethereum', '99999999'] },
  { args: ['ingest', '--source', 'csv', '--file', '/no/such/file.csv'] },
  { args: ['status'] },
];

describe('bin/kx.js and the in-process runner', () => {
  it('exit and print alike, command by command', async () => {
    for (const { args, env = {} } of steps) {
      const [viaBinary, viaProcess] = await Promise.all([
        runKxBinary(args, { ...binary.env, ...env }),
        runKx(args, { ...inProcess.env, ...env }),
      ]);
      expect(comparable(viaProcess, inProcess), `kx ${args.join(' ')}`).toEqual(
        comparable(viaBinary, binary),
      );
      expect(viaBinary.signal).toBeNull();
    }
  });
});
