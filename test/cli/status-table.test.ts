import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot, runKxBinary, sampleCsv } from '../helpers/cli.js';
import { createTestDatabase, serverUrl } from '../helpers/db.js';

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
});
