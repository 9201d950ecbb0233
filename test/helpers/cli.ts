import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import {
  createTestDatabase,
  isKeptIdle,
  openKept,
  releaseDataDir,
  type TestDatabase,
} from './db.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/kx.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment a kx child gets: only what a test says, plus PATH/HOME. No inherited KX_* noise. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env };
}

/**
 * Runs a kx command line to completion in this process: the program `bin/kx.js` runs, with the
 * environment and output streams of a child (only `env`, plus PATH and HOME). A new process
 * costs each run about a second of CPU (Node's start, imports, PGlite's compile), and the suite
 * runs some 150. Its database stays open in this process for the test's next command or read
 * (helpers/db.ts `openKept`). What only a process has (signals, exit on a crash, closed
 * pipes, two processes at once, the built `dist`) is tested with `runKxBinary` and `startKx`;
 * binary.test.ts checks that both ways print and exit alike.
 */
export async function runKx(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    env: childEnv(env),
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    openDb: openKept,
  };
  const code = await run(['node', 'kx', ...args], io);
  return { code, signal: null, stdout, stderr };
}

/**
 * Runs the real `kx` binary (the built `dist`) to completion in a child process, first closing
 * what this process keeps open of its data dir.
 */
export async function runKxBinary(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = repoRoot,
): Promise<CliResult> {
  await releaseDataDir(env.KX_DATA_DIR);
  return collect(startKx(args, env, cwd));
}

/**
 * V8 runs PGlite's WebAssembly on its baseline compiler only. Optimizing it in the background
 * costs a short kx run more CPU than it saves (2.4 vs 1.3 CPU-seconds for `kx status`), and the
 * suite runs some 170 of them on two cores. The program and its behaviour are the same.
 */
const NODE_FLAGS = ['--liftoff-only'];

export function startKx(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = repoRoot,
): ChildProcess {
  return startKxIn([], args, env, cwd);
}

/** Starts kx under a wrapper command (`unshare …`): `wrapper node kx args`. */
export function startKxIn(
  wrapper: readonly string[],
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = repoRoot,
): ChildProcess {
  if (isKeptIdle(env.KX_DATA_DIR))
    throw new Error(
      `this test process holds ${env.KX_DATA_DIR} open: \`await releaseDataDir(…)\` before starting kx on it`,
    );
  const command = [...wrapper, process.execPath, ...NODE_FLAGS, bin, ...args];
  return spawn(command[0]!, command.slice(1), {
    env: childEnv(env),
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Starts `kx ingest` with debug logging and calls `act` once it has committed at least
 * `atLeast` records. Resolves with the run's result and how many records it had committed
 * when `act` ran (0 if it never did).
 */
export async function ingestUntilCommitted(
  args: readonly string[],
  env: Record<string, string>,
  atLeast: number,
  act: (child: ChildProcess) => void,
): Promise<CliResult & { actedAt: number }> {
  await releaseDataDir(env.KX_DATA_DIR);
  const child = startKx(args, { ...env, KX_LOG_LEVEL: 'debug' });
  const done = collect(child);
  let actedAt = 0;
  child.stderr!.on('data', (chunk: Buffer) => {
    const m = /committed (\d+) records/.exec(chunk.toString());
    if (m && Number(m[1]) >= atLeast && actedAt === 0) {
      actedAt = Number(m[1]);
      act(child);
    }
  });
  return { ...(await done), actedAt };
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Starts kx and resolves once its stderr matches `pattern` (rejects if it exits first), with
 * the child and its result to come.
 */
export async function startKxUntil(
  args: readonly string[],
  env: Record<string, string>,
  pattern: RegExp,
): Promise<{ child: ChildProcess; done: Promise<CliResult> }> {
  await releaseDataDir(env.KX_DATA_DIR);
  const child = startKx(args, env);
  const done = collect(child);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`kx exited (${code}) before ${pattern}: ${seen}`)));
  });
  return { child, done };
}

/** Starts `kx serve` (extra `args` appended to `--port 0`) and waits for the URL it listens on. */
export async function startServe(env: Record<string, string>, args: readonly string[] = []) {
  await releaseDataDir(env.KX_DATA_DIR);
  const child = startKx(['serve', '--port', '0', ...args], env);
  const done = collect(child);
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`kx serve exited early: ${seen}`)));
  });
  return { child, done, url };
}

/** A fresh test database holding one real `kx ingest` of fixtures/sample.csv. */
export async function createSampleDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const r = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], database.env);
  if (r.code !== 0) throw new Error(`ingest of the sample failed (${r.code}): ${r.stderr}`);
  return database;
}

export const sampleCsv = join(repoRoot, 'fixtures/sample.csv');
