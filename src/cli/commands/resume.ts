import { KxError } from '../../core/errors.js';
import type { Source } from '../../core/source.js';
import type { DbHandle } from '../../db/client.js';
import { resumeRun, withSourceLock, type RunResult } from '../../engine/runner.js';
import { getResumableRuns } from '../../engine/runs.js';
import { sourceNames } from '../../sources/index.js';
import type { Context } from '../context.js';
import { warnRejected } from '../rejections.js';
import { createRunSettings, listenForStop } from '../run-settings.js';

/**
 * Continues every failed or abandoned run of each source (or of `--source`), oldest first,
 * from its checkpoint. Nothing to resume is a success.
 */
export async function resume(ctx: Context, options: { source?: string }): Promise<RunResult[]> {
  const names: string[] = options.source ? [options.source] : sourceNames;
  const stop = listenForStop(ctx);
  try {
    return await resumeEach(ctx, names, stop.signal);
  } finally {
    stop.dispose();
  }
}

async function resumeEach(ctx: Context, names: string[], stop: AbortSignal): Promise<RunResult[]> {
  const each = async (handle: DbHandle) => {
    const results: RunResult[] = [];
    for (const name of names) {
      const source = ctx.sources[name as keyof typeof ctx.sources];
      if (!source) throw new KxError('usage', `unknown source "${name}"`);
      const resumed = () => resumeSource(ctx, handle, source, stop);
      results.push(...(await withSourceLock(handle, name, resumed, ctx.lockWait(stop))));
    }
    return results;
  };
  return ctx.withDb('resume', each, stop);
}

/** Each failed or abandoned run of `source`, oldest first, under the source's lock. */
async function resumeSource(
  ctx: Context,
  handle: DbHandle,
  source: Source<unknown, unknown>,
  stop: AbortSignal,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const run of await getResumableRuns(handle.db, source.name)) {
    ctx.log.info(
      `resuming ${source.name} run #${run.id} (attempt ${run.attempts + 1}, failed with ${run.errorCode})`,
    );
    const settings = createRunSettings(ctx, source.name, false, stop);
    try {
      const result = await resumeRun(handle, source, run, settings);
      await warnRejected(ctx, handle, result);
      results.push(result);
    } finally {
      settings.done();
    }
  }
  return results;
}
