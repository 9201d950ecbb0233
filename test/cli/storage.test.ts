import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runKxBinary } from '../helpers/cli.js';
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
    expect(r.stderr).toContain('no space left on the device (ENOSPC); free space');
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
});
