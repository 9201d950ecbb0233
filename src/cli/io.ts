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
}

export function processIo(): Io {
  return { env: process.env, stdout: process.stdout, stderr: process.stderr };
}
