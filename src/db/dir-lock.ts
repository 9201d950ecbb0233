import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KxError } from '../core/errors.js';

const LOCK_FILE = 'kx.lock';

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/**
 * PGlite is one process per data dir. This lock file makes a second process fail fast with
 * a message naming the holder, instead of corrupting the database; a lock left by a dead
 * process (SIGKILL, power loss) is taken over.
 */
export function acquireDirLock(dataDir: string, command: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner && isAlive(owner)) {
        throw new KxError(
          'locked',
          `the embedded database in ${dataDir} is in use by pid ${owner.pid} (kx ${owner.command}, since ${owner.since}). ` +
            'PGlite allows one process at a time: wait for it to finish, or set DATABASE_URL to a PostgreSQL ' +
            'server to run several kx processes at once',
          { context: { dataDir, pid: owner.pid } },
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new KxError('locked', `could not take the lock on ${dataDir}; another kx is starting`);
}

function readOwner(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return null; // half-written or unreadable: treat as stale
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot check another machine: assume alive
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
