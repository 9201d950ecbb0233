import { accessSync, constants, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new temp folder for throwaway test data, in memory (/dev/shm) where the machine has it:
 * a PGlite data dir is a thousand small files, and copying, writing and removing them on a
 * disk costs several times more than in tmpfs.
 */
export function makeScratchDir(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), prefix));
}

let root: string | undefined;
function scratchRoot(): string {
  if (root) return root;
  root = tmpdir();
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      root = '/dev/shm';
    }
  } catch {
    // no tmpfs: the OS temp dir
  }
  return root;
}
