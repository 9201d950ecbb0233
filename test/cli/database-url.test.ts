import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { runKx, runKxBinary, sampleCsv, startServe } from '../helpers/cli.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/db.js';
import { hasPgBouncer, startPgBouncer } from '../helpers/pgbouncer.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { adminQuery } from '../helpers/template.js';
import { startTcpProxy, unusedPort } from '../helpers/tcp-proxy.js';
import { makeCertificates, startTlsProxy, type TestCertificates } from '../helpers/tls-proxy.js';

/**
 * DATABASE_URL as psql reads it (src/db/libpq.ts), against the PostgreSQL server of
 * KX_TEST_DATABASE_URL: its Unix socket, several hosts, a password file, and TLS (through a
 * proxy that gives the server TLS, with a certificate authority made here).
 */
const server = serverUrl ? new URL(serverUrl) : null;
let database: TestDatabase;
let url: URL;
let work: string;
beforeAll(() => {
  work = makeScratchDir('kx-dburl-');
});
afterEach(async () => {
  await database?.drop();
});
const fresh = async () => {
  database = await createTestDatabase();
  url = new URL(database.env.DATABASE_URL!);
  return url;
};
/** DATABASE_URL with `host` (and `port`) in place of the server's. */
const at = (host: string, port?: number | string, query = '') =>
  `postgresql://${url.username}:${url.password}@${host}${port ? `:${port}` : ''}${url.pathname}${query}`;

describe.skipIf(!server)('DATABASE_URL as libpq reads it', () => {
  it("reaches the server's Unix socket, written as psql takes it", async () => {
    await fresh();
    const admin = postgres(serverUrl!, { max: 1, onnotice: () => undefined });
    const [row] = await admin<{ unix_socket_directories: string }[]>`show unix_socket_directories`;
    await admin.end();
    const dir = row!.unix_socket_directories.split(',')[0]!.trim();
    const port = url.port || '5432';
    expect(existsSync(`${dir}/.s.PGSQL.${port}`), `no socket in ${dir}`).toBe(true);
    // the directory %2F-encoded as the host, then as ?host= (as Cloud SQL's URLs give it)
    const encoded = at(encodeURIComponent(dir), port);
    const ingest = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], {
      DATABASE_URL: encoded,
    });
    expect(ingest.stdout, ingest.stderr).toMatch(/csv run #1 succeeded: 250 read, 250 loaded/);
    expect(ingest.code).toBe(0);
    const query = `postgresql://${url.username}:${url.password}@${url.pathname}?host=${dir}&port=${port}`;
    const status = await runKx(['status', '--json'], { DATABASE_URL: query });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ database: { driver: 'postgres' } });
    const { sources } = JSON.parse(status.stdout) as {
      sources: { source: string; quotes: number }[];
    };
    expect(sources.find((s) => s.source === 'csv')?.quotes).toBe(250);
  });

  it('takes the first of several hosts that answers; none answering is exit 8 naming each', async () => {
    await fresh();
    const [down, alsoDown] = [await unusedPort(), await unusedPort()];
    const both = at(`127.0.0.1:${down},${url.hostname}:${url.port || 5432}`);
    const ingest = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], {
      DATABASE_URL: both,
    });
    expect(ingest.stdout, ingest.stderr).toMatch(/csv run #1 succeeded: 250 read, 250 loaded/);
    expect(ingest.code).toBe(0);
    // postgres.js alone cycles through refusing hosts for ever
    const none = await runKx(['status'], {
      DATABASE_URL: at(`127.0.0.1:${down},127.0.0.1:${alsoDown}`),
    });
    expect(none.stderr).toMatch(
      new RegExp(
        `^kx: cannot connect to the database at postgresql://${url.username}:\\*\\*\\*@127\\.0\\.0\\.1:${down},127\\.0\\.0\\.1:${alsoDown}/\\w+: no host answered \\(127\\.0\\.0\\.1:${down}: connect ECONNREFUSED 127\\.0\\.0\\.1:${down}; 127\\.0\\.0\\.1:${alsoDown}: connect ECONNREFUSED [\\d.:]+\\); is PostgreSQL running there\\?\\n$`,
      ),
    );
    expect(none.code).toBe(8);
  });

  it('kx serve goes on to the next host when its own stops answering (a failover)', async () => {
    await fresh();
    const target = { host: url.hostname, port: Number(url.port || 5432) };
    const [first, second] = [await startTcpProxy(target), await startTcpProxy(target)];
    const {
      child,
      done,
      url: api,
    } = await startServe({
      DATABASE_URL: at(`127.0.0.1:${first.port},127.0.0.1:${second.port}`),
    });
    try {
      expect((await fetch(`${api}/data`)).status).toBe(200);
      await first.cut();
      // a request in flight when the host went may fail; the next ones reach the other host
      const statuses: number[] = [];
      for (let i = 0; i < 20 && statuses.at(-1) !== 200; i++) {
        statuses.push((await fetch(`${api}/data`)).status);
        if (statuses.at(-1) !== 200) await sleep(250);
      }
      expect(statuses.at(-1), `statuses: ${statuses.join(', ')}`).toBe(200);
      expect((await fetch(`${api}/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await done;
      await first.close();
      await second.close();
    }
  });

  it('reads the password from PGPASSFILE when the URL gives none', async () => {
    await fresh();
    const passfile = join(work, 'pgpass');
    const host = url.hostname;
    writeFileSync(
      passfile,
      `other:*:*:*:wrong\n${host}:${url.port || 5432}:*:${url.username}:${url.password}\n`,
    );
    chmodSync(passfile, 0o600);
    const bare = `postgresql://${url.username}@${host}:${url.port || 5432}${url.pathname}`;
    const status = await runKxBinary(['status'], { DATABASE_URL: bare, PGPASSFILE: passfile });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
  });

  it('searches public whatever search_path the database was given (ALTER DATABASE … SET)', async () => {
    await fresh();
    const name = url.pathname.slice(1);
    const sql = postgres(url.toString(), { max: 1, onnotice: () => undefined });
    try {
      // an app's schema first in the path, holding a table of one of kx's names
      await sql.unsafe('create schema app; create table app.assets (id int, symbol text)');
      await sql.unsafe(`alter database ${name} set search_path = app, public`);
      const ingest = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], {
        DATABASE_URL: url.toString(),
      });
      expect(ingest.stdout, ingest.stderr).toMatch(/csv run #1 succeeded: 250 read, 250 loaded/);
      const [counts] = await sql<{ kx: number; app: number }[]>`
        select (select count(*) from public.assets)::int as kx,
          (select count(*) from app.assets)::int as app`;
      expect(counts).toEqual({ kx: 250, app: 0 });
      // one that exists nowhere
      await sql.unsafe(`alter database ${name} set search_path = nowhere`);
      const again = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], {
        DATABASE_URL: url.toString(),
      });
      expect(again.stdout, again.stderr).toMatch(/csv run #2 succeeded: 0 read/);
      // set in DATABASE_URL, it is the user's word: refused rather than overridden
      const asked = await runKx(['status'], { DATABASE_URL: `${url.toString()}?search_path=app` });
      expect(asked.stderr).toMatch(
        /^kx: DATABASE_URL sets search_path=app, and kx's tables are in the schema public: remove search_path from DATABASE_URL/,
      );
      expect(asked.code).toBe(2);
    } finally {
      await sql.end();
    }
  });

  describe.skipIf(!hasPgBouncer && !process.env.CI)('through PgBouncer', () => {
    it('in session mode: ingests load, and kx serve answers without the read limit it cannot set', async () => {
      await fresh();
      const pooler = await startPgBouncer(url, 'session');
      try {
        const pooled = at('127.0.0.1', pooler.port);
        const ingest = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], {
          DATABASE_URL: pooled,
        });
        expect(ingest.stdout, ingest.stderr).toMatch(/csv run #1 succeeded: 250 read, 250 loaded/);
        // PgBouncer 1.18 refuses statement_timeout and jit as startup settings
        const { child, done, url: api } = await startServe({ DATABASE_URL: pooled });
        try {
          const res = await fetch(`${api}/data?limit=5`);
          expect(res.status).toBe(200);
          expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(5);
        } finally {
          child.kill('SIGTERM');
        }
        const served = await done;
        expect(served.stderr).toMatch(
          /WARN {2}the database's pooler does not take (statement_timeout|jit) at connect, so the API's reads run without KX_API_STATEMENT_TIMEOUT_MS/,
        );
        // a setting of the URL's own it refuses is configuration, not a server that is down
        const refused = await runKx(['status'], { DATABASE_URL: `${pooled}?work_mem=64MB` });
        expect(refused.stderr).toMatch(
          /: the server, or a pooler in front of it, does not take work_mem at connect \(SQLSTATE 08P01\); remove work_mem=… from DATABASE_URL/,
        );
        expect(refused.code).toBe(2);
      } finally {
        await pooler.stop();
      }
    });

    it('in transaction mode: an ingest is refused before it starts, naming session mode', async () => {
      await fresh();
      const pooler = await startPgBouncer(url, 'transaction');
      try {
        const pooled = at('127.0.0.1', pooler.port);
        const ingest = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], {
          DATABASE_URL: pooled,
        });
        expect(ingest.stderr).toMatch(
          /^kx: DATABASE_URL \(postgresql:\/\/\w+:\*\*\*@127\.0\.0\.1:\d+\/\w+\) reaches PostgreSQL through a pooler in transaction mode: each statement may run in another server session \(process \d+, then (\d+|a wait for a free one)\), where a run's lock would not hold and two runs of a source could load at once\. Point DATABASE_URL at the pooler's session mode \(Supabase: port 5432, not 6543\) or at the server itself\n$/,
        );
        expect(ingest.code).toBe(2);
        // reads need no lock
        const status = await runKx(['status', '--json'], { DATABASE_URL: pooled });
        expect(status.code, status.stderr).toBe(0);
        const { sources } = JSON.parse(status.stdout) as {
          sources: { source: string; runs: { total: number } }[];
        };
        expect(sources.find((s) => s.source === 'csv')?.runs.total).toBe(0);

        // a database kx has yet to migrate: the migrations' lock would stay behind too
        const empty = `kx_test_empty_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
        await adminQuery(serverUrl!, `create database ${empty}`);
        try {
          const first = await runKx(['status'], {
            DATABASE_URL: `postgresql://${url.username}:${url.password}@127.0.0.1:${pooler.port}/${empty}`,
          });
          expect(first.stderr).toMatch(/reaches PostgreSQL through a pooler in transaction mode/);
          expect(first.code).toBe(2);
          const direct = new URL(serverUrl!);
          direct.pathname = `/${empty}`;
          const sql = postgres(direct.toString(), { max: 1, onnotice: () => undefined });
          const [row] = await sql<{ migrated: boolean }[]>`
            select to_regclass('drizzle.__drizzle_migrations') is not null as migrated`;
          await sql.end();
          expect(row).toEqual({ migrated: false });
        } finally {
          await adminQuery(serverUrl!, `drop database if exists ${empty} with (force)`);
        }
      } finally {
        await pooler.stop();
      }
    });
  });

  describe('TLS', () => {
    let certificates: TestCertificates;
    let proxy: Awaited<ReturnType<typeof startTlsProxy>>;
    beforeAll(async () => {
      certificates = makeCertificates(makeScratchDir('kx-dburl-tls-'));
      proxy = await startTlsProxy(
        { host: server!.hostname, port: Number(server!.port || 5432) },
        certificates,
      );
    });
    afterAll(() => proxy?.close());

    it("tries TLS first, as psql's default sslmode=prefer does", async () => {
      await fresh();
      const before = proxy.sessions();
      const status = await runKx(['status'], { DATABASE_URL: at('127.0.0.1', proxy.port) });
      expect(status.code, status.stderr).toBe(0);
      expect(proxy.sessions()).toBeGreaterThan(before);
    });

    it('checks the certificate against sslrootcert with verify-full', async () => {
      await fresh();
      const verified = at(
        'localhost',
        proxy.port,
        `?sslmode=verify-full&sslrootcert=${encodeURIComponent(certificates.caFile)}`,
      );
      const ingest = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], {
        DATABASE_URL: verified,
      });
      expect(ingest.stdout, ingest.stderr).toMatch(/csv run #1 succeeded: 250 read, 250 loaded/);
      expect(ingest.code).toBe(0);
    });

    it("reads libpq's ~/.postgresql/root.crt when the URL names no sslrootcert", async () => {
      await fresh();
      const home = makeScratchDir('kx-dburl-home-');
      mkdirSync(join(home, '.postgresql'));
      copyFileSync(certificates.caFile, join(home, '.postgresql', 'root.crt'));
      const status = await runKxBinary(['status'], {
        DATABASE_URL: at('localhost', proxy.port, '?sslmode=verify-full'),
        HOME: home,
      });
      expect(status.stderr).toBe('');
      expect(status.code).toBe(0);
    });

    it('direct TLS from the first byte (sslnegotiation=direct, PostgreSQL 17)', async () => {
      await fresh();
      const before = proxy.sessions();
      const direct = at('localhost', proxy.port, '?sslmode=require&sslnegotiation=direct');
      const status = await runKx(['status'], { DATABASE_URL: direct });
      expect(status.code, status.stderr).toBe(0);
      expect(proxy.sessions()).toBeGreaterThan(before);
    });

    it('a certificate no authority it knows signed: exit 2, naming sslrootcert', async () => {
      await fresh();
      const status = await runKx(['status'], {
        DATABASE_URL: at('localhost', proxy.port, '?sslmode=verify-full'),
      });
      expect(status.stderr).toMatch(
        /: the server's TLS certificate was refused: .+ \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\); give the authority that signed it with sslrootcert=\/path\/to\/root\.crt in DATABASE_URL, or sslmode=require to encrypt without checking it\n$/,
      );
      expect(status.code).toBe(2);
    });
  });
});
