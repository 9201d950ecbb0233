import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteStartParams } from './embedded.js';
import { migrateDb } from './migrate.js';
import { seedFile } from './seed.js';

/**
 * The last step of `npm run build`: writes the seed (seed.ts), a fresh PGlite database with
 * every migration in `drizzle/`, cleanly shut down, packed with PG_VERSION last and without
 * the server's pid file.
 */
async function writeSeed(out: string): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const tar = await import('tar');
  const dir = mkdtempSync(join(tmpdir(), 'kx-seed-'));
  try {
    const client = await PGlite.create(dir, { startParams: pgliteStartParams(PGlite) });
    await migrateDb({ raw: { kind: 'pglite', client }, location: dir });
    await client.close();
    const names = readdirSync(dir).filter((n) => n !== 'PG_VERSION' && n !== 'postmaster.pid');
    const partial = `${out}.partial`;
    tar.c({ file: partial, cwd: dir, gzip: { level: 9 }, portable: true, sync: true }, [
      ...names,
      'PG_VERSION',
    ]);
    renameSync(partial, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await writeSeed(seedFile);
