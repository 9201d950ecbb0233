/** Whether a connection to PostgreSQL keeps one server session, as session locks need. */
import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';
import { KxError } from '../core/errors.js';

/**
 * That `connection` keeps one server session, as a run's lock needs (a session advisory lock),
 * and the migrations' lock.
 * Through a pooler in transaction mode (PgBouncer's `pool_mode = transaction`, Supabase's port
 * 6543) each statement runs on whichever server session is free: the lock would stay behind
 * on one of them, and two runs of a source could both take it. While another connection holds
 * a transaction open (and with it, a pooler hands out the session used last), the same
 * connection asks its server process id again: a pooled one answers from another, or waits.
 */
export async function checkSessionPinned(
  client: postgres.Sql,
  connection: postgres.ReservedSql,
  location: string,
): Promise<void> {
  const pid = async (sql: postgres.Sql | postgres.ReservedSql) =>
    (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
  const first = await pid(connection);
  const other = await client.reserve();
  let again: number | 'waiting';
  try {
    await other.unsafe('begin');
    await pid(other);
    const asked = pid(connection);
    asked.catch(() => undefined);
    // unref'd: a timer left behind must not keep kx from exiting
    again = await Promise.race([asked, sleep(PINNED_WAIT_MS, 'waiting' as const, { ref: false })]);
  } finally {
    await other.unsafe('rollback').catch(() => undefined);
    other.release();
  }
  if (again === first) return;
  throw new KxError(
    'usage',
    `DATABASE_URL (${location}) reaches PostgreSQL through a pooler in transaction mode: ` +
      'each statement may run in another server session (process ' +
      `${first}, then ${again === 'waiting' ? 'a wait for a free one' : again}), ` +
      "where a run's lock would not hold and two runs of a source could load at once. Point " +
      "DATABASE_URL at the pooler's session mode (Supabase: port 5432, not 6543) or at the " +
      'server itself',
  );
}
/**
 * A pinned connection answers `select pg_backend_pid()` at once, whatever another connection
 * does; one that waits this long waits for the other's session (a pool of one).
 */
const PINNED_WAIT_MS = 10_000;
