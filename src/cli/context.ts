import { loadConfig, type Config, type GlobalFlags } from '../config.js';
import { createDb, type DbHandle } from '../db/client.js';
import { migrateDb } from '../db/migrate.js';
import { createLogger, type Logger } from '../logger.js';

export interface Context {
  config: Config;
  log: Logger;
  /** Opens the database (PGlite or server), applies pending migrations, and closes it after `fn`. */
  withDb<T>(command: string, fn: (handle: DbHandle) => Promise<T>): Promise<T>;
}

/** Where everything is wired together: config from flags and env, the logger, the database. */
export function createContext(flags: GlobalFlags): Context {
  const config = loadConfig(flags);
  const log = createLogger(config);
  return {
    config,
    log,
    async withDb(command, fn) {
      const handle = await createDb({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        command,
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
