import { instantProblem } from '../../core/domain.js';
import { KxError } from '../../core/errors.js';
import { ISO_INSTANT, toTimestamp } from '../../core/timestamp.js';
import type { Db } from '../../db/client.js';
import { findAssets } from '../../queries/assets.js';
import { runExists } from '../../queries/rejected.js';
import {
  encode,
  exportAssets,
  exportListings,
  exportQuotes,
  exportRejected,
  type Export,
  type ExportFormat,
} from '../../queries/export.js';
import {
  CONSENSUS,
  INTERVALS,
  getQuoteSpan,
  historyWindow,
  type Interval,
} from '../../queries/history.js';
import { sourceNames } from '../../sources/index.js';
import type { Context } from '../context.js';
import type { Output } from '../io.js';

/** What `kx export` writes (program.ts declares the same four as the argument's choices). */
export type ExportKind = 'quotes' | 'listings' | 'assets' | 'rejected';

export interface ExportOptions {
  asset?: string;
  run?: number;
  source?: string;
  from?: string;
  to?: string;
  interval?: string;
  format: ExportFormat;
}

/**
 * Writes every matching row to stdout as it is read, a page at a time (queries/export.ts),
 * waiting for stdout to drain: memory stays flat for any number of rows.
 */
export async function exportData(
  ctx: Context,
  kind: ExportKind,
  options: ExportOptions,
): Promise<void> {
  const { sources, interval, from, to } = readExportOptions(kind, options);
  await ctx.withDb('export', async (handle) => {
    const db = handle.db;
    const assetId = options.asset === undefined ? undefined : await findAsset(db, options.asset);
    if (options.run !== undefined && !(await runExists(db, options.run)))
      throw new KxError('usage', `--run ${options.run}: there is no run #${options.run}`);
    if (kind === 'rejected')
      await writeAll(
        exportRejected(db, { runId: options.run, source: sources[0] }),
        options.format,
        ctx.io.stdout,
      );
    else if (kind === 'quotes') {
      const query = { assetId: assetId!, from, to, sources, interval };
      const written = await writeAll(exportQuotes(db, query), options.format, ctx.io.stdout);
      if (written === 0) ctx.log.warn(await whyNoQuotes(db, query, options));
    } else if (kind === 'listings')
      await writeAll(
        exportListings(db, { source: sources[0], assetId, sort: 'id' }),
        options.format,
        ctx.io.stdout,
      );
    else
      await writeAll(
        exportAssets(db, {
          source: sources[0],
          ids: assetId === undefined ? undefined : [assetId],
          sort: '-market_cap_usd',
          freshWithinSeconds: 3600,
        }),
        options.format,
        ctx.io.stdout,
      );
  });
}

/**
 * The flags of `kx export KIND` checked against each other (each kind takes its own), with the
 * sources, interval and time window they give.
 */
function readExportOptions(
  kind: ExportKind,
  options: ExportOptions,
): { sources: string[]; interval: Interval; from: Date; to: Date } {
  const quotesOnly = (['from', 'to', 'interval'] as const).filter((o) => options[o] !== undefined);
  if (kind !== 'quotes' && quotesOnly.length > 0)
    throw new KxError('usage', `--${quotesOnly[0]}: only \`kx export quotes\` takes it`);
  if (kind !== 'rejected' && options.run !== undefined)
    throw new KxError('usage', '--run: only `kx export rejected` takes it');
  if (kind === 'rejected' && options.asset !== undefined)
    throw new KxError('usage', '--asset: `kx export rejected` takes --run or --source');
  const sources = options.source?.split(',') ?? [];
  const allowed = kind === 'quotes' ? [...sourceNames, CONSENSUS] : sourceNames;
  const unknown = sources.find((s) => !allowed.includes(s));
  if (unknown !== undefined)
    throw new KxError('usage', `--source ${unknown}: expected one of ${allowed.join(', ')}`);
  if (kind !== 'quotes' && sources.length > 1)
    throw new KxError('usage', `--source: \`kx export ${kind}\` takes one source`);
  const interval = (options.interval ?? 'raw') as Interval;
  if (!INTERVALS.includes(interval))
    throw new KxError(
      'usage',
      `--interval ${options.interval}: expected one of ${INTERVALS.join(', ')}`,
    );
  if (interval === 'raw' && sources.includes(CONSENSUS))
    throw new KxError('usage', `--source ${CONSENSUS}: needs --interval 1h, 1d or 1w`);
  if (kind === 'quotes' && options.asset === undefined)
    throw new KxError('usage', '--asset: `kx export quotes` needs the coin, by id or symbol');
  // Without --from, the 30 days before --to, as over HTTP.
  const { from, to } = historyWindow(
    options.from === undefined ? undefined : toInstant('--from', options.from),
    options.to === undefined ? undefined : toInstant('--to', options.to),
  );
  if (from >= to) throw new KxError('usage', '--from: must be before --to');
  return { sources, interval, from, to };
}

/** An ISO 8601 date or timestamp, read as the HTTP API reads `from` and `to`. */
function toInstant(flag: string, text: string): Date {
  if (!ISO_INSTANT.test(text))
    throw new KxError(
      'usage',
      `${flag} ${text}: expected an ISO 8601 date or timestamp (2025-01-31)`,
    );
  const parsed = toTimestamp(text);
  const date = parsed.ok ? parsed.value : null;
  const problem = date ? instantProblem(date) : 'is not a date (ISO 8601: 2025-01-31)';
  if (!date || problem) throw new KxError('usage', `${flag} ${text}: ${problem}`);
  return date;
}

/** An asset by id, or by symbol when exactly one asset has it. */
async function findAsset(db: Db, ref: string): Promise<number> {
  const found = await findAssets(db, ref, 11);
  if (found.length === 1) return found[0]!.id;
  const byId = /^\d{1,15}$/.test(ref);
  if (found.length === 0)
    throw new KxError('usage', `--asset ${ref}: no asset has this ${byId ? 'id' : 'symbol'}`);
  const list = found
    .slice(0, 10)
    .map((a) => `${a.id} (${a.name ?? 'no name'}; ${a.sources})`)
    .join(', ');
  throw new KxError(
    'usage',
    `--asset ${ref}: ${found.length > 10 ? 'more than 10' : found.length} assets have this symbol: ${list}; give the id`,
  );
}

/** The export's text to stdout, chunk by chunk; the number of rows it held. */
async function writeAll<R>(data: Export<R>, format: ExportFormat, out: Output): Promise<number> {
  const tally = { rows: 0 };
  for await (const chunk of encode(data, format, tally)) await write(out, chunk);
  return tally.rows;
}

/**
 * Why an export of quotes came out empty: the window (30 days by default) missed the coin's
 * quotes, or there are none, and the --from and --to that would find them.
 */
async function whyNoQuotes(
  db: Db,
  query: { assetId: number; from: Date; to: Date; sources: string[] },
  options: ExportOptions,
): Promise<string> {
  const named = query.sources.filter((s) => s !== CONSENSUS);
  const by = named.length > 0 ? ` from ${named.join(', ')}` : '';
  const span = await getQuoteSpan(db, query);
  if (!span) return `--asset ${options.asset}: no quotes of this coin${by} are stored`;
  const window =
    `${query.from.toISOString()} to ${query.to.toISOString()}` +
    (options.from === undefined ? ' (without --from, the 30 days before --to)' : '');
  return (
    `--asset ${options.asset}: no quotes${by} in ${window}; its quotes${by} are from ` +
    `${span.first} to ${span.last}: --from ${span.first.slice(0, 10)} --to ` +
    `${nextDay(span.last)} exports them all`
  );
}

/** The UTC day after an instant's, as `YYYY-MM-DD`: an exclusive --to that keeps that instant. */
function nextDay(instant: string): string {
  const day = new Date(`${instant.slice(0, 10)}T00:00:00Z`);
  return new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10);
}

/** One chunk to stdout, waiting for it to drain when its buffer is full. */
async function write(out: Output, chunk: string): Promise<void> {
  const stream = out as Output & Partial<Pick<NodeJS.WriteStream, 'once'>>;
  if (out.write(chunk) === false && stream.once)
    await new Promise<void>((resolve) => stream.once!('drain', () => resolve()));
}
