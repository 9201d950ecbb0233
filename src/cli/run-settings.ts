import type { RunSettings } from '../pipeline/runner.js';
import type { Context } from './context.js';
import { createProgress } from './output.js';

/** Run settings from config, with warnings to the log and a progress line on a TTY. */
export function createRunSettings(
  ctx: Context,
  source: string,
  fullRefresh: boolean,
): RunSettings & { done(): void } {
  const progress = createProgress(
    process.stderr.isTTY && ctx.config.logFormat === 'pretty',
    source,
  );
  return {
    batchSize: ctx.config.batchSize,
    failAfter: ctx.config.failAfter,
    maxRejectRatio: ctx.config.maxRejectRatio,
    fullRefresh,
    monthlyCalls: monthlyCallsOf(ctx, source),
    warn: (message) => ctx.log.warn(message),
    onProgress: ({ records }) => {
      progress.update(records);
      ctx.log.debug(`${source}: committed ${records} records`);
    },
    done: () => progress.done(),
  };
}

/** The call budget of a source (API sources only). */
export function monthlyCallsOf(ctx: Context, source: string): number | undefined {
  if (source === 'coingecko') return ctx.config.coingeckoMonthlyCalls;
  if (source === 'coinpaprika') return ctx.config.coinpaprikaMonthlyCalls;
  return undefined;
}
