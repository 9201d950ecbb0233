import { and, eq, sql } from 'drizzle-orm';
import type { Cursor } from '../core/source.js';
import type { Db, Tx } from '../db/client.js';
import { etlCheckpoints } from '../db/schema.js';

/**
 * The checkpoint a run starts from: its cursor and the run that wrote it. `stream` scope: the
 * stream's last checkpoint, whoever wrote it (incremental CSV). `run` scope: only a checkpoint
 * written by this same run (a resume).
 */
export async function loadCursor(
  db: Db,
  input: { source: string; streamKey: string; runId: number; scope: 'stream' | 'run' },
): Promise<{ cursor: Cursor; runId: number } | null> {
  const [row] = await db
    .select({ cursor: etlCheckpoints.cursor, runId: etlCheckpoints.runId })
    .from(etlCheckpoints)
    .where(
      and(eq(etlCheckpoints.source, input.source), eq(etlCheckpoints.streamKey, input.streamKey)),
    );
  if (!row || (input.scope === 'run' && row.runId !== input.runId)) return null;
  return row;
}

/**
 * Moves the stream's checkpoint; `restart` for the first batch of a run that read its input
 * from the top rather than on from the stored cursor. Always called with the transaction that
 * writes the data the cursor covers (DESIGN §3, invariant 1): both commit, or neither does.
 */
export async function saveCheckpoint(
  tx: Tx,
  input: {
    source: string;
    streamKey: string;
    runId: number;
    cursor: Cursor;
    records: number;
    restart: boolean;
  },
): Promise<void> {
  const { restart, ...row } = input;
  await tx
    .insert(etlCheckpoints)
    .values(row)
    .onConflictDoUpdate({
      target: [etlCheckpoints.source, etlCheckpoints.streamKey],
      set: {
        runId: row.runId,
        cursor: row.cursor,
        // The records the cursor covers: a run that read its input from the top counts afresh.
        records: restart ? row.records : sql`${etlCheckpoints.records} + ${row.records}`,
        updatedAt: sql`now()`,
      },
    });
}
