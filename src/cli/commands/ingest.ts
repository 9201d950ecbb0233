import { KxError } from '../../core/errors.js';
import type { Source, SourceFlag } from '../../core/source.js';
import type { DbHandle } from '../../db/client.js';
import { runIngest, withSourceLock, type RunResult } from '../../engine/runner.js';
import { entries } from '../../sources/index.js';
import { getLastAssetId } from '../../queries/lone-listings.js';
import type { Context } from '../context.js';
import { warnLoneListings } from '../lone-listings.js';
import { warnRejected } from '../rejections.js';
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
    return await ctx.withDb(
      `ingest --source ${source.name}`,
      (handle) =>
        withSourceLock(
          handle,
          source.name,
          () => ingestLocked(ctx, handle, source, params, options.fullRefresh, stop.signal),
          ctx.lockWait(stop.signal),
        ),
      stop.signal,
    );
  } finally {
    stop.dispose();
  }
}

/** The run itself, under the source's lock. */
async function ingestLocked(
  ctx: Context,
  handle: DbHandle,
  source: Source<unknown, unknown>,
  params: unknown,
  fullRefresh: boolean | undefined,
  stop: AbortSignal,
): Promise<RunResult> {
  const settings = createRunSettings(ctx, source.name, fullRefresh ?? false, stop);
  try {
    const lastAsset = await getLastAssetId(handle.db);
    const result = await runIngest(handle, source, params, settings);
    await warnRejected(ctx, handle, result);
    await warnLoneListings(ctx, handle, result, lastAsset);
    return result;
  } finally {
    settings.done();
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
  const given = (param: string) => {
    const value = (options as unknown as Record<string, unknown>)[param];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  };
  const foreign = entries
    .filter((entry) => entry.name !== options.source)
    .flatMap((entry) => entry.flags.map((flag) => ({ entry, flag, param: paramOf(flag) })))
    .filter(({ param }) => given(param));
  if (foreign.length > 0) {
    const names = foreign.map(({ flag }) => flag.flags.split(' ')[0]!);
    const owner = foreign[0]!.entry.name;
    throw new KxError(
      'usage',
      `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} for --source ${owner} only`,
    );
  }
  // Every own parameter, given or not: the source's schema says which it requires, and how.
  const own = entries.find((entry) => entry.name === options.source)?.flags ?? [];
  return Object.fromEntries(
    own.map((flag) => {
      const param = paramOf(flag);
      return [param, (options as unknown as Record<string, unknown>)[param]];
    }),
  );
}

/** `--date-format <format>` → `dateFormat`, as commander names the option's value. */
function paramOf(flag: SourceFlag): string {
  return flag.flags
    .split(' ')[0]!
    .replace(/^--/, '')
    .replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}
