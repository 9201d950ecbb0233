import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { LosslessNumber } from 'lossless-json';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { createApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import { RejectedPageSchema } from '../../src/http/schemas.js';
import { sourceNames } from '../../src/sources/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { createFakeSources, ingestWith } from '../helpers/ingest.js';

/**
 * `GET /runs/:id/rejected`: every record a run rejected, paged by a cursor or exported, with
 * the record as its source gave it. A CoinGecko run rejects three items (a negative price),
 * one with a supply no double holds; a CSV run rejects 210 rows of 500.
 */
let database: TestDatabase;
let handle: DbHandle;
let fake: FakeUpstream;
let work: string;
let app: ReturnType<typeof createApp>;
let geckoRun: number;
let csvRun: number;
let file: string;
const HUGE = '123456789012345678901234567';
const badLines: number[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await database.open();
  fake = await startFakeUpstream();
  work = mkdtempSync(join(tmpdir(), 'kx-rejected-'));
  const sources = createFakeSources(fake);
  fake.transform('markets', (item, i) =>
    i < 3 ? { ...item, current_price: -1, total_supply: new LosslessNumber(HUGE) } : item,
  );
  geckoRun = (await ingestWith(handle, sources.coingecko, { maxPages: 1 })).runId;
  const lines = ['date,symbol,price'];
  for (let i = 0; i < 500; i++) {
    const bad = i % 12 < 5;
    if (bad) badLines.push(i + 2);
    const day = new Date(Date.UTC(2015, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${day},XRH,${bad ? '-' : `${i}.25`}`);
  }
  file = join(work, 'xrh.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  csvRun = (await ingestWith(handle, sources.csv, { file, map: [] })).runId;
  app = createApp({ handle, sources: sourceNames, metrics: createHttpMetrics(), version: 'test' });
});
afterAll(async () => {
  await handle.close();
  await fake.close();
  await database.drop();
  rmSync(work, { recursive: true, force: true });
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

type Page = v.InferOutput<typeof RejectedPageSchema>;

describe('GET /runs/:id/rejected', () => {
  it('gives each record as its source gave it, its numbers exact', async () => {
    const r = await get(`/runs/${geckoRun}/rejected`);
    expect(r.status, r.text).toBe(200);
    const body = JSON.parse(r.text) as Page;
    const checked = v.safeParse(RejectedPageSchema, body);
    expect(checked.success ? [] : v.flatten(checked.issues)).toEqual([]);
    const items = fake.coingeckoItems().slice(0, 3);
    expect(body.data.map((d) => [d.source, d.source_id, d.field])).toEqual(
      items.map((item) => ['coingecko', item.id, 'price_usd']),
    );
    expect(body.data.map((d) => (d.record as { id: string }).id)).toEqual(items.map((i) => i.id));
    // A double would write 1.2345678901234568e+26.
    expect(r.text.match(new RegExp(`"total_supply":\\s*${HUGE}[,}]`, 'g'))).toHaveLength(3);
    expect(body.pagination).toEqual({
      mode: 'cursor',
      limit: 100,
      next_cursor: null,
      has_more: false,
    });
  });

  it('pages a run by its cursor, every record once and in order', async () => {
    const seen: Page['data'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const r = await get(`/runs/${csvRun}/rejected?limit=100${query}`);
      expect(r.status, r.text).toBe(200);
      const body = JSON.parse(r.text) as Page;
      seen.push(...body.data);
      cursor = body.pagination.next_cursor;
      expect(body.pagination.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen.map((d) => d.locator)).toEqual(badLines.map((line) => ({ file, line })));
    expect(new Set(seen.map((d) => d.run_id))).toEqual(new Set([csvRun]));
    expect(seen[0]!.record).toEqual({ date: '2015-01-01', symbol: 'XRH', price: '-' });
  });

  it('exports every record as CSV or NDJSON, by format or Accept', async () => {
    const csv = await get(`/runs/${csvRun}/rejected?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const rows = parse<Record<string, string>>(csv.text, { columns: true });
    expect(rows.map((r) => r.locator)).toEqual(badLines.map((line) => `${file}:${line}`));
    const ndjson = await get(`/runs/${geckoRun}/rejected`, { accept: 'application/x-ndjson' });
    expect(ndjson.type).toContain('application/x-ndjson');
    const lines = ndjson.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`"total_supply":\\s*${HUGE}[,}]`));
  });

  it.each([
    ['/runs/987654/rejected', 404, 'run 987654 does not exist'],
    ['/runs/x/rejected', 400, 'id'],
    [`/runs/1/rejected?cursor=abc`, 400, 'cursor: not a cursor from this API'],
    [`/runs/1/rejected?limit=1001`, 400, 'limit must be at most 1000'],
    [`/runs/1/rejected?format=csv&limit=5`, 400, 'limit: an export returns every matching row'],
  ])('%s → %i', async (path, status, message) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    expect((JSON.parse(r.text) as { error: { message: string } }).error.message).toContain(message);
  });
});
