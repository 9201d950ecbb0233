import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDatabaseError, KxError } from '../core/errors.js';
import { kxVersion as version } from '../core/version.js';
import type { DbHandle } from './client.js';
import { checkSessionPinned } from './session-pinned.js';

/** `drizzle/` at the package root, from both `src/db` (tests) and `dist/db` (the built CLI). */
const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'drizzle');

/**
 * Applies pending migrations; on a server, under an advisory lock so parallel starts are safe.
 * A database that has them all is only read: `kx status` and `kx serve` work on a read-only
 * standby, and ingests under a role that may write kx's tables but not create schemas.
 */
export async function migrateDb(handle: Pick<DbHandle, 'raw' | 'location'>): Promise<void> {
  if (await isCurrent(handle.raw, handle.location)) return;
  try {
    await applyMigrations(handle);
  } catch (error) {
    throw notKxsOwn(error, handle.location) ?? error;
  }
}

/**
 * A database that already has a table or type kx makes, of another application's (its own
 * `assets`): the migration, one transaction, fails on it and leaves the database as it was.
 * Said with the fix, rather than as a statement the database refused.
 */
function notKxsOwn(error: unknown, location: string): KxError | null {
  const database = findDatabaseError(error);
  // duplicate_table, duplicate_object (a type, an index or a constraint)
  if (!database || (database.code !== '42P07' && database.code !== '42710')) return null;
  return new KxError(
    'usage',
    `${location} already has what kx would make: ${database.message}. Another application's ` +
      "tables are there, and kx leaves them alone: point DATABASE_URL at a database of kx's own " +
      '(CREATE DATABASE kx)',
    { cause: error },
  );
}

async function applyMigrations(handle: Pick<DbHandle, 'raw' | 'location'>): Promise<void> {
  const raw = handle.raw;
  if (raw.kind === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
    const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
    await migratePglite(drizzlePglite(raw.client), { migrationsFolder });
    return;
  }
  const { migrate: migratePostgres } = await import('drizzle-orm/postgres-js/migrator');
  const { drizzle: drizzlePostgres } = await import('drizzle-orm/postgres-js');
  // The lock lives on one reserved session; the migration runs on the pool while it is held.
  const connection = await raw.client.reserve();
  try {
    // through a pooler in transaction mode the lock would stay behind on a pooled session, and
    // the next kx to migrate would wait on it
    await checkSessionPinned(raw.client, connection, handle.location);
  } catch (error) {
    connection.release();
    throw error;
  }
  try {
    await connection`select pg_advisory_lock(hashtext('kx:migrate'))`;
    await migratePostgres(drizzlePostgres(raw.client), { migrationsFolder });
  } finally {
    await connection`select pg_advisory_unlock(hashtext('kx:migrate'))`.catch(() => undefined);
    connection.release();
  }
}

/**
 * Whether the database has the newest migration this kx ships. drizzle's migrator applies
 * each migration newer than the last one recorded, by its journal time (`when`), after
 * creating its own schema and table: statements a read-only database refuses.
 */
async function isCurrent(raw: DbHandle['raw'], location: string): Promise<boolean> {
  const query = async (text: string): Promise<Record<string, unknown> | undefined> =>
    raw.kind === 'pglite'
      ? (await raw.client.query<Record<string, unknown>>(text)).rows[0]
      : (await raw.client.unsafe<Record<string, unknown>[]>(text))[0];
  const table = await query(
    "select to_regclass('drizzle.__drizzle_migrations') is not null as present",
  );
  if (table?.present !== true) return false;
  const { first, newest } = journalTimes();
  const applied = await query(
    `select max(created_at)::text as last, count(*)::int as rows,
      count(*) filter (where created_at = ${first})::int as ours
    from drizzle.__drizzle_migrations`,
  );
  // drizzle's migrator keeps every application's record in this one table: another's
  // migrations, without kx's first, would be read as kx's, and kx's own skipped.
  if (Number(applied?.rows ?? 0) > 0 && Number(applied?.ours ?? 0) === 0)
    throw new KxError(
      'usage',
      `${location}: its drizzle.__drizzle_migrations records ${String(applied?.rows)} ` +
        `migration${applied?.rows === 1 ? '' : 's'}, none of them kx's (another application ` +
        "made with drizzle shares the database): point DATABASE_URL at a database of kx's own " +
        '(CREATE DATABASE kx)',
    );
  const last = Number(applied?.last ?? 0);
  // An older kx beside a newer one (a worker not yet upgraded) would read and write tables
  // whose meaning has moved on: it stops before touching them.
  if (last > newest)
    throw new KxError(
      'usage',
      `${location} was migrated by a newer kx (its last migration is of ` +
        `${new Date(last).toISOString()}; this kx ${version}'s newest is of ` +
        `${new Date(newest).toISOString()}): upgrade kx here to the version the other ` +
        'workers run, or point it at another database',
    );
  return last >= newest;
}

/** The journal times of the first and the newest migration in `drizzle/`. */
function journalTimes(): { first: number; newest: number } {
  const journal = JSON.parse(
    readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: { when: number }[];
  };
  const times = journal.entries.map((entry) => entry.when);
  return { first: Math.min(...times), newest: Math.max(...times) };
}
