import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A migrated, empty embedded database, packed at build time (`npm run build`) into the
 * package: a new data dir is this archive unpacked, 0.2–0.4 s, instead of PGlite's initdb and
 * every migration, 5–6 s and most of a gigabyte of memory. Without it (kx run from `src`
 * before a build) a new data dir is made the slow way, and works the same.
 *
 * `dist/pglite-seed.tgz` at the package root, from both `src/db` (tests) and `dist/db`.
 */
export const seedFile = fileURLToPath(new URL('../../dist/pglite-seed.tgz', import.meta.url));

/**
 * Present in a data dir while the seed is unpacked into it. A kx stopped mid-way (a kill, a
 * full disk) leaves it behind; the next kx starts the unpacking over instead of finding half
 * a database. PG_VERSION, the file that says "a database is here", is packed last.
 */
export const PREPARING_FILE = 'kx.preparing';

/** Names in a data dir that are kx's own and never part of the database. */
export function isKxFile(name: string): boolean {
  return name.startsWith('kx.lock') || name === PREPARING_FILE;
}

/**
 * Unpacks the seed into `dataDir` (empty but for kx's own files, or left half-unpacked), if
 * this build has one. Returns whether it did: if not, PGlite runs initdb there.
 */
export async function plantSeed(dataDir: string, seed = seedFile): Promise<boolean> {
  const marker = join(dataDir, PREPARING_FILE);
  const clear = () => {
    for (const name of readdirSync(dataDir))
      if (!isKxFile(name)) rmSync(join(dataDir, name), { recursive: true, force: true });
  };
  if (!existsSync(seed)) {
    // A build without the seed after one with it: the half-made dir is emptied for initdb.
    if (existsSync(marker)) {
      clear();
      rmSync(marker);
    }
    return false;
  }
  writeFileSync(marker, `${process.pid}\n`);
  clear();
  const tar = await import('tar');
  tar.x({ file: seed, cwd: dataDir, sync: true, strict: true });
  rmSync(marker);
  return true;
}

/**
 * The PostgreSQL major version of this kx's embedded database (its seed's PG_VERSION, read
 * from the archive), and that of the database in `dataDir`; null when either is unknown. Only
 * read when a data dir fails to open: 0.1 s.
 */
export async function pgVersions(
  dataDir: string,
  seed = seedFile,
): Promise<{ engine: string; found: string } | null> {
  let found: string;
  try {
    found = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();
  } catch {
    return null;
  }
  if (!existsSync(seed)) return null;
  const tar = await import('tar');
  let engine = '';
  tar.t({
    file: seed,
    sync: true,
    onReadEntry: (entry) => {
      if (entry.path === 'PG_VERSION')
        entry.on('data', (chunk: Buffer) => (engine += chunk.toString('latin1')));
    },
  });
  engine = engine.trim();
  return engine ? { engine, found } : null;
}
