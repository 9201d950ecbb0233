import { isKxError, KxError } from '../../core/errors.js';
import type { Source } from '../../core/source.js';
import type { DbHandle } from '../../db/client.js';
import { attachResumed } from '../../engine/failed-run.js';
import { resumeRun, withSourceLock, type RunResult } from '../../engine/runner.js';
import { getResumableRuns } from '../../engine/runs.js';
import { sourceNames } from '../../sources/index.js';
import { getLastAssetId } from '../../queries/lone-listings.js';
import type { Context } from '../context.js';
import { warnLoneListings } from '../lone-listings.js';
import { warnRejected } from '../rejections.js';
import { createRunSettings, listenForStop } from '../run-settings.js';

/** What `kx resume` did: the runs it resumed, and why it left any of them (exit 6). */
export interface ResumeOutcome {
  results: RunResult[];
  /** Failed runs of a source another kx process runs: `locked`, once the rest are resumed. */
  blocked: KxError | null;
}

/**
 * Continues every failed or abandoned run of each source (or of `--source`), oldest first,
 * from its checkpoint. Nothing to resume is a success.
 */
export async function resume(ctx: Context, options: { source?: string }): Promise<ResumeOutcome> {
  const names: string[] = options.source ? [options.source] : sourceNames;
  const stop = listenForStop(ctx);
  try {
    return await resumeEach(ctx, names, stop.signal, options.source === undefined);
  } finally {
    stop.dispose();
  }
}

/**
 * Each source in turn, under its lock. Of every source (no `--source`), one that another kx
 * process runs is passed over when it has no failed run (that process marked any run left
 * running before it as failed), and its failed runs are named at the end: the others' runs are
 * resumed all the same. `--source` asks for one: its lock held is exit 6 at once. An error that
 * stops the resume carries the runs it finished before (`attachResumed`).
 */
async function resumeEach(
  ctx: Context,
  names: string[],
  stop: AbortSignal,
  passOver: boolean,
): Promise<ResumeOutcome> {
  const each = async (handle: DbHandle): Promise<ResumeOutcome> => {
    const results: RunResult[] = [];
    const left: string[] = [];
    for (const name of names) {
      const source = ctx.sources[name as keyof typeof ctx.sources];
      if (!source) throw new KxError('usage', `unknown source "${name}"`);
      const resumed = () => resumeSource(ctx, handle, source, stop, results);
      try {
        await withSourceLock(handle, name, resumed, ctx.lockWait(stop));
      } catch (error) {
        if (!passOver || !isKxError(error) || error.code !== 'locked')
          throw error !== null && typeof error === 'object' ? attachResumed(error, results) : error;
        const waiting = await getResumableRuns(handle.db, name);
        if (waiting.length === 0)
          ctx.log.info(`${name}: nothing to resume here; another kx process runs it`);
        else left.push(`${name} ${runsOf(waiting)} not resumed: ${error.message}`);
      }
    }
    const blocked =
      left.length > 0 ? attachResumed(new KxError('locked', left.join('\n')), results) : null;
    return { results, blocked };
  };
  return ctx.withDb('resume', each, stop);
}

/** "run #4" or "runs #4, #7". */
function runsOf(runs: { id: number }[]): string {
  return `${runs.length === 1 ? 'run' : 'runs'} ${runs.map((r) => `#${r.id}`).join(', ')}`;
}

/**
 * Each failed or abandoned run of `source`, oldest first, under the source's lock; each run
 * finished is added to `results` at once, so that a later one's error does not hide it.
 */
async function resumeSource(
  ctx: Context,
  handle: DbHandle,
  source: Source<unknown, unknown>,
  stop: AbortSignal,
  results: RunResult[],
): Promise<void> {
  for (const run of await getResumableRuns(handle.db, source.name)) {
    ctx.log.info(
      `resuming ${source.name} run #${run.id} (attempt ${run.attempts + 1}, failed with ${run.errorCode})`,
    );
    const settings = createRunSettings(ctx, source.name, false, stop);
    try {
      const lastAsset = await getLastAssetId(handle.db);
      const result = await resumeRun(handle, source, run, settings);
      await warnRejected(ctx, handle, result);
      await warnLoneListings(ctx, handle, result, lastAsset);
      results.push(result);
    } finally {
      settings.done();
    }
  }
}
