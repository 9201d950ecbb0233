import { and, eq, sql } from 'drizzle-orm';
import { toStorableJsonText, toStorableText } from '../core/domain.js';
import type { KxErrorCode } from '../core/errors.js';
import type { Db, Tx } from '../db/client.js';
import { etlRunAttempts, etlRuns } from '../db/schema.js';

export type RunRow = typeof etlRuns.$inferSelect;

/** The per-source lock every run of a source holds (an advisory lock on a server). */
export function sourceLockKey(source: string): string {
  return `kx:source:${source}`;
}

/** Failures `kx resume` can fix by trying again; bad input and bad flags it cannot. */
const RESUMABLE: ReadonlySet<string> = new Set<KxErrorCode | 'abandoned'>([
  'injected',
  'upstream',
  'internal',
  'budget',
  'unavailable',
  'interrupted',
  'abandoned',
]);

export async function createRun(
  db: Db,
  input: { source: string; streamKey: string; params: Record<string, unknown> },
): Promise<RunRow> {
  return db.transaction(async (tx) => {
    // A new run of the same stream takes over: older failures there are no longer resumed.
    await tx
      .update(etlRuns)
      .set({ resumable: false })
      .where(
        and(
          eq(etlRuns.source, input.source),
          eq(etlRuns.streamKey, input.streamKey),
          eq(etlRuns.resumable, true),
        ),
      );
    const [run] = await tx
      .insert(etlRuns)
      .values({ ...input, status: 'running', trigger: 'ingest', attempts: 1 })
      .returning();
    await tx.insert(etlRunAttempts).values({
      runId: run!.id,
      attempt: 1,
      trigger: 'ingest',
      status: 'running',
      pid: process.pid,
    });
    return run!;
  });
}

/** Starts the next attempt of a failed run: same id, attempts + 1. */
export async function startAttempt(db: Db, runId: number): Promise<RunRow> {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .update(etlRuns)
      .set({
        status: 'running',
        trigger: 'resume',
        attempts: sql`${etlRuns.attempts} + 1`,
        errorCode: null,
        errorMessage: null,
        resumable: false,
        finishedAt: null,
        updatedAt: sql`now()`,
      })
      .where(eq(etlRuns.id, runId))
      .returning();
    await tx.insert(etlRunAttempts).values({
      runId,
      attempt: run!.attempts,
      trigger: 'resume',
      status: 'running',
      pid: process.pid,
    });
    return run!;
  });
}

export interface RunOutcome {
  status: 'succeeded' | 'failed';
  records: number;
  error?: { code: string; message: string };
  /** Overrides what the error's code says of resuming the run again. */
  resumable?: boolean;
}

export async function finishRun(db: Db, run: RunRow, outcome: RunOutcome): Promise<void> {
  // A message may quote the input (an upstream's body, a file's cell), NUL bytes and all.
  const error = outcome.error && {
    code: outcome.error.code,
    message: toStorableText(outcome.error.message),
  };
  await db.transaction(async (tx) => {
    await tx
      .update(etlRuns)
      .set({
        status: outcome.status,
        errorCode: error?.code ?? null,
        errorMessage: error?.message ?? null,
        resumable: outcome.resumable ?? (error ? RESUMABLE.has(error.code) : false),
        finishedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(etlRuns.id, run.id));
    await tx
      .update(etlRunAttempts)
      .set({
        status: outcome.status,
        records: outcome.records,
        errorCode: error?.code ?? null,
        errorMessage: error?.message ?? null,
        finishedAt: sql`now()`,
      })
      .where(and(eq(etlRunAttempts.runId, run.id), eq(etlRunAttempts.attempt, run.attempts)));
  });
}

/**
 * Stores what the source said about this read (header mapping, warnings) on the run. Both quote
 * the input (a header cell, an API's field name), which may hold what jsonb refuses: a NUL
 * character or a lone surrogate becomes U+FFFD here, as in a rejected record's payload.
 */
export async function describeRun(
  db: Db,
  runId: number,
  info: { mapping?: unknown; warnings: string[] },
): Promise<void> {
  const mapping =
    info.mapping === undefined
      ? null
      : (JSON.parse(toStorableJsonText(JSON.stringify(info.mapping))) as unknown);
  await db
    .update(etlRuns)
    .set({ mapping, warnings: info.warnings.map(toStorableText), updatedAt: sql`now()` })
    .where(eq(etlRuns.id, runId));
}

/** Records that run `runId` read on from the checkpoint run `fromRunId` wrote. */
export async function noteContinuation(db: Db, runId: number, fromRunId: number): Promise<void> {
  await db.update(etlRuns).set({ continuesRunId: fromRunId }).where(eq(etlRuns.id, runId));
}

/** Adds a committed batch to the run's counters, inside the batch's transaction. */
export async function countBatch(
  tx: Tx,
  runId: number,
  counts: { fetched: number; loaded: number; unchanged: number; rejected: number },
): Promise<void> {
  await tx
    .update(etlRuns)
    .set({
      fetched: sql`${etlRuns.fetched} + ${counts.fetched}`,
      loaded: sql`${etlRuns.loaded} + ${counts.loaded}`,
      unchanged: sql`${etlRuns.unchanged} + ${counts.unchanged}`,
      rejected: sql`${etlRuns.rejected} + ${counts.rejected}`,
      updatedAt: sql`now()`,
    })
    .where(eq(etlRuns.id, runId));
}

/**
 * Marks the source's `running` runs as failed and resumable. Call only while holding the
 * source lock: a live run holds that lock, so any run still `running` then has lost its process.
 */
export async function markAbandoned(db: Db, source: string): Promise<number> {
  const message =
    'abandoned: its process stopped without finishing (crash, kill or lost connection)';
  return db.transaction(async (tx) => {
    const runs = await tx
      .update(etlRuns)
      .set({
        status: 'failed',
        errorCode: 'abandoned',
        errorMessage: message,
        resumable: true,
        updatedAt: sql`now()`,
      })
      .where(and(eq(etlRuns.source, source), eq(etlRuns.status, 'running')))
      .returning({ id: etlRuns.id });
    for (const { id } of runs) {
      await tx
        .update(etlRunAttempts)
        .set({ status: 'failed', errorCode: 'abandoned', errorMessage: message })
        .where(and(eq(etlRunAttempts.runId, id), eq(etlRunAttempts.status, 'running')));
    }
    return runs.length;
  });
}

/** The latest run of `source` still marked running: another process's, while it holds the lock. */
export async function runningRun(
  db: Db,
  source: string,
): Promise<{ id: number; streamKey: string; startedAt: Date } | undefined> {
  const [run] = await db
    .select({ id: etlRuns.id, streamKey: etlRuns.streamKey, startedAt: etlRuns.startedAt })
    .from(etlRuns)
    .where(and(eq(etlRuns.source, source), eq(etlRuns.status, 'running')))
    .orderBy(sql`${etlRuns.id} desc`)
    .limit(1);
  return run;
}

/** The failed runs of a source that `kx resume` continues, oldest first. */
export async function getResumableRuns(db: Db, source: string): Promise<RunRow[]> {
  return db
    .select()
    .from(etlRuns)
    .where(
      and(eq(etlRuns.source, source), eq(etlRuns.status, 'failed'), eq(etlRuns.resumable, true)),
    )
    .orderBy(etlRuns.id);
}

export async function getRun(db: Db, runId: number): Promise<RunRow | undefined> {
  const [run] = await db.select().from(etlRuns).where(eq(etlRuns.id, runId));
  return run;
}
