import { describe, expect, it } from 'vitest';
import { serverTarget } from '../../src/db/libpq.js';

/**
 * DATABASE_URL read as libpq reads it (src/db/libpq.ts): what psql connects to with a URL,
 * kx connects to. The cases are URLs as services and tools write them.
 */
const files: Record<string, string> = {
  '/certs/root.crt': 'ROOT',
  '/certs/client.crt': 'CLIENT',
  '/certs/client.key': 'KEY',
};
const read = (file: string) => {
  const text = files[file];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return text;
};
// No socket lookup on this machine's disk: a host left out is $PGHOST here.
const target = (url: string, env: Record<string, string> = {}) =>
  serverTarget(url, { PGHOST: '/run/default-socket', HOME: '/nowhere', ...env }, read);

describe('hosts, sockets and ports', () => {
  it('a host name and port, the user, password and database, percent-decoded', () => {
    expect(target('postgresql://kx:p%40ss%3Aword@db.example.com:6432/kx%20data')).toMatchObject({
      host: ['db.example.com'],
      port: [6432],
      path: undefined,
      user: 'kx',
      pass: 'p@ss:word',
      database: 'kx data',
    });
  });

  it('a URL without a host connects to the server’s socket, as psql does', () => {
    expect(target('postgresql:///kx')).toMatchObject({
      path: '/run/default-socket/.s.PGSQL.5432',
      database: 'kx',
      ssl: false,
    });
  });

  it('a socket directory as ?host= (Cloud SQL on Cloud Run) or %2F-encoded', () => {
    expect(target('postgresql://kx:pw@/kx?host=/cloudsql/proj:europe-west1:db')).toMatchObject({
      path: '/cloudsql/proj:europe-west1:db/.s.PGSQL.5432',
      user: 'kx',
      pass: 'pw',
      connection: {},
    });
    expect(target('postgres://kx@%2Fvar%2Frun%2Fpostgresql:5433/kx')).toMatchObject({
      path: '/var/run/postgresql/.s.PGSQL.5433',
    });
  });

  it('several hosts with their ports, an IPv6 address, and ?port= for all', () => {
    expect(target('postgresql://kx@a.example:5432,[::1]:5433,b.example/kx')).toMatchObject({
      host: ['a.example', '::1', 'b.example'],
      port: [5432, 5433, 5432],
    });
    expect(target('postgresql://kx@a.example,b.example/kx?port=6000')).toMatchObject({
      port: [6000, 6000],
    });
    expect(() => target('postgresql://kx@/run/pg,b.example/kx?host=/run/pg,b.example')).toThrow(
      /lists a socket directory \(\/run\/pg\) among several hosts/,
    );
    expect(() => target('postgresql://kx@db:http/kx')).toThrow(
      /the port "http"; a port is 1 to 65535/,
    );
  });

  it('query parameters name the user, password and database too', () => {
    expect(target('postgresql://db/x?user=kx&password=s3cret&dbname=prices')).toMatchObject({
      host: ['db'],
      user: 'kx',
      pass: 's3cret',
      database: 'prices',
      connection: {},
    });
  });

  it('a broken %-escape or a URL of another shape is refused, saying what is wrong', () => {
    expect(() => target('postgresql://kx:100%@db/kx')).toThrow(/password has a broken %-escape/);
    expect(() => target('postgres:/db/kx')).toThrow(/not a URL kx reads/);
  });
});

describe('TLS', () => {
  it('tries TLS first and falls back, as libpq’s default sslmode=prefer does', () => {
    expect(target('postgresql://kx@db/kx').ssl).toBe('prefer');
    expect(target('postgresql://kx@db/kx?sslmode=allow').ssl).toBe('prefer');
    expect(target('postgresql://kx@db/kx?sslmode=disable').ssl).toBe(false);
    expect(target('postgresql://kx@db/kx', { PGSSLMODE: 'disable' }).ssl).toBe(false);
  });

  it('require encrypts without checking, unless a root certificate is given (verify-ca)', () => {
    expect(target('postgresql://kx@db/kx?sslmode=require').ssl).toEqual({
      rejectUnauthorized: false,
    });
    const ssl = target('postgresql://kx@db/kx?sslmode=require&sslrootcert=/certs/root.crt').ssl;
    expect(ssl).toMatchObject({ rejectUnauthorized: true, ca: 'ROOT' });
    expect((ssl as { checkServerIdentity?: unknown }).checkServerIdentity).toBeTypeOf('function');
  });

  it('verify-full checks the chain and the host name; system uses the system’s authorities', () => {
    const full = target('postgresql://kx@db/kx?sslmode=verify-full&sslrootcert=/certs/root.crt');
    expect(full.ssl).toEqual({ rejectUnauthorized: true, ca: 'ROOT' });
    expect(target('postgresql://kx@db/kx?sslrootcert=system').ssl).toEqual({
      rejectUnauthorized: true,
    });
  });

  it("libpq's own files in ~/.postgresql when none is named, but not to force TLS", () => {
    const home: Record<string, string> = {
      '/home/kx/.postgresql/root.crt': 'HOME-ROOT',
      '/home/kx/.postgresql/postgresql.crt': 'HOME-CERT',
      '/home/kx/.postgresql/postgresql.key': 'HOME-KEY',
    };
    const withHome = (url: string) =>
      serverTarget(url, { HOME: '/home/kx' }, (file) => home[file] ?? read(file));
    expect(withHome('postgresql://kx@db/kx?sslmode=verify-full').ssl).toEqual({
      rejectUnauthorized: true,
      ca: 'HOME-ROOT',
      cert: 'HOME-CERT',
      key: 'HOME-KEY',
    });
    // require with a root certificate checks the chain (verify-ca), as libpq does
    expect(withHome('postgresql://kx@db/kx?sslmode=require').ssl).toMatchObject({
      rejectUnauthorized: true,
      ca: 'HOME-ROOT',
    });
    // a file named wins; prefer stays prefer
    expect(
      withHome('postgresql://kx@db/kx?sslmode=verify-full&sslrootcert=/certs/root.crt').ssl,
    ).toMatchObject({ ca: 'ROOT' });
    expect(withHome('postgresql://kx@db/kx').ssl).toBe('prefer');
  });

  it('a client certificate, its key and TLS versions', () => {
    expect(
      target(
        'postgresql://kx@db/kx?sslmode=require&sslcert=/certs/client.crt&sslkey=/certs/client.key' +
          '&sslpassword=pw&ssl_min_protocol_version=TLSv1.3',
      ).ssl,
    ).toEqual({
      rejectUnauthorized: false,
      cert: 'CLIENT',
      key: 'KEY',
      passphrase: 'pw',
      minVersion: 'TLSv1.3',
    });
  });

  it('direct TLS (sslnegotiation=direct) with a mode that requires TLS', () => {
    expect(target('postgresql://kx@db/kx?sslmode=require&sslnegotiation=direct')).toMatchObject({
      directTls: true,
      ssl: { rejectUnauthorized: false },
      connection: {},
    });
    expect(target('postgresql://kx@db/kx?sslnegotiation=postgres').directTls).toBe(false);
    expect(() => target('postgresql://kx@db/kx?sslnegotiation=direct')).toThrow(
      /sslnegotiation=direct with a weak sslmode: direct TLS needs sslmode=require/,
    );
  });

  it('refuses what it cannot honour, saying what to do', () => {
    expect(() =>
      target('postgresql://kx@db/kx?sslmode=verify-full&sslrootcert=/certs/nope.crt'),
    ).toThrow(/sslrootcert=\/certs\/nope\.crt, which kx cannot read \(ENOENT\)/);
    expect(() => target('postgresql://kx@db/kx?sslmode=required')).toThrow(
      /sslmode=required; libpq reads disable, allow, prefer, require, verify-ca, verify-full/,
    );
    // Neon's connection strings carry channel_binding=require
    expect(() =>
      target(
        'postgresql://kx:pw@ep-x.eu-central-1.aws.neon.tech/kx?sslmode=require&channel_binding=require',
      ),
    ).toThrow(
      /channel_binding=require, and kx’s driver does not bind the channel: verify the server with sslmode=verify-full/,
    );
    expect(
      target('postgresql://kx@db/kx?channel_binding=prefer&gssencmode=disable').connection,
    ).toEqual({});
    expect(() => target('postgresql://kx@db/kx?gssencmode=require')).toThrow(
      /GSSAPI: use sslmode=require/,
    );
    expect(() => target('postgresql://kx@db/kx?service=prod')).toThrow(
      /does not read pg_service\.conf/,
    );
  });
});

describe('other parameters', () => {
  it("libpq's own are read here; the rest go to the server as settings", () => {
    const t = target(
      'postgresql://kx@db/kx?connect_timeout=5&keepalives=1&keepalives_idle=30&keepalives_interval=5' +
        '&fallback_application_name=cron&target_session_attrs=read-write&search_path=kx',
    );
    expect(t).toMatchObject({ connectTimeout: 5, keepAlive: 30, targetSessionAttrs: 'read-write' });
    expect(t.connection).toEqual({ application_name: 'cron', search_path: 'kx' });
    expect(
      target('postgresql://kx@db/kx?application_name=a&fallback_application_name=b').connection,
    ).toEqual({
      application_name: 'a',
    });
    expect(target('postgresql://kx@db/kx?keepalives=0').keepAlive).toBeNull();
    expect(target('postgresql://kx@db/kx', { PGTARGETSESSIONATTRS: 'primary' })).toMatchObject({
      targetSessionAttrs: 'primary',
    });
    expect(() => target('postgresql://kx@db/kx?target_session_attrs=readwrite')).toThrow(
      /target_session_attrs=readwrite; libpq reads any, read-write, read-only, primary, standby, prefer-standby/,
    );
  });
});

describe('the password file', () => {
  const pgpass = [
    '# host:port:database:user:password',
    'other.example:*:*:kx:wrong',
    'db.example:5432:kx:kx:pa\\:ss\\\\word',
    'localhost:*:*:*:socket-pw',
    '*:*:*:*:fallback:with:colons',
  ].join('\n');
  const withPgpass = (url: string, env: Record<string, string> = {}) =>
    serverTarget(url, { PGHOST: '/run/default-socket', ...env }, (file) =>
      file === '/home/kx/.pgpass' ? pgpass : read(file),
    );

  it('gives the first matching line’s password when the URL has none, escapes read', () => {
    expect(
      withPgpass('postgresql://kx@db.example/kx', { PGPASSFILE: '/home/kx/.pgpass' }).pass,
    ).toBe('pa:ss\\word');
    expect(withPgpass('postgresql://kx@db.example/other?passfile=/home/kx/.pgpass').pass).toBe(
      'fallback:with:colons',
    );
    // a socket matches localhost
    expect(withPgpass('postgresql:///kx?user=me&passfile=/home/kx/.pgpass').pass).toBe('socket-pw');
    // a password in the URL wins
    expect(withPgpass('postgresql://kx:given@db.example/kx?passfile=/home/kx/.pgpass').pass).toBe(
      'given',
    );
  });

  it('a named file that cannot be read is refused; a missing ~/.pgpass is no matter', () => {
    expect(() => withPgpass('postgresql://kx@db/kx', { PGPASSFILE: '/home/kx/none' })).toThrow(
      /the password file \/home\/kx\/none \(passfile or PGPASSFILE\) cannot be read \(ENOENT\)/,
    );
    expect(withPgpass('postgresql://kx@db/kx', { HOME: '/nowhere' }).pass).toBe('');
  });
});
