import { KxError, toKxError } from '../core/errors.js';
import type {
  IdentityPolicy,
  Cursor,
  ReadProgress,
  Source,
  SourceStream,
  UpstreamWait,
} from '../core/source.js';
import { sql } from 'drizzle-orm';
import type { DbHandle, Release } from '../db/client.js';
import { rejectedRecords } from '../db/schema.js';
import { selectRows } from '../db/sql.js';
import { waitForLock, type LockWait } from '../db/lock-wait.js';
import { loadCursor } from './checkpoints.js';
import { commitTransaction } from './commit.js';
import { attachRun } from './failed-run.js';
import { createCallCounter } from './budget.js';
import { createSnapshotStore } from './snapshots.js';
import { toBatches, type PreparedBatch } from './batch.js';
import type { BatchCounts } from './load.js';
import {
  createRun,
  describeRun,
  finishRun,
  markAbandoned,
  noteContinuation,
  runningRun,
  sourceLockKey,
  startAttempt,
  type RunRow,
} from './runs.js';

export interface RunSettings {
  /** Records per transaction. */
  batchSize: number;
  /** FAIL_AFTER_N_RECORDS: fail after exactly this many records are committed; null = off. */
  failAfter: number | null;
  /** KX_MAX_REJECT_RATIO: a run whose rejected share is above this fails (exit 4). */
  maxRejectRatio: number;
  fullRefresh: boolean;
  /** Every source's identity role, from the registry (identity/rules.ts). */
  identity: IdentityPolicy;
  /** KX_<SOURCE>_MONTHLY_CALLS: upstream calls allowed per calendar month; undefined = no budget. */
  monthlyCalls?: number | undefined;
  /** The variable that sets `monthlyCalls`, named when the budget stops a run. */
  monthlyCallsSetting?: string | undefined;
  warn(message: string): void;
  onProgress?(progress: { records: number; counts: BatchCounts }): void;
  /** Records read so far (committed or not), and how far into the source: every few dozen. */
  onRead?(read: { records: number } & Partial<ReadProgress>): void;
  /** A wait before the next upstream call (for a progress display). */
  onWait?: ((wait: UpstreamWait) => void) | undefined;
  /**
   * A request to stop (its reason names the signal, e.g. `SIGINT`): the run stops at the next
   * batch boundary, failed and resumable, without waiting for a fetch or a backoff in flight.
   */
  stop?: AbortSignal;
}

export interface RunResult extends BatchCounts {
  runId: number;
  source: string;
  trigger: 'ingest' | 'resume';
  status: 'succeeded' | 'failed';
  durationMs: number;
  warnings: string[];
  mapping: unknown;
  error?: { code: string; message: string };
  /**
   * The run whose checkpoint this one read on from (a file read again: only the lines after
   * `afterLine`, those appended since).
   */
  continues?: { runId: number; afterLine: number };
}

/**
 * Holds the per-source lock for `fn`; a live run elsewhere makes this fail with exit code 6,
 * at once or once `wait` is over.
 */
export async function withSourceLock<T>(
  handle: DbHandle,
  source: string,
  fn: () => Promise<T>,
  wait?: LockWait,
): Promise<T> {
  const release = await waitForLock(async (): Promise<Release | KxError> => {
    const got = await handle.tryLock(sourceLockKey(source));
    if (got) return got;
    // Which run holds it, so that cron's mail says what to wait for.
    const holder = await runningRun(handle.db, source).catch(() => undefined);
    const which = holder
      ? `run #${holder.id} (${holder.streamKey}), started ${holder.startedAt.toISOString()}`
      : '';
    return new KxError(
      'locked',
      `another kx process is running an ingest of ${source}${which && `: ${which}`}; try again when it finishes`,
      {
        context: {
          source,
          holder: `${which ? `${source} ${which},` : `another kx ingest of ${source}`} to finish`,
          ...(holder && { run: holder.id }),
        },
      },
    );
  }, wait);
  try {
    await markAbandoned(handle.db, source);
    return await fn();
  } finally {
    await release();
  }
}

/** Starts a new run of `source` with `params`. Call inside `withSourceLock`. */
export async function runIngest<P>(
  handle: DbHandle,
  source: Source<P, unknown>,
  params: P,
  settings: RunSettings,
): Promise<RunResult> {
  const run = await createRun(handle.db, {
    source: source.name,
    streamKey: source.streamKey(params),
    params: params as Record<string, unknown>,
  });
  return execute(handle, source, params, run, 'ingest', settings);
}

/** Continues a failed or abandoned run from its checkpoint. Call inside `withSourceLock`. */
export async function resumeRun(
  handle: DbHandle,
  source: Source<unknown, unknown>,
  run: RunRow,
  settings: RunSettings,
): Promise<RunResult> {
  const params = source.parseParams(run.params);
  const attempt = await startAttempt(handle.db, run.id);
  return execute(handle, source, params, attempt, 'resume', { ...settings, fullRefresh: false });
}

async function execute<P>(
  handle: DbHandle,
  source: Source<P, unknown>,
  params: P,
  run: RunRow,
  trigger: 'ingest' | 'resume',
  settings: RunSettings,
): Promise<RunResult> {
  const started = Date.now();
  const totals: BatchCounts = { fetched: 0, loaded: 0, unchanged: 0, rejected: 0 };
  let info: { mapping?: unknown; warnings: string[] } = { warnings: [] };
  let continues: RunResult['continues'];
  const result = (status: RunResult['status'], error?: KxError): RunResult => ({
    runId: run.id,
    source: source.name,
    trigger,
    status,
    ...totals,
    durationMs: Date.now() - started,
    warnings: info.warnings,
    mapping: info.mapping ?? null,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
    ...(continues && { continues }),
  });
  let stream: SourceStream | undefined;
  let consumed = false;
  // Warnings of earlier attempts stay on the run; this attempt's are added (drift appears mid-run).
  const remember = async () => {
    if (!stream) return;
    const now = stream.describe();
    info = { mapping: now.mapping, warnings: [...new Set([...run.warnings, ...now.warnings])] };
    await describeRun(handle.db, run.id, info);
  };
  try {
    const streamKey = source.streamKey(params);
    const state = { run, streamKey, trigger };
    let fromTop: boolean;
    ({ stream, continues, fromTop } = await openStream(handle, source, params, state, settings));
    await remember();
    await commitAll(handle, source, stream, { run, streamKey, totals, fromTop }, settings);
    consumed = true;
    await remember();
    await checkRejectRatio(handle, run.id, totals, settings.maxRejectRatio);
    await finishRun(handle.db, run, { status: 'succeeded', records: totals.fetched });
    return result('succeeded');
  } catch (thrown) {
    const error = toKxError(thrown);
    // A resume that fails before its input is all read (its file moved away or changed, a
    // broken quote past the checkpoint) is tried again once that is fixed; a new ingest of the
    // stream takes over from it either way. One whose records are all in (too many of them
    // rejected) is done.
    const again = trigger === 'resume' && !consumed;
    const outcome = { status: 'failed' as const, records: totals.fetched, error };
    await remember()
      .then(() => finishRun(handle.db, run, again ? { ...outcome, resumable: true } : outcome))
      .catch((e: unknown) =>
        settings.warn(
          `could not record the failure of run ${run.id} (it will show as abandoned): ${String(e)}`,
        ),
      );
    throw attachRun(error, result('failed', error));
  }
}

/** Opens the source's stream at its checkpoint, with what the run gives a source. */
async function openStream<P>(
  handle: DbHandle,
  source: Source<P, unknown>,
  params: P,
  state: { run: RunRow; streamKey: string; trigger: 'ingest' | 'resume' },
  settings: RunSettings,
): Promise<{ stream: SourceStream; continues?: RunResult['continues']; fromTop: boolean }> {
  const { run, streamKey, trigger } = state;
  const stored = await loadCursor(handle.db, {
    source: source.name,
    streamKey,
    runId: run.id,
    scope: source.cursorScope,
  });
  const stream = await source.open(params, stored?.cursor ?? null, {
    resume: trigger === 'resume',
    fullRefresh: settings.fullRefresh,
    warn: (message) => settings.warn(message),
    snapshot: createSnapshotStore(handle.db, source.name, run.id),
    spendCall: createCallCounter(
      handle.db,
      source.name,
      settings.monthlyCalls,
      settings.monthlyCallsSetting,
    ),
    onWait: settings.onWait,
    stop: settings.stop,
  });
  // A run that reads on from another's checkpoint names it: run comparison counts what that
  // run and those before it read as part of this one's view (a later run's checkpoint, which a
  // resume of an older run could meet, would make the chain a loop and is not named).
  if (stream.continues && stored && stored.runId < run.id) {
    await noteContinuation(handle.db, run.id, stored.runId);
    const continues = { runId: stored.runId, afterLine: stream.continues.afterLine };
    return { stream, continues, fromTop: false };
  }
  // A stored cursor the stream did not read on from (a rewritten file, --full-refresh) is
  // another run's; one of this run's own (a resume) always is.
  return { stream, fromTop: !stored || (!stream.continues && stored.runId !== run.id) };
}

/** The main loop: one transaction per batch, carrying the batch's data, counters and checkpoint. */
async function commitAll<P>(
  handle: DbHandle,
  source: Source<P, unknown>,
  stream: SourceStream,
  state: { run: RunRow; streamKey: string; totals: BatchCounts; fromTop: boolean },
  settings: RunSettings,
): Promise<void> {
  const batches = toBatches(
    stream.records,
    settings.batchSize,
    settings.failAfter,
    settings.onRead &&
      ((records, position) => settings.onRead?.({ records, ...stream.progressAt?.(position) })),
  );
  // The next batch is read (parsed, validated, fetched) while this one commits, so the source
  // and the database work side by side. A read error still surfaces only after the batches
  // before it are committed.
  let next = batches.next();
  try {
    for (;;) {
      const step = await untilStopped(next, settings.stop, state.totals);
      if (step.done) return;
      const { batch, last } = step.value;
      const cursor = stream.cursorAt(last);
      next = batches.next();
      next.catch(() => undefined); // handled when awaited above
      await commitBatch(handle, source, batch, { ...state, cursor }, settings);
    }
  } finally {
    if (settings.stop?.aborted) {
      // The fetch or wait in flight is abandoned, not awaited: the process is on its way out.
      next.catch(() => undefined);
      batches.return(undefined).catch(() => undefined);
    } else {
      await next.catch(() => undefined);
      await batches.return(undefined);
    }
  }
}

/**
 * `promise`, unless a stop is requested first: then the run ends here, at a batch boundary
 * (every batch before is committed with its checkpoint), as `interrupted`.
 */
async function untilStopped<T>(
  promise: Promise<T>,
  stop: AbortSignal | undefined,
  totals: BatchCounts,
): Promise<T> {
  if (!stop) return promise;
  const stopped = () => {
    const signal = typeof stop.reason === 'string' ? stop.reason : 'a stop request';
    return new KxError(
      'interrupted',
      `stopped by ${signal} after ${totals.fetched} committed records; \`kx resume\` continues from there`,
      { retryable: true, context: { signal } },
    );
  };
  if (stop.aborted) throw stopped();
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(stopped());
        stop.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) stop.removeEventListener('abort', onAbort);
  }
}

/**
 * One batch committed (see `commitTransaction`), added to the run's totals; with
 * FAIL_AFTER_N_RECORDS, the injected failure once that many records are committed.
 */
async function commitBatch<P>(
  handle: DbHandle,
  source: Source<P, unknown>,
  prepared: PreparedBatch,
  state: { run: RunRow; streamKey: string; totals: BatchCounts; fromTop: boolean; cursor: Cursor },
  settings: RunSettings,
): Promise<void> {
  const { totals } = state;
  handle.checkSpace();
  const restart = state.fromTop && totals.fetched === 0;
  const counts = await commitTransaction(handle, source, prepared, { ...state, restart }, settings);
  for (const key of Object.keys(totals) as (keyof BatchCounts)[]) totals[key] += counts[key];
  settings.onProgress?.({ records: totals.fetched, counts: totals });
  if (settings.failAfter !== null && totals.fetched >= settings.failAfter) {
    throw new KxError(
      'injected',
      `FAIL_AFTER_N_RECORDS=${settings.failAfter}: failing after ${totals.fetched} committed records`,
      {
        retryable: true,
      },
    );
  }
}

/** Fails a run whose rejected share is above the ratio, naming the field most rows failed on. */
async function checkRejectRatio(
  handle: DbHandle,
  runId: number,
  totals: BatchCounts,
  maxRatio: number,
): Promise<void> {
  if (totals.fetched === 0) return;
  const ratio = totals.rejected / totals.fetched;
  if (ratio <= maxRatio) return;
  const [main] = await selectRows<{ field: string | null; n: number; example: string }>(
    handle.db,
    sql`select ${rejectedRecords.field} as field, count(*)::int as n, min(${rejectedRecords.reason}) as example
        from ${rejectedRecords} where ${rejectedRecords.runId} = ${runId}
        group by 1 order by 2 desc, 1 limit 1`,
  );
  const most = main
    ? `; most of them (${main.n}) on ${main.field ?? 'the record'}, e.g. ${main.example}`
    : '';
  throw new KxError(
    'input',
    `${totals.rejected} of ${totals.fetched} records rejected (${(ratio * 100).toFixed(1)}%), above KX_MAX_REJECT_RATIO=${maxRatio}${most}. ` +
      `The valid records are loaded; every rejected one, with its reason: kx export rejected --run ${runId}`,
    { context: { rejected: totals.rejected, fetched: totals.fetched } },
  );
}
