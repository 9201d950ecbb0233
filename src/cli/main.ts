import { CommanderError } from 'commander';
import { KxError, isKxError, toKxError, type KxErrorCode } from '../core/errors.js';
import { getFailedRun, getResumed } from '../engine/failed-run.js';
import { processIo, type Io } from './io.js';
import { formatRun, printJson, printLine } from './format.js';
import { createProgram } from './program.js';

/** DESIGN §6: the exit code of every error code. */
const EXIT_CODES: Record<KxErrorCode, number> = {
  internal: 1,
  usage: 2,
  upstream: 3,
  input: 4,
  injected: 5,
  locked: 6,
  budget: 7,
  unavailable: 8,
  interrupted: 130,
};

/** 128 + the signal's number, as shells report a process a signal stopped. */
function exitCodeOf(error: KxError): number {
  if (error.code === 'interrupted' && error.context.signal === 'SIGTERM') return 143;
  return EXIT_CODES[error.code];
}

/**
 * The CLI entry point of `bin/kx.js`; the only place that sets the process exit code or
 * handles what happens to the process as a whole.
 */
export async function main(argv: readonly string[]): Promise<void> {
  process.on('uncaughtException', exitOnUncaught);
  process.stdout.on('error', endOnClosedOutput);
  process.stderr.on('error', endOnClosedOutput);
  const code = await run(argv, processIo());
  process.exitCode = code;
  // Stopped by a signal: what was committed is recorded and the locks are released; a fetch
  // or a backoff still pending is not waited for.
  if (code === 130 || code === 143) process.exit(code);
}

/**
 * The last resort: an error thrown outside any awaited call. postgres.js 3.4.9 throws one
 * from a timer when it writes to a connection the server has just closed (porsager/postgres
 * #1154, #1208): that is the database going away, exit 8 and resumable, like every other
 * lost connection. Anything else is a bug, said in one `kx:` line. The run it interrupted is
 * left `running`; its lock dies with this process, so `kx status` shows it abandoned and
 * `kx resume` continues it.
 */
function exitOnUncaught(thrown: unknown): void {
  const error = isDriverWriteOnClosedSocket(thrown)
    ? new KxError(
        'unavailable',
        'the database is unavailable: the connection was closed while kx was writing to it; ' +
          'once it is back, `kx resume` continues from the last checkpoint',
      )
    : toKxError(thrown);
  process.stderr.write(`kx: ${error.message}\n`);
  if (error.code === 'internal') process.stderr.write(`${(thrown as Error).stack}\n`);
  process.exit(exitCodeOf(error));
}

/**
 * Whoever read kx's output has gone (`kx serve 2>&1 | head -1`, a closed terminal): kx ends
 * quietly, as if stopped by SIGTERM, so a server drains and a run stops at its checkpoint,
 * and the locks are released. A command with nothing to stop just ends.
 */
let outputClosed = false;
function endOnClosedOutput(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  if (outputClosed) return;
  outputClosed = true;
  if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
  else process.exit();
}

function isDriverWriteOnClosedSocket(thrown: unknown): boolean {
  return (
    thrown instanceof TypeError &&
    thrown.message.includes("reading 'write'") &&
    /[/\\]postgres[/\\]src[/\\]connection\.js/.test(thrown.stack ?? '')
  );
}

/**
 * Runs one kx command line and returns its exit code. Each command's module is imported when
 * that command runs, so `kx status` does not load the HTTP server.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const output = { json: false };
  const program = createProgram(output, io);
  // `kx -V`, as many CLIs spell it, is `kx --version`.
  const args = argv.map((arg, i) => (i === 2 && arg === '-V' ? '--version' : arg));
  // Asked for before its command ran (a usage error stops it first), --json still holds.
  const json = () => output.json || args.slice(2).includes('--json');
  try {
    await program.parseAsync(args);
    return 0;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      if (thrown.exitCode === 0) return 0;
      const message = thrown.message.replace(/^error: /, '');
      if (json()) printJson(io.stdout, { error: { code: 'usage', exit_code: 2, message } });
      return 2;
    }
    const error = toKxError(thrown);
    const failedRun = getFailedRun(error);
    // `kx resume` stopped by an error: the runs it finished before still print.
    const resumed = getResumed(thrown);
    const exitCode = exitCodeOf(error);
    if (json()) {
      // One document, errors included: the failed run with why it failed, or the error alone.
      const why = {
        code: error.code,
        exit_code: exitCode,
        message: error.message,
        ...(failedRun ? { run_id: failedRun.runId } : {}),
      };
      printJson(io.stdout, { ...failedRun, error: why, ...(resumed ? { resumed } : {}) });
    } else {
      resumed?.forEach((run) => printLine(io.stdout, formatRun(run)));
      if (failedRun) printLine(io.stdout, formatRun(failedRun));
    }
    io.stderr.write(`kx: ${error.message}\n`);
    if (!isKxError(thrown) && io.env.KX_LOG_LEVEL === 'debug')
      io.stderr.write(`${(thrown as Error).stack}\n`);
    return exitCode;
  }
}
