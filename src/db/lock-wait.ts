import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../core/duration.js';
import { KxError } from '../core/errors.js';

/**
 * How long a command waits for a lock another kx holds (`--lock-wait`, `KX_LOCK_WAIT`): the
 * embedded database's data dir, or on a server a source's run lock. 0 fails at once (exit 6).
 */
export interface LockWait {
  ms: number;
  /** A stop request (SIGINT, SIGTERM) ends the wait: nothing has started yet. */
  signal?: AbortSignal | undefined;
  /** Told once, when the wait begins, what it waits for. */
  log?: ((message: string) => void) | undefined;
}

/**
 * Between two tries: the holder's release is seen within this. Each try is one cheap statement
 * (`pg_try_advisory_lock`) or one `link()` of a lock file.
 */
const POLL_MS = 500;

/**
 * Calls `attempt` until it gets the lock, or throws its refusal (`locked`, exit 6) once the
 * wait is over. `attempt` returns the lock or the KxError that says who holds it; its
 * `context.holder` names the holder in the line that says what the wait is for.
 */
export async function waitForLock<T>(
  attempt: () => Promise<T | KxError>,
  wait: LockWait | undefined,
): Promise<T> {
  const deadline = Date.now() + (wait?.ms ?? 0);
  for (let told = false; ; told = true) {
    const got = await attempt();
    if (!(got instanceof KxError)) return got;
    const left = deadline - Date.now();
    if (!wait || left <= 0) throw told && wait ? waitedFor(got, wait) : got;
    if (!told)
      wait.log?.(`waiting up to ${formatDuration(wait.ms)} for ${holderOf(got)} (--lock-wait)`);
    if (wait.signal?.aborted) throw stopped(wait.signal);
    try {
      await sleep(Math.min(POLL_MS, left), undefined, { signal: wait.signal });
    } catch {
      throw stopped(wait.signal!);
    }
  }
}

/** Who holds the lock, as the refusal names them. */
function holderOf(refusal: KxError): string {
  const holder = refusal.context.holder;
  return typeof holder === 'string' ? holder : 'another kx process';
}

/** The holder's refusal, saying how long this command waited for it. */
function waitedFor(refusal: KxError, wait: LockWait): KxError {
  const message = `${refusal.message} (waited ${formatDuration(wait.ms)}, --lock-wait)`;
  return new KxError('locked', message, { context: refusal.context });
}

/** A stop request ends the wait: exit 130 or 143, and nothing ran, so nothing to resume. */
function stopped(signal: AbortSignal): KxError {
  const name = typeof signal.reason === 'string' ? signal.reason : 'a stop request';
  const message = `stopped by ${name} while waiting for the lock; nothing was started`;
  return new KxError('interrupted', message, { context: { signal: name } });
}
