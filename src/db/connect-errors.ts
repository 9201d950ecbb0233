/**
 * Why a connection to a PostgreSQL server failed, in words that name the fix: a setting the
 * server or a pooler refused, a socket no server listens on, a password, TLS.
 */
import { dirname } from 'node:path';
import {
  findConnectionProblem,
  findDatabaseError,
  findUntrustedCertificate,
} from '../core/errors.js';
import type { ServerTarget } from './libpq.js';

/** Why a first connection failed, and what to do about it. */
export function whyNoConnection(
  error: unknown,
  target: ServerTarget,
): { kind: 'unavailable' | 'usage'; reason: string; fix: string } {
  const refused = findDatabaseError(error);
  // postgres.js sends the URL's query parameters as settings: Prisma's `?connection_limit=5`
  if (refused?.code === '42704') {
    const name = /"([^"]+)"/.exec(refused.message)?.[1];
    return {
      kind: 'usage',
      reason: `${refused.message} (SQLSTATE 42704)`,
      fix:
        `remove ${name ? `${name}=… ` : 'it '}from DATABASE_URL: its query parameters go to ` +
        `PostgreSQL as settings`,
    };
  }
  const setting = unsupportedSetting(error);
  if (setting)
    return {
      kind: 'usage',
      reason: `the server, or a pooler in front of it, does not take ${setting} at connect (SQLSTATE 08P01)`,
      fix:
        SETTING_FIXES[setting] ??
        `remove ${setting}=… from DATABASE_URL, or list it in PgBouncer’s track_extra_parameters (1.20+)`,
    };
  const problem = findConnectionProblem(error);
  const reason = problem?.message ?? String(error);
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (target.path && (errno === 'ENOENT' || errno === 'ECONNREFUSED' || errno === 'EACCES'))
    return {
      kind: errno === 'EACCES' ? 'usage' : 'unavailable',
      reason: `${errno === 'EACCES' ? 'no access to' : 'no server listens on'} the socket ${target.path}`,
      fix:
        errno === 'EACCES'
          ? 'run kx as a user who may open it, or connect over TCP (a host name in DATABASE_URL)'
          : `is PostgreSQL running, with ${dirname(target.path)} among its unix_socket_directories?`,
    };
  if (problem?.kind === 'usage')
    return {
      kind: 'usage',
      reason,
      fix: 'check the user, password and database name in DATABASE_URL',
    };
  // postgres.js starts TLS even when the server has answered that it has none
  const tlsRequired = target.ssl !== false && target.ssl !== 'prefer';
  if (tlsRequired && reason.includes('before secure TLS connection'))
    return {
      kind: 'unavailable',
      reason,
      fix: 'DATABASE_URL asks for TLS, and the server closed the connection instead: if it has no TLS, remove sslmode from DATABASE_URL',
    };
  const untrusted = findUntrustedCertificate(error);
  if (untrusted)
    return {
      kind: 'usage',
      reason: `the server's TLS certificate was refused: ${untrusted.message} (${untrusted.code})`,
      fix:
        'give the authority that signed it with sslrootcert=/path/to/root.crt in DATABASE_URL, ' +
        'or sslmode=require to encrypt without checking it',
    };
  return { kind: 'unavailable', reason, fix: 'is PostgreSQL running there?' };
}

/** The setting a pooler refused at connect (`unsupported startup parameter: X`), if that is why. */
export function unsupportedSetting(error: unknown): string | null {
  const refused = findDatabaseError(error);
  if (refused?.code !== '08P01') return null;
  return /unsupported startup parameter: (\S+)/.exec(refused.message)?.[1] ?? null;
}

/** Why kx sends a setting at connect, and what to do when a pooler refuses it. */
const SETTING_FIXES: Record<string, string> = {
  search_path:
    'kx sends it because the search_path the role or database was given does not put public ' +
    'first: set it to public (ALTER ROLE … SET search_path = public), or list search_path in ' +
    'PgBouncer’s track_extra_parameters (1.20+)',
  idle_session_timeout:
    'kx turns it off because the server closes idle sessions (a run holds its lock on one): ' +
    'ALTER ROLE … SET idle_session_timeout = 0, or list it in PgBouncer’s track_extra_parameters (1.20+)',
};
