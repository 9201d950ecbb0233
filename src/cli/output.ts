import type { RunResult } from '../pipeline/runner.js';
import type { Output } from './io.js';

/** Data goes to stdout; logs and progress go to stderr. */
export function printJson(stdout: Output, value: unknown): void {
  stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(stdout: Output, line = ''): void {
  stdout.write(`${line}\n`);
}

const number = new Intl.NumberFormat('en-US');

export function formatRun(run: RunResult): string {
  const seconds = run.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(run.fetched / seconds) : run.fetched;
  const verb = run.trigger === 'resume' ? 'resumed' : 'run';
  const head = `${run.source} ${verb} #${run.runId} ${run.status}`;
  const counts =
    `${number.format(run.fetched)} read, ${number.format(run.loaded)} loaded, ` +
    `${number.format(run.unchanged)} unchanged, ${number.format(run.rejected)} rejected`;
  return `${head}: ${counts} in ${seconds.toFixed(2)} s (${number.format(rate)} records/s)`;
}

/** A one-line progress display on a TTY; silent otherwise (cron, CI, pipes). */
export function createProgress(stderr: Output, enabled: boolean, label: string) {
  const started = Date.now();
  let shown = false;
  return {
    update(records: number) {
      if (!enabled) return;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(records / seconds) : 0;
      stderr.write(`\r${label}: ${number.format(records)} records (${number.format(rate)}/s)   `);
      shown = true;
    },
    done() {
      if (shown) stderr.write('\r\x1b[K');
    },
  };
}
