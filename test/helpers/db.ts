import { cpSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDb, type DbHandle, type DbOptions } from '../../src/db/client.js';
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
    drop: async () => {
      await closeKept(resolve(dataDir));
      rmSync(dataDir, { recursive: true, force: true });
    },
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
  const handle = await openKept({ ...options, command: 'test' });
  try {
    await migrateDb(handle);
  } catch (error) {
    await handle.close(); // handed back: the next open of the dir must not find it out
    throw error;
  }
  return handle;
}

/**
 * Embedded databases this test process keeps open between the in-process commands of a test
 * (helpers/cli.ts `runKx`) and its own reads (`open`, `withOpen`), by data dir: each open of
 * PGlite costs 0.3 s of CPU, and a test runs several commands on one database. A handle is
 * out to one user at a time; a second opener while it is out opens the dir for real, and so
 * gets exit 6 as a second process would. Closed for real before a kx child opens the dir
 * (`releaseDataDir`), when the database is dropped, and after every test (each-test.ts)
 * unless a user still has it.
 */
const kept = new Map<string, { handle: DbHandle; out: boolean }>();

export async function openKept(options: DbOptions): Promise<DbHandle> {
  if (options.databaseUrl) return createDb(options);
  const key = resolve(options.dataDir);
  let entry = kept.get(key);
  if (entry?.out) return createDb(options);
  if (!entry) {
    entry = { handle: await createDb(options), out: false };
    kept.set(key, entry);
  }
  entry.out = true;
  const lent = entry;
  return {
    ...lent.handle,
    close: () => {
      lent.out = false;
      return Promise.resolve();
    },
  };
}

/**
 * Closes what this process keeps open of the data dir, unless it is out to a user (a test
 * holding it open on purpose, for which a kx child gets exit 6 as it should). A no-op for a
 * dir not kept, or a server.
 */
export async function releaseDataDir(dataDir: string | undefined): Promise<void> {
  const key = dataDir && resolve(dataDir);
  const entry = key ? kept.get(key) : undefined;
  if (key && entry && !entry.out) await closeKept(key);
}

async function closeKept(key: string): Promise<void> {
  const entry = kept.get(key);
  kept.delete(key);
  await entry?.handle.close();
}

/** Whether this process keeps the data dir open, idle: a kx child would find it locked. */
export function isKeptIdle(dataDir: string | undefined): boolean {
  const entry = dataDir ? kept.get(resolve(dataDir)) : undefined;
  return Boolean(entry && !entry.out);
}

/** Closes every kept database not out to a user (one opened in `beforeAll` stays open). */
export async function releaseIdle(): Promise<void> {
  for (const key of [...kept.keys()]) await releaseDataDir(key);
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
