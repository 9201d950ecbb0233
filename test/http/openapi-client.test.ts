import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { createApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import { sourceNames } from '../../src/sources/index.js';
import type { paths } from '../generated/kx-api.js';
import { repoRoot, sampleCsv } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ingestWith } from '../helpers/ingest.js';
import { csvSource } from '../../src/sources/csv/index.js';

/**
 * #16: OpenAPI that tools can use. Redocly's linter finds no error in /openapi.json; the
 * client types in test/generated/kx-api.d.ts are what openapi-typescript makes of it today
 * (`npm run openapi:types` rewrites them); and openapi-fetch, typed by them, walks /assets
 * and a coin's history.
 */
const typesFile = join(repoRoot, 'test/generated/kx-api.d.ts');
let database: TestDatabase;
let handle: DbHandle;
let app: ReturnType<typeof createApp>;
let work: string;
let spec: Record<string, unknown>;

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await database.open();
  await ingestWith(handle, csvSource, { file: sampleCsv, map: [] });
  app = createApp({ handle, sources: sourceNames, metrics: createHttpMetrics(), version: 'test' });
  spec = (await (await app.request('http://127.0.0.1:8000/openapi.json')).json()) as Record<
    string,
    unknown
  >;
  work = mkdtempSync(join(tmpdir(), 'kx-openapi-'));
});
afterAll(async () => {
  await handle.close();
  await database.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('/openapi.json', () => {
  it('passes `redocly lint` (recommended rules) without an error', async () => {
    const file = join(work, 'openapi.json');
    writeFileSync(file, JSON.stringify(spec));
    const redocly = join(repoRoot, 'node_modules/.bin/redocly');
    const run = promisify(execFile);
    const result = await run(redocly, ['lint', file, '--format', 'json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout: string; stderr: string }) => error);
    const report = JSON.parse(result.stdout) as {
      totals: { errors: number };
      problems: { message: string; severity: string }[];
    };
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(spec.servers).toEqual([{ url: 'http://127.0.0.1:8000', description: 'this kx serve' }]);
  });

  it('gives the client types committed in test/generated (npm run openapi:types)', async () => {
    const types = astToString(await openapiTS(spec as never));
    if (process.env.KX_UPDATE_OPENAPI) writeFileSync(typesFile, types);
    expect(types, 'run `npm run openapi:types` after changing a route').toBe(
      readFileSync(typesFile, 'utf8'),
    );
  });

  it('types a client that walks /assets and a coin history', async () => {
    const client = createClient<paths, 'application/json'>({
      baseUrl: 'http://127.0.0.1:8000',
      fetch: async (request) => app.request(request),
    });
    const ids: number[] = [];
    let cursor: string | undefined;
    do {
      const { data, error } = await client.GET('/assets', {
        params: { query: { limit: '100', sort: 'rank', ...(cursor ? { cursor } : {}) } },
      });
      expect(error).toBeUndefined();
      ids.push(...data!.data.map((a) => a.id));
      cursor = data!.pagination.next_cursor ?? undefined;
    } while (cursor);
    expect(new Set(ids).size).toBe(250);
    const btc = await client.GET('/assets', { params: { query: { symbol: 'btc' } } });
    const id = btc.data!.data[0]!.id;
    const history = await client.GET('/assets/{id}/quotes', {
      params: { path: { id }, query: { from: '2025-01-01', to: '2025-03-01' } },
    });
    expect(history.data!.data).toEqual([
      expect.objectContaining({ source: 'csv', price_usd: '96114.08481738689' }),
    ]);
  });
});
