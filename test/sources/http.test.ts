import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExactNumber } from '../../src/core/json.js';
import type { UpstreamWait } from '../../src/core/source.js';
import { createHttpClient, type HttpClientOptions } from '../../src/sources/shared/http.js';
import { unusedPort } from '../helpers/tcp-proxy.js';

/** A server that answers queued responses in order (then 200 with `[]`). */
let server: Server;
let baseUrl: string;
const queue: { status: number; headers?: Record<string, string>; body?: string }[] = [];
beforeAll(async () => {
  server = createServer((_req, res) => {
    const next = queue.shift() ?? { status: 200, body: '[]' };
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(next.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client(overrides: Partial<HttpClientOptions> = {}) {
  const waits: number[] = [];
  const http = createHttpClient({
    service: 'Test',
    baseUrl,
    headers: {},
    authHint: 'the key',
    urlSetting: 'KX_TEST_BASE_URL',
    proxy: null,
    timeoutMs: 2000,
    maxRetries: 5,
    retryBaseMs: 100,
    maxWaitMs: 10_000,
    maxTotalWaitMs: 60_000,
    maxBodyBytes: 1024 * 1024,
    minIntervalMs: 0,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
  return { http, waits };
}

describe('HTTP client', () => {
  it('keeps numbers exact', async () => {
    queue.push({ status: 200, body: '[{"supply":4.2e+17,"big":123456789012345678901}]' });
    const { body } = await client().http.getJson('/x');
    const [item] = body as { supply: unknown; big: unknown }[];
    expect(isExactNumber(item!.supply) && item!.supply.toString()).toBe('4.2e+17');
    expect(isExactNumber(item!.big) && item!.big.toString()).toBe('123456789012345678901');
  });

  it('says what each wait is for: a retry after a status, the rate limit', async () => {
    queue.push({ status: 503 }, { status: 200, body: '[]' });
    const told: UpstreamWait[] = [];
    // One call a minute: the retry waits its backoff, then for the rate limit.
    const { http, waits } = client({ minIntervalMs: 60_000, onWait: (w) => told.push(w) });
    await http.getJson('/x');
    expect(told.map((w) => [w.what, w.why])).toEqual([
      ['retry 1 of 5', 'after HTTP 503'],
      ['rate limit: next call', undefined],
    ]);
    expect(told.map((w) => w.ms)).toEqual(waits);
    expect(told[1]!.ms).toBeGreaterThan(50_000);
  });

  it('honours Retry-After as an HTTP date, capped by maxWaitMs', async () => {
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    queue.push(
      { status: 503, headers: { 'retry-after': inTwoSeconds } },
      { status: 429, headers: { 'retry-after': '86400' } },
    );
    const { http, waits } = client({ maxWaitMs: 5000 });
    await http.getJson('/x');
    expect(waits[0]).toBeGreaterThan(500);
    expect(waits[0]).toBeLessThanOrEqual(2000);
    expect(waits[1]).toBe(5000); // a day, capped
  });

  it('stops when the total wait would pass maxTotalWaitMs', async () => {
    for (let i = 0; i < 5; i++) queue.push({ status: 429, headers: { 'retry-after': '3' } });
    const { http, waits } = client({ maxTotalWaitMs: 7000 });
    await expect(http.getJson('/x')).rejects.toThrow(/HTTP 429 .* \(gave up after 3 tries\)/);
    expect(waits).toEqual([3000, 3000]);
    queue.length = 0;
  });

  it('does not retry a 400', async () => {
    queue.push({ status: 400, body: '{"error":"invalid vs_currency"}' });
    const { http, waits } = client();
    await expect(http.getJson('/x')).rejects.toThrow('Test: HTTP 400 from');
    expect(waits).toEqual([]);
  });

  it('spaces requests by the rate limit', async () => {
    const { http, waits } = client({ minIntervalMs: 1000 });
    await http.getJson('/a');
    await http.getJson('/b');
    await http.getJson('/c');
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeGreaterThan(900);
  });
});

describe('an answer past maxBodyBytes', () => {
  it('is refused, not retried, though it would stream on without end', async () => {
    // A base URL pointed at something that never stops sending: reading it to the timeout
    // held all of it in memory.
    let sent = 0;
    const endless = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write('[');
      pump();
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    try {
      const { port } = endless.address() as AddressInfo;
      const { http, waits } = client({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 20_000 });
      const started = Date.now();
      await expect(http.getJson('/tickers')).rejects.toThrow(
        /^Test: the answer from http:\/\/127\.0\.0\.1:\d+\/tickers \(HTTP 200\) ran past 1 MB \(KX_HTTP_MAX_BODY_MB\), and kx stopped reading it: no list of coins is that large; check the key$/,
      );
      expect(waits).toEqual([]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(sent).toBeLessThan(64 * 1024 * 1024);
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((r) => endless.close(() => r()));
    }
  });

  it('up to the limit, is read whole', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      id: `coin-${i}`,
      note: 'x'.repeat(150),
    }));
    const body = JSON.stringify(items);
    expect(body.length).toBeGreaterThan(800 * 1024);
    queue.push({ status: 200, body: `\uFEFF${body}` });
    const { http } = client();
    const response = await http.getJson('/x');
    expect(response.body).toHaveLength(5000);
    expect(response.text).toBe(body); // the byte order mark dropped, as Response.text() does
  });
});

describe('a request that never gets an answer', () => {
  it('names what failed under "fetch failed", and what to check once it gives up', async () => {
    const port = await unusedPort();
    const { http, waits } = client({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 2 });
    await expect(http.getJson('/tickers')).rejects.toThrow(
      new RegExp(
        `^Test: network error \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\) for http://127\\.0\\.0\\.1:${port}/tickers ` +
          `\\(gave up after 3 tries\\); check this machine's network and DNS, and KX_TEST_BASE_URL if it is set$`,
      ),
    );
    expect(waits).toHaveLength(2); // a refused connection may be a restart: retried
  });

  it('a certificate Node does not trust: refused at once, naming NODE_EXTRA_CA_CERTS', async () => {
    // A self-signed certificate, as a proxy that re-signs HTTPS presents one. Node's words for
    // it vary (24 adds a hint of its own before the code).
    const dir = mkdtempSync(join(tmpdir(), 'kx-tls-'));
    try {
      const made = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]);
      expect(made.status, made.stderr?.toString()).toBe(0);
      let connections = 0;
      const tls = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (_req, res) => res.end('[]'),
      );
      tls.on('connection', () => connections++);
      await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
      try {
        const { port } = tls.address() as AddressInfo;
        const { http, waits } = client({ baseUrl: `https://127.0.0.1:${port}` });
        const error = await http.getJson('/tickers').catch((e: unknown) => e as Error);
        expect((error as Error).message).toMatch(
          /^Test: the TLS certificate of https:\/\/127\.0\.0\.1:\d+\/tickers was refused: self[- ]signed certificate[^(]* \(DEPTH_ZERO_SELF_SIGNED_CERT\), and another try would meet the same\. If a proxy on this network re-signs HTTPS, give Node its certificate authority: NODE_EXTRA_CA_CERTS=\/path\/to\/proxy-ca\.pem; otherwise check KX_TEST_BASE_URL$/,
        );
        expect(waits).toEqual([]); // not retried
        expect(connections).toBe(1);
      } finally {
        await new Promise<void>((r) => tls.close(() => r()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
