/**
 * The embedded database: PGlite in a data dir this process locks, made from the packaged seed
 * on first use, and stopped before its disk fills.
 */
import { readdirSync, statfsSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { drizzle as DrizzlePglite } from 'drizzle-orm/pglite';
import { KxError, findStorageProblem, isKxError } from '../core/errors.js';
import { acquireDirLock } from './dir-lock.js';
import { waitForLock } from './lock-wait.js';
import { schema } from './schema.js';
import { isKxFile, pgVersions, plantSeed, PREPARING_FILE } from './seed.js';
import type { DbOptions, DbHandle, Db } from './client.js';

/**
 * PGlite's own start parameters, with 8 MB of shared buffers instead of 128 MB. Its data files
 * sit in the OS page cache anyway, so a miss costs a copy, not a disk read. The buffers are
 * zeroed at every start, in WebAssembly: 128 → 32 MB made each start 0.35 s quicker, 32 → 8 MB
 * another 0.11 s (0.34 → 0.23 s per open and close), while CSV ingests took as long or less
 * (100,000 rows: 19.9 / 18.9 s at 32 MB, 19.0 / 18.5 s at 8 MB; 300,000 rows: 71.6 s vs
 * 65.8 s; the unchanged re-run of those 22.8 s vs 19.8 s).
 */
export function pgliteStartParams(pglite: { defaultStartParams: string[] }): string[] {
  return [...pglite.defaultStartParams, '-c', 'shared_buffers=8MB'];
}

// Each driver is imported when it is used (here and in server.ts): a process needs one, and
// loading both cost every kx command about 0.1 s of start-up.

export async function createEmbeddedDb(options: DbOptions): Promise<DbHandle> {
  const releaseDir = await waitForLock(() => {
    try {
      return Promise.resolve(acquireDirLock(options.dataDir, options.command));
    } catch (error) {
      if (isKxError(error) && error.code === 'locked') return Promise.resolve(error);
      throw error;
    }
  }, options.lockWait);
  let client: PGlite;
  let drizzlePglite: typeof DrizzlePglite;
  try {
    if (isNewDir(options.dataDir)) {
      options.notice?.(`preparing the embedded database in ${options.dataDir}`);
      await plantSeed(options.dataDir);
    }
    const { PGlite } = await import('@electric-sql/pglite');
    ({ drizzle: drizzlePglite } = await import('drizzle-orm/pglite'));
    client = await PGlite.create(options.dataDir, { startParams: pgliteStartParams(PGlite) });
  } catch (error) {
    releaseDir();
    if (isKxError(error)) throw error;
    throw await notOpened(options.dataDir, error);
  }
  const held = new Set<string>();
  return {
    db: drizzlePglite(client, { schema }) as unknown as Db,
    driver: 'pglite',
    location: options.dataDir,
    raw: { kind: 'pglite', client },
    checkSpace: () => checkFreeSpace(options.dataDir),
    tryLock(key) {
      if (held.has(key)) return Promise.resolve(null);
      held.add(key);
      return Promise.resolve(() => {
        held.delete(key);
        return Promise.resolve();
      });
    },
    async close() {
      await client.close();
      releaseDir();
    },
  };
}

/**
 * PGlite does not fail when its disk fills up in the middle of a write: it spins at 100% CPU
 * (a new 16 MB WAL segment that cannot be made, measured on a tmpfs with 8 MB free). So kx
 * stops first, while there is room: before each batch it wants this much free space, four
 * WAL segments, and otherwise ends with exit 8 saying how much there is.
 */
const PGLITE_MIN_FREE_BYTES = 64 * 1024 * 1024;

function checkFreeSpace(dataDir: string): void {
  let free: number;
  try {
    const stats = statfsSync(dataDir);
    free = stats.bavail * stats.bsize;
  } catch {
    return; // not measurable here: PGlite's own errors remain
  }
  if (free >= PGLITE_MIN_FREE_BYTES) return;
  throw new KxError(
    'unavailable',
    `the disk of the embedded database in ${dataDir} has ${(free / 1024 / 1024).toFixed(1)} MB free; ` +
      `kx stops below ${PGLITE_MIN_FREE_BYTES / 1024 / 1024} MB, before PGlite runs out of room mid-write. ` +
      'Free space (or move KX_DATA_DIR), then `kx resume` continues from the last checkpoint',
    { retryable: true, context: { dataDir, free } },
  );
}

/**
 * Why PGlite could not open a data dir that holds a database: its disk, a database of another
 * PostgreSQL major version (a server's data dir, or one made by a kx of another PGlite), or
 * files that are damaged (a disk error, a copy taken while kx wrote) or another program's.
 */
async function notOpened(dataDir: string, error: unknown): Promise<KxError> {
  const storage = findStorageProblem(error);
  if (storage)
    return new KxError(
      storage.kind,
      `cannot open the embedded database in ${dataDir}: ${storage.message}`,
      { cause: error, retryable: storage.kind !== 'usage' },
    );
  const versions = await pgVersions(dataDir).catch(() => null);
  if (versions && versions.found !== versions.engine)
    return new KxError(
      'usage',
      `${dataDir} holds a database of PostgreSQL ${versions.found} (its PG_VERSION), and this ` +
        `kx embeds PostgreSQL ${versions.engine}, which cannot open it: read it with the kx ` +
        'or the server that made it (`kx export`, pg_dump), or point KX_DATA_DIR at a new ' +
        'directory and ingest again',
      { cause: error },
    );
  return new KxError(
    'unavailable',
    `cannot open the embedded database in ${dataDir} (${String(error)}): its files are ` +
      "damaged (a disk error, a copy taken while kx wrote) or another program's; restore them " +
      'from a backup, or point KX_DATA_DIR at a new directory and ingest again',
    { cause: error, retryable: false },
  );
}

/**
 * Whether `dataDir` needs a database made in it: it is empty (but for kx's own files), or kx
 * was stopped while making one there. PGlite initialises an empty data dir, and would
 * initialise one that has lost its PG_VERSION too, hiding every row it held: a directory with
 * other files in it but no PG_VERSION is not kx's to take, and is refused, never overwritten.
 */
function isNewDir(dataDir: string): boolean {
  const names = readdirSync(dataDir);
  if (names.includes(PREPARING_FILE)) return true;
  const entries = names.filter((name) => !isKxFile(name));
  if (entries.length === 0) return true;
  if (entries.includes('PG_VERSION')) return false;
  throw new KxError(
    'usage',
    `${dataDir} is not empty but holds no embedded database (no PG_VERSION; found ${entries
      .slice(0, 3)
      .join(
        ', ',
      )}${entries.length > 3 ? ', …' : ''}). kx will not overwrite it: point KX_DATA_DIR ` +
      'or --data-dir at an empty or new directory, or restore the database files into this one',
    { context: { dataDir } },
  );
}
