import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ingestUntilCommitted,
  runKx,
  sampleCsv,
  startServe,
  type CliResult,
} from '../helpers/cli.js';
import { writeSnapshotCsv } from '../helpers/csv-gen.js';
import { createTestDatabase, serverUrl, withOpen, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, upstreamEnv } from '../helpers/fake-upstream.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { snapshotState } from '../helpers/state.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { adminQuery } from '../helpers/template.js';

/**
 * #13: a database that cannot be reached, or goes away, is its own failure: exit 8 and one
 * `kx:` line saying so, resumable; `kx serve` answers 503 until it is back. The server cases
 * put a TCP proxy between kx and PostgreSQL and cut it, as a stopped server looks to kx.
 */
const target = serverUrl ? new URL(serverUrl) : null;
let proxy: TcpProxy;
let work: string;
const databases: TestDatabase[] = [];
beforeAll(async () => {
  work = makeScratchDir('kx-dbloss-');
  proxy = await startTcpProxy({
    host: target?.hostname ?? '127.0.0.1',
    port: Number(target?.port || 5432),
  });
});
afterEach(async () => {
  await proxy.restore();
  for (const database of databases.splice(0)) await database.drop();
});
afterAll(async () => {
  await proxy.close();
  rmSync(work, { recursive: true, force: true });
});

async function database(): Promise<TestDatabase> {
  const created = await createTestDatabase();
  databases.push(created);
  return created;
}

/** A kx failure is one `kx:` line, never a stack trace. */
function expectOneLine(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('TypeError');
}

describe('a database that cannot be reached', () => {
  it('exits 8, names the address with its password hidden, and says what to check', async () => {
    await proxy.cut();
    const url = proxy.via('postgres://kx:s3cret@127.0.0.1:5432/kx');
    const r = await runKx(['status'], { DATABASE_URL: url });
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toContain(`cannot connect to the database at postgres://kx:***@127.0.0.1:`);
    expect(r.stderr).toMatch(/ECONNREFUSED.*is PostgreSQL running there\?/);
    expect(r.stderr).not.toContain('s3cret');
    expectOneLine(r.stderr);
  });

  it.skipIf(!serverUrl).each([
    ['a wrong password', (u: URL) => (u.password = 'not-the-password')],
    ['a database that does not exist', (u: URL) => (u.pathname = '/kx_no_such_database')],
  ])('%s is configuration: exit 2, naming DATABASE_URL', async (_, change) => {
    const url = new URL(serverUrl!);
    change(url);
    const r = await runKx(['status'], { DATABASE_URL: url.toString() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('check the user, password and database name in DATABASE_URL');
    expectOneLine(r.stderr);
  });

  it.skipIf(!serverUrl)(
    "Prisma's schema=public is read as kx's schema; another, or a parameter PostgreSQL does not know, is exit 2",
    async () => {
      const url = (query: string) => `${serverUrl!}${serverUrl!.includes('?') ? '&' : '?'}${query}`;
      // was exit 8: "unrecognized configuration parameter "schema"; is PostgreSQL running there?"
      const prisma = await runKx(['status', '--json'], { DATABASE_URL: url('schema=public') });
      expect(prisma.code, prisma.stderr).toBe(0);
      const other = await runKx(['status'], { DATABASE_URL: url('schema=app') });
      expect(other.code, other.stderr).toBe(2);
      expect(other.stderr).toContain(`names the schema "app"`);
      expect(other.stderr).toContain('remove schema= from DATABASE_URL');
      const unknown = await runKx(['status'], { DATABASE_URL: url('connection_limit=5') });
      expect(unknown.code, unknown.stderr).toBe(2);
      expect(unknown.stderr).toContain('unrecognized configuration parameter "connection_limit"');
      expect(unknown.stderr).toContain('remove connection_limit=… from DATABASE_URL');
      expectOneLine(unknown.stderr);
    },
  );

  it('sslmode=require to a server without TLS says to remove sslmode', async () => {
    // A server that answers "N" (no TLS) to the SSL request, as PostgreSQL with ssl=off does.
    const noTls = createServer((socket) => {
      socket.once('data', () => socket.end('N'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => noTls.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = noTls.address() as AddressInfo;
      const url = `postgres://kx:s3cret@127.0.0.1:${port}/kx?sslmode=require`;
      const r = await runKx(['status'], { DATABASE_URL: url });
      expect(r.code, r.stderr).toBe(8);
      expect(r.stderr).toContain('before secure TLS connection was established');
      expect(r.stderr).toContain('if it has no TLS, remove sslmode from DATABASE_URL');
      expectOneLine(r.stderr);
    } finally {
      noTls.close();
    }
  });
});

describe.skipIf(!serverUrl)('the database goes away', () => {
  it('mid-ingest: exit 8 with one line; once it is back, kx resume ends equal to a clean run', async () => {
    const file = join(work, 'loss.csv');
    writeSnapshotCsv(file, 3000);
    const env = { KX_BATCH_SIZE: '200' };
    const clean = await database();
    const ok = await runKx(['ingest', '--source', 'csv', '--file', file], { ...clean.env, ...env });
    expect(ok.code, ok.stderr).toBe(0);
    const expected = await withOpen(clean, snapshotState);

    const lost = await database();
    const viaProxy = { DATABASE_URL: proxy.via(lost.env.DATABASE_URL!) };
    const r = await ingestUntilCommitted(
      ['ingest', '--source', 'csv', '--file', file],
      { ...viaProxy, ...env },
      600,
      () => void proxy.cut(),
    );
    expect(r.actedAt).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toMatch(/^kx: the database is unavailable: .*`kx resume` continues/m);
    expectOneLine(r.stderr);

    await proxy.restore();
    const resumed = await runKx(['resume', '--json'], { ...viaProxy, ...env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ status: 'succeeded' }]);
    expect(await withOpen(lost, snapshotState)).toEqual(expected);
  });

  it('kx serve answers 503 "unavailable" on every route while it is gone, and recovers', async () => {
    const served = await database();
    const { child, done, url } = await startServe({
      DATABASE_URL: proxy.via(served.env.DATABASE_URL!),
    });
    try {
      const routes = ['/data', '/assets/1', '/stats', '/runs', '/runs/1', '/metrics']
        .concat(['/runs/compare?a=1&b=2'])
        .map((path) => `${url}${path}`);
      expect((await fetch(`${url}/data`)).status).toBe(200);

      await proxy.cut();
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(503);
      for (const route of routes) {
        const res = await fetch(route);
        expect(res.status, route).toBe(503);
        expect(await res.json(), route).toMatchObject({ error: { code: 'unavailable' } });
      }

      await proxy.restore();
      expect((await fetch(`${url}/health`)).status).toBe(200);
      for (const route of routes) expect((await fetch(route)).status, route).not.toBe(503);
    } finally {
      child.kill('SIGTERM');
      await done;
    }
  });
});

describe.skipIf(!serverUrl)('a database that refuses kx writes', () => {
  const ingest = ['ingest', '--source', 'csv', '--file', sampleCsv];

  it('encoded other than UTF8: exit 2 before anything is written, naming the fix', async () => {
    const url = new URL(serverUrl!);
    url.pathname = `/kx_test_${process.pid}_latin1`;
    const name = url.pathname.slice(1);
    await adminQuery(serverUrl!, `drop database if exists ${name}`);
    await adminQuery(
      serverUrl!,
      `create database ${name} encoding 'LATIN1' lc_collate 'C' lc_ctype 'C' template template0`,
    );
    try {
      // was exit 1 from the first migration: "character with byte sequence 0xe2 0x86 0x92 in
      // encoding "UTF8" has no equivalent in encoding "LATIN1""
      const r = await runKx(ingest, { DATABASE_URL: url.toString() });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`the database ${name} at postgres://`);
      expect(r.stderr).toContain('is encoded LATIN1');
      expect(r.stderr).toContain('createdb --encoding UTF8 --template template0 NAME');
      expectOneLine(r.stderr);
      expect((await runKx(['status'], { DATABASE_URL: url.toString() })).code).toBe(2);
      // No migration ran: not even drizzle's schema is there.
      await adminQuery(
        url.toString(),
        `do $$ begin if to_regnamespace('drizzle') is not null then raise exception 'written'; end if; end $$`,
      );
    } finally {
      await adminQuery(serverUrl!, `drop database if exists ${name} with (force)`);
    }
  });

  it('read-only (a standby): status and serve read it; an ingest is exit 2 naming the fix', async () => {
    const standby = await database();
    expect((await runKx(ingest, standby.env)).code).toBe(0);
    const name = new URL(standby.env.DATABASE_URL!).pathname.slice(1);
    await adminQuery(serverUrl!, `alter database ${name} set default_transaction_read_only = on`);

    // was exit 1: migrations ran first, and their CREATE SCHEMA IF NOT EXISTS was refused
    const status = await runKx(['status', '--json'], standby.env);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ assets: 250 });
    const { child, done, url } = await startServe(standby.env);
    try {
      const res = await fetch(`${url}/data?source=csv&limit=1`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ data: [{ source: 'csv' }] });
    } finally {
      child.kill('SIGTERM');
      await done;
    }

    const again = await runKx(ingest, standby.env);
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain('read-only transaction (SQLSTATE 25006)');
    expect(again.stderr).toContain('needs DATABASE_URL to point at the primary');
    expectOneLine(again.stderr);
  });

  it('a user that may only read: status works, an ingest is exit 2 naming the grant', async () => {
    const shared = await database();
    expect((await runKx(ingest, shared.env)).code).toBe(0);
    const url = new URL(shared.env.DATABASE_URL!);
    const name = url.pathname.slice(1);
    const role = `${name}_reader`;
    await adminQuery(serverUrl!, `create role ${role} login password 'r3ader'`);
    try {
      await adminQuery(
        url.toString(),
        `grant select on all tables in schema public, drizzle to ${role}; ` +
          `grant usage on schema drizzle to ${role}`,
      );
      const reader = new URL(url);
      Object.assign(reader, { username: role, password: 'r3ader' });
      const env = { DATABASE_URL: reader.toString() };
      const status = await runKx(['status', '--json'], env);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ assets: 250 });
      const r = await runKx(ingest, env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/permission denied for table \w+ \(SQLSTATE 42501\)/);
      expect(r.stderr).toContain('grant the user in DATABASE_URL what it lacks');
      expect(r.stderr).not.toContain('r3ader');
      expectOneLine(r.stderr);
    } finally {
      await adminQuery(url.toString(), `drop owned by ${role}`).catch(() => undefined);
      await adminQuery(serverUrl!, `drop role if exists ${role}`);
    }
  });
});

describe.skipIf(!serverUrl)('a server that closes idle sessions (idle_session_timeout)', () => {
  it("keeps a run's lock: the run ends exit 0, and a second run meanwhile gets 6", async () => {
    const strict = await database();
    const name = new URL(strict.env.DATABASE_URL!).pathname.slice(1);
    await adminQuery(serverUrl!, `alter database ${name} set idle_session_timeout = '300ms'`);
    const fake = await startFakeUpstream({ coingeckoCoins: 600 });
    try {
      // Page 2 comes late: the session holding the lock sits idle well past the timeout.
      fake.fault('markets', { delayMs: 2500 }, 2);
      const env = { ...strict.env, ...upstreamEnv(fake) };
      const ingest = ['ingest', '--source', 'coingecko'];
      let second: Promise<CliResult> | undefined;
      const first = await ingestUntilCommitted(ingest, env, 1, () => {
        second = sleep(800).then(() => runKx(ingest, env));
      });
      // was exit 8 after the run had succeeded: the server closed the idle lock session, and
      // postgres.js threw from a timer when kx unlocked on it; the lock was gone meanwhile
      expect(first.code, first.stderr).toBe(0);
      const meanwhile = await second!;
      expect(meanwhile.code, meanwhile.stderr).toBe(6);
    } finally {
      await fake.close();
    }
  });
});

describe.skipIf(!serverUrl)('a server whose sessions default to other settings', () => {
  // A DBA's postgresql.conf or ALTER DATABASE … SET: dates written `09/02/2025 …`, a zone
  // of +14 hours. kx's sessions set what they read by.
  it('reads and serves the same data as a server with the defaults', async () => {
    const plain = await database();
    const odd = await database();
    const name = new URL(odd.env.DATABASE_URL!).pathname.slice(1);
    await adminQuery(
      serverUrl!,
      `alter database ${name} set datestyle = 'SQL, DMY'; ` +
        `alter database ${name} set timezone = 'Pacific/Kiritimati'`,
    );
    const ingest = ['ingest', '--source', 'csv', '--file', sampleCsv];
    for (const { env } of [plain, odd]) expect((await runKx(ingest, env)).code).toBe(0);
    const exported = await Promise.all(
      [plain, odd].map(({ env }) =>
        runKx(['export', 'listings', '--format', 'ndjson', '--source', 'csv'], env),
      ),
    );
    // was exit 1, "Invalid time value": timestamps came as `09/02/2025 17:44:04.143 UTC`
    expect(exported[1]!.code, exported[1]!.stderr).toBe(0);
    expect(exported[1]!.stdout).toContain('"observed_at":"2025-02-09T17:44:04.143Z"');
    expect(exported[1]!.stdout).toBe(exported[0]!.stdout);
    const { child, done, url } = await startServe(odd.env);
    try {
      const res = await fetch(`${url}/data?source=csv&symbol=BTC`);
      expect(await res.json()).toMatchObject({
        data: [{ source_id: 'bitcoin', observed_at: '2025-02-09T17:44:04.143Z' }],
      });
    } finally {
      child.kill('SIGTERM');
      await done;
    }
  });
});
