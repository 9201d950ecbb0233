/**
 * A PostgreSQL server: its hosts tried in turn as libpq would (sockets.ts), a pool whose
 * sessions keep their settings, and the reason a connection failed in words that name the fix
 * (connect-errors.ts).
 */
import type postgres from 'postgres';
import { KxError, isKxError, redactPassword } from '../core/errors.js';
import { serverTarget, type ServerTarget } from './libpq.js';
import { unsupportedSetting, whyNoConnection } from './connect-errors.js';
import { checkSessionPinned } from './session-pinned.js';
import { socket, type Hosts } from './sockets.js';
import { schema } from './schema.js';
import type { DbHandle, Db } from './client.js';

export async function createServerDb(url: string, statementTimeoutMs?: number): Promise<DbHandle> {
  const { default: postgres } = await import('postgres');
  const { drizzle: drizzlePostgres } = await import('drizzle-orm/postgres-js');
  // Small pool: an ingest uses one transaction at a time plus the session holding its lock;
  // `kx serve --schedule` runs a few of those beside the API's queries.
  // `socket` is documented by postgres.js (README, "Custom socket") but not in its types, so
  // the options go in as a variable rather than a literal.
  const options = {
    max: 8,
    onnotice: () => undefined,
    connect_timeout: 10,
    connection: {
      // What kx reads by, whatever a DBA set as the server's or the database's default: times
      // written as ISO (`SQL, DMY` writes `09/02/2025 17:44:04.143 UTC`, which the driver
      // misreads or refuses), and UTC, kx's days being UTC days even where a query does not
      // say `at time zone 'UTC'`.
      DateStyle: 'ISO',
      TimeZone: 'UTC',
      // JIT compiled /runs/compare's price query for 256 ms on every call, to run it in 51 ms.
      ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs, jit: 'off' } : {}),
    } as Record<string, string | number>,
  };
  const target = serverTarget(withoutPrismaSchema(url));
  Object.assign(options, {
    path: target.path,
    database: target.database,
    user: target.user,
    pass: target.pass,
    ssl: target.ssl,
    ...(target.directTls ? { sslnegotiation: 'direct' } : {}),
    ...(target.connectTimeout !== undefined ? { connect_timeout: target.connectTimeout } : {}),
    ...(target.keepAlive !== undefined ? { keep_alive: target.keepAlive } : {}),
  });
  options.connection = { ...target.connection, ...options.connection };
  const warnings: string[] = [];
  const { client, server } = await connectToHost({ postgres, url, target, warnings }, options);
  // Names and symbols come in every script, and jsonb takes \u escapes past ASCII only in
  // UTF8: another encoding refuses them mid-run, as data errors (or kx's migrations at once).
  if (server.encoding !== 'UTF8') {
    await client.end({ timeout: 1 });
    throw new KxError(
      'usage',
      `the database ${server.database} at ${redact(url)} is encoded ${server.encoding}, and kx ` +
        `stores text of every script: point DATABASE_URL at a UTF8 database (createdb ` +
        `--encoding UTF8 --template template0 NAME makes one)`,
      { context: { encoding: server.encoding } },
    );
  }
  let pinned: Promise<void> | undefined;
  return {
    db: drizzlePostgres(client, { schema }) as unknown as Db,
    driver: 'postgres',
    location: redact(url),
    warnings: [...new Set(warnings)],
    raw: { kind: 'postgres', client },
    checkSpace: () => undefined,
    async tryLock(key) {
      const connection = await client.reserve();
      try {
        await (pinned ??= checkSessionPinned(client, connection, redact(url)));
      } catch (error) {
        pinned = undefined;
        connection.release();
        throw error;
      }
      const [row] = await connection<
        { locked: boolean }[]
      >`select pg_try_advisory_lock(hashtext(${key})) as locked`;
      if (!row?.locked) {
        connection.release();
        return null;
      }
      return async () => {
        await connection`select pg_advisory_unlock(hashtext(${key}))`.catch(() => undefined);
        connection.release();
      };
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

type Postgres = typeof postgres;
/** postgres.js's options as kx builds them (its `socket` is not in its types). */
type PostgresOptions = postgres.Options<Record<string, postgres.PostgresType>>;
type PgOptions = Record<string, unknown> & { connection: Record<string, string | number> };
/** What connecting needs: the driver, DATABASE_URL as given and as read, what to tell the user. */
interface Connecting {
  postgres: Postgres;
  url: string;
  target: ServerTarget;
  warnings: string[];
}
type Server = {
  encoding: string;
  database: string;
  idle: string | null;
  /** Where unqualified names are created: the first schema of search_path that exists. */
  schema: string | null;
  standby: boolean;
  readOnly: boolean;
};

/**
 * The first of DATABASE_URL's hosts that answers (and is what `target_session_attrs` asks
 * for), as libpq picks one; the pool's connections then go there, and to the next host that
 * answers should it stop (a failover). postgres.js, given several hosts, tries them over and
 * over for as long as each refuses: kx hands it one, and its socket picks. A host that
 * refuses who kx is (a wrong password) is not passed over, as libpq does not.
 */
async function connectToHost(
  connecting: Connecting,
  options: PgOptions,
): Promise<{ client: postgres.Sql; server: Server }> {
  const { url, target } = connecting;
  const hosts: Hosts = {
    list: target.host.map((host, i) => ({ host, port: target.port[i]! })),
    preferred: 0,
    fallThrough: false,
  };
  const wanted = target.targetSessionAttrs;
  const failures: string[] = [];
  let fallback: { client: postgres.Sql; server: Server; index: number } | null = null;
  for (const [i, at] of hosts.list.entries()) {
    let connected: { client: postgres.Sql; server: Server };
    try {
      hosts.preferred = i;
      hosts.fallThrough = false;
      connected = await connectOnce(connecting, {
        ...options,
        host: [at.host],
        port: [at.port],
        socket: socket(hosts, options),
      });
    } catch (error) {
      if (hosts.list.length === 1 || (isKxError(error) && error.code === 'usage')) throw error;
      const { reason } = (isKxError(error) ? error.context : {}) as { reason?: string };
      failures.push(`${at.host}:${at.port}: ${reason ?? String(error)}`);
      continue;
    }
    const { server } = connected;
    const fits =
      !wanted ||
      (wanted === 'read-write' && !server.readOnly) ||
      (wanted === 'read-only' && server.readOnly) ||
      (wanted === 'primary' && !server.standby) ||
      ((wanted === 'standby' || wanted === 'prefer-standby') && server.standby);
    if (fits) {
      if (fallback) await fallback.client.end({ timeout: 1 });
      hosts.fallThrough = true;
      return connected;
    }
    if (wanted === 'prefer-standby' && !fallback) fallback = { ...connected, index: i };
    else await connected.client.end({ timeout: 1 });
    failures.push(
      `${at.host}:${at.port}: ${server.standby ? 'a standby' : server.readOnly ? 'read-only' : 'read-write, a primary'}`,
    );
  }
  if (fallback) {
    hosts.preferred = fallback.index;
    hosts.fallThrough = true;
    return { client: fallback.client, server: fallback.server };
  }
  const hostList = failures.join('; ');
  throw wanted
    ? new KxError(
        'unavailable',
        `cannot connect to the database at ${redact(url)}: no host is ${wanted}, as ` +
          `target_session_attrs asks (${hostList}); wait for a failover to end, or change ` +
          'target_session_attrs',
        { retryable: true },
      )
    : new KxError(
        'unavailable',
        `cannot connect to the database at ${redact(url)}: no host answered (${hostList}); ` +
          'is PostgreSQL running there?',
        { retryable: true },
      );
}

/**
 * A client of one host, probed: without the API's read limits if a pooler refuses them, and
 * with the settings kx's sessions need of this server (idle_session_timeout off, search_path).
 */
async function connectOnce(
  { postgres, url, target, warnings }: Connecting,
  options: PgOptions,
): Promise<{ client: postgres.Sql; server: Server }> {
  let client = postgres(options as PostgresOptions);
  let server: Server;
  try {
    server = await probe(client, url, target);
  } catch (error) {
    // PgBouncer (before 1.20, or without track_extra_parameters) refuses a startup setting it
    // does not track. The API's read limits are worth having, not worth refusing to serve.
    const name = unsupportedSetting(error);
    if (!name || !READ_LIMITS.includes(name) || options.connection[name] === undefined) throw error;
    options.connection = Object.fromEntries(
      Object.entries(options.connection).filter(([key]) => !READ_LIMITS.includes(key)),
    );
    warnings.push(
      `the database's pooler does not take ${name} at connect, so the API's reads run without ` +
        'KX_API_STATEMENT_TIMEOUT_MS; PgBouncer 1.20 and later pass it when statement_timeout ' +
        'and jit are in its track_extra_parameters',
    );
    client = postgres(options as PostgresOptions);
    server = await probe(client, url, target);
  }
  // A server's idle_session_timeout (PostgreSQL 14+; some managed services set it) closes a
  // session idle that long. The one holding a run's source lock is idle by design: the lock
  // would go mid-run, and postgres.js throws from a timer when it next writes there. kx's
  // sessions turn it off, as a batch turns statement_timeout off. Sent at connect only when
  // the server has it: an older server refuses a parameter it does not know.
  const settings: Record<string, string> = {};
  // a string: postgres.js leaves out falsy values
  if (server.idle !== null && server.idle !== '0') settings.idle_session_timeout = '0';
  // kx's tables are in public (its migrations name it). A search_path the role or database
  // was given (ALTER ROLE … SET search_path = app) would have kx's statements read and create
  // elsewhere, or nowhere: kx's sessions search public. Sent only then: a pooler such as
  // PgBouncer refuses startup settings it does not track.
  if (server.schema !== 'public') {
    if (target.connection.search_path !== undefined) {
      await client.end({ timeout: 1 });
      throw new KxError(
        'usage',
        `DATABASE_URL sets search_path=${target.connection.search_path}, and kx's tables are in ` +
          'the schema public: remove search_path from DATABASE_URL, or give kx a database of its own',
      );
    }
    settings.search_path = 'public';
  }
  if (Object.keys(settings).length) {
    await client.end({ timeout: 1 });
    client = postgres({
      ...options,
      connection: { ...options.connection, ...settings },
    } as unknown as PostgresOptions);
    server = await probe(client, url, target);
  }
  return { client, server };
}

/**
 * DATABASE_URL without Prisma's `?schema=public`, which URLs shared with a Prisma app carry:
 * postgres.js would send `schema` to the server as a setting, which the server refuses. kx's
 * tables are in `public` (its migrations name it), so another schema is refused here.
 */
function withoutPrismaSchema(url: string): string {
  const schema = /[?&]schema=([^&#]*)/.exec(url);
  if (!schema) return url;
  const name = decodeURIComponent(schema[1] ?? '');
  if (name !== 'public')
    throw new KxError(
      'usage',
      `DATABASE_URL names the schema ${JSON.stringify(name)} (schema=, as Prisma writes it), and ` +
        `kx's tables are in the schema public: remove schema= from DATABASE_URL, or give kx a ` +
        `database of its own`,
    );
  return url.replace(/([?&])schema=public(&|$)/, (_, before: string, after: string) =>
    before === '?' && after ? '?' : after ? before : '',
  );
}

/** The first query on a new client: that the server answers, and what kx needs to know of it. */
async function probe(client: postgres.Sql, url: string, target: ServerTarget): Promise<Server> {
  try {
    const [row] = await client<Server[]>`
      select current_setting('server_encoding') as encoding, current_database() as database,
        current_setting('idle_session_timeout', true) as idle, pg_is_in_recovery() as standby,
        current_setting('transaction_read_only') = 'on' as "readOnly", current_schema() as schema`;
    return row!;
  } catch (error) {
    await client.end({ timeout: 1 });
    const { kind, reason, fix } = whyNoConnection(error, target);
    throw new KxError(kind, `cannot connect to the database at ${redact(url)}: ${reason}; ${fix}`, {
      cause: error,
      retryable: kind !== 'usage',
      context: { reason },
    });
  }
}

/** The API's read limits, sent at connect: kx serves without them if they cannot be. */
const READ_LIMITS = ['statement_timeout', 'jit'];

/** DATABASE_URL as messages show it: without its password. */
const redact = (url: string) => redactPassword(url, '(unparseable DATABASE_URL)');
