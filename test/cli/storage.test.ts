import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, runKxBinary } from '../helpers/cli.js';
import { writeSnapshotCsv } from '../helpers/csv-gen.js';
import { serverUrl } from '../helpers/db.js';
import { adminQuery } from '../helpers/template.js';
import { makeScratchDir } from '../helpers/scratch.js';

/** Whether this machine lets the tests mount a small tmpfs (root on Linux). */
const canMount = (() => {
  const probe = makeScratchDir('kx-mount-probe-');
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A tmpfs of `size` at a fresh directory; `readOnly` remounts it read-only after `prepare`. */
function mountTmpfs(size: string, options: { readOnly?: boolean; prepare?: string[] } = {}) {
  const dir = makeScratchDir('kx-disk-');
  expect(spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status).toBe(0);
  mounted.push(dir);
  for (const sub of options.prepare ?? []) mkdirSync(join(dir, sub));
  if (options.readOnly) expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
  return dir;
}

/** #13: the data dir's disk refusing to write is said plainly, with the fix, never `[object Object]`. */
describe.skipIf(serverUrl || !canMount)('the embedded database on a disk that refuses it', () => {
  it('a full disk: exit 8, "no space left on the device (ENOSPC)", free space and run again', async () => {
    const disk = mountTmpfs('1m');
    const r = await runKxBinary(['status'], { KX_DATA_DIR: join(disk, 'kx'), DATABASE_URL: '' });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/no space left on the device \(ENOSPC[^)]*\); free space/);
    expect(r.stderr).not.toContain('[object Object]');
  });

  it.each([
    ['an existing directory', 'kx'],
    ['a directory to create', 'new'],
  ])('a read-only file system, %s: exit 2 naming the fix', async (_, sub) => {
    const disk = mountTmpfs('1m', { readOnly: true, prepare: ['kx'] });
    const r = await runKxBinary(['status'], { KX_DATA_DIR: join(disk, sub), DATABASE_URL: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('point KX_DATA_DIR (or --data-dir) at a writable directory');
  });

  it('a disk filling up mid-ingest: exit 8 while there is room, and resume once there is more', async () => {
    const template = process.env.KX_TEST_TEMPLATE!;
    // Room for the migrated template and 68 MB: above kx's 64 MB floor for the first batches.
    const templateMb = Number(
      spawnSync('du', ['-sm', template], { encoding: 'utf8' }).stdout.split('\t')[0],
    );
    const disk = mountTmpfs(`${templateMb + 68}m`);
    const dataDir = join(disk, 'kx');
    cpSync(template, dataDir, { recursive: true });
    const file = join(disk, '..', `${disk.split('/').pop()}-rows.csv`);
    writeSnapshotCsv(file, 12_000, { badEvery: 11 });
    try {
      const env = { KX_DATA_DIR: dataDir, DATABASE_URL: '', KX_BATCH_SIZE: '2000' };
      const full = await runKxBinary(['ingest', '--source', 'csv', '--file', file], env);
      expect(full.code, full.stderr).toBe(8); // not a hang: PGlite spins when its disk fills
      expect(full.stderr).toMatch(/has [\d.]+ MB free; kx stops below 64 MB/);
      const [, committed] = /csv run #1 failed: ([\d,]+) read/.exec(full.stdout) ?? [];
      expect(Number(committed?.replace(/,/g, ''))).toBeGreaterThan(0); // mid-ingest, batches in
      expect(spawnSync('mount', ['-o', 'remount,size=2g', disk]).status).toBe(0);
      const resumed = await runKxBinary(['resume', '--json'], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      const status = await runKxBinary(['status', '--source', 'csv', '--json'], env);
      expect(JSON.parse(status.stdout)).toMatchObject({
        sources: [{ last_run: { status: 'succeeded', fetched: 12_000 } }],
      });
    } finally {
      rmSync(file, { force: true });
    }
  }, 120_000);
});

describe.skipIf(serverUrl || !canMount)('kx export to a file on a disk that fills up', () => {
  it('exit 8 naming the fix, not exit 0 and a file cut at the end of the disk', async () => {
    const scratch = makeScratchDir('kx-export-full-');
    const dataDir = join(scratch, 'kx');
    cpSync(process.env.KX_TEST_TEMPLATE!, dataDir, { recursive: true });
    const env = { KX_DATA_DIR: dataDir, DATABASE_URL: '' };
    const sample = join(repoRoot, 'fixtures/sample.csv');
    try {
      const ingest = await runKxBinary(['ingest', '--source', 'csv', '--file', sample], env);
      expect(ingest.code, ingest.stderr).toBe(0);
      // the shell opens the file, as `kx export listings > listings.csv` does
      const exportTo = (out: string) =>
        spawnSync('sh', ['-c', 'exec node bin/kx.js export listings > "$OUT"'], {
          cwd: repoRoot,
          env: { ...process.env, ...env, OUT: out },
          encoding: 'utf8',
        });
      const whole = join(scratch, 'listings.csv');
      expect(exportTo(whole).status).toBe(0);
      expect(statSync(whole).size).toBeGreaterThan(8192);
      // a disk with room for one page of it: Node dropped what its last write left over
      const disk = mountTmpfs('4k');
      const cut = exportTo(join(disk, 'listings.csv'));
      expect(cut.status, cut.stderr).toBe(8);
      expect(cut.stderr).toMatch(/kx: no space left on the device \(ENOSPC[^)]*\); free space/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * The server's disk filling up mid-ingest: the test database lives in a tablespace on a small
 * tmpfs. Needs the server on this machine (its tablespace directory must be its user's). While
 * the tablespace is full the server's checkpoints fail, and with them any test's DROP DATABASE
 * running meanwhile: the test runs by itself, when KX_TEST_SERVER_DISK_FULL is set (`.ci/run`
 * runs it after the server's suite).
 */
const diskFull = Boolean(process.env.KX_TEST_SERVER_DISK_FULL);
describe.skipIf(!serverUrl || !canMount || !diskFull)(
  'a PostgreSQL server whose disk fills up',
  () => {
    it('exit 8 naming the fix mid-ingest; resume once there is room loads every row once', async (ctx) => {
      const admin = postgres(serverUrl!, { max: 1, onnotice: () => undefined });
      const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const [tablespace, database] = [`kx_full_${suffix}`, `kx_test_full_${suffix}`];
      const file = join(makeScratchDir('kx-full-'), 'rows.csv');
      let created = false;
      try {
        const [setting] = await admin<{ dir: string; size: string }[]>`
        select current_setting('data_directory') as dir,
          pg_database_size(${process.env.KX_TEST_TEMPLATE!}) as size`;
        if (!existsSync(setting!.dir)) return ctx.skip(); // a server elsewhere
        // Room for the migrated template and 12 MB: a few batches of 2,000 new coins, not 20,000.
        const disk = mountTmpfs(`${Math.ceil(Number(setting!.size) / 2 ** 20) + 12}m`);
        const owner = statSync(setting!.dir);
        chownSync(disk, owner.uid, owner.gid);
        await adminQuery(serverUrl!, `create tablespace ${tablespace} location '${disk}'`);
        created = true;
        await adminQuery(
          serverUrl!,
          `create database ${database} template ${process.env.KX_TEST_TEMPLATE!} tablespace ${tablespace}`,
        );
        const url = new URL(serverUrl!);
        url.pathname = `/${database}`;
        const env = { DATABASE_URL: url.toString(), KX_BATCH_SIZE: '2000' };
        writeSnapshotCsv(file, 20_000);

        const full = await runKxBinary(['ingest', '--source', 'csv', '--file', file], env);
        expect(full.code, full.stderr).toBe(8);
        expect(full.stderr).toMatch(
          /the database cannot write: could not extend file .*No space left on device \(SQLSTATE 53100\); free space \(or fix the disk\), then `kx resume`/,
        );
        const [, loaded] =
          /csv run #1 failed: [\d,]+ read, ([\d,]+) loaded/.exec(full.stdout) ?? [];
        expect(Number(loaded?.replace(/,/g, ''))).toBeGreaterThan(0); // batches went in first

        expect(spawnSync('mount', ['-o', 'remount,size=512m', disk]).status).toBe(0);
        const resumed = await runKxBinary(['resume', '--source', 'csv'], env);
        expect(resumed.code, resumed.stderr).toBe(0);
        const db = postgres(url.toString(), { max: 1 });
        try {
          const [counts] = await db<{ quotes: number; raw: number; listings: number }[]>`
          select (select count(*)::int from quotes) as quotes,
            (select count(*)::int from raw_csv) as raw,
            (select count(*)::int from asset_sources) as listings`;
          expect(counts).toEqual({ quotes: 20_000, raw: 20_000, listings: 20_000 });
        } finally {
          await db.end();
        }
      } finally {
        await adminQuery(serverUrl!, `drop database if exists ${database} with (force)`);
        if (created) await adminQuery(serverUrl!, `drop tablespace if exists ${tablespace}`);
        await admin.end();
        rmSync(dirname(file), { recursive: true, force: true });
      }
    }, 180_000);
  },
);
