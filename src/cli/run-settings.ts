import { setFlagsFromString } from 'node:v8';
import { entries, identityPolicy } from '../sources/index.js';
import type { RunSettings } from '../engine/runner.js';
import type { Context } from './context.js';
import { createProgress } from './format.js';

/** Run settings from config, with warnings to the log and a progress line on a TTY. */
export function createRunSettings(
  ctx: Context,
  source: string,
  fullRefresh: boolean,
  stop?: AbortSignal,
): RunSettings & { done(): void } {
  collectSooner();
  const progress = createProgress(
    ctx.io.stderr,
    ctx.io.stderr.isTTY === true && ctx.config.logFormat === 'pretty',
    source,
  );
  return {
    batchSize: ctx.config.batchSize,
    failAfter: ctx.config.failAfter,
    maxRejectRatio: ctx.config.maxRejectRatio,
    fullRefresh,
    identity: identityPolicy,
    monthlyCalls: monthlyCallsOf(ctx, source),
    monthlyCallsSetting: budgetSettingOf(source),
    warn: (message) => ctx.log.warn(message),
    onRead: (read) => progress.read(read),
    onWait: (wait) => progress.wait(wait),
    onProgress: ({ records }) => {
      progress.update(records);
      ctx.log.debug(`${source}: committed ${records} records`);
    },
    done: () => progress.done(),
    ...(stop ? { stop } : {}),
  };
}

/**
 * SIGINT and SIGTERM as a request to stop the runs of this command at the next checkpoint
 * (`RunSettings.stop`); a second signal quits at once (the run then shows as abandoned, and
 * `kx resume` continues it just the same).
 */
export function listenForStop(ctx: Context): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(name === 'SIGINT' ? 130 : 143);
      ctx.log.warn(`${name}: stopping at the next checkpoint (send it again to quit at once)`);
      controller.abort(name);
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => handlers.forEach(([name, handler]) => process.off(name, handler)),
  };
}

/** The call budget of a source (API sources only). */
export function monthlyCallsOf(ctx: Context, source: string): number | undefined {
  return ctx.callBudgets[source];
}

/** The variable of a source's call budget: `KX_COINGECKO_MONTHLY_CALLS`. */
function budgetSettingOf(source: string): string | undefined {
  const entry = entries.find((e) => e.name === source);
  return entry?.budget ? entry.settings[entry.budget]?.env : undefined;
}

/**
 * A run holds two batches (one committing, one being read) long enough for V8 to move them to
 * the old generation, where they become garbage a batch later. V8 lets that space grow to
 * several times what is live before a full collection: about 21 MB live in up to 110 MB
 * committed on a PGlite ingest. Doubling it at most (the flag is read at each collection, so
 * it takes effect when set at run time) lowered a 200,000-row PGlite ingest's peak RSS from
 * 404 to 350 MiB at the same wall time (farm-bench, 6 pairs: 0.997x; 60% gave 343 MiB at
 * 1.045x).
 */
function collectSooner(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

const HEAP_GROWING_PERCENT = 100;
