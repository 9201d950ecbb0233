import { KxError } from '../../core/errors.js';
import type { Source } from '../../core/source.js';
import { runIngest, withSourceLock, type RunResult } from '../../engine/runner.js';
import type { Context } from '../context.js';
import { createRunSettings, listenForStop } from '../run-settings.js';

export interface IngestOptions {
  source: string;
  file?: string;
  map?: string[];
  symbol?: string;
  dateFormat?: string;
  decimal?: string;
  columns?: string;
  maxPages?: number;
  fullRefresh?: boolean;
  dryRun?: boolean;
}

export interface DryRunResult {
  dryRun: true;
  source: string;
  fetched: number;
  valid: number;
  rejected: number;
  rejections: { locator: unknown; reason: string }[];
  mapping: unknown;
  warnings: string[];
}

export async function ingest(
  ctx: Context,
  options: IngestOptions,
): Promise<RunResult | DryRunResult> {
  const source = ctx.sources[options.source as keyof typeof ctx.sources];
  if (!source) throw new KxError('usage', `unknown source "${options.source}"`);
  const params = source.parseParams(toParams(options));
  if (options.dryRun) return dryRun(ctx, source, params);
  const stop = listenForStop(ctx);
  try {
    return await ctx.withDb(`ingest --source ${source.name}`, (handle) =>
      withSourceLock(handle, source.name, async () => {
        const settings = createRunSettings(
          ctx,
          source.name,
          options.fullRefresh ?? false,
          stop.signal,
        );
        try {
          return await runIngest(handle, source, params, settings);
        } finally {
          settings.done();
        }
      }),
    );
  } finally {
    stop.dispose();
  }
}

/** Reads, maps and validates everything, writes nothing (no database is opened). */
async function dryRun(
  ctx: Context,
  source: Source<unknown, unknown>,
  params: unknown,
): Promise<DryRunResult> {
  const stream = await source.open(params, null, {
    resume: false,
    fullRefresh: true,
    warn: (m) => ctx.log.warn(m),
    // A dry run keeps a fetched snapshot in memory only.
    snapshot: { get: () => Promise.resolve(null), land: () => Promise.resolve() },
    spendCall: () => Promise.resolve(),
  });
  const result: DryRunResult = {
    dryRun: true,
    source: source.name,
    fetched: 0,
    valid: 0,
    rejected: 0,
    rejections: [],
    mapping: null,
    warnings: [],
  };
  for await (const record of stream.records) {
    result.fetched++;
    if (record.result.ok) result.valid++;
    else {
      result.rejected++;
      // The first rejections say enough to fix a mapping; the rest would only flood the output.
      if (result.rejections.length < 20)
        result.rejections.push({ locator: record.locator, reason: record.result.reason });
    }
  }
  const info = stream.describe();
  return { ...result, mapping: info.mapping ?? null, warnings: info.warnings };
}

/** The flags that belong to the chosen source; a flag of another source is a usage error. */
function toParams(options: IngestOptions): Record<string, unknown> {
  const csvOnly =
    options.file !== undefined ||
    (options.map ?? []).length > 0 ||
    options.symbol !== undefined ||
    options.dateFormat !== undefined ||
    options.decimal !== undefined ||
    options.columns !== undefined;
  if (options.source !== 'csv' && csvOnly) {
    throw new KxError(
      'usage',
      '--file, --map, --symbol, --date-format, --decimal and --columns are for --source csv only',
    );
  }
  if (options.source !== 'coingecko' && options.maxPages !== undefined) {
    throw new KxError('usage', '--max-pages is for --source coingecko only');
  }
  if (options.source === 'csv')
    return {
      file: options.file,
      map: options.map ?? [],
      symbol: options.symbol,
      ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
      ...(options.decimal === undefined ? {} : { decimal: options.decimal }),
      ...(options.columns === undefined ? {} : { columns: options.columns }),
    };
  return options.maxPages === undefined ? {} : { maxPages: options.maxPages };
}
