import type { RunResult } from '../pipeline/runner.js';
import type { DryRunResult } from './commands/ingest.js';
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

/** What a CSV source says it read a file as (`describe().mapping`). */
interface CsvReading {
  delimiter?: string;
  dateOrder?: string;
  decimalMark?: string;
  columns?: { header: string; field: string; confidence: number; how: string }[];
  unmapped?: string[];
  symbol?: string;
}

const UNITS: Record<string, string> = {
  price_usd: 'US dollars',
  market_cap_usd: 'US dollars',
  volume_24h_usd: 'US dollars',
  circulating_supply: 'coins',
  total_supply: 'coins',
  max_supply: 'coins',
  percent_change_24h: 'percent',
};

/**
 * A dry run's counts, then how the file was read: each column's field and unit, the date order
 * and decimal mark found, the columns left out, and the first rejections.
 */
export function formatDryRun(result: DryRunResult): string {
  const lines = [
    `dry run: ${number.format(result.fetched)} read, ${number.format(result.valid)} valid, ` +
      `${number.format(result.rejected)} rejected`,
  ];
  const reading = (result.mapping ?? {}) as CsvReading;
  for (const c of reading.columns ?? []) {
    const unit =
      c.field === 'observed_at'
        ? reading.dateOrder && `dates read ${reading.dateOrder}`
        : UNITS[c.field];
    const how = c.how === 'override' ? '--map' : `${c.how} ${c.confidence}`;
    lines.push(`  ${JSON.stringify(c.header)} → ${c.field}${unit ? `, ${unit}` : ''} (${how})`);
  }
  if (reading.symbol) lines.push(`  every row is ${reading.symbol} (--symbol)`);
  if (reading.decimalMark)
    lines.push(
      `  numbers with a decimal ${reading.decimalMark === ',' ? 'comma (1.234,5)' : 'point (1,234.5)'}` +
        (reading.delimiter ? `, cells split by ${JSON.stringify(reading.delimiter)}` : ''),
    );
  if (reading.unmapped?.length)
    lines.push(`  not used: ${reading.unmapped.map((h) => JSON.stringify(h)).join(', ')}`);
  for (const r of result.rejections.slice(0, 5)) {
    const line = (r.locator as { line?: number } | null)?.line;
    lines.push(`  rejected${line ? ` line ${line}` : ''}: ${r.reason}`);
  }
  return lines.join('\n');
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
