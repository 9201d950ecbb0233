import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runKxBinary } from '../helpers/cli.js';
import { writeSnapshotCsv } from '../helpers/csv-gen.js';
import { serverUrl } from '../helpers/db.js';
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
