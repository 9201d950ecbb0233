import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { DbHandle } from './client.js';

/** `drizzle/` at the package root, from both `src/db` (tests) and `dist/db` (the built CLI). */
const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'drizzle');

/** Applies pending migrations; on a server, under an advisory lock so parallel starts are safe. */
export async function migrateDb(handle: DbHandle): Promise<void> {
  const raw = handle.raw;
  if (raw.kind === 'pglite') {
    await migratePglite(drizzlePglite(raw.client), { migrationsFolder });
    return;
  }
  // The lock lives on one reserved session; the migration runs on the pool while it is held.
  const connection = await raw.client.reserve();
  try {
    await connection`select pg_advisory_lock(hashtext('kx:migrate'))`;
    await migratePostgres(drizzlePostgres(raw.client), { migrationsFolder });
  } finally {
    await connection`select pg_advisory_unlock(hashtext('kx:migrate'))`.catch(() => undefined);
    connection.release();
  }
}
