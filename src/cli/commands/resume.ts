import { KxError } from '../../core/errors.js';
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
  return ctx.withDb('resume', async (handle) => {
    const results: RunResult[] = [];
    for (const name of names) {
      const source = ctx.sources[name as keyof typeof ctx.sources];
      if (!source) throw new KxError('usage', `unknown source "${name}"`);
      await withSourceLock(handle, name, async () => {
        for (const run of await getResumableRuns(handle.db, name)) {
          ctx.log.info(
            `resuming ${name} run #${run.id} (attempt ${run.attempts + 1}, failed with ${run.errorCode})`,
          );
          const settings = createRunSettings(ctx, name, false, stop);
          try {
            const result = await resumeRun(handle, source, run, settings);
            await warnRejected(ctx, handle, result);
            results.push(result);
          } finally {
            settings.done();
          }
        }
      });
    }
    return results;
  });
}
