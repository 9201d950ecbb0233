import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { tlsOptions, type TlsOptions } from './libpq-tls.js';
import { parseUri, readParams, usage, type Env, type Uri, type UriParams } from './libpq-uri.js';
import { fromPassfile } from './pgpass.js';

/**
 * DATABASE_URL read as libpq (psql, pg_dump, every driver built on it) reads a connection URI,
 * so that a URL that works in `psql` works in kx: postgres.js, kx's driver, reads a URL its
 * own way. It connects to localhost where libpq uses the server's Unix socket
 * (`postgresql:///kx`, `?host=/cloudsql/…` as Cloud Run writes it, a `%2F`-encoded socket
 * directory), does no TLS unless asked where libpq tries TLS first (`sslmode=prefer`, its
 * default: a server that takes only TLS, as RDS does from PostgreSQL 15, refuses the
 * connection), and sends every query parameter to the server as a setting, so the server
 * refuses libpq's own (`sslrootcert`, `channel_binding`, `keepalives`, …). Here each of
 * libpq's parameters is honoured, or refused with what to do instead; any other parameter is
 * still a server setting (`application_name`, `work_mem`).
 * https://www.postgresql.org/docs/current/libpq-connect.html
 */
export interface ServerTarget {
  host: string[];
  port: number[];
  /** The Unix socket to connect to, when the host is a directory. */
  path: string | undefined;
  database: string;
  user: string;
  pass: string;
  ssl: false | 'prefer' | TlsOptions;
  /** Server settings sent at connect. */
  connection: Record<string, string>;
  connectTimeout: number | undefined;
  keepAlive: number | null | undefined;
  targetSessionAttrs: string | undefined;
  /** sslnegotiation=direct (PostgreSQL 17): TLS from the first byte, without asking first. */
  directTls: boolean;
}

/** Where libpq is built to look for the server's socket: Debian's, then PostgreSQL's own. */
const SOCKET_DIRS = ['/var/run/postgresql', '/tmp'];

const SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'];

/** libpq's parameters kx cannot honour, and what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  service:
    "kx does not read pg_service.conf: write the service's host, port, dbname and user into DATABASE_URL",
  servicefile:
    "kx does not read pg_service.conf: write the service's host, port, dbname and user into DATABASE_URL",
  hostaddr: 'write the address as the host of DATABASE_URL',
  requirepeer: 'leave it out: kx cannot check the server process’s user',
  require_auth: 'leave it out: kx authenticates as the server asks',
  krbsrvname: 'kx does not authenticate with Kerberos (GSSAPI): use a password or a certificate',
  gsslib: 'kx does not authenticate with Kerberos (GSSAPI): use a password or a certificate',
  sslcrldir: 'give a revocation list file with sslcrl=/path/to/crl.pem',
  sslcertmode: 'leave it out: kx sends a certificate when sslcert names one',
  replication: 'kx needs a normal connection: leave it out',
};

/** Read DATABASE_URL as libpq does (see above). Throws a usage error saying what is wrong. */
export function serverTarget(
  url: string,
  env: Env = process.env,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): ServerTarget {
  const uri = parseUri(url);
  const params = readParams(uri.params);
  const { host, port, socket, path } = hostsOf(uri, params, env);
  const user = params.take('user', uri.user) || env.PGUSER || userInfo().username;
  const database = params.take('dbname', uri.database) || env.PGDATABASE || user;
  const at = { host: socket ?? host[0]!, port: String(port[0]), database, user };
  const pass = passwordOf(uri, params, env, read, at);
  const ssl = tlsOptions(params, env, read);
  refuseEncryptionOnly(params);
  const directTls = directTlsOf(params, env, { path, ssl });
  return {
    host: socket ? ['localhost'] : host,
    port,
    path,
    database,
    user,
    pass,
    // As libpq: no TLS over a Unix socket (the server offers none there), whatever sslmode says.
    ssl: path ? false : ssl,
    ...sessionOf(params, env),
    directTls,
  };
}

/**
 * The hosts and ports: the URL's, overridden by ?host= and ?port= (libpq applies the query
 * last), a host left out being $PGHOST or the server's socket; in random order under
 * load_balance_hosts=random.
 */
function hostsOf(uri: Uri, params: UriParams, env: Env) {
  const hostParam = params.take('host');
  const portParam = params.take('port');
  const hosts = hostParam !== undefined ? hostParam.split(',') : uri.hosts.map((h) => h.host);
  const ports = portParam !== undefined ? portParam.split(',') : uri.hosts.map((h) => h.port);
  const envPort = env.PGPORT || '5432';
  const host = hosts.map((h) => h || defaultHost(env, ports[0] || envPort));
  const port = host.map((_, i) => toPort(ports.length === 1 ? ports[0] : ports[i], envPort));
  if (ports.length > 1 && ports.length !== host.length)
    throw usage(`DATABASE_URL gives ${host.length} hosts and ${ports.length} ports`);
  const sockets = host.filter((h) => h.startsWith('/'));
  if (sockets.length && host.length > 1)
    throw usage(
      `DATABASE_URL lists a socket directory (${sockets[0]}) among several hosts; kx connects ` +
        'to a socket only as the one host',
    );
  const socket = sockets[0];
  const path = socket ? `${socket}/.s.PGSQL.${port[0]}` : undefined;
  if (params.choose('load_balance_hosts', ['disable', 'random']) === 'random') shuffle(host, port);
  return { host, port, socket, path };
}

/** The URL's password, else $PGPASSWORD, else the password file's line for `at`, else none. */
function passwordOf(
  uri: Uri,
  params: UriParams,
  env: Env,
  read: (file: string) => string,
  at: { host: string; port: string; database: string; user: string },
): string {
  const passfile = params.take('passfile', env.PGPASSFILE);
  return (
    params.take('password', uri.password) ??
    env.PGPASSWORD ??
    fromPassfile(
      passfile ?? join(env.HOME || homedir(), '.pgpass'),
      passfile !== undefined,
      read,
      at,
    ) ??
    ''
  );
}

/** Encryption kx's driver cannot give, required: refused, saying what does instead. */
function refuseEncryptionOnly(params: UriParams): void {
  for (const [name, instead] of [
    [
      'channel_binding',
      'kx’s driver does not bind the channel: verify the server with sslmode=verify-full and sslrootcert instead',
    ],
    ['gssencmode', 'kx does not encrypt with GSSAPI: use sslmode=require'],
  ] as const) {
    if (params.choose(name, ['disable', 'prefer', 'require']) === 'require')
      throw usage(`DATABASE_URL asks for ${name}=require, and ${instead}`);
  }
}

/** sslnegotiation=direct: TLS from the first byte, which needs a TLS mode that insists on it. */
function directTlsOf(
  params: UriParams,
  env: Env,
  to: { path: string | undefined; ssl: ServerTarget['ssl'] },
): boolean {
  const negotiation = params.choose(
    'sslnegotiation',
    ['postgres', 'direct'],
    env.PGSSLNEGOTIATION || 'postgres',
  );
  if (negotiation === 'direct' && !to.path && (to.ssl === false || to.ssl === 'prefer'))
    throw usage(
      'DATABASE_URL gives sslnegotiation=direct with a weak sslmode: direct TLS needs ' +
        'sslmode=require, verify-ca or verify-full',
    );
  if (params.take('sslsni', '1') !== '1')
    throw usage('DATABASE_URL gives sslsni=0, and kx always names the host to a TLS server');
  return negotiation === 'direct' && !to.path;
}

/**
 * The session's own parameters (timeouts, keepalives, the kind of server wanted), and the rest
 * as server settings: libpq's parameters kx cannot honour are refused, saying what instead.
 */
function sessionOf(
  params: UriParams,
  env: Env,
): Pick<ServerTarget, 'connection' | 'connectTimeout' | 'keepAlive' | 'targetSessionAttrs'> {
  const connectTimeout = params.take('connect_timeout');
  const keepalives = params.take('keepalives');
  const keepalivesIdle = params.take('keepalives_idle');
  // Node sets the idle time alone; the system's interval and count
  params.take('keepalives_interval');
  params.take('keepalives_count');
  const fallbackName = params.take('fallback_application_name');
  const targetSessionAttrs = params.choose(
    'target_session_attrs',
    SESSION_ATTRS,
    env.PGTARGETSESSIONATTRS,
  );
  const rest = params.rest();
  for (const name of rest.keys())
    if (UNSUPPORTED[name]) throw usage(`DATABASE_URL gives ${name}=…: ${UNSUPPORTED[name]}`);
  const connection = Object.fromEntries(rest);
  if (fallbackName && !connection.application_name && !env.PGAPPNAME)
    connection.application_name = fallbackName;
  return {
    connection,
    connectTimeout: connectTimeout ? toNumber('connect_timeout', connectTimeout) : undefined,
    keepAlive:
      keepalives === '0'
        ? null
        : keepalivesIdle
          ? toNumber('keepalives_idle', keepalivesIdle)
          : undefined,
    targetSessionAttrs: targetSessionAttrs === 'any' ? undefined : targetSessionAttrs,
  };
}

/** A host left out: $PGHOST, else the server's socket where one is, else localhost. */
function defaultHost(env: Env, port: string): string {
  if (env.PGHOST) return env.PGHOST;
  return SOCKET_DIRS.find((dir) => existsSync(`${dir}/.s.PGSQL.${port}`)) ?? 'localhost';
}

function toPort(value: string | undefined, fallback: string): number {
  const port = Number(value || fallback);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw usage(`DATABASE_URL gives the port ${JSON.stringify(value)}; a port is 1 to 65535`);
  return port;
}

function toNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw usage(`DATABASE_URL gives ${name}=${value}; it takes a number of seconds`);
  return n;
}

function shuffle(host: string[], port: number[]): void {
  for (let i = host.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [host[i], host[j]] = [host[j]!, host[i]!];
    [port[i], port[j]] = [port[j]!, port[i]!];
  }
}
