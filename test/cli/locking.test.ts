import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDb } from '../../src/db/client.js';
import { etlRuns } from '../../src/db/schema.js';
import { plantSeed } from '../../src/db/seed.js';
import { selectRows } from '../../src/db/sql.js';
import { collect, repoRoot, runKx, runKxBinary, startKxIn, startKxUntil } from '../helpers/cli.js';
import {
  createTestDatabase,
  releaseDataDir,
  serverUrl,
  withOpen,
  type TestDatabase,
} from '../helpers/db.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { snapshotState } from '../helpers/state.js';

const sample = join(repoRoot, 'fixtures/sample.csv');
/** Whether this machine lets us start a process in a new pid namespace (root, util-linux). */
const canUnsharePid =
  spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.drop();
});

describe.skipIf(serverUrl)('embedded database (PGlite) is one process at a time', () => {
  const writeLock = (pid: number) => {
    const dir = database.env.KX_DATA_DIR!;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'kx.lock'),
      JSON.stringify({ pid, host: hostname(), command: 'serve', since: '2026-01-01T00:00:00Z' }),
    );
  };

  it('a second process gets exit 6 naming the holder and the fix', async () => {
    writeLock(process.pid); // this test process is alive: it plays the first kx
    const r = await runKxBinary(['ingest', '--source', 'csv', '--file', sample], database.env);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`in use by pid ${process.pid} (kx serve`);
    expect(r.stderr).toContain('set DATABASE_URL');
  });

  it('with --lock-wait a second process waits for the holder, and runs once it lets go', async () => {
    writeLock(process.pid);
    const args = ['ingest', '--source', 'csv', '--file', sample, '--lock-wait', '90s'];
    const { done } = await startKxUntil(
      args,
      database.env,
      /waiting up to 1m30s for pid \d+ \(kx serve\) to close the embedded database in \S+ \(--lock-wait\)/,
    );
    rmSync(join(database.env.KX_DATA_DIR!, 'kx.lock')); // the holder exits
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('csv run #1 succeeded: 250 read, 250 loaded');
  });

  it('past KX_LOCK_WAIT it is exit 6 still, saying how long it waited', async () => {
    writeLock(process.pid);
    const r = await runKxBinary(['status'], { ...database.env, KX_LOCK_WAIT: '1s' });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`in use by pid ${process.pid} (kx serve`);
    expect(r.stderr).toContain('(waited 1s, --lock-wait)');
  });

  it('two processes taking and releasing it in a tight loop never hold it at once', async () => {
    const dir = database.env.KX_DATA_DIR!;
    const lockModule = join(repoRoot, 'dist/db/dir-lock.js');
    // Each child takes the lock 300 times; while it holds it, it creates a marker file that
    // must not exist (O_EXCL). A clash is two holders at once.
    const script = `const fs = require('node:fs');
      import(${JSON.stringify(lockModule)}).then(async ({ acquireDirLock }) => {
        const marker = process.argv[1] + '/held';
        let got = 0, clash = 0;
        for (let i = 0; i < 300; i++) {
          let release;
          try { release = acquireDirLock(process.argv[1], 'race'); }
          catch (e) { if (e.code !== 'locked') throw e; await new Promise((r) => setImmediate(r)); continue; }
          got++;
          let mine = false;
          try { fs.writeFileSync(marker, '', { flag: 'wx' }); mine = true; } catch { clash++; }
          await new Promise((r) => setImmediate(r));
          if (mine) fs.rmSync(marker);
          release();
        }
        console.log(JSON.stringify({ got, clash }));
      })`;
    const take = () =>
      collect(spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const results = (await Promise.all([take(), take()])).map(
      (r) => JSON.parse(r.stdout || `{"error":${JSON.stringify(r.stderr)}}`) as object,
    );
    for (const result of results) expect(result).toMatchObject({ clash: 0 });
    expect(results.map((r) => (r as { got: number }).got).every((n) => n > 0)).toBe(true);
  });

  it.skipIf(!canUnsharePid)(
    'kx killed as PID 1 in a container: the next kx, PID 1 again, takes the lock over once it is stale',
    async () => {
      const env = database.env;
      const inContainer = (args: string[]) =>
        startKxIn(['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'], args, env);
      const serve = inContainer(['serve', '--port', '0']);
      const served = collect(serve);
      await new Promise<void>((resolve) =>
        serve.stderr!.on('data', (d: Buffer) => /listening on/.test(d.toString()) && resolve()),
      );
      const lockPath = join(env.KX_DATA_DIR!, 'kx.lock');
      expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: 1 });
      serve.kill('SIGKILL'); // unshare --kill-child takes PID 1 with it: an OOM kill
      await served;

      // At once, its heartbeat is still fresh: in use, and kx says when it will be taken over.
      const early = await collect(inContainer(['status']));
      expect(early.code).toBe(6);
      expect(early.stderr).toContain('in use by pid 1 (kx serve');
      expect(early.stderr).toContain('taken over 15 s after its last sign of life');
      // Past that (the restart waited, here the lock's clock is turned back), PID 1 takes it.
      const past = new Date(Date.now() - 20_000);
      utimesSync(lockPath, past, past);
      const later = await collect(inContainer(['status']));
      expect(later.code, later.stderr).toBe(0);
      expect(later.stdout).toContain('database: pglite');
    },
  );

  it('a data dir that cannot be made is exit 2 saying why, under /proc too', async () => {
    const scratch = makeScratchDir('kx-datadir-');
    try {
      symlinkSync(join(scratch, 'unmounted'), join(scratch, 'disk'));
      writeFileSync(join(scratch, 'file'), '');
      const cases: [string, string][] = [
        // Node's recursive mkdir spins for ever here: procfs answers ENOENT under an existing /proc.
        ['/proc/kx-data/db', "ENOENT: no such file or directory, mkdir '/proc/kx-data'"],
        [
          join(scratch, 'disk/kx'),
          `${scratch}/disk is a symbolic link to ${scratch}/unmounted, which does not exist`,
        ],
        [join(scratch, 'file'), `${scratch}/file is a file, not a directory`],
        [join(scratch, 'file/kx'), 'ENOTDIR: not a directory'],
      ];
      for (const [dir, why] of cases) {
        // In a process of its own, under timeout: a kx that spins fails the test, not the suite.
        const r = await collect(
          startKxIn(['timeout', '20'], ['status'], { ...database.env, KX_DATA_DIR: dir }),
        );
        expect(r.code, dir).toBe(2);
        expect(r.stderr).toContain(why);
        expect(r.stderr).toContain('point KX_DATA_DIR (or --data-dir) at a');
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('a data dir that has files but no PG_VERSION is refused (exit 2), never re-initialised', async () => {
    const dir = database.env.KX_DATA_DIR!;
    const ok = await runKx(['ingest', '--source', 'csv', '--file', sample], database.env);
    expect(ok.code, ok.stderr).toBe(0);
    await releaseDataDir(dir);
    rmSync(join(dir, 'PG_VERSION'));
    const r = await runKx(['status', '--json'], database.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${dir} is not empty but holds no embedded database (no PG_VERSION`);
    expect(r.stderr).toContain('kx will not overwrite it');
    expect(existsSync(join(dir, 'base'))).toBe(true); // the files are still there
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(false);
  });

  it('a data dir of another PostgreSQL, or damaged: exit 2 or 8 naming the fix, not exit 1', async () => {
    const dir = database.env.KX_DATA_DIR!;
    const ok = await runKx(['ingest', '--source', 'csv', '--file', sample], database.env);
    expect(ok.code, ok.stderr).toBe(0);
    await releaseDataDir(dir);
    const engine = readFileSync(join(dir, 'PG_VERSION'), 'utf8');
    // a PostgreSQL 15 server's data dir, or one a kx of another PGlite made
    writeFileSync(join(dir, 'PG_VERSION'), '15\n');
    const other = await runKx(['status'], database.env);
    expect(other.code, other.stderr).toBe(2);
    expect(other.stderr).toContain(
      `${dir} holds a database of PostgreSQL 15 (its PG_VERSION), and this kx embeds PostgreSQL ${engine.trim()}`,
    );
    writeFileSync(join(dir, 'PG_VERSION'), engine);
    // a catalog file lost (a disk error, a copy taken mid-write)
    const catalog = readdirSync(join(dir, 'base')).map((db) => join(dir, 'base', db, '2619'));
    catalog.forEach((file) => rmSync(file, { force: true }));
    const damaged = await runKx(['status'], database.env);
    expect(damaged.code, damaged.stderr).toBe(8);
    expect(damaged.stderr).toMatch(
      /cannot open the embedded database in .*: its files are damaged .*restore them from a backup/,
    );
  });

  it('a new data dir is made from the packaged seed, saying so once, with every migration', async () => {
    const dir = join(makeScratchDir('kx-new-'), 'data');
    const env = { KX_DATA_DIR: dir, DATABASE_URL: '' };
    try {
      const first = await runKx(['ingest', '--source', 'csv', '--file', sample], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain(`preparing the embedded database in ${dir}`);
      await releaseDataDir(dir); // closed, as a kx process leaves it
      expect(existsSync(join(dir, 'kx.preparing'))).toBe(false);
      expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
      const again = await runKx(['status', '--json'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('preparing');
      await releaseDataDir(dir);
      const migrations = readdirSync(join(repoRoot, 'drizzle')).filter((f) => f.endsWith('.sql'));
      const handle = await createDb({ databaseUrl: undefined, dataDir: dir, command: 'test' });
      try {
        const [applied] = await selectRows<{ n: number }>(
          handle.db,
          sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
        );
        expect(applied!.n).toBe(migrations.length);
      } finally {
        await handle.close();
      }
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  it('a data dir left half-made (kx stopped while preparing it) is made again, not refused', async () => {
    const dir = makeScratchDir('kx-half-');
    // What a kill mid-unpack leaves: the marker, some of the files, no PG_VERSION (packed last).
    writeFileSync(join(dir, 'kx.preparing'), '4242\n');
    mkdirSync(join(dir, 'base', '1'), { recursive: true });
    writeFileSync(join(dir, 'base', '1', '1259'), 'half a page');
    const env = { KX_DATA_DIR: dir, DATABASE_URL: '' };
    try {
      const r = await runKx(['ingest', '--source', 'csv', '--file', sample], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`preparing the embedded database in ${dir}`);
      expect(existsSync(join(dir, 'kx.preparing'))).toBe(false);
      const status = JSON.parse((await runKx(['status', '--json'], env)).stdout) as {
        assets: number;
      };
      expect(status.assets).toBe(250);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a seed (kx run from src, unbuilt), a half-made dir is emptied for initdb', async () => {
    const dir = makeScratchDir('kx-half-');
    try {
      writeFileSync(join(dir, 'kx.preparing'), '4242\n');
      writeFileSync(join(dir, 'kx.lock'), '{}');
      mkdirSync(join(dir, 'base'));
      expect(await plantSeed(dir, join(dir, 'no-such-seed.tgz'))).toBe(false);
      expect(readdirSync(dir)).toEqual(['kx.lock']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('one program opening it twice at once gets exit 6 too, as a second process would', async () => {
    await withOpen(database, async () => {
      const r = await runKx(['status'], database.env); // in this process, which holds it
      expect(r.code).toBe(6);
      expect(r.stderr).toContain(`in use by pid ${process.pid} (kx test`);
    });
    expect((await runKx(['status'], database.env)).code).toBe(0); // released with the handle
  });

  it('a lock left by a dead process is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    writeLock(dead);
    const r = await runKx(['ingest', '--source', 'csv', '--file', sample], database.env);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe.skipIf(!serverUrl)('PostgreSQL server: a per-source advisory lock', () => {
  it('a concurrent run of the same source gets exit 6, and a live run is never marked abandoned', async () => {
    // This connection plays a live kx ingest of csv: it holds the lock and has a running run.
    const sql = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
    try {
      await withOpen(database, async ({ db }) => {
        await db.insert(etlRuns).values({
          source: 'csv',
          status: 'running',
          trigger: 'ingest',
          streamKey: sample,
          params: { file: sample },
        });
      });
      await sql`select pg_advisory_lock(hashtext('kx:source:csv'))`;
      const ingest = await runKx(['ingest', '--source', 'csv', '--file', sample], database.env);
      expect(ingest.code).toBe(6);
      // naming the run that holds it, so that cron's mail says what to wait for
      expect(ingest.stderr).toMatch(
        /another kx process is running an ingest of csv: run #\d+ \(\S+sample\.csv\), started \S+Z; try again when it finishes/,
      );
      const resume = await runKx(['resume', '--source', 'csv'], database.env);
      expect(resume.code).toBe(6);
      const status = await runKx(['status', '--source', 'csv', '--json'], database.env);
      expect(JSON.parse(status.stdout)).toMatchObject({
        sources: [{ last_run: { status: 'running' } }],
      });

      await sql`select pg_advisory_unlock(hashtext('kx:source:csv'))`; // the holder dies
      const after = await runKx(['status', '--source', 'csv', '--json'], database.env);
      expect(JSON.parse(after.stdout)).toMatchObject({
        sources: [{ last_run: { status: 'abandoned', resumable: true } }],
      });
    } finally {
      await sql.end();
    }
  });

  it('kx resume of every source resumes those it can while another worker runs one', async () => {
    const failed = await runKx(['ingest', '--source', 'csv', '--file', sample], {
      ...database.env,
      FAIL_AFTER_N_RECORDS: '100',
    });
    expect(failed.code).toBe(5);
    // This connection plays a live CoinGecko worker, the registry's first source.
    const sql = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
    try {
      await sql`select pg_advisory_lock(hashtext('kx:source:coingecko'))`;
      const r = await runKx(['resume'], database.env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^csv resumed #1 succeeded: 150 read/m);
      expect(r.stderr).toContain('coingecko: nothing to resume here; another kx process runs it');

      // A failed run of the source the other worker holds is not resumed: exit 6, naming it.
      const [stuck] = await withOpen(database, ({ db }) =>
        db
          .insert(etlRuns)
          .values({
            source: 'coingecko',
            status: 'failed',
            trigger: 'ingest',
            streamKey: 'markets',
            params: {},
            resumable: true,
          })
          .returning({ id: etlRuns.id }),
      );
      const left = `coingecko run #${stuck!.id} not resumed: another kx process is running an ingest of coingecko`;
      const failAgain = async () => {
        const r = await runKx(['ingest', '--source', 'csv', '--file', sample, '--full-refresh'], {
          ...database.env,
          FAIL_AFTER_N_RECORDS: '100',
        });
        expect(r.code, r.stderr).toBe(5);
      };
      await failAgain();
      const blocked = await runKx(['resume'], database.env);
      expect(blocked.code).toBe(6);
      expect(blocked.stderr).toContain(left);
      // The csv run resumed beside it is reported, in text and in JSON.
      expect(blocked.stdout).toMatch(/^csv resumed #\d+ succeeded: 150 read/m);
      await failAgain();
      const json = await runKx(['resume', '--json'], database.env);
      expect(json.code).toBe(6);
      expect(JSON.parse(json.stdout)).toEqual({
        error: { code: 'locked', exit_code: 6, message: `${left}; try again when it finishes` },
        resumed: [expect.objectContaining({ source: 'csv', status: 'succeeded', fetched: 150 })],
      });
    } finally {
      await sql.end();
    }
  });

  it('CSV files loaded by four workers at once with --lock-wait all load, one after another', async () => {
    // Four files of the sample's rows, overlapping, loaded at once and one by one.
    const [header, ...rows] = readFileSync(sample, 'utf8').trimEnd().split('\n');
    const dir = makeScratchDir('kx-lock-wait-');
    const files = [0, 50, 100, 150].map((from, i) => {
      const file = join(dir, `part-${i}.csv`);
      writeFileSync(file, [header, ...rows.slice(from, from + 100)].join('\n') + '\n');
      return file;
    });
    const sequential = await createTestDatabase();
    const sql = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
    try {
      for (const file of files) {
        const r = await runKx(['ingest', '--source', 'csv', '--file', file], sequential.env);
        expect(r.code, r.stderr).toBe(0);
      }
      // The test holds the lock until all four wait for it: they meet whatever the timing.
      await sql`select pg_advisory_lock(hashtext('kx:source:csv'))`;
      const workers = [];
      for (const file of files)
        workers.push(
          await startKxUntil(
            ['ingest', '--source', 'csv', '--file', file, '--lock-wait', '2m'],
            database.env,
            /waiting up to 2m for another kx ingest of csv to finish/,
          ),
        );
      await sql`select pg_advisory_unlock(hashtext('kx:source:csv'))`;
      for (const r of await Promise.all(workers.map((w) => w.done)))
        expect(r.code, r.stderr).toBe(0);

      const runs = await withOpen(database, ({ db }) =>
        db.select().from(etlRuns).orderBy(etlRuns.startedAt),
      );
      expect(runs.map((r) => r.status)).toEqual(Array(4).fill('succeeded'));
      for (let i = 1; i < runs.length; i++)
        expect(runs[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(
          runs[i - 1]!.finishedAt!.getTime(),
        );
      const together = await withOpen(database, snapshotState);
      const oneByOne = await withOpen(sequential, snapshotState);
      expect(together).toEqual(oneByOne);
      expect(together.listings).toHaveLength(250);
    } finally {
      await sql.end();
      await sequential.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --lock-wait a run waits for the lock and starts once it is free; SIGINT ends the wait', async () => {
    const sql = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
    const args = ['ingest', '--source', 'csv', '--file', sample, '--lock-wait', '5m'];
    const waiting = /waiting up to 5m for another kx ingest of csv to finish \(--lock-wait\)/;
    try {
      await sql`select pg_advisory_lock(hashtext('kx:source:csv'))`;
      const first = await startKxUntil(args, database.env, waiting);
      first.child.kill('SIGINT');
      const stopped = await first.done;
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain('stopped by SIGINT while waiting for the lock');

      const second = await startKxUntil(args, database.env, waiting);
      await sql`select pg_advisory_unlock(hashtext('kx:source:csv'))`;
      const r = await second.done;
      expect(r.code, r.stderr).toBe(0);
      // run #1: the interrupted wait started nothing
      expect(r.stdout).toContain('csv run #1 succeeded: 250 read, 250 loaded');
    } finally {
      await sql.end();
    }
  });
});
