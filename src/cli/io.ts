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
  return { env: process.env, stdout: process.stdout, stderr: process.stderr };
}
