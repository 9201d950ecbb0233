import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runKx, runKxBinary, sampleCsv } from '../helpers/cli.js';
import { etlCheckpoints, etlRuns } from '../../src/db/schema.js';
import { createTestDatabase, serverUrl, withOpen } from '../helpers/db.js';
import { makeScratchDir } from '../helpers/scratch.js';

/** Whether util-linux `script` can give a command a pseudo-terminal here. */
const hasScript = spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0;

/** `kx status` as a terminal shows it (`script` gives it one). */
function statusOnTerminal(env: Record<string, string>): string {
  const screen = spawnSync('script', ['-qec', 'node bin/kx.js status', '/dev/null'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
  });
  expect(screen.status, screen.stdout).toBe(0);
  return screen.stdout.replace(/\r/g, '');
}

/** #19: on a terminal `kx status` is a table, a row per source, then what to act on. */
describe.skipIf(!hasScript || serverUrl)('kx status on a terminal', () => {
  it('a row per source with its last run, age, status and records; then the failure to resume', async () => {
    const database = await createTestDatabase();
    try {
      const failed = await runKxBinary(['ingest', '--source', 'csv', '--file', sampleCsv], {
        ...database.env,
        FAIL_AFTER_N_RECORDS: '10',
      });
      expect(failed.code).toBe(5);
      const screen = statusOnTerminal(database.env);
      const lines = screen.split('\n');
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^source +last run +age +status +read +loaded +rejected +checkpoints +calls$/,
        ),
      );
      // Red for a failed run: 10 read, 10 loaded, 0 rejected, one checkpoint.
      const shown = screen.replaceAll('\x1b', '<esc>');
      expect(shown).toMatch(/\ncsv +#1 +\d+ s +<esc>\[31mfailed +<esc>\[0m +10 +10 +0 +1\n/);
      expect(screen).toMatch(/\ncoingecko +never run\n/);
      expect(screen).toContain('csv #1 injected: FAIL_AFTER_N_RECORDS=10');
      expect(screen).toContain('csv: #1 can be resumed: kx resume --source csv');
      expect(statusOnTerminal({ ...database.env, NO_COLOR: '' })).not.toContain('\x1b[');
    } finally {
      await database.drop();
    }
  });

  it('names the command that lists the records the last run rejected', async () => {
    const database = await createTestDatabase();
    const dir = makeScratchDir('kx-status-');
    try {
      const file = join(dir, 'two.csv');
      writeFileSync(file, 'symbol,price\nBTC,42000\nETH,?!\nSOL,?!\nADA,0.5\nXRP,0.6\n');
      const run = await runKxBinary(['ingest', '--source', 'csv', '--file', file], database.env);
      expect(run.code, run.stderr).toBe(0);
      expect(statusOnTerminal(database.env)).toMatch(
        /\ncsv #(\d+) rejected 2 records: kx export rejected --run \1\n/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  });
});

describe('kx status off a terminal', () => {
  it('counts in words that agree with their number', async () => {
    const database = await createTestDatabase();
    const dir = makeScratchDir('kx-status-');
    try {
      const file = join(dir, 'one.csv');
      writeFileSync(
        file,
        'symbol,name,price,date\nBTC,Bitcoin,42000,2024-01-01\nBTC,Bitcoin,?!,2024-01-02\n',
      );
      expect((await runKx(['ingest', '--source', 'csv', '--file', file], database.env)).code).toBe(
        0,
      );
      const { stdout } = await runKx(['status', '--source', 'csv'], database.env);
      expect(stdout).toMatch(/, 1 asset\n/);
      expect(stdout).toContain('csv: 1 run (1 succeeded, 0 failed), 1 listing, 1 quote\n');
      expect(stdout).toContain(`checkpoint ${file}: 2 records, run #`);
      // Which rows were rejected, and why, is one command away.
      expect(stdout).toMatch(/\n {2}rejected records, with why: kx export rejected --run \d+\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  });

  it('lists the 10 latest checkpoints of a source, and says how many more --json has', async () => {
    const database = await createTestDatabase();
    try {
      // A file a day, as cron loads them: twelve checkpoints, day-01 the oldest.
      await withOpen(database, async (handle) => {
        const [run] = await handle.db
          .insert(etlRuns)
          .values({
            source: 'csv',
            status: 'succeeded',
            trigger: 'ingest',
            streamKey: 'x',
            params: {},
          })
          .returning();
        await handle.db.insert(etlCheckpoints).values(
          Array.from({ length: 12 }, (_, i) => ({
            source: 'csv',
            streamKey: `/data/day-${String(i + 1).padStart(2, '0')}.csv`,
            runId: run!.id,
            cursor: {},
            records: 1,
            updatedAt: new Date(Date.UTC(2026, 11, i + 1)),
          })),
        );
      });
      const { stdout } = await runKx(['status', '--source', 'csv'], database.env);
      const listed = stdout.match(/checkpoint \/data\/day-\d+\.csv/g);
      expect(listed).toEqual(
        Array.from(
          { length: 10 },
          (_, i) => `checkpoint /data/day-${String(i + 3).padStart(2, '0')}.csv`,
        ),
      );
      expect(stdout).toContain(
        '\n  and 2 older checkpoints (kx status --json --source csv lists every one)\n',
      );
      const json = await runKx(['status', '--source', 'csv', '--json'], database.env);
      const status = JSON.parse(json.stdout) as { sources: { checkpoints: unknown[] }[] };
      expect(status.sources[0]!.checkpoints).toHaveLength(12);
    } finally {
      await database.drop();
    }
  });
});
