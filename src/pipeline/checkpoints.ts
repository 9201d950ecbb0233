import { and, eq, sql } from 'drizzle-orm';
import type { Cursor } from '../core/source.js';
import type { Db, Tx } from '../db/client.js';
import { etlCheckpoints } from '../db/schema.js';

/** The stored cursor of one stream of a source, or null before its first commit. */
export async function loadCursor(
  db: Db,
  source: string,
  streamKey: string,
): Promise<Cursor | null> {
  const [row] = await db
    .select({ cursor: etlCheckpoints.cursor })
    .from(etlCheckpoints)
    .where(and(eq(etlCheckpoints.source, source), eq(etlCheckpoints.streamKey, streamKey)));
  return row?.cursor ?? null;
}

/**
 * Moves the stream's checkpoint. Always called with the transaction that writes the data the
 * cursor covers (DESIGN §3, invariant 1): both commit, or neither does.
 */
export async function saveCheckpoint(
  tx: Tx,
  input: { source: string; streamKey: string; runId: number; cursor: Cursor; records: number },
): Promise<void> {
  await tx
    .insert(etlCheckpoints)
    .values(input)
    .onConflictDoUpdate({
      target: [etlCheckpoints.source, etlCheckpoints.streamKey],
      set: {
        runId: input.runId,
        cursor: input.cursor,
        records: sql`${etlCheckpoints.records} + ${input.records}`,
        updatedAt: sql`now()`,
      },
    });
}
