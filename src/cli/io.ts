import { fstatSync, writeSync } from 'node:fs';
import type { DbHandle, DbOptions } from '../db/client.js';

/** A stream kx writes to: the process's stdout or stderr, or a test's capture of them. */
export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * Where a kx command reads its environment and writes its data and logs. `bin/kx.js` passes
 * the process's own; tests may run a command in their own process with theirs.
 */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
  /**
   * How a command opens its database; `createDb` when unset, as in `bin/kx.js`. A test that
   * runs several commands in its own process may hand out a handle it keeps open between
   * them (closing it is then handing it back): each open of PGlite costs 0.3 s of CPU.
   */
  openDb?: (options: DbOptions) => Promise<DbHandle>;
}

export function processIo(): Io {
  return { env: process.env, stdout: fileOutput(1) ?? process.stdout, stderr: process.stderr };
}

/**
 * stdout redirected to a file (`kx export quotes … > btc.csv`): Node writes to it with one
 * `writeSync` a chunk and drops what a short write left, which a disk that fills up returns
 * for its last bytes: the export ended with exit 0 and a file cut at the disk's end. Each
 * chunk is written whole here, and the disk's ENOSPC on the rest is thrown (exit 8). Null
 * when stdout is no file (a terminal, a pipe: Node's own stream waits for those).
 */
function fileOutput(fd: number): Output | null {
  try {
    if (!fstatSync(fd).isFile()) return null;
  } catch {
    return null;
  }
  return {
    write(chunk: string): boolean {
      const bytes = Buffer.from(chunk);
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
      return true;
    },
  };
}
