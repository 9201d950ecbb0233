import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, repoRoot, runKx } from '../helpers/cli.js';
import { writeSnapshotCsv } from '../helpers/csv-gen.js';
import { createTestDatabase, serverUrl } from '../helpers/db.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { useUpstreamSetup } from '../helpers/upstream-setup.js';

const { setup } = useUpstreamSetup();

/** Whether util-linux `script` can give a command a pseudo-terminal here. */
const hasScript = spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0;

/** #19: on a terminal an ingest says how far it is; piped (cron, CI, tests) it says nothing. */
describe.skipIf(!hasScript || serverUrl)('the progress line', () => {
  it('on a terminal: share of the file, rows read and committed, rate and time left', async () => {
    const database = await createTestDatabase();
    const dir = makeScratchDir('kx-progress-');
    try {
      const file = join(dir, 'snapshot.csv');
      writeSnapshotCsv(file, 6_000);
      const command = `node --liftoff-only bin/kx.js ingest --source csv --file ${file}`;
      // `script` runs the command on a pseudo-terminal and copies what it shows to stdout.
      const screen = spawnSync('script', ['-qec', command, '/dev/null'], {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...database.env,
          KX_BATCH_SIZE: '500',
        },
        encoding: 'utf8',
      });
      expect(screen.status, screen.stdout).toBe(0);
      const lines = screen.stdout.split('\r').map((l) => l.replace('\x1b[K', ''));
      const progress = lines.filter((l) => l.startsWith('csv: '));
      expect(progress.length, screen.stdout).toBeGreaterThan(0);
      expect(progress[0]).toMatch(
        /^csv: \d+\.\d% of \d+\.\d (KB|MB) · [\d,]+ read, [\d,]+ committed · [\d,]+ rows\/s/,
      );
      expect(screen.stdout).toContain('csv run #1 succeeded: 6,000 read, 6,000 loaded');
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an API source: the page it is on, of how many', async () => {
    const { env } = await setup({ coingeckoCoins: 700 });
    const command = 'node --liftoff-only bin/kx.js ingest --source coingecko --max-pages 3';
    // Asynchronously: the fake upstream answers from this process.
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, KX_BATCH_SIZE: '100' },
    });
    const screen = await collect(child);
    expect(screen.code, screen.stdout).toBe(0);
    const progress = screen.stdout
      .split('\r')
      .map((l) => l.replace('\x1b[K', ''))
      .filter((l) => l.startsWith('coingecko: '));
    expect(progress.length, screen.stdout).toBeGreaterThan(0);
    expect(progress[0]).toMatch(/^coingecko: page [1-3] of 3 · [\d,]+ read, [\d,]+ committed · /);
  });

  it('a rate-limited API source counts down to its next call', async () => {
    const { env } = await setup({ coingeckoCoins: 700 });
    // 40 calls a minute: 1.5 s between the three pages.
    const command = 'node --liftoff-only bin/kx.js ingest --source coingecko --max-pages 3';
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...env,
        KX_COINGECKO_RATE_LIMIT: '40',
      },
    });
    const screen = await collect(child);
    expect(screen.code, screen.stdout).toBe(0);
    const waits = screen.stdout
      .split('\r')
      .map((l) => l.replace('\x1b[K', ''))
      .filter((l) => /rate limit: next call in \d\.\d s$/.test(l));
    expect(waits.length, screen.stdout).toBeGreaterThan(1); // redrawn as it counts down
    const seconds = waits.map((l) => Number(/in (\d\.\d) s$/.exec(l)![1]));
    expect(Math.max(...seconds)).toBeLessThanOrEqual(1.5);
    expect(seconds.some((s, i) => i > 0 && s < seconds[i - 1]!)).toBe(true);
  });

  it('not on a terminal: no progress line', async () => {
    const database = await createTestDatabase();
    const dir = makeScratchDir('kx-progress-');
    try {
      const file = join(dir, 'snapshot.csv');
      writeSnapshotCsv(file, 600);
      const r = await runKx(['ingest', '--source', 'csv', '--file', file], database.env);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain('% of');
      expect(r.stderr).not.toContain('\r');
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
