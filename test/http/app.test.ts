import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/serve.js';
import type { DbHandle } from '../../src/db/client.js';
import { createApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import type { Listing } from '../../src/queries/listings.js';
import { sourceNames, type Sources } from '../../src/sources/index.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase, releaseDataDir, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { createFakeSources, ingestWith } from '../helpers/ingest.js';
import { keysNotSnakeCase } from '../helpers/json-keys.js';
import * as v from 'valibot';
import {
  AssetSchema,
  ComparisonSchema,
  ErrorBodySchema,
  HealthSchema,
  ListingPageSchema,
  RejectedPageSchema,
  RunDetailSchema,
  RunListSchema,
  StatsSchema,
} from '../../src/http/schemas.js';

/** promtool (Debian's prometheus package), if this machine has it. */
const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

let database: TestDatabase;
let handle: DbHandle;
let fake: FakeUpstream;
let sources: Sources;
let app: ReturnType<typeof createApp>;

const ingest = (name: keyof Sources, params: Record<string, unknown> = {}) =>
  ingestWith(handle, sources[name], params);

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await database.open();
  fake = await startFakeUpstream({ paprikaTickers: 300 });
  sources = createFakeSources(fake);
  await ingest('csv', { file: join(repoRoot, 'fixtures/sample.csv'), map: [] });
  await ingest('coingecko');
  app = createApp({ handle, sources: sourceNames, metrics: createHttpMetrics(), version: 'test' });
});
afterAll(async () => {
  await handle.close();
  await fake.close();
  await database.drop();
});

interface DataBody {
  data: Listing[];
  pagination: {
    mode: string;
    next_cursor?: string | null;
    has_more?: boolean;
    total?: number;
    pages?: number;
  };
  meta: { request_id: string; api_latency_ms: number };
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers });
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    headers: res.headers,
    body: type.includes('json') ? await res.json() : await res.text(),
  };
}
async function data(query: string) {
  const r = await get(`/data${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as DataBody;
}
/** Follows next_cursor to the end. */
async function walk(query: string, between?: (page: number) => Promise<void>) {
  const rows: Listing[] = [];
  let cursor: string | null | undefined;
  for (let page = 1; ; page++) {
    const body = await data(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
    rows.push(...body.data);
    cursor = body.pagination.next_cursor;
    if (!cursor) return rows;
    await between?.(page);
  }
}
const key = (l: Listing) => `${l.source}/${l.source_id}`;

describe('GET /data', () => {
  it('returns listings with decimals as strings, cursor pagination and a request id', async () => {
    const r = await get('/data');
    const body = r.body as DataBody;
    expect(r.status).toBe(200);
    expect(body.data).toHaveLength(50);
    expect(body.pagination).toMatchObject({ mode: 'cursor', has_more: true });
    expect(r.headers.get('x-request-id')).toBe(body.meta.request_id);
    expect(body.meta.api_latency_ms).toBeGreaterThanOrEqual(0);
    const btc = (await data('?source=coingecko&symbol=BTC')).data.find(
      (l) => l.source_id === 'bitcoin',
    );
    expect(btc).toMatchObject({
      price_usd: '96114.08481738689',
      market_cap_usd: '1903746811536',
      rank: 1,
    });
  });

  it('sends the secure headers: no sniffing, no framing', async () => {
    const r = await get('/data?limit=1');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('keeps an incoming X-Request-Id', async () => {
    const r = await get('/data?limit=1', { 'x-request-id': 'trace-123' });
    expect(r.headers.get('x-request-id')).toBe('trace-123');
    expect((r.body as DataBody).meta.request_id).toBe('trace-123');
  });

  it('filters by source, symbol (case-insensitive), asset_id, q prefix and updated_since', async () => {
    expect((await walk('?source=csv&limit=500')).every((l) => l.source === 'csv')).toBe(true);
    const weth = await walk('?symbol=wEtH&limit=500');
    expect(weth.length).toBeGreaterThanOrEqual(5);
    expect(weth.every((l) => l.symbol === 'WETH')).toBe(true);
    const one = weth[0]!;
    expect(
      (await walk(`?asset_id=${one.asset_id}`)).every((l) => l.asset_id === one.asset_id),
    ).toBe(true);
    const q = await walk('?q=bitc&limit=500');
    expect(q.length).toBeGreaterThan(0);
    expect(
      q.every(
        (l) =>
          l.name!.toLowerCase().startsWith('bitc') || l.symbol.toLowerCase().startsWith('bitc'),
      ),
    ).toBe(true);
    expect((await data('?updated_since=2030-01-01')).data).toEqual([]);
    const since = await walk('?updated_since=2025-02-01T00:00:00Z&limit=500');
    expect(since.every((l) => l.observed_at >= '2025-02-01')).toBe(true);
    expect(since.length).toBeLessThan((await walk('?limit=500')).length); // the 2022 coins are older
  });

  it.each([
    [
      '-market_cap_usd',
      (a: Listing, b: Listing) => Number(b.market_cap_usd ?? -1) - Number(a.market_cap_usd ?? -1),
    ],
    [
      'price_usd',
      (a: Listing, b: Listing) => Number(a.price_usd ?? Infinity) - Number(b.price_usd ?? Infinity),
    ],
    ['rank', (a: Listing, b: Listing) => (a.rank ?? 2 ** 31) - (b.rank ?? 2 ** 31)],
    ['-observed_at', (a: Listing, b: Listing) => b.observed_at.localeCompare(a.observed_at)],
    [
      'symbol',
      (a: Listing, b: Listing) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0),
    ],
  ])('sort=%s walks every listing once, in order', async (sort, compare) => {
    const all = await walk(`?sort=${sort}&limit=500`);
    const paged = await walk(`?sort=${sort}&limit=37`);
    expect(paged.map(key)).toEqual(all.map(key));
    expect(new Set(paged.map(key)).size).toBe(paged.length);
    for (let i = 1; i < paged.length; i++)
      expect(compare(paged[i - 1]!, paged[i]!)).toBeLessThanOrEqual(0);
  });

  it('page pagination matches the same slice of the ordering', async () => {
    const all = await walk('?limit=500');
    const body = await data('?page=3&limit=10');
    expect(body.data.map(key)).toEqual(all.slice(20, 30).map(key));
    expect(body.pagination).toMatchObject({
      mode: 'page',
      total: all.length,
      pages: Math.ceil(all.length / 10),
    });
  });

  it('a cursor walk stays exact while an ingest commits between pages', async () => {
    const before = new Set((await walk('?limit=500')).map(key));
    const seen = await walk('?limit=40', async (page) => {
      if (page === 2) await ingest('coinpaprika');
    });
    const keys = seen.map(key);
    expect(new Set(keys).size).toBe(keys.length); // no row twice
    for (const k of before) expect(keys).toContain(k); // no row that existed is skipped
  });
});

describe('GET /assets/:id', () => {
  it('returns the asset, its listings and their provenance', async () => {
    const [btc] = (await data('?source=csv&symbol=btc')).data;
    const r = await get(`/assets/${btc!.asset_id}`);
    expect(r.status).toBe(200);
    const asset = (
      r.body as {
        data: {
          symbol: string;
          listings: { source: string; match: { method: string }; price_usd: string }[];
        };
      }
    ).data;
    expect(asset.symbol).toBe('BTC');
    expect(asset.listings.map((l) => l.source)).toEqual(
      expect.arrayContaining(['coingecko', 'csv']),
    );
    expect(
      asset.listings.every(
        (l) => typeof l.match.method === 'string' && typeof l.price_usd === 'string',
      ),
    ).toBe(true);
  });

  it('404 for an unknown asset, 400 for a bad id', async () => {
    expect((await get('/assets/999999999')).status).toBe(404);
    const bad = await get('/assets/abc');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: { code: 'bad_request', message: 'id: must be a positive whole number' },
    });
    // a number past any id is out of range, not "not a whole number"
    for (const path of ['/assets/99999999999999999999', '/runs/9007199254740993']) {
      const huge = await get(path);
      expect(huge.status, path).toBe(400);
      expect(huge.body, path).toMatchObject({
        error: { message: 'id: must be at most 9007199254740991' },
      });
    }
    const compare = await get('/runs/compare?a=1&b=99999999999999999999');
    expect(compare.body).toMatchObject({
      error: { message: 'b must be at most 9007199254740991' },
    });
  });
});

describe('health, stats, runs, metrics, docs', () => {
  it('GET /health reports the database and the last run per source', async () => {
    const r = await get('/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: 'ok',
      database: { reachable: true, driver: handle.driver },
      last_runs: { csv: { status: 'succeeded' } },
    });
  });

  it('GET /health is 503 when the database is down', async () => {
    const other = await createTestDatabase();
    const down = await other.open();
    const downApp = createApp({
      handle: down,
      sources: sourceNames,
      metrics: createHttpMetrics(),
      version: 'test',
    });
    await down.close();
    await releaseDataDir(other.env.KX_DATA_DIR); // closed for real: this process kept it open
    const r = await downApp.request('/health');
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ status: 'unavailable', database: { reachable: false } });
    await other.drop();
  });

  it('GET /stats shares the status read model', async () => {
    const r = await get('/stats');
    const stats = (
      r.body as {
        data: {
          sources: {
            source: string;
            runs: { succeeded: number };
            records: { loaded: number };
            durations: { avg_ms: number };
          }[];
        };
      }
    ).data;
    const csv = stats.sources.find((s) => s.source === 'csv')!;
    expect(csv.runs.succeeded).toBe(1);
    expect(csv.records.loaded).toBe(250);
    expect(csv.durations.avg_ms).toBeGreaterThanOrEqual(0);
  });

  it('GET /runs, /runs/:id and /runs/compare', async () => {
    const list = (await get('/runs?limit=1&source=csv')).body as {
      data: { id: number; source: string }[];
    };
    expect(list.data).toHaveLength(1);
    expect(list.data[0]!.source).toBe('csv');
    const detail = (await get(`/runs/${list.data[0]!.id}`)).body as {
      data: { attempts_detail: { attempt: number; status: string }[] };
    };
    expect(detail.data.attempts_detail).toEqual([
      expect.objectContaining({ attempt: 1, status: 'succeeded' }),
    ]);
    expect((await get('/runs/99999')).status).toBe(404);

    // Run b: every 100th coin renamed (one vanishes, one appears), bitcoin 3x dearer.
    const cg = (await get('/runs?source=coingecko&limit=1')).body as { data: { id: number }[] };
    fake.transform('markets', (item, i) => {
      if (item.id === 'bitcoin')
        return { ...item, current_price: 288342.25, last_updated: '2025-02-09T18:00:00.000Z' };
      return i % 100 === 50 ? { ...item, id: `${String(item.id)}-renamed` } : item;
    });
    await ingest('coingecko');
    const b = (await get('/runs?source=coingecko&limit=1')).body as { data: { id: number }[] };
    const cmp = await get(`/runs/compare?a=${cg.data[0]!.id}&b=${b.data[0]!.id}`);
    expect(cmp.status).toBe(200);
    const anomalies = (
      cmp.body as { data: { anomalies: { kind: string; details: Record<string, unknown> }[] } }
    ).data.anomalies;
    const of = (kind: string) => anomalies.find((x) => x.kind === kind)?.details;
    const renamed = fake.coingeckoItems().filter((item) => String(item.id).endsWith('-renamed'));
    expect(of('coins_appeared')).toMatchObject({
      count: renamed.length,
      source_ids: renamed.map((i) => i.id).sort(),
    });
    expect(of('coins_vanished')).toMatchObject({ count: renamed.length });
    expect(of('price_move')).toEqual({
      source_id: 'bitcoin',
      from: '96114.08481738689',
      to: '288342.25',
    });
    expect(of('record_count_drop')).toBeUndefined();
    const mixed = await get(`/runs/compare?a=${list.data[0]!.id}&b=${b.data[0]!.id}`);
    expect(mixed.status).toBe(400);
  });

  it('GET /metrics is Prometheus text with run and HTTP metrics', async () => {
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = r.body as string;
    expect(text).toMatch(/^kx_runs\{source="csv",status="succeeded"\} 1$/m);
    expect(text).toMatch(
      /^kx_http_requests_total\{route="\/data",method="GET",status="200"\} \d+$/m,
    );
    expect(text).toMatch(
      /^kx_http_request_duration_seconds_bucket\{le="\+Inf",route="\/data"\} \d+$/m,
    );
    expect(text).toMatch(/^kx_records_total\{source="csv",outcome="loaded"\} 250$/m);
    expect(text).toMatch(/^kx_assets \d+$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m); // Node's process metrics
  });

  // DESIGN §7: text `promtool check metrics` accepts. CI installs it (Debian's prometheus).
  it.skipIf(!promtool && !process.env.CI)(
    'GET /metrics passes promtool check metrics',
    async () => {
      const text = (await get('/metrics')).body as string;
      const check = spawnSync(promtool ?? 'promtool', ['check', 'metrics'], {
        input: text,
        encoding: 'utf8',
      });
      expect(check.error).toBeUndefined();
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
    },
  );

  it('GET /openapi.json is built from the validating schemas; /docs is a page', async () => {
    const spec = (await get('/openapi.json')).body as {
      openapi: string;
      paths: Record<
        string,
        { get: { parameters: { name: string; schema: Record<string, unknown> }[] } }
      >;
    };
    expect(spec.openapi).toBe('3.1.0');
    const params = spec.paths['/data']!.get.parameters;
    expect(params.map((p) => p.name)).toEqual([
      'source',
      'symbol',
      'asset_id',
      'q',
      'updated_since',
      'sort',
      'limit',
      'cursor',
      'page',
      'format',
    ]);
    expect(params.find((p) => p.name === 'sort')!.schema.enum).toContain('-market_cap_usd');
    expect(params.find((p) => p.name === 'source')!.schema.enum).toEqual(sourceNames);
    const docs = await get('/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(docs.body).toContain('GET /data');
    expect(docs.body).toContain('rows per page, 1–500, default 50');
  });
});

describe('response schemas (the OpenAPI document is built from them)', () => {
  it("every JSON answer validates against its route's schema", async () => {
    const [run] = ((await get('/runs?limit=2')).body as { data: { id: number }[] }).data;
    const cases: [string, v.GenericSchema][] = [
      ['/data?limit=5', ListingPageSchema],
      ['/data?page=2&limit=3&sort=-market_cap_usd', ListingPageSchema],
      ['/assets/1', AssetSchema],
      ['/health', HealthSchema],
      ['/stats', StatsSchema],
      ['/runs?limit=5', RunListSchema],
      [`/runs/${run!.id}`, RunDetailSchema],
      [`/runs/compare?a=${run!.id}&b=${run!.id}`, ComparisonSchema],
      [`/runs/${run!.id}/rejected`, RejectedPageSchema],
      ['/data?limit=0', ErrorBodySchema],
      ['/runs/999999', ErrorBodySchema],
    ];
    for (const [path, schema] of cases) {
      const result = v.safeParse(schema, (await get(path)).body);
      expect(result.success ? [] : v.flatten(result.issues), path).toEqual([]);
    }
  });

  it('the OpenAPI document has every registered route, with an operationId and a 200 schema', async () => {
    const spec = (await get('/openapi.json')).body as {
      paths: Record<
        string,
        { get: { operationId: string; responses: Record<string, { content?: object }> } }
      >;
    };
    const registered = new Set(
      app.routes.filter((r) => r.method === 'GET').map((r) => r.path.replace(/:(\w+)/g, '{$1}')),
    );
    expect(Object.keys(spec.paths).sort()).toEqual([...registered].sort());
    const ids = Object.values(spec.paths).map((p) => p.get.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, item] of Object.entries(spec.paths))
      expect(item.get.responses['200']?.content, path).toBeDefined();
  });
});

describe('JSON casing', () => {
  it('every key of every route is snake_case (DESIGN §7)', async () => {
    const [run] = ((await get('/runs?limit=2')).body as { data: { id: number }[] }).data;
    const paths = ['/data?limit=3', '/assets/1', '/health', '/stats', '/runs?limit=5'];
    paths.push(`/runs/${run!.id}`, `/runs/compare?a=${run!.id}&b=${run!.id}`);
    for (const path of paths) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(keysNotSnakeCase(r.body), path).toEqual([]);
    }
  });
});

describe('bad requests', () => {
  it.each([
    ['/data?limit=0', 'limit must be at least 1'],
    ['/data?limit=501', 'limit must be at most 500'],
    ['/data?limit=1&limit=2', 'limit: given 2 times; give it once'],
    ['/data?sort=price', 'sort must be one of id, symbol'],
    ['/data?source=binance', 'source must be one of coingecko, coinpaprika, csv'],
    ['/data?colour=red', 'colour: unknown parameter'],
    ['/data?updated_since=yesterday', 'updated_since must be an ISO 8601'],
    ['/data?cursor=abc&page=2', 'cursor, page: give one of them, not both'],
    ['/data?cursor=not-a-cursor', 'cursor: not a cursor from this API'],
    ['/runs/compare?a=1', 'b: '],
  ])('%s → 400 naming the parameter', async (path, message) => {
    const r = await get(path);
    expect(r.status).toBe(400);
    expect((r.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'bad_request',
    });
    expect((r.body as { error: { message: string } }).error.message).toContain(message);
  });

  it('a cursor of another sort is refused', async () => {
    const { pagination } = await data('?limit=1&sort=rank');
    const r = await get(`/data?sort=symbol&cursor=${pagination.next_cursor}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      error: { message: 'cursor: it belongs to sort=rank, not sort=symbol' },
    });
  });

  it('values PostgreSQL would refuse are a 400 naming the parameter, never a 500', async () => {
    const cursor = (parts: string[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    const cases: [string, string][] = [
      ['q=%00', 'q'],
      ['q=a%00b', 'q'],
      ['symbol=btc%00', 'symbol'],
      ['updated_since=0000-01-01', 'updated_since'],
      ['updated_since=9999-12-31T23:59:59-23:59', 'updated_since'],
      ['updated_since=2025-02-30', 'updated_since'],
      ['updated_since=2025-02-29T10:00:00Z', 'updated_since'],
      [
        `sort=observed_at&cursor=${cursor(['observed_at', '2025-02-30 00:00:00+00', 'csv', 'x'])}`,
        'cursor',
      ],
      [
        `sort=observed_at&cursor=${cursor(['observed_at', '0000-01-01 00:00:00+00', 'csv', 'x'])}`,
        'cursor',
      ],
      [
        `sort=observed_at&cursor=${cursor(['observed_at', '2025-01-01 00:00:00+23', 'csv', 'x'])}`,
        'cursor',
      ],
      [`cursor=${cursor(['id', '', 'csv', 'x\u0000'])}`, 'cursor'],
    ];
    for (const [query, name] of cases) {
      const r = await get(`/data?${query}`);
      expect(r.status, query).toBe(400);
      expect((r.body as { error: { message: string } }).error.message, query).toMatch(
        new RegExp(`^${name}[: ]`),
      );
    }
  });

  it.each(['__proto__', 'constructor', 'toString'])(
    '%s=x is an unknown parameter like any other',
    async (name) => {
      const r = await get(`/data?${name}=x`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { message: `${name}: unknown parameter` } });
    },
  );

  it.each([
    ['POST', '/data'],
    ['DELETE', '/runs/1'],
    ['PUT', '/health'],
  ])('%s %s is 405 with an Allow header; an unknown path stays 404', async (method, path) => {
    const res = await app.request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
    expect((await app.request('/nowhere', { method })).status).toBe(404);
  });

  it.each([
    ['a 100 KB URL', `GET /data?q=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ['a bad header byte', 'GET /data HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n', 400],
    ['not HTTP at all', 'HELLO\r\n\r\n', 400],
  ])('%s refused by the HTTP parser gets the JSON error body too', async (_, request, status) => {
    const server = await listen(app, { host: '127.0.0.1', port: 0 });
    try {
      const { hostname, port } = new URL(server.url);
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = connect(Number(port), hostname, () => socket.end(request));
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(answer).toMatch(/content-type: application\/json/i);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as {
        error: { code: string; message: string };
      };
      expect(body.error.message.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('unknown routes are 404 JSON', async () => {
    const r = await get('/admin');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'not_found', message: 'no route GET /admin' } });
  });

  it('a route with a trailing slash is 404 naming the route meant', async () => {
    for (const [path, meant] of [
      ['/data/', '/data'],
      ['/runs/1//', '/runs/1'],
    ]) {
      const r = await get(path!);
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({
        error: { message: `no route GET ${path} (without the trailing slash: ${meant})` },
      });
    }
    expect((await get('/admin/')).body).toMatchObject({
      error: { message: 'no route GET /admin/' },
    });
  });

  it('fuzz: hundreds of hostile query strings are 400 or 200, never 500, never a stack', async () => {
    const names = [
      'limit',
      'page',
      'cursor',
      'sort',
      'source',
      'symbol',
      'asset_id',
      'q',
      'updated_since',
      'x',
      '',
    ];
    const values = [
      '-1',
      '0',
      '1e3',
      '99999999999999999999',
      'NaN',
      'null',
      '',
      ' ',
      '%00',
      '%27%20OR%201%3D1--',
      "'; drop table quotes;--",
      '%E2%80%AE',
      '🙂',
      'ß'.repeat(600),
      'a'.repeat(5000),
      '2024-02-30',
      '1.5',
      '0x10',
      '%',
      '[]',
      '{}',
      'undefined',
      Buffer.from(JSON.stringify(['rank', '99999999999', 'csv', 'x'])).toString('base64url'),
      Buffer.from(JSON.stringify(['-price_usd', '1e400', 'csv', 'x'])).toString('base64url'),
      Buffer.from(JSON.stringify(['-observed_at', '2024-13-45 99:99:99+00', 'csv', 'x'])).toString(
        'base64url',
      ),
      Buffer.from(JSON.stringify(['id', '', "csv'", 'x'])).toString('base64url'),
      '0000-01-01',
      '9999-12-31T23:59:59-23:59',
      'a%00b',
      Buffer.from(JSON.stringify(['observed_at', '2025-02-30 00:00:00+00', 'csv', 'x'])).toString(
        'base64url',
      ),
    ];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const pairs = Array.from(
        { length: 1 + rand(3) },
        () => `${names[rand(names.length)]}=${values[rand(values.length)]}`,
      );
      const path = `${['/data', '/runs', '/runs/compare', '/assets/1', '/stats'][rand(5)]}?${pairs.join('&')}`;
      const res = await app.request(path);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect([200, 400, 404], path).toContain(res.status);
      const text = await res.text();
      expect(text, path).not.toMatch(/\bat .+\.(ts|js):\d+/);
      if (res.status === 400)
        expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    expect(statuses.get(400)).toBeGreaterThan(200);
  });
});

describe('KX_API_TOKEN', () => {
  const secured = () =>
    createApp({
      handle,
      sources: sourceNames,
      token: 's3cret',
      metrics: createHttpMetrics(),
      version: 'test',
    });
  it('every route but /health needs the bearer token', async () => {
    const app = secured();
    const routes = [
      '/data',
      '/assets/1',
      '/stats',
      '/runs',
      '/runs/1',
      '/runs/compare?a=1&b=1',
      '/metrics',
      '/openapi.json',
      '/docs',
    ];
    for (const path of routes) {
      const denied = await app.request(path);
      expect(denied.status, path).toBe(401);
      expect(denied.headers.get('www-authenticate')).toBe('Bearer');
      expect(
        (await app.request(path, { headers: { authorization: 'Bearer wrong' } })).status,
        path,
      ).toBe(401);
      const allowed = await app.request(path, { headers: { authorization: 'Bearer s3cret' } });
      expect([200, 404], path).toContain(allowed.status);
    }
    expect(
      (await app.request('/data', { headers: { authorization: 'Bearer s3cret' } })).status,
    ).toBe(200);
    expect((await app.request('/health')).status).toBe(200);
  });

  it('reads the scheme in any case, and answers a malformed header 400 (RFC 6750)', async () => {
    const app = secured();
    for (const scheme of ['bearer', 'BEARER', 'Bearer  '])
      expect(
        (await app.request('/stats', { headers: { authorization: `${scheme} s3cret` } })).status,
      ).toBe(200);
    const malformed = await app.request('/stats', { headers: { authorization: 'Basic czNjcmV0' } });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'bad_request' } });
    const full = await app.request('/health', { headers: { authorization: 'bearer s3cret' } });
    expect(await full.json()).toHaveProperty('version', 'test');
  });

  it('/health tells a probe without the token only that kx and its database are up', async () => {
    const app = secured();
    const probe = await app.request('/health');
    expect(probe.status).toBe(200);
    expect(await probe.json()).toEqual({ status: 'ok', database: { reachable: true } });
    const full = await app.request('/health', { headers: { authorization: 'Bearer s3cret' } });
    expect(await full.json()).toMatchObject({
      status: 'ok',
      database: { reachable: true, driver: handle.driver },
      last_runs: expect.any(Object) as object,
      version: 'test',
    });
  });
});

describe('size limits', () => {
  it('a request body over 16 KiB is refused with 413', async () => {
    const res = await app.request('/data', {
      method: 'POST',
      body: 'x'.repeat(20 * 1024),
      headers: { 'content-length': String(20 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});
