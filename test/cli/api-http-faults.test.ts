import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { etlRuns } from '../../src/db/schema.js';
import { runKx } from '../helpers/cli.js';
import { withOpen } from '../helpers/db.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { useUpstreamSetup, pagesFetched } from '../helpers/upstream-setup.js';

/** Upstream HTTP faults and API keys: retries, terminal statuses, error pages, key headers and hosts. */
const fixture = useUpstreamSetup();
const { setup } = fixture;

describe('retries, terminal statuses and error pages', () => {
  const gaps = (fake: FakeUpstream) =>
    fake.requests.slice(1).map((q, i) => q.at - fake.requests[i]!.at);

  it('429 with Retry-After is honoured, then the page is fetched', async () => {
    const { fake, env } = await setup();
    fake.fault(
      'markets',
      { status: 429, headers: { 'retry-after': '1' }, body: '{"status":{"error_code":429}}' },
      1,
    );
    fake.fault('markets', { status: 429, headers: { 'retry-after': '0' } }, 1);
    const r = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(pagesFetched(fake)).toEqual([1, 1, 1, 2]);
    const [afterOne, afterZero] = gaps(fake);
    expect(afterOne).toBeGreaterThanOrEqual(950);
    expect(afterZero).toBeGreaterThanOrEqual(450); // Retry-After: 0 still waits a minimum
    expect(r.stderr).toContain('HTTP 429');
  });

  it('5xx backs off exponentially and gives up after KX_HTTP_MAX_RETRIES', async () => {
    const { fake, env } = await setup();
    for (let i = 0; i < 10; i++)
      fake.fault('markets', {
        status: 502,
        body: 'Bad Gateway',
        headers: { 'content-type': 'text/plain' },
      });
    const r = await runKx(['ingest', '--source', 'coingecko'], {
      ...env,
      KX_HTTP_RETRY_BASE_MS: '200',
    });
    expect(r.code).toBe(3);
    expect(fake.requests).toHaveLength(4);
    const [g1, g2, g3] = gaps(fake) as [number, number, number];
    // Jitter keeps each wait between half and all of 200·2^k ms.
    expect(g1).toBeGreaterThanOrEqual(95);
    expect(g1).toBeLessThan(400);
    expect(g2).toBeGreaterThanOrEqual(195);
    expect(g3).toBeGreaterThanOrEqual(395);
    expect(r.stderr).toContain('HTTP 502 from');
    expect(r.stderr).toContain('text/plain: "Bad Gateway"');
  });

  it("an error body's control characters are quoted escaped, and the failed run is recorded", async () => {
    const { database, fake, env } = await setup();
    // A NUL, which PostgreSQL's text refuses, and an escape sequence that would clear a terminal.
    fake.fault('markets', {
      status: 502,
      body: 'Bad\u0000Gateway\u001b[2J',
      headers: { 'content-type': 'text/plain' },
    });
    const r = await runKx(['ingest', '--source', 'coingecko'], {
      ...env,
      KX_HTTP_MAX_RETRIES: '0',
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('text/plain: "Bad\\u0000Gateway\\u001b[2J"');
    expect(r.stderr).not.toContain('\u0000');
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).not.toContain('could not record');
    const [run] = await withOpen(database, ({ db }) => db.select().from(etlRuns));
    expect(run).toMatchObject({ status: 'failed', errorCode: 'upstream', resumable: true });
    expect(run!.errorMessage).toContain('"Bad\\u0000Gateway\\u001b[2J"');
  });

  it('an answer past KX_HTTP_MAX_BODY_MB is not read on: exit 3, one request', async () => {
    const { fake, env } = await setup();
    fake.fault('tickers', { status: 200, body: `[${' '.repeat(2 * 1024 * 1024)}]` });
    const r = await runKx(['ingest', '--source', 'coinpaprika'], {
      ...env,
      KX_HTTP_MAX_BODY_MB: '1',
    });
    expect(r.code, r.stderr).toBe(3);
    expect(fake.requests).toHaveLength(1);
    expect(r.stderr).toMatch(
      /CoinPaprika: the answer from http:\/\/127\.0\.0\.1:\d+\/v1\/tickers\?quotes=USD \(HTTP 200\) ran past 1 MB \(KX_HTTP_MAX_BODY_MB\), and kx stopped reading it: no list of coins is that large; check KX_COINPAPRIKA_API_KEY and KX_COINPAPRIKA_BASE_URL/,
    );
  });

  it.each([401, 403, 404])(
    '%i is terminal: no retry, exit 3, says what to check',
    async (status) => {
      const { fake, env } = await setup();
      fake.fault('markets', { status, body: '{"error":"nope"}' });
      const r = await runKx(['ingest', '--source', 'coingecko'], env);
      expect(r.code).toBe(3);
      expect(fake.requests).toHaveLength(1);
      expect(r.stderr).toContain(`HTTP ${status}`);
      expect(r.stderr).toContain('check KX_COINGECKO_API_KEY and KX_COINGECKO_PLAN');
    },
  );

  it('a Cloudflare HTML page becomes a clear error with the status and its title', async () => {
    const { fake, env } = await setup();
    const html =
      '<!DOCTYPE html><html><head><title>api.coingecko.com | 520: Web server is returning an unknown error</title><style>body{}</style></head><body><h1>Error 520</h1></body></html>';
    for (let i = 0; i < 4; i++)
      fake.fault('tickers', {
        status: 520,
        body: html,
        headers: { 'content-type': 'text/html; charset=UTF-8' },
      });
    const r = await runKx(['ingest', '--source', 'coinpaprika'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('CoinPaprika: HTTP 520 from');
    expect(r.stderr).toContain(
      'text/html: "api.coingecko.com | 520: Web server is returning an unknown error"',
    );
    expect(r.stderr).not.toContain('<html');
  });

  // CoinGecko's rate-limit answer, seen with status 200 as well as 429.
  const limited =
    '{"status":{"error_code":429,"error_message":"You\'ve exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits."}}';

  it("a 200 carrying CoinGecko's rate-limit error is waited out like a 429", async () => {
    const { fake, env } = await setup();
    fake.fault('markets', { status: 200, body: limited, headers: { 'retry-after': '1' } }, 1);
    const r = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(pagesFetched(fake)).toEqual([1, 1, 2]);
    expect(gaps(fake)[0]).toBeGreaterThanOrEqual(950);
    expect(r.stderr).toContain('HTTP 200 with error_code 429 from');
  });

  it('a 200 that is not a list of coins, or an empty first page, fails the run quoting it', async () => {
    const { database, fake, env } = await setup();
    // An error object that names no retryable status is not retried.
    fake.fault('markets', {
      status: 200,
      body: '{"status":{"error_code":401,"error_message":"Invalid API key"}}',
    });
    const denied = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(denied.code, denied.stderr).toBe(3);
    expect(denied.stderr).toMatch(
      /CoinGecko: HTTP 200 with error_code 401 from http:\/\/127\.0\.0\.1:\d+\/\S*coins\/markets\?\S+ \(/,
    );
    expect(denied.stderr).toContain('check KX_COINGECKO_API_KEY');
    fake.fault('markets', { status: 200, body: '{"coins":[]}' });
    const gecko = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(gecko.code, gecko.stderr).toBe(3);
    expect(gecko.stderr).toMatch(
      /CoinGecko: http:\/\/127\.0\.0\.1:\d+\/\S*coins\/markets\?\S+ returned JSON: "{"coins":\[\]}" where a list of coins was expected/,
    );
    fake.fault('tickers', { status: 200, body: '[]' });
    const paprika = await runKx(['ingest', '--source', 'coinpaprika'], env);
    expect(paprika.code, paprika.stderr).toBe(3);
    expect(paprika.stderr).toMatch(
      /CoinPaprika: http:\/\/127\.0\.0\.1:\d+\/\S*tickers\?quotes=USD returned an empty list where a list of coins was expected/,
    );
    // Nothing was loaded, and each failed run can be resumed.
    const runs = await withOpen(database, ({ db }) =>
      db.select().from(etlRuns).orderBy(etlRuns.id),
    );
    expect(runs.map((r) => [r.source, r.status, r.fetched])).toEqual([
      ['coingecko', 'failed', 0],
      ['coingecko', 'failed', 0],
      ['coinpaprika', 'failed', 0],
    ]);
    const resumed = await runKx(['resume'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
  });

  it('a truncated body and a response slower than the timeout are retried', async () => {
    const { fake, env } = await setup();
    fake.fault('tickers', { truncate: true });
    fake.fault('tickers', { delayMs: 2000 });
    const r = await runKx(['ingest', '--source', 'coinpaprika', '--json'], {
      ...env,
      KX_HTTP_TIMEOUT_MS: '500',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests).toHaveLength(3);
    expect(r.stderr).toContain('is not valid JSON');
    expect(r.stderr).toContain('no answer within 500 ms');
  });
});

describe('a base URL fetch will not call', () => {
  it("a port fetch blocks (X11's 6000) is exit 2 at the first try, naming it", async () => {
    const { fake, env } = await setup();
    const r = await runKx(['ingest', '--source', 'coingecko'], {
      ...env,
      KX_COINGECKO_BASE_URL: 'http://127.0.0.1:6000/api/v3',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("fetch, Node's HTTP client, refuses to call port 6000");
    expect(r.stderr).toContain('serve the API on another port and change KX_COINGECKO_BASE_URL');
    expect(r.stderr).not.toContain('retrying');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('an API that ignores the page number', () => {
  it('is stopped at the first repeated page, not paged without end', async () => {
    // A cache or proxy in front of the API that drops the query string: every page is page 1.
    const { database, fake, env } = await setup({ coingeckoCoins: 600 });
    const first = await (
      await fetch(`${fake.coingeckoUrl}/coins/markets?vs_currency=usd&per_page=250&page=1`)
    ).text();
    fake.requests.length = 0;
    for (let i = 0; i < 20; i++) fake.fault('markets', { status: 200, body: first });
    const r = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /CoinGecko: page 2 \(http:\/\/127\.0\.0\.1:\d+\/api\/v3\/coins\/markets\?.*page=2.*\) holds 250 of its 250 coins from page 1: the API answered without regard to the page number, .* check KX_COINGECKO_BASE_URL/,
    );
    expect(pagesFetched(fake)).toEqual([1, 2]);
    // Page 1 stays loaded; nothing of the repeated page was.
    const runs = await withOpen(database, (h) => h.db.select().from(etlRuns));
    expect(runs).toMatchObject([{ status: 'failed', loaded: 250 }]);
  });

  it('a short last page of coins already seen is a moved boundary, not a repeat', async () => {
    // A coin listed while the run paged shifts the id order by one: the last page's few coins
    // were the end of the page before.
    const { fake, env } = await setup({ coingeckoCoins: 251 });
    const first = JSON.parse(
      await (
        await fetch(`${fake.coingeckoUrl}/coins/markets?vs_currency=usd&per_page=250&page=1`)
      ).text(),
    ) as unknown[];
    fake.fault('markets', { status: 200, body: JSON.stringify(first.slice(-3)) }, 2);
    const r = await runKx(['ingest', '--source', 'coingecko'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('253 read');
  });
});

describe('API keys', () => {
  const key = 'CG-sekr3t-key-value';

  it.each([
    ['demo', 'x-cg-demo-api-key'],
    ['pro', 'x-cg-pro-api-key'],
  ])(
    'CoinGecko %s plan sends the key in %s, and the key appears nowhere else',
    async (plan, header) => {
      const { database, fake, env } = await setup({ coingeckoAuth: { header, value: key } });
      const r = await runKx(['ingest', '--source', 'coingecko', '--log-level', 'debug'], {
        ...env,
        KX_COINGECKO_API_KEY: key,
        KX_COINGECKO_PLAN: plan,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(fake.requests.every((q) => q.headers[header] === key)).toBe(true);
      const status = await runKx(['status', '--json'], env);
      const stored = await withOpen(database, async ({ db }) =>
        JSON.stringify(await db.select().from(etlRuns)),
      );
      for (const text of [r.stdout, r.stderr, status.stdout, stored])
        expect(text).not.toContain(key);
    },
  );

  it('a wrong key is a 401: exit 3 naming what to check, and the key is not echoed', async () => {
    const { fake, env } = await setup({
      coingeckoAuth: { header: 'x-cg-demo-api-key', value: key },
    });
    const r = await runKx(['ingest', '--source', 'coingecko'], {
      ...env,
      KX_COINGECKO_API_KEY: 'wrong-key-123',
      KX_COINGECKO_PLAN: 'demo',
    });
    expect(r.code).toBe(3);
    expect(fake.requests).toHaveLength(1);
    expect(r.stderr).toContain('HTTP 401');
    expect(r.stderr).not.toContain('wrong-key-123');
  });

  it('CoinPaprika sends the key as a bare Authorization header', async () => {
    const { fake, env } = await setup({ paprikaAuth: { header: 'authorization', value: key } });
    const r = await runKx(['ingest', '--source', 'coinpaprika'], {
      ...env,
      KX_COINPAPRIKA_API_KEY: key,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests[0]!.headers.authorization).toBe(key);
  });

  it.each([
    [
      'coingecko',
      { KX_COINGECKO_API_KEY: key, KX_COINGECKO_PLAN: 'pro' },
      'https://pro-api.coingecko.com/api/v3/coins/markets',
    ],
    [
      'coingecko',
      { KX_COINGECKO_API_KEY: key, KX_COINGECKO_PLAN: 'demo' },
      'https://api.coingecko.com/api/v3/coins/markets',
    ],
    ['coinpaprika', { KX_COINPAPRIKA_API_KEY: key }, 'https://api-pro.coinpaprika.com/v1/tickers'],
    ['coinpaprika', {}, 'https://api.coinpaprika.com/v1/tickers'],
  ])('%s goes to the host of its plan (%j)', async (source, keys, host) => {
    const database = await fixture.database();
    // No internet here: the request fails, and the error names the host it went to.
    const r = await runKx(['ingest', '--source', source], {
      ...database.env,
      ...keys,
      KX_HTTP_MAX_RETRIES: '0',
      KX_HTTP_TIMEOUT_MS: '3000',
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(host);
    expect(r.stderr).not.toContain(key);
  });
});

/**
 * An HTTP proxy as a corporate network has one: CONNECT tunnels to any host, whose name only the
 * proxy can resolve (here every name is 127.0.0.1). What it was asked for is in `seen`.
 */
async function startProxy() {
  const seen: string[] = [];
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const port = Number(new URL(`http://${req.url}`).port);
    const upstream = connect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    seen,
    close: () => {
      proxy.closeAllConnections();
      return new Promise<void>((r) => proxy.close(() => r()));
    },
  };
}

describe('a network reached through a proxy', () => {
  it('http_proxy and https_proxy are used, no_proxy is honoured, a bad one is refused', async () => {
    const { env } = await setup();
    const proxy = await startProxy();
    try {
      // A host name this machine cannot resolve: only the proxy reaches it.
      const behind = {
        ...env,
        KX_COINPAPRIKA_BASE_URL: env.KX_COINPAPRIKA_BASE_URL!.replace(
          '127.0.0.1',
          'upstream.kx-test',
        ),
        KX_HTTP_MAX_RETRIES: '0',
      };
      const r = await runKx(['ingest', '--source', 'coinpaprika'], {
        ...behind,
        http_proxy: proxy.url,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(proxy.seen).toEqual([expect.stringMatching(/^CONNECT upstream\.kx-test:\d+$/)]);

      // HTTPS_PROXY names the proxy of https:// URLs only: this one is http://, so it goes direct.
      const direct = await runKx(['ingest', '--source', 'coinpaprika'], {
        ...behind,
        HTTPS_PROXY: proxy.url,
      });
      expect(direct.code).toBe(3);
      expect(direct.stderr).toMatch(/network error \(getaddrinfo \w+ upstream\.kx-test\)/);

      // no_proxy: listed hosts are reached directly.
      const listed = await runKx(['ingest', '--source', 'coinpaprika'], {
        ...behind,
        HTTP_PROXY: proxy.url,
        no_proxy: 'localhost,.kx-test',
      });
      expect(listed.code).toBe(3);
      expect(listed.stderr).toMatch(/getaddrinfo \w+ upstream\.kx-test/);
      expect(proxy.seen).toHaveLength(1);

      const bad = await runKx(['ingest', '--source', 'coinpaprika'], {
        ...behind,
        http_proxy: 'proxy.example',
      });
      expect(bad.code).toBe(2);

      // A proxy that is down: the error names it, without its password.
      const closed = await startProxy();
      await closed.close();
      const down = await runKx(['ingest', '--source', 'coinpaprika'], {
        ...behind,
        http_proxy: closed.url.replace('//', '//kx:s3cret@'),
      });
      expect(down.code).toBe(3);
      expect(down.stderr).toMatch(
        /network error \(connect ECONNREFUSED 127\.0\.0\.1:\d+\) .*; check this machine's network and DNS, the proxy \(http_proxy=http:\/\/kx:\*\*\*@127\.0\.0\.1:\d+\/\), and KX_COINPAPRIKA_BASE_URL if it is set/,
      );
      expect(down.stderr).not.toContain('s3cret');
      expect(bad.stderr).toContain(
        "kx: http_proxy (or HTTP_PROXY) is not a proxy's URL, such as http://proxy.example:3128",
      );
    } finally {
      await proxy.close();
    }
  });
});
