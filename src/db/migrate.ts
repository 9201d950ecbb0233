import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbHandle } from './client.js';

/** `drizzle/` at the package root, from both `src/db` (tests) and `dist/db` (the built CLI). */
const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'drizzle');

/** Applies pending migrations; on a server, under an advisory lock so parallel starts are safe. */
export async function migrateDb(handle: Pick<DbHandle, 'raw'>): Promise<void> {
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
    await connection`select pg_advisory_lock(hashtext('kx:migrate'))`;
    await migratePostgres(drizzlePostgres(raw.client), { migrationsFolder });
  } finally {
    await connection`select pg_advisory_unlock(hashtext('kx:migrate'))`.catch(() => undefined);
    connection.release();
  }
}
