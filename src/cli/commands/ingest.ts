import { KxError } from '../../core/errors.js';
import type { Source } from '../../core/source.js';
import { runIngest, withSourceLock, type RunResult } from '../../pipeline/runner.js';
import { sources } from '../../sources/index.js';
import type { Context } from '../context.js';
import { createProgress } from '../output.js';

export interface IngestOptions {
  source: string;
  file?: string;
  map?: string[];
  symbol?: string;
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
  const source = sources[options.source];
  if (!source) throw new KxError('usage', `unknown source "${options.source}"`);
  const params = source.parseParams({
    file: options.file,
    map: options.map ?? [],
    symbol: options.symbol,
  });
  if (options.dryRun) return dryRun(ctx, source, params);
  return ctx.withDb(`ingest --source ${source.name}`, (handle) =>
    withSourceLock(handle, source.name, async () => {
      const progress = createProgress(
        process.stderr.isTTY && ctx.config.logFormat === 'pretty',
        source.name,
      );
      try {
        return await runIngest(handle, source, params, {
          batchSize: ctx.config.batchSize,
          failAfter: ctx.config.failAfter,
          maxRejectRatio: ctx.config.maxRejectRatio,
          fullRefresh: options.fullRefresh ?? false,
          warn: (message) => ctx.log.warn(message),
          onProgress: ({ records }) => {
            progress.update(records);
            ctx.log.debug(`${source.name}: committed ${records} records`);
          },
        });
      } finally {
        progress.done();
      }
    }),
  );
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
