import { toSnakeKeys } from '../core/json.js';
import type { ReadProgress, UpstreamWait } from '../core/source.js';
import type { RunResult } from '../engine/runner.js';
import type { SourceStatus, Status } from '../queries/status.js';
import { listColumns } from '../sources/csv/header-keys.js';
import type { DryRunResult } from './commands/ingest.js';
import type { Output } from './io.js';

/** Data goes to stdout; logs and progress go to stderr. */
export function printJson(stdout: Output, value: unknown): void {
  stdout.write(`${JSON.stringify(toSnakeKeys(value), null, 2)}\n`);
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
  const line = `${head}: ${counts} in ${seconds.toFixed(2)} s (${number.format(rate)} records/s)`;
  return run.continues ? `${line}\n  ${readOn(run, run.continues)}` : line;
}

/**
 * Why a run that read on from a checkpoint read so little: the lines before were read. A run
 * that failed may not have reached what was appended.
 */
function readOn(run: RunResult, from: NonNullable<RunResult['continues']>): string {
  const where = `run #${from.runId} read the file to line ${number.format(from.afterLine)}`;
  if (run.status === 'failed') return `read on from where ${where}`;
  return run.fetched === 0
    ? `nothing appended since ${where} (--full-refresh reads it all again)`
    : `read the lines appended since ${where}`;
}

/** What a CSV source says it read a file as (`describe().mapping`). */
interface CsvReading {
  delimiter?: string;
  dateOrder?: string;
  decimalMark?: string;
  timeOfDay?: string;
  currency?: string;
  columns?: {
    header: string;
    field: string;
    confidence: number;
    how: string;
    scale?: number;
    /** For observed_at, the zone its header names (`UTC+08:00`). */
    zone?: string;
  }[];
  unmapped?: string[];
  symbol?: string;
  /** Where the symbol came from when not --symbol: yfinance's ticker (`BTC-USD`). */
  ticker?: string;
  pairs?: { example: string; quoteFirst?: true };
  cashtags?: boolean;
  namedTickers?: boolean;
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
        ? [reading.dateOrder && `dates read ${reading.dateOrder}`, c.zone && `times in ${c.zone}`]
            .filter(Boolean)
            .join(', ')
        : UNITS[c.field];
    const how =
      c.how === 'override'
        ? '--map'
        : c.how === 'markets'
          ? 'read from its markets'
          : `${c.how} ${c.confidence}`;
    const scale = c.scale ? ` × ${number.format(10 ** c.scale)}` : '';
    lines.push(
      `  ${JSON.stringify(c.header)} → ${c.field}${unit ? `, ${unit}` : ''}${scale} (${how})`,
    );
  }
  if (reading.timeOfDay)
    lines.push(`  ${JSON.stringify(reading.timeOfDay)} → the time of day of observed_at`);
  if (reading.currency)
    lines.push(`  ${JSON.stringify(reading.currency)} → each row's prices must be in US dollars`);
  if (reading.symbol)
    lines.push(
      `  every row is ${reading.symbol} (${reading.ticker ? `yfinance's ticker ${reading.ticker}` : '--symbol'})`,
    );
  else if (reading.pairs)
    lines.push(
      `  symbols are trading pairs priced in US dollars${reading.pairs.quoteFirst ? ', written quote first' : ''} ` +
        `(${JSON.stringify(reading.pairs.example)}): each row is its base coin`,
    );
  else if (reading.cashtags) lines.push('  symbols are cashtags ("$BTC"): read without the $');
  else if (reading.namedTickers)
    lines.push('  symbols are names and tickers ("Bitcoin BTC"): each row is its ticker');
  if (reading.decimalMark)
    lines.push(
      `  numbers with a decimal ${reading.decimalMark === ',' ? 'comma (1.234,5)' : 'point (1,234.5)'}` +
        (reading.delimiter ? `, cells split by ${JSON.stringify(reading.delimiter)}` : ''),
    );
  if (reading.unmapped?.length) lines.push(`  not used: ${listColumns(reading.unmapped)}`);
  for (const r of result.rejections.slice(0, 5)) {
    const line = (r.locator as { line?: number } | null)?.line;
    lines.push(`  rejected${line ? ` line ${line}` : ''}: ${r.reason}`);
  }
  return lines.join('\n');
}

/** How often a progress line is redrawn at most. */
const REDRAW_MS = 250;

/**
 * A one-line progress display on a TTY; silent otherwise (cron, CI, pipes). It shows what is
 * read and committed, and for a file how far in it is, with the rate and the time left:
 * `csv: 45.2% of 12.3 MB · 120,000 read, 110,000 committed · 11,500 rows/s · 0:07 left`.
 */
export function createProgress(stderr: Output, enabled: boolean, label: string) {
  const started = Date.now();
  let drawn = 0;
  let read: { records: number } & Partial<ReadProgress> = { records: 0 };
  let committed = 0;
  /** The wait in progress, redrawn as it counts down: `rate limit: next call in 1.6 s`. */
  let waiting: (UpstreamWait & { until: number }) | null = null;
  let ticker: NodeJS.Timeout | undefined;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!enabled || (!force && now - drawn < REDRAW_MS)) return;
    drawn = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? Math.round(read.records / seconds) : 0;
    let where: string | undefined; // how far into the source
    let left: string | undefined; // the time left, when the total is known
    if (read.total && read.done !== undefined && read.unit !== 'pages') {
      const share = read.done / read.total;
      const of =
        read.unit === 'bytes' ? formatBytes(read.total) : `${number.format(read.total)} items`;
      where = `${(share * 100).toFixed(1)}% of ${of}`;
      if (share > 0 && share < 1) left = `${formatDuration((seconds / share) * (1 - share))} left`;
    } else if (read.unit === 'pages' && read.done !== undefined) {
      where = `page ${read.done}${read.total ? ` of ${read.total}` : ''}`;
    }
    const counts = `${number.format(read.records)} read, ${number.format(committed)} committed`;
    const wait =
      waiting && waiting.until > now
        ? `${waiting.what} in ${((waiting.until - now) / 1000).toFixed(1)} s${waiting.why ? ` ${waiting.why}` : ''}`
        : undefined;
    const parts = [where, counts, `${number.format(rate)} rows/s`, left, wait].filter(Boolean);
    stderr.write(`\r\x1b[K${label}: ${parts.join(' · ')}`);
  };
  return {
    /** Records read and how far into the source (runner's `onRead`). */
    read(progress: { records: number } & Partial<ReadProgress>) {
      read = progress;
      draw(false);
    },
    /** Records committed (runner's `onProgress`). */
    update(records: number) {
      committed = records;
      if (records > read.records) read = { ...read, records };
      draw(false);
    },
    /** A wait before the next upstream call: counted down until it ends. */
    wait(next: UpstreamWait) {
      if (!enabled) return;
      waiting = { ...next, until: Date.now() + next.ms };
      clearInterval(ticker);
      draw(true);
      ticker = setInterval(() => {
        if (!waiting || waiting.until <= Date.now()) {
          waiting = null;
          clearInterval(ticker);
        }
        draw(true);
      }, REDRAW_MS);
      ticker.unref();
    },
    done() {
      clearInterval(ticker);
      if (drawn > 0) stderr.write('\r\x1b[K');
    },
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** `0:07`, `12:30`, `1:02:03`. */
function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

/** `1 run`, `2 runs`: `shown` is how the count is written (grouped digits). */
function counted(n: number, noun: string, shown = String(n)): string {
  return `${shown} ${noun}${n === 1 ? '' : 's'}`;
}

export function formatStatus(status: Status): string {
  const lines = [
    `database: ${status.database.driver} (${status.database.location}), ${counted(status.assets, 'asset')}`,
  ];
  for (const s of status.sources) {
    const last = s.lastRun;
    lines.push(
      '',
      `${s.source}: ${counted(s.runs.total, 'run')} (${s.runs.succeeded} succeeded, ${s.runs.failed} failed), ` +
        `${counted(s.listings, 'listing')}, ${counted(s.quotes, 'quote')}`,
    );
    if (s.calls.used > 0 || s.calls.budget !== null) {
      lines.push(
        `  upstream calls in ${s.calls.month}: ${s.calls.used}${s.calls.budget === null ? '' : ` of ${s.calls.budget}`}`,
      );
    }
    if (!last) {
      lines.push('  never run');
      continue;
    }
    lines.push(
      `  last run #${last.id}: ${last.status}${last.attempts > 1 ? ` after ${last.attempts} attempts` : ''}, ` +
        `${last.fetched} read, ${last.loaded} loaded, ${last.unchanged} unchanged, ${last.rejected} rejected, started ${last.startedAt}`,
    );
    if (last.error) lines.push(`  error (${last.error.code}): ${last.error.message ?? ''}`);
    if (last.rejected > 0)
      lines.push(`  rejected records, with why: kx export rejected --run ${last.id}`);
    if (s.resumableRuns.length > 0)
      lines.push(
        `  resumable runs: ${s.resumableRuns.map((id) => `#${id}`).join(', ')} (run \`kx resume\`)`,
      );
    const shown = latestCheckpoints(s.checkpoints);
    for (const c of shown)
      lines.push(
        `  checkpoint ${c.stream}: ${counted(c.records, 'record')}, run #${c.runId}, ${c.updatedAt}`,
      );
    const more = s.checkpoints.length - shown.length;
    if (more > 0)
      lines.push(
        `  and ${counted(more, 'older checkpoint')} (kx status --json --source ${s.source} lists every one)`,
      );
  }
  return lines.join('\n');
}

/**
 * How many checkpoints a source's lines show: a CSV source keeps one per file it ever read,
 * and cron loading a new file every day would list a year of them.
 */
const SHOWN_CHECKPOINTS = 10;

/** The most recently moved checkpoints, in stream order. */
function latestCheckpoints<T extends { updatedAt: string }>(checkpoints: readonly T[]): T[] {
  if (checkpoints.length <= SHOWN_CHECKPOINTS) return [...checkpoints];
  const latest = new Set(
    [...checkpoints]
      .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt))
      .slice(0, SHOWN_CHECKPOINTS),
  );
  return checkpoints.filter((c) => latest.has(c));
}

/** ANSI colours of a status, or none (NO_COLOR, TERM=dumb). */
const COLOURS: Record<string, string> = {
  succeeded: '32', // green
  failed: '31', // red
  abandoned: '33', // yellow
  running: '36', // cyan
};

/**
 * `kx status` on a terminal: one row per source (its last run, how long ago, status, records,
 * checkpoints, calls this month), then a line per problem to act on. Off a terminal, or
 * piped, `formatStatus` keeps one fact per line.
 */
export function formatStatusTable(status: Status, options: { color: boolean; now?: Date }): string {
  const now = (options.now ?? new Date()).getTime();
  const paint = (text: string, state: string) =>
    options.color && COLOURS[state] ? `\x1b[${COLOURS[state]}m${text}\x1b[0m` : text;
  const header = [
    'source',
    'last run',
    'age',
    'status',
    'read',
    'loaded',
    'rejected',
    'checkpoints',
    'calls',
  ];
  const rows = status.sources.map((s) => statusRow(s, now));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const numeric = new Set([4, 5, 6]);
  const line = (cells: string[], state = '') =>
    cells
      .map((cell, i) => {
        const padded = numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
        return i === 3 ? paint(padded, state) : padded;
      })
      .join('  ')
      .trimEnd();
  const lines = [
    `database: ${status.database.driver} (${status.database.location}) · ${counted(status.assets, 'asset', number.format(status.assets))}`,
    '',
    line(header),
    ...rows.map((r) => line(r.cells, r.state)),
  ];
  const problems = status.sources.flatMap(problemsOf);
  if (problems.length > 0) lines.push('', ...problems);
  return lines.join('\n');
}

/** A source's row of the status table: its cells, and the status that colours it. */
function statusRow(s: SourceStatus, now: number): { cells: string[]; state: string } {
  const last = s.lastRun;
  const calls =
    s.calls.used > 0 || s.calls.budget !== null
      ? `${number.format(s.calls.used)}${s.calls.budget === null ? '' : ` of ${number.format(s.calls.budget)}`}`
      : '';
  const checkpoints = s.checkpoints.length === 0 ? '' : `${s.checkpoints.length}`;
  if (!last)
    return { cells: [s.source, '', '', 'never run', '', '', '', checkpoints, calls], state: '' };
  const attempts = last.attempts > 1 ? ` (${last.attempts} tries)` : '';
  return {
    cells: [
      s.source,
      `#${last.id}${attempts}`,
      formatAge((now - Date.parse(last.startedAt)) / 1000),
      last.status,
      number.format(last.fetched),
      number.format(last.loaded),
      number.format(last.rejected),
      checkpoints,
      calls,
    ],
    state: last.status,
  };
}

/** What to act on about a source: its last run's error, runs to resume, rejected records. */
function problemsOf(s: SourceStatus): string[] {
  return [
    ...(s.lastRun?.error
      ? [`${s.source} #${s.lastRun.id} ${s.lastRun.error.code}: ${s.lastRun.error.message ?? ''}`]
      : []),
    ...(s.resumableRuns.length > 0
      ? [
          `${s.source}: ${s.resumableRuns.map((id) => `#${id}`).join(', ')} can be resumed: kx resume --source ${s.source}`,
        ]
      : []),
    ...(s.lastRun && s.lastRun.rejected > 0
      ? [
          `${s.source} #${s.lastRun.id} rejected ${counted(s.lastRun.rejected, 'record', number.format(s.lastRun.rejected))}: kx export rejected --run ${s.lastRun.id}`,
        ]
      : []),
  ];
}

/** `12 s`, `5 min`, `3 h`, `2 d` ago. */
function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}
