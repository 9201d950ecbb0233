import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleDatabase, runKx, sampleCsv, startServe } from '../helpers/cli.js';
import { serverUrl, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createSampleDatabase();
});
afterAll(() => database.drop());

function startServer(env: Record<string, string> = {}) {
  return startServe({ ...database.env, ...env });
}

function statusOf(url: string, token: string): Promise<{ status: number; at: number }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, at: Date.now() }));
    }).on('error', reject);
  });
}

describe('kx serve (a real listening server)', () => {
  it('answers over HTTP and drains in-flight requests on SIGTERM, exiting 0', async () => {
    const { child, done, url } = await startServer({ KX_API_TOKEN: 'tok' });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/data`)).status).toBe(401);
    const auth = { headers: { authorization: 'Bearer tok' } };
    const first = await fetch(`${url}/data?limit=2&sort=rank`, auth);
    expect(first.status).toBe(200);
    expect(
      ((await first.json()) as { data: { source_id: string }[] }).data.map((d) => d.source_id),
    ).toEqual(['bitcoin', 'ethereum']);
    // Fresh connections (no keep-alive reuse, whose races are the client's): each request is sent before SIGTERM.
    const inFlight = Array.from({ length: 20 }, () => statusOf(`${url}/data?limit=500`, 'tok'));
    await new Promise((r) => setTimeout(r, 100)); // sent and parsed; the database answers them one by one
    child.kill('SIGTERM');
    const killedAt = Date.now();
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((a) => a.at > killedAt).length).toBeGreaterThan(0); // some finished during the drain
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toContain('SIGTERM: finishing in-flight requests');
    expect(exit.stderr).toContain('KX_API_TOKEN is 3 characters; use at least 16');
  });

  it('GET /stats and kx status give the same call budgets', async () => {
    const budget = { KX_COINGECKO_MONTHLY_CALLS: '1000', KX_COINPAPRIKA_MONTHLY_CALLS: '25000' };
    const status = await runKx(['status', '--json'], { ...database.env, ...budget });
    expect(status.code, status.stderr).toBe(0);
    type Calls = { sources: { source: string; calls: { budget: number | null } }[] };
    const budgets = (s: Calls) =>
      Object.fromEntries(s.sources.map((x) => [x.source, x.calls.budget]));
    const fromCli = budgets(JSON.parse(status.stdout) as Calls);
    expect(fromCli).toMatchObject({ coingecko: 1000, coinpaprika: 25000 });

    const { child, done, url } = await startServer(budget);
    const stats = (await (await fetch(`${url}/stats`)).json()) as { data: Calls };
    child.kill('SIGTERM');
    await done;
    expect(budgets(stats.data)).toEqual(fromCli);
  });

  it('refuses a non-loopback bind without KX_API_TOKEN (exit 2)', async () => {
    const r = await runKx(['serve', '--host', '0.0.0.0', '--port', '0'], database.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to serve on 0.0.0.0 without KX_API_TOKEN');
  });

  it('a port another process holds: exit 2, saying what to do', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const { port } = holder.address() as AddressInfo;
    try {
      const r = await runKx(['serve', '--port', String(port)], database.env);
      expect(r.stderr).toBe(
        `kx: cannot listen on 127.0.0.1:${port}: EADDRINUSE; another process listens on port ${port}: ` +
          `stop it, or serve on another port with --port\n`,
      );
      expect(r.code).toBe(2);
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });

  it('an address this machine does not have: exit 2, naming the addresses to bind', async () => {
    // 192.0.2.0/24 is TEST-NET-1, never a machine's own
    const r = await runKx(['serve', '--host', '192.0.2.1', '--port', '0'], {
      ...database.env,
      KX_API_TOKEN: 'a-token-long-enough-for-kx',
    });
    expect(r.stderr).toMatch(
      /^kx: cannot listen on 192\.0\.2\.1:0: EADDRNOTAVAIL; 192\.0\.2\.1 is not an address of this machine: bind 127\.0\.0\.1, or 0\.0\.0\.0 for every interface \(--host\)\n$/,
    );
    expect(r.code).toBe(2);
  });

  it('a client sending its headers a byte every 100 ms is answered 408 and cut off within seconds', async () => {
    const { child, done, url } = await startServer();
    try {
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      const request = 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'a'.repeat(400);
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      const closed = new Promise<number>((resolve) =>
        socket.on('close', () => resolve(Date.now())),
      );
      const started = Date.now();
      let i = 0;
      const drip = setInterval(() => {
        if (i < request.length && !socket.destroyed) socket.write(request[i++]!);
      }, 100);
      const closedAt = await closed;
      clearInterval(drip);
      expect(closedAt - started).toBeLessThan(20_000); // the header timeout is 10 s
      expect(i).toBeLessThan(request.length); // cut off mid-request, not after it
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('"code":"request_timeout"');
    } finally {
      child.kill('SIGTERM');
      await done;
    }
  });

  it.skipIf(serverUrl)(
    'with its output closed (kx serve 2>&1 | head -1) it ends quietly and frees the data dir',
    async () => {
      // A scheduled CoinPaprika tick against a closed port fails at once and logs a line.
      const { child, done } = await startServe(
        {
          ...database.env,
          KX_COINPAPRIKA_BASE_URL: 'http://127.0.0.1:47',
          KX_HTTP_MAX_RETRIES: '0',
        },
        ['--schedule', 'coinpaprika=1h'],
      );
      child.stdout!.destroy();
      child.stderr!.destroy(); // the reader has gone; the tick's log line meets the closed pipe
      const r = await done;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
      expect(existsSync(join(database.env.KX_DATA_DIR!, 'kx.lock'))).toBe(false);
    },
  );

  it.skipIf(serverUrl)(
    'on PGlite, an ingest beside a running server gets exit 6 naming it',
    async () => {
      const { child, done } = await startServer();
      const r = await runKx(['ingest', '--source', 'csv', '--file', sampleCsv], database.env);
      child.kill('SIGTERM');
      await done;
      expect(r.code).toBe(6);
      expect(r.stderr).toContain(`in use by pid ${child.pid} (kx serve`);
      expect(r.stderr).toContain('stop it, or let it run the ingests (kx serve --schedule');
      expect(r.stderr).toContain('set DATABASE_URL');
    },
  );
});

describe.skipIf(!serverUrl)(
  'kx serve on a PostgreSQL server: a statement timeout for API reads',
  () => {
    it('a read stuck past KX_API_STATEMENT_TIMEOUT_MS is cancelled: 503 timeout, then 200 again', async () => {
      const { child, done, url } = await startServer({ KX_API_STATEMENT_TIMEOUT_MS: '300' });
      // Another session holds the listings /data reads: the read waits, as behind a very
      // expensive query.
      const holder = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
      try {
        const locked = holder.begin(async (tx) => {
          await tx`lock table asset_sources in access exclusive mode`;
          await new Promise((r) => setTimeout(r, 3000));
        });
        await new Promise((r) => setTimeout(r, 200));
        const started = Date.now();
        const stuck = await fetch(`${url}/data?limit=2`);
        expect(stuck.status).toBe(503);
        expect(((await stuck.json()) as { error: { code: string } }).error.code).toBe('timeout');
        expect(Date.now() - started).toBeLessThan(2500); // cancelled, not waited out
        await locked;
        expect((await fetch(`${url}/data?limit=2`)).status).toBe(200);
      } finally {
        await holder.end();
      }
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    });
  },
);
