import { sql } from 'drizzle-orm';
import { instantProblem } from '../../core/domain.js';
import { KxError } from '../../core/errors.js';
import { ISO_INSTANT, toTimestamp } from '../../core/timestamp.js';
import type { Db } from '../../db/client.js';
import { selectRows } from '../../db/sql.js';
import {
  encode,
  exportAssets,
  exportListings,
  exportQuotes,
  type Export,
  type ExportFormat,
} from '../../queries/export.js';
import { CONSENSUS, INTERVALS, type Interval } from '../../queries/history.js';
import { sourceNames } from '../../sources/index.js';
import type { Context } from '../context.js';
import type { Output } from '../io.js';

export const EXPORTS = ['quotes', 'listings', 'assets'] as const;
export type ExportKind = (typeof EXPORTS)[number];

export interface ExportOptions {
  asset?: string;
  source?: string;
  from?: string;
  to?: string;
  interval?: string;
  format: ExportFormat;
}

/** `kx export quotes` without --from: the 30 days before --to, as over HTTP. */
const DEFAULT_WINDOW_MS = 30 * 86_400_000;

/**
 * Writes every matching row to stdout as it is read, a page at a time (queries/export.ts),
 * waiting for stdout to drain: memory stays flat for any number of rows.
 */
export async function exportData(
  ctx: Context,
  kind: ExportKind,
  options: ExportOptions,
): Promise<void> {
  const quotesOnly = (['from', 'to', 'interval'] as const).filter((o) => options[o] !== undefined);
  if (kind !== 'quotes' && quotesOnly.length > 0)
    throw new KxError('usage', `--${quotesOnly[0]}: only \`kx export quotes\` takes it`);
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
  const to = options.to === undefined ? new Date() : toInstant('--to', options.to);
  const from =
    options.from === undefined
      ? new Date(to.getTime() - DEFAULT_WINDOW_MS)
      : toInstant('--from', options.from);
  if (from >= to) throw new KxError('usage', '--from: must be before --to');

  await ctx.withDb('export', async (handle) => {
    const db = handle.db;
    const assetId = options.asset === undefined ? undefined : await findAsset(db, options.asset);
    if (kind === 'quotes')
      await writeAll(
        exportQuotes(db, { assetId: assetId!, from, to, sources, interval }),
        options.format,
        ctx.io.stdout,
      );
    else if (kind === 'listings')
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
  const byId = /^\d{1,15}$/.test(ref);
  const rows = await selectRows<{ id: string; name: string | null; sources: string }>(
    db,
    sql`select a.id, a.name, string_agg(distinct s.source, ', ') as sources
        from assets a left join asset_sources s on s.asset_id = a.id
        where ${byId ? sql`a.id = ${Number(ref)}` : sql`a.symbol = upper(${ref})`}
        group by a.id, a.name order by a.id limit 11`,
  );
  if (rows.length === 1) return Number(rows[0]!.id);
  if (rows.length === 0)
    throw new KxError('usage', `--asset ${ref}: no asset has this ${byId ? 'id' : 'symbol'}`);
  const list = rows
    .slice(0, 10)
    .map((r) => `${r.id} (${r.name ?? 'no name'}; ${r.sources})`)
    .join(', ');
  throw new KxError(
    'usage',
    `--asset ${ref}: ${rows.length > 10 ? 'more than 10' : rows.length} assets have this symbol: ${list}; give the id`,
  );
}

/** The export's text to stdout, chunk by chunk. */
async function writeAll<R>(data: Export<R>, format: ExportFormat, out: Output): Promise<void> {
  for await (const chunk of encode(data, format)) await write(out, chunk);
}

/** One chunk to stdout, waiting for it to drain when its buffer is full. */
async function write(out: Output, chunk: string): Promise<void> {
  const stream = out as Output & Partial<Pick<NodeJS.WriteStream, 'once'>>;
  if (out.write(chunk) === false && stream.once)
    await new Promise<void>((resolve) => stream.once!('drain', () => resolve()));
}
