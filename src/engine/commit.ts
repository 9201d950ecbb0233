/**
 * A batch's transaction: its rows, the run's counters and the checkpoint, committed together.
 * The runner hands each prepared batch here; a conflict with another worker is tried again, and
 * records the database refuses are found and quarantined, so that no record can stop a run.
 */
import { toKxError, findDatabaseError } from '../core/errors.js';
import type { Cursor, IdentityPolicy, Source } from '../core/source.js';
import type { DbHandle } from '../db/client.js';
import { saveCheckpoint } from './checkpoints.js';
import { findRefusedRecords, toDataError } from './bisect.js';
import { rejectStaged, type PreparedBatch } from './batch.js';
import { loadBatch, type BatchCounts } from './load.js';
import { countBatch, type RunRow } from './runs.js';
import type { RunSettings } from './runner.js';

/**
 * One transaction: the batch's data, the run's counters and the checkpoint. A conflict with
 * another worker is tried again. When the database refuses a value in it (a data error), the
 * records to blame are found by bisection and quarantined with the database's reason, and the
 * rest of the batch commits as usual: no record can stop a run.
 */
export async function commitTransaction<P>(
  handle: DbHandle,
  source: Source<P, unknown>,
  prepared: PreparedBatch,
  state: { run: RunRow; streamKey: string; cursor: Cursor; restart: boolean },
  settings: Pick<RunSettings, 'identity' | 'warn'>,
): Promise<BatchCounts> {
  const { run } = state;
  let batch = prepared;
  for (let conflicts = 0; ;) {
    try {
      return await writeBatch(handle, source, batch, state, settings);
    } catch (error) {
      if (isConcurrencyConflict(error) && conflicts < MAX_CONFLICT_RETRIES) {
        conflicts++;
        settings.warn(
          `batch retried after a conflict with another worker (${toKxError(error).message})`,
        );
        await new Promise((resolve) => setTimeout(resolve, 50 * conflicts * Math.random()));
        continue;
      }
      const refused =
        toDataError(error) && (await findRefused(handle, source, run.id, batch, settings.identity));
      if (!refused || refused.size === 0) throw error;
      const [first] = refused.values();
      settings.warn(
        `${refused.size} record(s) refused by the database were quarantined (${first}); ` +
          `every one: kx export rejected --run ${run.id}`,
      );
      batch = rejectStaged(batch, refused);
    }
  }
}

/** The batch's transaction: its rows, the run's counters and the checkpoint after it. */
function writeBatch<P>(
  handle: DbHandle,
  source: Source<P, unknown>,
  batch: PreparedBatch,
  state: { run: RunRow; streamKey: string; cursor: Cursor; restart: boolean },
  settings: Pick<RunSettings, 'identity'>,
): Promise<BatchCounts> {
  const { run, streamKey, cursor } = state;
  return handle.db.transaction(async (tx) => {
    const counts = await loadBatch(
      tx,
      source.name,
      source.rawTable,
      run.id,
      batch,
      settings.identity,
      handle.driver,
    );
    await countBatch(tx, run.id, counts);
    await saveCheckpoint(tx, {
      source: source.name,
      streamKey,
      runId: run.id,
      cursor,
      records: batch.size,
      restart: state.restart,
    });
    return counts;
  });
}

/**
 * A deadlock or a serialization failure (SQLSTATE 40P01, 40001): PostgreSQL rolled the batch
 * back because of another transaction, and the same batch may commit when tried again.
 */
function isConcurrencyConflict(error: unknown): boolean {
  const code = findDatabaseError(error)?.code;
  return code === '40P01' || code === '40001';
}
const MAX_CONFLICT_RETRIES = 5;

/** Trial loads, each rolled back, that find the staged records the database refuses. */
function findRefused<P>(
  handle: DbHandle,
  source: Source<P, unknown>,
  runId: number,
  batch: PreparedBatch,
  identity: IdentityPolicy,
): Promise<Map<number, string>> {
  return findRefusedRecords(batch.staged, async (staged) => {
    const trial: PreparedBatch = {
      size: staged.length,
      staged: [...staged],
      rejected: [],
      files: batch.files,
    };
    try {
      await handle.db.transaction(async (tx) => {
        await loadBatch(tx, source.name, source.rawTable, runId, trial, identity, handle.driver);
        throw ROLLBACK;
      });
    } catch (error) {
      if (error === ROLLBACK) return null;
      const refused = toDataError(error);
      if (refused) return refused;
      throw error;
    }
    return null;
  });
}
/** Thrown to roll a trial load back; never escapes findRefused. */
const ROLLBACK = new Error('trial load rolled back');
