import { cpSync, rmSync } from 'node:fs';
import { createDb, type DbHandle } from '../../src/db/client.js';
import { migrateDb } from '../../src/db/migrate.js';
import { makeScratchDir } from './scratch.js';
import { adminQuery } from './template.js';

/** Set to run every database test against a PostgreSQL server as well as PGlite. */
export const serverUrl = process.env.KX_TEST_DATABASE_URL;

/**
 * The migrated template of this test run (global-setup.ts): new databases are copies of it.
 * Unset (the drill and bench scripts), a new database starts empty and kx migrates it.
 */
const template = process.env.KX_TEST_TEMPLATE || undefined;

/**
 * A fresh, empty kx database for one test: a PGlite data dir in a temp folder, or a new
 * database on the server of KX_TEST_DATABASE_URL. `env` points a kx child process at it.
 */
export interface TestDatabase {
  env: Record<string, string>;
  /** Opens it in this process (close before running a kx child on PGlite: one process at a time). */
  open(): Promise<DbHandle>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  return serverUrl ? createServerDatabase(serverUrl) : createEmbeddedDatabase();
}

function createEmbeddedDatabase(): TestDatabase {
  const dataDir = makeScratchDir('kx-test-');
  if (template) cpSync(template, dataDir, { recursive: true });
  return {
    env: { KX_DATA_DIR: dataDir, DATABASE_URL: '' },
    open: () => openMigrated({ databaseUrl: undefined, dataDir }),
    drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
  };
}

async function createServerDatabase(url: string): Promise<TestDatabase> {
  const name = `kx_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(url, `create database ${name}${template ? ` template ${template}` : ''}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: dbUrl.toString() },
    open: () => openMigrated({ databaseUrl: dbUrl.toString(), dataDir: '' }),
    drop: () => adminQuery(url, `drop database if exists ${name} with (force)`),
  };
}

async function openMigrated(options: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<DbHandle> {
  const handle = await createDb({ ...options, command: 'test' });
  await migrateDb(handle);
  return handle;
}

/** Opens the test database, runs `fn`, closes it. */
export async function withOpen<T>(
  database: TestDatabase,
  fn: (handle: DbHandle) => Promise<T>,
): Promise<T> {
  const handle = await database.open();
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

/**
 * For a test file whose tests each open one fresh database in this process: `open()` creates
 * and opens it; it is closed and dropped after the test.
 */
export function useOpenedDatabase(afterEach: (fn: () => Promise<void>) => void) {
  let opened: { database: TestDatabase; handle: DbHandle } | undefined;
  afterEach(async () => {
    await opened?.handle.close();
    await opened?.database.drop();
    opened = undefined;
  });
  return async function open(): Promise<DbHandle> {
    const database = await createTestDatabase();
    const handle = await database.open();
    opened = { database, handle };
    return handle;
  };
}
