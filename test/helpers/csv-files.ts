import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import type { RunResult } from '../../src/engine/runner.js';
import { csvSource } from '../../src/sources/csv/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { ingestWith } from './ingest.js';
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
    /** Writes `text` to `name` in the scratch folder and ingests it (`--map` empty unless given). */
    ingest(name: string, text: string, params: Record<string, unknown> = {}): Promise<RunResult> {
      const file = join(dir, name);
      writeFileSync(file, text);
      return ingestWith(opened(), csvSource, { file, map: [], ...params });
    },
  };
}
