import { KxError, toKxError } from '../core/errors.js';
import type { Source } from '../core/source.js';
import type { DbHandle } from '../db/client.js';
import { resumeRun, runIngest, withSourceLock, type RunSettings } from './runner.js';
import { getResumableRuns } from './runs.js';

export interface ScheduleEntry {
  source: string;
  everyMs: number;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
/** Shortest interval: anything faster only meets the upstream's rate limit. */
const MIN_INTERVAL_MS = 1000;
/** Each wait is the interval ± this share, so replicas and restarts spread out. */
const JITTER = 0.1;
/**
 * Longest interval: Node's timers wait at most 2^31−1 ms (24.8 days) and fire at once past
 * it (1000h ran 8 ticks back to back); 20 days plus the jitter stays under that.
 */
const MAX_INTERVAL_HOURS = 480;
const MAX_INTERVAL_MS = MAX_INTERVAL_HOURS * UNITS.h!;

/** `"coinpaprika=10m,coingecko=30m"` → entries; a CSV needs a file, so it cannot be scheduled. */
export function parseSchedule(spec: string, schedulable: readonly string[]): ScheduleEntry[] {
  const entries = spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const m = /^([a-z]+)=(\d+)(s|m|h)$/.exec(part);
      if (!m)
        throw new KxError(
          'usage',
          `--schedule: "${part}" is not SOURCE=INTERVAL such as coingecko=30m`,
        );
      const [, source = '', amount = '', unit = ''] = m;
      if (!schedulable.includes(source))
        throw new KxError(
          'usage',
          `--schedule: ${source} cannot be scheduled; sources: ${schedulable.join(', ')}`,
        );
      const everyMs = Number(amount) * UNITS[unit]!;
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
 * Runs ingests on intervals inside a long-lived process (`kx serve --schedule`). A tick first
 * resumes the source's failed runs, then starts a new one, under the same per-source lock as
 * any `kx ingest`: a run of that source elsewhere makes the tick skip, never overlap.
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

  const tick = async (entry: ScheduleEntry) => {
    const { source: name } = entry;
    const source = options.sources[name]!;
    try {
      await withSourceLock(options.handle, name, async () => {
        for (const run of await getResumableRuns(options.handle.db, name)) {
          if (stopping) return;
          const result = await resumeRun(options.handle, source, run, settingsOf(name));
          options.log.info(
            `schedule: resumed ${name} run #${result.runId}: ${result.fetched} read, ${result.loaded} loaded`,
          );
        }
        if (stopping) return; // a stop during the resumes starts nothing new
        const result = await runIngest(
          options.handle,
          source,
          source.parseParams({}),
          settingsOf(name),
        );
        options.log.info(
          `schedule: ${name} run #${result.runId}: ${result.fetched} read, ${result.loaded} loaded, ${result.unchanged} unchanged`,
        );
      });
    } catch (error) {
      const e = toKxError(error);
      options.log.warn(
        e.code === 'locked'
          ? `schedule: ${name} skipped: ${e.message}`
          : `schedule: ${name} failed (${e.code}): ${e.message}`,
      );
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
      const run = tick(entry).finally(() => {
        running.delete(run);
        if (!stopping) plan(entry, jittered(entry.everyMs));
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
