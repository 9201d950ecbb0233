import type { DbHandle } from '../db/client.js';
import type { RunResult } from '../engine/runner.js';
import { describeLocator, listRejected } from '../queries/rejected.js';
import type { Context } from './context.js';

/** How many of a run's rejections an ingest names; `kx export rejected` lists them all. */
const NAMED = 3;

/**
 * After a run that rejected records, a warning naming the first few, where and why, and the
 * command that lists every one: a count alone leaves the user nothing to fix the file with.
 */
export async function warnRejected(
  ctx: Context,
  handle: DbHandle,
  result: RunResult,
): Promise<void> {
  if (result.rejected === 0) return;
  // The run is committed: a database lost now costs the examples, not the run's exit code.
  const first = await listRejected(handle.db, { runId: result.runId, limit: NAMED }).catch(
    () => [],
  );
  const lines = first.map((r) => `  ${describeLocator(r.locator)}: ${r.reason}`);
  const count = `${result.rejected} record${result.rejected === 1 ? '' : 's'}`;
  ctx.log.warn(
    [
      `${result.source} run #${result.runId} rejected ${count}` +
        (first.length === 0
          ? ''
          : result.rejected > first.length
            ? `, the first ${first.length}:`
            : ':'),
      ...lines,
      `  every one, with its record: kx export rejected --run ${result.runId}`,
    ].join('\n'),
  );
}
