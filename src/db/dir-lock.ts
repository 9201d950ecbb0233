import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { KxError } from '../core/errors.js';

const LOCK_FILE = 'kx.lock';
/** The holder touches its lock this often, for holders whose process cannot be checked. */
const HEARTBEAT_MS = 3_000;
/** A lock of another host (or kernel) not touched for this long is stale. */
const STALE_MS = 15_000;

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** The kernel's boot id and pid namespace: the same ones mean its pid can be checked here. */
  boot?: string | null;
  /** The holder's start time in the kernel's clock ticks: tells a reused pid apart. */
  start?: string | null;
}

/**
 * PGlite is one process per data dir. This lock file makes a second process fail fast with
 * a message naming the holder, instead of corrupting the database; a lock left by a dead
 * process (SIGKILL, an OOM kill, power loss) is taken over.
 *
 * - The file appears with its content already written (written aside, then hard-linked into
 *   place, which fails if a lock exists), so a lock being created is never mistaken for a
 *   half-written stale one.
 * - A holder is alive if its pid runs a process that started when the holder did, on the
 *   same kernel: a pid reused by another process (kx as PID 1 in a restarted container finds
 *   a lock naming PID 1, itself) does not count. A holder that cannot be checked (another
 *   host or container sharing the volume) is alive while it keeps touching the file.
 * - A stale lock is moved aside by rename, which only one process can do, and checked to be
 *   the one judged stale before it is deleted.
 */
export function acquireDirLock(dataDir: string, command: string): () => void {
  makeDataDir(dataDir);
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
    boot: bootId(),
    start: processStart(process.pid),
  };
  // Unique even between containers sharing the volume, where pids repeat.
  const mine = `${path}.${process.pid}.${randomUUID()}.new`;
  writeFileSync(mine, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, path);
        return holdLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(path);
      // Released between the link and the read: nothing to judge, try again.
      if (!owner && !existsSync(path)) continue;
      if (owner && isAlive(owner, path)) {
        const unseen = isCheckable(owner)
          ? ''
          : ` on ${owner.host}, in another host, container or boot; if it is gone, the lock is taken over ${STALE_MS / 1000} s after its last sign of life`;
        // A server does not finish: what it can do instead is run the ingests itself.
        const wait =
          owner.command === 'serve'
            ? 'stop it, or let it run the ingests (kx serve --schedule "coinpaprika=10m,coingecko=30m")'
            : 'wait for it to finish';
        throw new KxError(
          'locked',
          `the embedded database in ${dataDir} is in use by pid ${owner.pid} (kx ${owner.command}, since ${owner.since})${unseen}. ` +
            `PGlite allows one process at a time: ${wait}, or set DATABASE_URL to a PostgreSQL ` +
            'server to run several kx processes at once',
          {
            context: {
              dataDir,
              pid: owner.pid,
              holder: `pid ${owner.pid} (kx ${owner.command}) to close the embedded database in ${dataDir}`,
            },
          },
        );
      }
      removeStale(path, owner);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw new KxError('locked', `could not take the lock on ${dataDir}; another kx is starting`);
}

/**
 * Creates the data dir and its missing parents, one level at a time. Node's own recursive
 * mkdir takes ENOENT for a missing parent and tries again for ever where the parent exists
 * but takes no children (`/proc/…`: nodejs/node's recursive mkdir spins there); here each
 * level is one mkdir, whose error is the answer. A parent that is a symbolic link to nothing
 * (a disk not mounted) is named as such.
 */
function makeDataDir(dataDir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dataDir); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  if (missing.length === 0 && !isDirectory(dataDir))
    throw new KxError(
      'usage',
      `the embedded database directory ${dataDir} is a file, not a directory; point KX_DATA_DIR ` +
        '(or --data-dir) at a directory',
    );
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      // Another process made it meanwhile.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(dir)) continue;
      const target = danglingTarget(dir);
      const why = target
        ? `${dir} is a symbolic link to ${target}, which does not exist (a disk not mounted?)`
        : (error as Error).message;
      throw new KxError(
        'usage',
        `cannot create the embedded database directory ${dataDir}: ${why}; point KX_DATA_DIR ` +
          '(or --data-dir) at a writable directory',
        { cause: error },
      );
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Where `path` points, if it is a symbolic link to nothing. */
function danglingTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() && !existsSync(path) ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}

/**
 * The locks this process holds now. A lock naming this process's pid is alive only if it is
 * one of them: otherwise an earlier process with the same pid left it (a container restarted,
 * pids reused). A program that opens the database twice at once (a test that runs kx in its
 * own process) gets `locked`, as a second process would.
 */
const heldHere = new Set<string>();

/** Keeps touching the lock while it is held; the release stops that and deletes it. */
function holdLock(path: string): () => void {
  heldHere.add(path);
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // gone: nothing to keep fresh
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return () => {
    clearInterval(heartbeat);
    heldHere.delete(path);
    rmSync(path, { force: true });
  };
}

/** Moves the stale lock aside and deletes it, unless what was moved is not the one judged stale. */
function removeStale(path: string, judged: LockOwner | null): void {
  const aside = `${path}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else took it away
    throw error;
  }
  const moved = readOwner(aside);
  // Without an owner judged (a lock unreadable when read), any kx lock moved is a new one.
  if (moved && (!judged || moved.pid !== judged.pid || moved.since !== judged.since)) {
    // A new holder's lock appeared between the check and the move: put it back.
    try {
      linkSync(aside, path);
    } catch {
      // a third process holds it now; that one stays
    }
  }
  rmSync(aside, { force: true });
}

function readOwner(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return null; // unreadable or not kx's: stale (a kx lock is complete when it appears)
  }
}

/** The same host, kernel and pid namespace: its pid can be checked from here. */
function isCheckable(owner: LockOwner): boolean {
  const boot = bootId();
  if (owner.host === hostname() && (!owner.boot || boot === null)) return true; // by pid alone
  return owner.host === hostname() && owner.boot === boot;
}

function isAlive(owner: LockOwner, path: string): boolean {
  const boot = bootId();
  if (
    owner.host === hostname() &&
    owner.pid === process.pid &&
    (!owner.boot || owner.boot === boot)
  )
    return heldHere.has(path);
  if (owner.host === hostname() && boot !== null && owner.boot === boot) {
    const start = processStart(owner.pid);
    if (start === null) return false;
    return owner.start == null || owner.start === start;
  }
  // A lock of an older kx, or of a system without /proc: the pid is all there is.
  if (owner.host === hostname() && (!owner.boot || boot === null)) return pidExists(owner.pid);
  // Not checkable from here: alive while its holder keeps the file fresh.
  try {
    return Date.now() - statSync(path).mtimeMs < STALE_MS;
  } catch {
    return false;
  }
}

function pidExists(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The kernel's boot id with this process's pid namespace (Linux); null elsewhere. */
function bootId(): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot} ${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return null;
  }
}

/** When process `pid` started, in clock ticks since boot (Linux /proc); null if it does not run. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces and ends at the last ')'; the start
    // time is field 22, the 20th of these.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
