import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { quotes, rejectedRecords } from '../../src/db/schema.js';
import { getFailedRun } from '../../src/engine/failed-run.js';
import { getRun } from '../../src/engine/runs.js';
import {
  resumeRun,
  withSourceLock,
  type RunResult,
  type RunSettings,
} from '../../src/engine/runner.js';
import { csvSource } from '../../src/sources/csv/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { ingestWith, quietSettings } from './ingest.js';
import { makeScratchDir } from './scratch.js';

/**
 * For a describe block that writes CSV files and ingests them in this process: one database
 * and one scratch folder for the block, dropped and removed after it.
 */
export function useCsvFiles(prefix: string) {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  let dir = '';
  beforeAll(async () => {
    database = await createTestDatabase();
    handle = await database.open();
    dir = makeScratchDir(prefix);
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const opened = (): DbHandle => {
    if (!handle) throw new Error('useCsvFiles: the database opens in beforeAll');
    return handle;
  };
  return {
    /** The block's database, open during its tests. */
    get db(): DbHandle {
      return opened();
    },
    /** The quotes of a listing (`source_id`) in the block's database, oldest first. */
    pricesOf(sourceId: string): Promise<{ at: Date; price: string | null }[]> {
      return opened()
        .db.select({ at: quotes.observedAt, price: quotes.priceUsd })
        .from(quotes)
        .where(eq(quotes.sourceId, sourceId))
        .orderBy(quotes.observedAt);
    },
    /** The quotes a run loaded, as listing (`source_id`) and price, by listing. */
    pricesIn(run: RunResult): Promise<{ id: string; price: string | null }[]> {
      return opened()
        .db.select({ id: quotes.sourceId, price: quotes.priceUsd })
        .from(quotes)
        .where(eq(quotes.runId, run.runId))
        .orderBy(quotes.sourceId);
    },
    /** The quotes a run loaded, their amounts as stored, by listing and time. */
    quotesIn(run: RunResult) {
      return opened()
        .db.select({
          id: quotes.sourceId,
          at: quotes.observedAt,
          price: quotes.priceUsd,
          cap: quotes.marketCapUsd,
          volume: quotes.volume24hUsd,
          change: quotes.percentChange24h,
          rank: quotes.rank,
        })
        .from(quotes)
        .where(eq(quotes.runId, run.runId))
        .orderBy(quotes.sourceId, quotes.observedAt);
    },
    /** The reasons a run's rows were rejected, in the order they were read. */
    async reasonsOf(run: RunResult): Promise<string[]> {
      const rows = await opened()
        .db.select({ reason: rejectedRecords.reason })
        .from(rejectedRecords)
        .where(eq(rejectedRecords.runId, run.runId))
        .orderBy(rejectedRecords.id);
      return rows.map((r) => r.reason);
    },
    /**
     * Writes `text` to `name` in the scratch folder (modified at `mtime`, if given) and ingests
     * it (`--map` empty unless given), with the tests' quiet settings unless given.
     */
    ingest(
      name: string,
      text: string,
      params: Record<string, unknown> = {},
      mtime?: Date,
      settings?: RunSettings,
    ): Promise<RunResult> {
      const file = join(dir, name);
      writeFileSync(file, text);
      if (mtime) utimesSync(file, mtime, mtime);
      return ingestWith(opened(), csvSource, { file, map: [], ...params }, settings);
    },
    /**
     * Ingests `text` as `name` with a failure injected after `failAfter` records (committed
     * `batchSize` at a time), then resumes the failed run: both runs, the failed one first.
     */
    async failAndResume(
      name: string,
      text: string,
      params: Record<string, unknown>,
      { failAfter, batchSize, mtime }: { failAfter: number; batchSize: number; mtime?: Date },
    ): Promise<{ failed: RunResult; resumed: RunResult }> {
      const failed = await this.ingest(name, text, params, mtime, {
        ...quietSettings,
        batchSize,
        failAfter,
      }).then(
        () => null,
        (error: unknown) => getFailedRun(error),
      );
      if (failed?.status !== 'failed') throw new Error(`failAndResume: ${name} did not fail`);
      const run = await getRun(opened().db, failed.runId);
      const resumed = await withSourceLock(opened(), 'csv', () =>
        resumeRun(opened(), csvSource, run!, quietSettings),
      );
      return { failed, resumed };
    },
  };
}
