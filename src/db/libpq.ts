import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { KxError } from '../core/errors.js';

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

interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  crl?: string;
  minVersion?: string;
  maxVersion?: string;
  checkServerIdentity?: () => undefined;
}

type Env = Record<string, string | undefined>;

/** Where libpq is built to look for the server's socket: Debian's, then PostgreSQL's own. */
const SOCKET_DIRS = ['/var/run/postgresql', '/tmp'];

const SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'];
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

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
  const params = new Map(uri.params);
  const take = (name: string, fallback?: string): string | undefined => {
    const value = params.get(name);
    params.delete(name);
    return value ?? fallback;
  };
  const choose = (name: string, allowed: readonly string[], fallback?: string) => {
    const value = take(name, fallback);
    if (value !== undefined && !allowed.includes(value))
      throw usage(`DATABASE_URL gives ${name}=${value}; libpq reads ${allowed.join(', ')}`);
    return value;
  };

  // Hosts and ports: the URL's, overridden by ?host= and ?port= (libpq applies the query last).
  const hostParam = take('host');
  const portParam = take('port');
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
  const path = sockets[0] ? `${sockets[0]}/.s.PGSQL.${port[0]}` : undefined;
  if (choose('load_balance_hosts', ['disable', 'random']) === 'random') shuffle(host, port);

  const user = take('user', uri.user) || env.PGUSER || userInfo().username;
  const database = take('dbname', uri.database) || env.PGDATABASE || user;
  const passfile = take('passfile', env.PGPASSFILE);
  const pass =
    take('password', uri.password) ??
    env.PGPASSWORD ??
    fromPassfile(passfile ?? join(env.HOME || homedir(), '.pgpass'), passfile !== undefined, read, {
      host: sockets[0] ?? host[0]!,
      port: String(port[0]),
      database,
      user,
    }) ??
    '';

  const ssl = tlsOptions(take, choose, env, read);

  for (const [name, allowed] of [
    [
      'channel_binding',
      'kx’s driver does not bind the channel: verify the server with sslmode=verify-full and sslrootcert instead',
    ],
    ['gssencmode', 'kx does not encrypt with GSSAPI: use sslmode=require'],
  ] as const) {
    if (choose(name, ['disable', 'prefer', 'require']) === 'require')
      throw usage(`DATABASE_URL asks for ${name}=require, and ${allowed}`);
  }
  const negotiation = choose(
    'sslnegotiation',
    ['postgres', 'direct'],
    env.PGSSLNEGOTIATION || 'postgres',
  );
  if (negotiation === 'direct' && !path && (ssl === false || ssl === 'prefer'))
    throw usage(
      'DATABASE_URL gives sslnegotiation=direct with a weak sslmode: direct TLS needs ' +
        'sslmode=require, verify-ca or verify-full',
    );
  if (take('sslsni', '1') !== '1')
    throw usage('DATABASE_URL gives sslsni=0, and kx always names the host to a TLS server');

  const connectTimeout = take('connect_timeout');
  const keepalives = take('keepalives');
  const keepalivesIdle = take('keepalives_idle');
  take('keepalives_interval'); // Node sets the idle time alone; the system's interval and count
  take('keepalives_count');
  const fallbackName = take('fallback_application_name');
  const targetSessionAttrs = choose(
    'target_session_attrs',
    SESSION_ATTRS,
    env.PGTARGETSESSIONATTRS,
  );

  for (const name of params.keys())
    if (UNSUPPORTED[name]) throw usage(`DATABASE_URL gives ${name}=…: ${UNSUPPORTED[name]}`);
  const connection = Object.fromEntries(params);
  if (fallbackName && !connection.application_name && !env.PGAPPNAME)
    connection.application_name = fallbackName;

  return {
    host: sockets.length ? ['localhost'] : host,
    port,
    path,
    database,
    user,
    pass,
    // As libpq: no TLS over a Unix socket (the server offers none there), whatever sslmode says.
    ssl: path ? false : ssl,
    connection,
    connectTimeout: connectTimeout ? toNumber('connect_timeout', connectTimeout) : undefined,
    keepAlive:
      keepalives === '0'
        ? null
        : keepalivesIdle
          ? toNumber('keepalives_idle', keepalivesIdle)
          : undefined,
    targetSessionAttrs: targetSessionAttrs === 'any' ? undefined : targetSessionAttrs,
    directTls: negotiation === 'direct' && !path,
  };
}

/** sslmode and its companions, as libpq reads them, as Node's TLS options. */
function tlsOptions(
  take: (name: string, fallback?: string) => string | undefined,
  choose: (name: string, allowed: readonly string[], fallback?: string) => string | undefined,
  env: Env,
  read: (file: string) => string,
): ServerTarget['ssl'] {
  const mode = choose('sslmode', SSL_MODES, env.PGSSLMODE || 'prefer')!;
  const file = (name: string, envName: string) => {
    const value = take(name, env[envName]);
    if (value === undefined || value === 'system') return value;
    try {
      return read(value);
    } catch (error) {
      throw usage(
        `DATABASE_URL gives ${name}=${value}, which kx cannot read ` +
          `(${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
  };
  // libpq's files when none is named: ~/.postgresql/root.crt, postgresql.crt and .key, root.crl
  const own = (name: string) => {
    try {
      return read(join(env.HOME || homedir(), '.postgresql', name));
    } catch {
      return undefined;
    }
  };
  const named = {
    rootcert: file('sslrootcert', 'PGSSLROOTCERT'),
    cert: file('sslcert', 'PGSSLCERT'),
    key: file('sslkey', 'PGSSLKEY'),
    crl: file('sslcrl', 'PGSSLCRL'),
  };
  const rootcert = named.rootcert ?? own('root.crt');
  const cert = named.cert ?? own('postgresql.crt');
  const key = named.key ?? (cert !== undefined ? own('postgresql.key') : undefined);
  const crl = named.crl ?? own('root.crl');
  const passphrase = take('sslpassword');
  const minVersion = tlsVersion(take('ssl_min_protocol_version', env.PGSSLMINPROTOCOLVERSION));
  const maxVersion = tlsVersion(take('ssl_max_protocol_version', env.PGSSLMAXPROTOCOLVERSION));
  if (mode === 'disable') return false;
  // libpq: with a root certificate, require checks the chain as verify-ca does; `system` is
  // the system's authorities, and asks for verify-full at least.
  const verify =
    rootcert === 'system'
      ? 'verify-full'
      : mode === 'require' && rootcert !== undefined
        ? 'verify-ca'
        : mode;
  const extra = {
    ...(cert !== undefined && cert !== 'system' ? { cert } : {}),
    ...(key !== undefined && key !== 'system' ? { key } : {}),
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(crl !== undefined && crl !== 'system' ? { crl } : {}),
    ...(minVersion ? { minVersion } : {}),
    ...(maxVersion ? { maxVersion } : {}),
  };
  // postgres.js falls back to no TLS only with 'prefer' itself: options named for TLS ask for
  // it (libpq's own files, found by default, do not)
  if (verify === 'allow' || verify === 'prefer') {
    const asked = [...Object.values(named), passphrase, minVersion, maxVersion].some(
      (value) => value !== undefined,
    );
    return asked ? { rejectUnauthorized: false, ...extra } : 'prefer';
  }
  if (verify === 'require') return { rejectUnauthorized: false, ...extra };
  return {
    rejectUnauthorized: true,
    ...(rootcert !== undefined && rootcert !== 'system' ? { ca: rootcert } : {}),
    ...(verify === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    ...extra,
  };
}

function tlsVersion(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const version = /^TLSv1(?:\.[123])?$/.exec(value)?.[0];
  if (!version)
    throw usage(
      `DATABASE_URL gives the TLS version ${value}; libpq reads TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3`,
    );
  return version;
}

/** A host left out: $PGHOST, else the server's socket where one is, else localhost. */
function defaultHost(env: Env, port: string): string {
  if (env.PGHOST) return env.PGHOST;
  return SOCKET_DIRS.find((dir) => existsSync(`${dir}/.s.PGSQL.${port}`)) ?? 'localhost';
}

interface Uri {
  user: string | undefined;
  password: string | undefined;
  hosts: { host: string; port: string }[];
  database: string | undefined;
  params: [string, string][];
}

/**
 * `postgresql://[user[:password]@][host][:port][,…][/dbname][?param=value&…]`, each part
 * percent-decoded: a host may be `[::1]`, or a socket directory written `%2Fvar%2Frun%2Fpostgresql`.
 */
function parseUri(url: string): Uri {
  const match = /^postgres(?:ql)?:\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?(?:#.*)?$/.exec(
    url.trim(),
  );
  if (!match)
    throw usage(
      'DATABASE_URL is not a URL kx reads: write it postgres://user:password@host:port/database',
    );
  const [, authority = '', path, query] = match;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const colon = userinfo?.indexOf(':') ?? -1;
  const hosts = authority
    .slice(at + 1)
    .split(',')
    .map((spec) => {
      const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(spec)!;
      const host = decode(hostPort[1]!.replace(/^\[(.*)\]$/, '$1'), 'host');
      return { host, port: hostPort[2] ?? '' };
    });
  return {
    user:
      userinfo === undefined
        ? undefined
        : decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'user') || undefined,
    password: colon >= 0 ? decode(userinfo!.slice(colon + 1), 'password') : undefined,
    hosts,
    database: path ? decode(path, 'database name') : undefined,
    params: (query ?? '')
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0)
          throw usage(`DATABASE_URL's parameter "${pair}" has no value (write ${pair}=…)`);
        return [decode(pair.slice(0, eq), 'parameter'), decode(pair.slice(eq + 1), 'parameter')];
      }),
  };
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw usage(`DATABASE_URL's ${what} has a broken %-escape; write % itself as %25`);
  }
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

/**
 * The password file's first line that matches (`host:port:database:user:password`, `*` for
 * any, `\:` and `\\` escaped), as libpq looks one up when the URL gives no password. A
 * socket is its directory there, or `localhost`. A file named by passfile= or PGPASSFILE must exist.
 */
function fromPassfile(
  file: string,
  named: boolean,
  read: (file: string) => string,
  want: { host: string; port: string; database: string; user: string },
): string | undefined {
  let text: string;
  try {
    text = read(file);
  } catch (error) {
    if (!named) return undefined;
    throw usage(
      `the password file ${file} (passfile or PGPASSFILE) cannot be read ` +
        `(${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const fields: string[] = [];
    let field = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\' && i + 1 < line.length) field += line[++i];
      else if (c === ':' && fields.length < 4) {
        fields.push(field);
        field = '';
      } else field += c;
    }
    fields.push(field);
    if (fields.length < 5) continue;
    const [host, port, database, user, password] = fields as [
      string,
      string,
      string,
      string,
      string,
    ];
    const matches = (pattern: string, value: string) => pattern === '*' || pattern === value;
    if (
      (matches(host, want.host) || (want.host.startsWith('/') && host === 'localhost')) &&
      matches(port, want.port) &&
      matches(database, want.database) &&
      matches(user, want.user)
    )
      return password;
  }
  return undefined;
}

const usage = (message: string) => new KxError('usage', message);
