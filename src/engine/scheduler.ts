import { sql } from 'drizzle-orm';
import { DURATION_UNITS, parseDuration } from '../core/duration.js';
import { KxError, toKxError } from '../core/errors.js';
import type { Source } from '../core/source.js';
import type { Db, DbHandle } from '../db/client.js';
import { selectRows } from '../db/sql.js';
import {
  resumeRun,
  runIngest,
  withSourceLock,
  type RunResult,
  type RunSettings,
} from './runner.js';
import { getResumableRuns } from './runs.js';

export interface ScheduleEntry {
  source: string;
  everyMs: number;
}

/** Shortest interval: anything faster only meets the upstream's rate limit. */
const MIN_INTERVAL_MS = 1000;
/** Each wait is the interval ± this share, so replicas and restarts spread out. */
const JITTER = 0.1;
/**
 * A tick skips its source when an attempt of it started less than this share of the interval
 * ago, wherever it ran: below this process's own shortest wait (1 − JITTER), so that a lone
 * server never skips its own schedule.
 */
const RECENT = 1 - 2 * JITTER;
/**
 * Longest interval: Node's timers wait at most 2^31−1 ms (24.8 days) and fire at once past
 * it (1000h ran 8 ticks back to back); 20 days plus the jitter stays under that.
 */
const MAX_INTERVAL_HOURS = 480;
const MAX_INTERVAL_MS = MAX_INTERVAL_HOURS * DURATION_UNITS.h;

/** `"coinpaprika=10m,coingecko=30m"` → entries; a CSV needs a file, so it cannot be scheduled. */
export function parseSchedule(spec: string, schedulable: readonly string[]): ScheduleEntry[] {
  const entries = spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const m = /^([a-z]+)=(\d+[smh])$/.exec(part);
      if (!m)
        throw new KxError(
          'usage',
          `--schedule: "${part}" is not SOURCE=INTERVAL such as coingecko=30m`,
        );
      const [, source = '', every = ''] = m;
      if (!schedulable.includes(source))
        throw new KxError(
          'usage',
          `--schedule: ${source} cannot be scheduled; sources: ${schedulable.join(', ')}`,
        );
      const everyMs = parseDuration(every)!;
      if (everyMs < MIN_INTERVAL_MS)
        throw new KxError('usage', `--schedule: ${part} is shorter than 1s`);
      if (everyMs > MAX_INTERVAL_MS)
        throw new KxError(
          'usage',
          `--schedule: ${part} is longer than ${MAX_INTERVAL_HOURS}h (20 days), the longest a timer can wait`,
        );
      return { source, everyMs };
    });
  if (new Set(entries.map((e) => e.source)).size !== entries.length)
    throw new KxError('usage', '--schedule names a source twice');
  return entries;
}

export interface SchedulerOptions {
  handle: DbHandle;
  entries: readonly ScheduleEntry[];
  sources: Record<string, Source<unknown, unknown>>;
  settings: (source: string) => RunSettings;
  log: { info(message: string): void; warn(message: string): void };
  random?: () => number;
}

/**
 * When the latest attempt of `source` started, by any process (a replica, a `kx ingest` from
 * cron, this server before a restart), as milliseconds ago by the database's clock.
 */
async function latestAttempt(
  db: Db,
  source: string,
): Promise<{ runId: number; agoMs: number } | null> {
  const [row] = await selectRows<{ run_id: string | number; ago_ms: string | number }>(
    db,
    sql`select a.run_id, extract(epoch from now() - a.started_at) * 1000 as ago_ms
      from etl_run_attempts a join etl_runs r on r.id = a.run_id
      where r.source = ${source} order by a.started_at desc limit 1`,
  );
  return row ? { runId: Number(row.run_id), agoMs: Number(row.ago_ms) } : null;
}

/**
 * Runs ingests on intervals inside a long-lived process (`kx serve --schedule`). A tick first
 * resumes the source's failed runs, then starts a new one, under the same per-source lock as
 * any `kx ingest`: a run of that source elsewhere makes the tick skip, never overlap. The
 * interval is the source's, not the process's: a tick whose source had an attempt start less
 * than 80% of an interval ago, anywhere, waits for the rest of it, so replicas of the server
 * and its restarts do not multiply the calls to an upstream.
 */
export function startScheduler(options: SchedulerOptions) {
  const random = options.random ?? Math.random;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopping = false;
  // Aborted by stop(): runs in progress end at their next checkpoint, resumable.
  const halt = new AbortController();
  const settingsOf = (name: string): RunSettings => ({
    ...options.settings(name),
    stop: halt.signal,
  });
  const jittered = (ms: number) => Math.round(ms * (1 - JITTER + 2 * JITTER * random()));

  /** One tick of `entry`; resolves to the wait before the next one, unjittered. */
  const tick = async (entry: ScheduleEntry): Promise<number> => {
    const { source: name } = entry;
    const source = options.sources[name]!;
    try {
      return await withSourceLock(options.handle, name, async () => {
        const latest = await latestAttempt(options.handle.db, name);
        if (latest && latest.agoMs < entry.everyMs * RECENT) {
          const rest = Math.max(MIN_INTERVAL_MS, entry.everyMs - latest.agoMs);
          options.log.info(
            `schedule: ${name} skipped: run #${latest.runId} started ${seconds(latest.agoMs)} ago; next in ${seconds(rest)}`,
          );
          return rest;
        }
        for (const run of await getResumableRuns(options.handle.db, name)) {
          if (stopping) return entry.everyMs;
          const result = await resumeRun(options.handle, source, run, settingsOf(name));
          options.log.info(`schedule: resumed ${name} run #${result.runId}: ${counts(result)}`);
        }
        if (stopping) return entry.everyMs; // a stop during the resumes starts nothing new
        const result = await runIngest(
          options.handle,
          source,
          source.parseParams({}),
          settingsOf(name),
        );
        options.log.info(`schedule: ${name} run #${result.runId}: ${counts(result)}`);
        return entry.everyMs;
      });
    } catch (error) {
      const e = toKxError(error);
      options.log.warn(
        e.code === 'locked'
          ? `schedule: ${name} skipped: ${e.message}`
          : `schedule: ${name} failed (${e.code}): ${e.message}`,
      );
      return entry.everyMs;
    }
  };

  /** When each source's next tick is due; absent while it runs. */
  const nextAt = new Map<string, number>();
  const plan = (entry: ScheduleEntry, delay: number) => {
    nextAt.set(entry.source, Date.now() + delay);
    const timer = setTimeout(() => {
      timers.delete(timer);
      nextAt.delete(entry.source);
      if (stopping) return;
      const run = tick(entry).then((wait) => {
        running.delete(run);
        if (!stopping) plan(entry, jittered(wait));
      });
      running.add(run);
    }, delay);
    timers.add(timer);
  };

  // The first runs start soon after start-up, spread over a few seconds.
  for (const entry of options.entries)
    plan(entry, Math.round(random() * Math.min(entry.everyMs * JITTER, 5000)));
  options.log.info(
    `schedule: ${options.entries.map((e) => `${e.source} every ${e.everyMs / 1000}s`).join(', ')}`,
  );

  return {
    /** Each scheduled source: its interval, and when its next tick is due (null: running now). */
    planned(): Record<string, { every_ms: number; next_at: string | null }> {
      return Object.fromEntries(
        options.entries.map((e) => {
          const at = nextAt.get(e.source);
          return [
            e.source,
            { every_ms: e.everyMs, next_at: at === undefined ? null : new Date(at).toISOString() },
          ];
        }),
      );
    },
    /**
     * No new ticks and no new runs; runs in progress stop at their next checkpoint (a fetch or
     * a backoff they wait on is not waited for) and can be resumed.
     */
    async stop(reason = 'SIGTERM'): Promise<void> {
      stopping = true;
      halt.abort(reason);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}

/** `1.5 s`, `42 s`, `12 min`: how long, to the second below ten minutes. */
function seconds(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 600_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** A run's counts, and where to read the records it rejected, if any. */
function counts(r: RunResult): string {
  return (
    `${r.fetched} read, ${r.loaded} loaded, ${r.unchanged} unchanged, ${r.rejected} rejected` +
    (r.rejected > 0 ? `; every one: GET /runs/${r.runId}/rejected` : '')
  );
}
