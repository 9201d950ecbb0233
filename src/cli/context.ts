import { loadConfig, type Config, type GlobalFlags } from '../config.js';
import { createDb, type DbHandle } from '../db/client.js';
import type { LockWait } from '../db/lock-wait.js';
import { migrateDb } from '../db/migrate.js';
import { createLogger, type Logger } from '../logger.js';
import { createSources, entries, type Sources } from '../sources/index.js';
import type { Io } from './io.js';

export interface Context {
  io: Io;
  config: Config;
  log: Logger;
  sources: Sources;
  /** KX_<SOURCE>_MONTHLY_CALLS by source: `kx status` and `GET /stats` show the same budgets. */
  callBudgets: Record<string, number | undefined>;
  /**
   * Opens the database (PGlite or server), applies pending migrations, and closes it after
   * `fn`. A stop request ends a wait for the embedded database (`--lock-wait`).
   */
  withDb<T>(command: string, fn: (handle: DbHandle) => Promise<T>, stop?: AbortSignal): Promise<T>;
  /** How long to wait for a lock another kx holds (`--lock-wait`), told on stderr. */
  lockWait(stop?: AbortSignal): LockWait;
}

/** Where everything is wired together: config from flags and env, the logger, the database. */
export function createContext(flags: GlobalFlags, io: Io): Context {
  const config = loadConfig(flags, io.env);
  const log = createLogger(config, io.stderr);
  const sources = createSources(config.sources, {
    http: {
      timeoutMs: config.httpTimeoutMs,
      maxRetries: config.httpMaxRetries,
      retryBaseMs: config.httpRetryBaseMs,
      maxWaitMs: config.httpMaxWaitMs,
      // All waits of one request stay within five maximum waits.
      maxTotalWaitMs: config.httpMaxWaitMs * 5,
      maxBodyBytes: config.httpMaxBodyMb * 1024 * 1024,
      proxy: config.proxy,
    },
    log: (message) => log.warn(message),
  });
  const lockWait = (stop?: AbortSignal): LockWait => ({
    ms: config.lockWaitMs,
    signal: stop,
    log: (message) => log.info(message),
  });
  return {
    io,
    config,
    log,
    sources,
    callBudgets: Object.fromEntries(
      entries.flatMap((entry) =>
        entry.budget
          ? [[entry.name, config.sources[entry.name]?.[entry.budget] as number | undefined]]
          : [],
      ),
    ),
    lockWait,
    async withDb(command, fn, stop) {
      const handle = await (io.openDb ?? createDb)({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        command,
        notice: (message) => log.info(message),
        lockWait: lockWait(stop),
      });
      try {
        await migrateDb(handle);
        return await fn(handle);
      } finally {
        await handle.close();
      }
    },
  };
}
