import { KxError } from '../../core/errors.js';
import { resumeRun, withSourceLock, type RunResult } from '../../pipeline/runner.js';
import { getResumableRuns } from '../../pipeline/runs.js';
import { sourceNames, sources } from '../../sources/index.js';
import type { Context } from '../context.js';
import { createProgress } from '../output.js';

/**
 * Continues every failed or abandoned run of each source (or of `--source`), oldest first,
 * from its checkpoint. Nothing to resume is a success.
 */
export async function resume(ctx: Context, options: { source?: string }): Promise<RunResult[]> {
  const names = options.source ? [options.source] : sourceNames;
  return ctx.withDb('resume', async (handle) => {
    const results: RunResult[] = [];
    for (const name of names) {
      const source = sources[name];
      if (!source) throw new KxError('usage', `unknown source "${name}"`);
      await withSourceLock(handle, name, async () => {
        for (const run of await getResumableRuns(handle.db, name)) {
          ctx.log.info(
            `resuming ${name} run #${run.id} (attempt ${run.attempts + 1}, failed with ${run.errorCode})`,
          );
          const progress = createProgress(
            process.stderr.isTTY && ctx.config.logFormat === 'pretty',
            name,
          );
          try {
            results.push(
              await resumeRun(handle, source, run, {
                batchSize: ctx.config.batchSize,
                failAfter: ctx.config.failAfter,
                maxRejectRatio: ctx.config.maxRejectRatio,
                fullRefresh: false,
                warn: (message) => ctx.log.warn(message),
                onProgress: ({ records }) => progress.update(records),
              }),
            );
          } finally {
            progress.done();
          }
        }
      });
    }
    return results;
  });
}
