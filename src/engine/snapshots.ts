import { eq } from 'drizzle-orm';
import type { SnapshotStore } from '../core/source.js';
import type { Db } from '../db/client.js';
import { etlSnapshots } from '../db/schema.js';

/** The run's landed upstream response, so that a resume normalizes the same data. */
export function createSnapshotStore(db: Db, source: string, runId: number): SnapshotStore {
  return {
    async get() {
      const [row] = await db
        .select({ body: etlSnapshots.body })
        .from(etlSnapshots)
        .where(eq(etlSnapshots.runId, runId));
      return row?.body ?? null;
    },
    async land(body) {
      await db
        .insert(etlSnapshots)
        .values({ runId, source, body })
        .onConflictDoUpdate({ target: etlSnapshots.runId, set: { body, fetchedAt: new Date() } });
    },
  };
}
