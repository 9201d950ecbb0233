/**
 * Stable error codes. The CLI maps them to exit codes (DESIGN §6), the HTTP layer to statuses.
 * - `usage`: bad flags or configuration (exit 2)
 * - `upstream`: an upstream API failed after retries, or answered a terminal status (exit 3)
 * - `input`: the input data is unusable: unreadable file, not CSV, unmappable header (exit 4)
 * - `injected`: FAIL_AFTER_N_RECORDS fired (exit 5)
 * - `locked`: another process holds the source lock or the embedded data dir (exit 6)
 * - `budget`: a call budget stopped the run at a checkpoint (exit 7)
 * - `unavailable`: the database cannot be reached or went away; resumable (exit 8)
 * - `interrupted`: SIGINT or SIGTERM stopped the run at a checkpoint; resumable (exit 130, 143)
 * - `internal`: a bug or an unexpected failure (exit 1)
 */
export type KxErrorCode =
  | 'usage'
  | 'upstream'
  | 'input'
  | 'injected'
  | 'locked'
  | 'budget'
  | 'unavailable'
  | 'interrupted'
  | 'internal';

export interface KxErrorOptions {
  cause?: unknown;
  /** Where it happened: file, line, field, url, status… shown to the user and stored on the run. */
  context?: Record<string, unknown>;
  /** A transient failure: retrying (or `kx resume`) may succeed. */
  retryable?: boolean;
}

export class KxError extends Error {
  override readonly name = 'KxError';
  readonly code: KxErrorCode;
  readonly context: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: KxErrorCode, message: string, options: KxErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? false;
  }
}

export function isKxError(error: unknown): error is KxError {
  return error instanceof KxError;
}

/**
 * Any thrown value as a KxError; unknown failures are `internal` and resumable. A database
 * error says PostgreSQL's reason (`value … is out of range for type integer`), not the SQL
 * text of the statement that met it.
 */
export function toKxError(error: unknown): KxError {
  if (isKxError(error)) return error;
  const storage = findStorageProblem(error);
  if (storage)
    return new KxError(storage.kind, storage.message, {
      cause: error,
      retryable: storage.kind !== 'usage',
    });
  const connection = findConnectionProblem(error);
  if (connection)
    return new KxError(
      connection.kind,
      connection.kind === 'usage'
        ? `the database refused the connection: ${connection.message}; check the user, password and database name in DATABASE_URL`
        : `the database is unavailable: ${connection.message}; once it is back, \`kx resume\` continues from the last checkpoint`,
      { cause: error, retryable: connection.kind === 'unavailable' },
    );
  const database = findDatabaseError(error);
  const message = database
    ? `the database refused a statement: ${database.message} (SQLSTATE ${database.code})`
    : error instanceof Error
      ? error.message
      : String(error);
  return new KxError('internal', message, { cause: error, retryable: true });
}

/**
 * PostgreSQL's own errors, found under whatever wraps them (drizzle's "Failed query: …" carries
 * the driver's error as its `cause`). Both drivers put the SQLSTATE in `code`.
 */
export interface DatabaseError {
  /** SQLSTATE, e.g. `22003` numeric value out of range. */
  code: string;
  /** PostgreSQL's message, with its detail when it gives one; never the SQL text. */
  message: string;
}

export function findDatabaseError(error: unknown): DatabaseError | null {
  for (const e of causes(error)) {
    const { code, message, detail } = e as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof code === 'string' && SQLSTATE.test(code) && typeof message === 'string') {
      const more = typeof detail === 'string' && detail ? ` (${detail})` : '';
      return { code, message: `${message}${more}` };
    }
  }
  return null;
}
/** `error` and the errors under it (`cause`), a few levels deep: wrappers hide the driver's. */
function* causes(error: unknown): Generator<object> {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/** PostgreSQL's SQLSTATE classes (Appendix A); errno codes such as EPIPE are not among them. */
const SQLSTATE = /^(?:[0-9][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;

/**
 * A value the database refused: class 22 (data exception: out of range, invalid text
 * representation, bad encoding, untranslatable character) or 23 (integrity constraint). Such a
 * failure belongs to a record, not to the database: the batch is bisected to find it.
 */
export function isDataError(error: DatabaseError): boolean {
  return error.code.startsWith('22') || error.code.startsWith('23');
}

/**
 * Socket errors of a lost or unreachable server, and postgres.js's codes for a connection
 * it has lost (a server error carries a SQLSTATE instead).
 */
const CONNECTION_ERRNOS = new Set(
  ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']
    .concat(['EAI_AGAIN', 'EPIPE', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED'])
    .concat(['CONNECTION_DESTROYED']),
);

/**
 * Node's codes for a certificate it does not trust (self-signed, an unknown authority, expired,
 * another host's): a setting to fix, not a moment to wait out.
 */
export const UNTRUSTED_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|ALTNAME/;

/** The TLS error under `error` when Node refused a server's certificate, with its code. */
export function findUntrustedCertificate(error: unknown): { code: string; message: string } | null {
  for (const e of causes(error)) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.test(code))
      return { code, message: typeof message === 'string' ? message : code };
  }
  return null;
}

/**
 * Whether `error` means the database is out of reach (`unavailable`: refused, dropped, shutting
 * down, too many connections: waiting and `kx resume` help) or refuses who we are (`usage`: a
 * wrong password or database name in DATABASE_URL, which waiting does not fix).
 */
export function findConnectionProblem(
  error: unknown,
): { kind: 'unavailable' | 'usage'; message: string } | null {
  const database = findDatabaseError(error);
  if (database) {
    const { code, message } = database;
    if (code.startsWith('28') || code === '3D000') return { kind: 'usage', message };
    if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code))
      return { kind: 'unavailable', message: `${message} (SQLSTATE ${code})` };
    return null;
  }
  for (const e of causes(error)) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && CONNECTION_ERRNOS.has(code))
      return { kind: 'unavailable', message: typeof message === 'string' ? message : code };
  }
  return null;
}

/**
 * The file system refusing kx's data: Node's errno codes, PGlite's (Emscripten's numbered
 * `ErrnoError`, which prints as `[object Object]`), and PostgreSQL's disk-full and I/O errors.
 * A full disk is `unavailable` (free space, then `kx resume`); a read-only or forbidden
 * place is configuration (`usage`: point the data dir elsewhere), and so is a server that
 * is read-only or denies DATABASE_URL's user a privilege.
 */
export function findStorageProblem(
  error: unknown,
): { kind: 'unavailable' | 'usage'; message: string } | null {
  const database = findDatabaseError(error);
  if (database) {
    if (database.code === '53100' || database.code === '58030')
      return {
        kind: 'unavailable',
        message: `the database cannot write: ${database.message} (SQLSTATE ${database.code}); free space (or fix the disk), then \`kx resume\` continues from the last checkpoint`,
      };
    const fix = DATABASE_REFUSES[database.code];
    if (fix)
      return {
        kind: 'usage',
        message: `the database refused a statement: ${database.message} (SQLSTATE ${database.code}); ${fix}`,
      };
    return null;
  }
  for (const e of causes(error)) {
    const { code, errno, name } = e as { code?: unknown; errno?: unknown; name?: unknown };
    const symbol =
      typeof code === 'string' && code in STORAGE_ERRNOS
        ? code
        : name === 'ErrnoError' && typeof errno === 'number'
          ? EMSCRIPTEN_ERRNOS[errno]
          : undefined;
    if (symbol) {
      const [kind, what, fix] = STORAGE_ERRNOS[symbol]!;
      const detail = typeof (e as Error).message === 'string' && (e as Error).message;
      return { kind, message: `${what} (${detail || symbol}); ${fix}` };
    }
  }
  return null;
}

/** What the database refuses to the user in DATABASE_URL, whoever runs kx: the fix to say. */
const DATABASE_REFUSES: Record<string, string> = {
  // read_only_sql_transaction: a hot standby, or default_transaction_read_only
  '25006':
    'the database is read-only (a standby?): `kx status` and `kx serve` read it, but an ingest ' +
    '(and a migration) needs DATABASE_URL to point at the primary',
  // invalid_schema_name: kx's sessions search public, and the database has none
  '3F000':
    "kx's tables are in the schema public, which this database lacks: create it as the " +
    "database's owner (CREATE SCHEMA public), or point DATABASE_URL at a database of kx's own",
  // insufficient_privilege
  '42501':
    'grant the user in DATABASE_URL what it lacks (an ingest writes every kx table), or run ' +
    '`kx migrate` once as the database owner if the schema was never made',
};

const FREE_SPACE = 'free space, then run kx again (`kx resume` continues a stopped ingest)';
const ELSEWHERE = 'point KX_DATA_DIR (or --data-dir) at a writable directory';
const STORAGE_ERRNOS: Record<string, ['unavailable' | 'usage', string, string]> = {
  ENOSPC: ['unavailable', 'no space left on the device', FREE_SPACE],
  EDQUOT: ['unavailable', 'disk quota exceeded', FREE_SPACE],
  EROFS: ['usage', 'the file system is read-only', ELSEWHERE],
  EACCES: ['usage', 'permission denied', ELSEWHERE],
  EPERM: ['usage', 'operation not permitted', ELSEWHERE],
};
/** Emscripten's errno numbers (PGlite's file system) for the codes above. */
const EMSCRIPTEN_ERRNOS: Record<number, string> = {
  51: 'ENOSPC',
  19: 'EDQUOT',
  69: 'EROFS',
  2: 'EACCES',
  63: 'EPERM',
};

/**
 * A URL as a message may show it: `postgres://user:secret@host/db` → `postgres://user:***@host/db`
 * (DATABASE_URL, a proxy's URL); `unparseable` when it is no URL.
 */
export function redactPassword(url: string, unparseable = url): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // libpq's URLs that WHATWG's parser refuses: several hosts (`h1:5432,h2:5432`)
    const authority = /^([a-z][a-z\d+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
    if (!authority) return unparseable;
    const [, scheme, hosts, rest] = authority as unknown as [string, string, string, string];
    const at = hosts.lastIndexOf('@');
    const colon = hosts.indexOf(':');
    if (at < 0 || colon < 0 || colon > at) return url;
    return `${scheme}${hosts.slice(0, colon)}:***${hosts.slice(at)}${rest}`;
  }
}
