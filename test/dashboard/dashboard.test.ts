import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/db/sql.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { startServe } from '../helpers/cli.js';
import { loadDashboardData } from '../helpers/dashboard-data.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

/**
 * #17: the dashboard in a real browser (Debian's chromium through playwright-core) against a
 * real `kx serve` over a database loaded from the fixtures and the fake upstream. Each page
 * must show the API's numbers, draw its charts, log no error and ask nothing of any host but
 * 127.0.0.1. CI installs chromium; without it (and outside CI) the suite says why it skips.
 */
// The few browser globals the page functions below use (the suite compiles without the DOM lib).
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  body: object;
};
declare const location: { hash: string };
declare const sessionStorage: { getItem(key: string): string | null };
declare function getComputedStyle(element: object): { backgroundColor: string };
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

const run = hasChromium || process.env.CI ? describe : describe.skip;
if (!hasChromium && !process.env.CI)
  console.warn('dashboard tests skipped: no /usr/bin/chromium (apt-get install chromium)');

let fake: FakeUpstream;
let database: TestDatabase;
let work: string;
let browser: Browser;
let server: Awaited<ReturnType<typeof startServe>>;
let btc: number;

/** What a page did besides rendering: console errors and requests leaving 127.0.0.1. */
interface Watched {
  page: Page;
  errors: string[];
  foreign: string[];
}

async function open(
  path: string,
  options: { width?: number; dark?: boolean; url?: string } = {},
): Promise<Watched> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1200, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const watched: Watched = { page, errors: [], foreign: [] };
  page.on('console', (m) => m.type() === 'error' && watched.errors.push(m.text()));
  page.on('pageerror', (e) => watched.errors.push(e.message));
  page.on('request', (r) => {
    if (new URL(r.url()).hostname !== '127.0.0.1') watched.foreign.push(r.url());
  });
  await page.goto(`${options.url ?? server.url}${path}`);
  await page.waitForSelector('main h1');
  await page.waitForLoadState('networkidle');
  return watched;
}

async function done({ page, errors, foreign }: Watched) {
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
  await page.close();
}

/** Drawn pixels (alpha > 0) on each chart canvas of the page. */
const drawnPixels = (page: Page) =>
  page.$$eval('.chart canvas', (canvases) =>
    (canvases as unknown as Canvas[]).map((c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    }),
  );

const api = async <T>(path: string) =>
  ((await (await fetch(`${server.url}${path}`)).json()) as { data: T }).data;

run('the dashboard at /', () => {
  beforeAll(async () => {
    fake = await startFakeUpstream();
    database = await createTestDatabase();
    work = mkdtempSync(join(tmpdir(), 'kx-dashboard-'));
    const handle = await database.open();
    await loadDashboardData(handle, fake, work);
    const [row] = await selectRows<{ asset_id: number }>(
      handle.db,
      sql`select asset_id from asset_sources where source = 'coingecko' and source_id = 'bitcoin'`,
    );
    btc = Number(row!.asset_id);
    await handle.close();
    server = await startServe(database.env);
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.done;
    await database?.drop();
    await fake?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('overview: totals, a card per source with its last run, the runs chart', async () => {
    const stats = await api<{
      assets: number;
      sources: { source: string; listings: number; last_run: { id: number; status: string } }[];
    }>('/stats');
    const w = await open('/');
    const { page } = w;
    expect(await page.textContent('[data-total="assets"] b')).toBe(
      stats.assets.toLocaleString('en-US'),
    );
    expect(await page.textContent('[data-total="rejected"] b')).toBe('2');
    for (const source of stats.sources) {
      const card = await page.textContent(`[data-source="${source.source}"]`);
      expect(card).toContain(`Last run #${source.last_run.id}: ${source.last_run.status}`);
      expect(card).toContain(`${source.listings.toLocaleString('en-US')} listings`);
    }
    expect(await page.textContent('[data-source="coingecko"]')).toContain('(1 failed)');
    const runs = await page.$$eval('[data-table="runs"] tbody tr', (rows) => rows.length);
    expect(runs).toBe(Math.min(20, (await api<unknown[]>('/runs?limit=200')).length));
    const pixels = await drawnPixels(page);
    expect(pixels.length).toBe(1);
    expect(pixels[0]).toBeGreaterThan(500);
    await done(w);
  });

  it('assets: the /assets rows, search, sort and the next page', async () => {
    const first = await api<{ id: number; symbol: string }[]>('/assets?limit=50');
    const w = await open('/#/assets');
    const { page } = w;
    const ids = async () =>
      Promise.all(
        (await page.$$('[data-table="assets"] tbody tr')).map(async (r) =>
          Number(await r.getAttribute('data-asset')),
        ),
      );
    expect(await ids()).toEqual(first.map((a) => a.id));
    // A hash change renders without a navigation: wait for the rows themselves.
    const shows = (rows: { id: number }[]) =>
      expect.poll(ids, { timeout: 10_000 }).toEqual(rows.map((a) => a.id));
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForFunction(() => location.hash.includes('cursor='));
    const cursor = new URL(page.url().replace('#/assets', 'x')).searchParams.get('cursor');
    await shows(await api<{ id: number }[]>(`/assets?limit=50&cursor=${cursor}`));
    await page.fill('input[name="q"]', 'bit');
    await page.keyboard.press('Enter');
    const found = await api<{ id: number }[]>('/assets?limit=50&q=bit');
    expect(found.length).toBeGreaterThan(0);
    await shows(found);
    await page.getByRole('button', { name: 'spread' }).click();
    await shows(await api<{ id: number }[]>('/assets?limit=50&q=bit&sort=-spread'));
    expect(await page.textContent('button[aria-pressed="true"]')).toBe('spread');
    await done(w);
  });

  it('an asset: its price chart per source and the consensus, divergence, listings', async () => {
    const w = await open(`/#/assets/${btc}?interval=1d&range=30d`);
    const { page } = w;
    expect(await page.textContent('main h1')).toContain('BTC · Bitcoin');
    const listings = await api<{ listings: unknown[] }>(`/assets/${btc}`);
    expect(await page.$$eval('[data-table="listings"] tbody tr', (rows) => rows.length)).toBe(
      listings.listings.length,
    );
    const pixels = await drawnPixels(page);
    expect(pixels).toHaveLength(2); // prices, divergence
    for (const n of pixels) expect(n).toBeGreaterThan(500);
    // CoinPaprika was 8% off on 2023-08-28: the one bucket highlighted.
    const divergent = await page
      .locator('[data-table="divergence"] tbody tr.diverge')
      .allTextContents();
    expect(divergent).toHaveLength(1);
    expect(divergent[0]).toContain('2023-08-28');
    expect(await page.textContent('main')).toContain(`kx link <source>:<id> ${btc}`);
    // The interval buttons change the query: 1w has fewer buckets.
    await page.getByRole('button', { name: '1w' }).click();
    await page.waitForSelector('button[aria-pressed="true"]:has-text("1w")');
    expect(await page.textContent('.chart')).toContain('per 1w');
    expect((await drawnPixels(page))[0]).toBeGreaterThan(500);
    await done(w);
  });

  it('a run: its counters, attempts, rejected records with reasons, the comparison', async () => {
    const runs =
      await api<{ id: number; source: string; rejected: number; stream_key: string }[]>(
        '/runs?limit=200',
      );
    const bad = runs.find((r) => r.source === 'csv' && r.rejected === 2)!;
    const w = await open(`/#/runs/${bad.id}`);
    const { page } = w;
    expect(await page.textContent('[data-total="rejected"] b')).toBe('2');
    const reasons = await page.locator('[data-table="rejected"] tbody tr').allTextContents();
    expect(reasons).toHaveLength(2);
    expect(reasons.join(' ')).toContain('n/a');
    // Every rejected record as a file, fetched as the page fetches (with a token when set).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-download="rejected"]'),
    ]);
    expect(download.suggestedFilename()).toBe(`kx-run-${bad.id}-rejected.csv`);
    const saved = parse<Record<string, string>>(readFileSync(await download.path()), {
      columns: true,
    });
    expect(saved.map((r) => [r.run_id, r.field])).toEqual([
      [String(bad.id), 'price_usd'],
      [String(bad.id), 'price_usd'],
    ]);
    expect(saved.map((r) => r.record).join(' ')).toContain('n/a');
    expect(await page.$$eval('[data-table="attempts"] tbody tr', (r) => r.length)).toBe(1);
    // Its file was read once: it is not compared with the run of the history file before it.
    expect(await page.textContent('main')).toContain(
      `No earlier run of its stream (${bad.stream_key}) among the last 500 of csv.`,
    );
    await done(w);

    // The run that read the history file's appended week is taken with the run before it.
    const [appended, whole] = runs.filter(
      (r) => r.stream_key === bad.stream_key.replace('two-bad-rows', 'btc-history'),
    );
    const onward = await open(`/#/runs/${appended!.id}`);
    await onward.page.waitForSelector('[data-read-on-from]');
    expect(await onward.page.textContent('[data-read-on-from]')).toMatch(
      new RegExp(
        `^It read on from the checkpoint of #${whole!.id}, so it is taken with the 2 runs of its stream back to #${whole!.id}: [\\d,]+ records\\.$`,
      ),
    );
    expect(await onward.page.textContent('[data-comparison]')).toContain('No anomalies.');
    await done(onward);

    // A CoinGecko run is compared with the CoinGecko run before it.
    const [last, before] = runs.filter((r) => r.source === 'coingecko');
    const next = await open(`/#/runs/${last!.id}`);
    await next.page.waitForSelector('[data-comparison]');
    expect(await next.page.getAttribute('[data-comparison]', 'data-comparison')).toBe(
      String(before!.id),
    );
    await done(next);
  });

  it('works at 375 px, by keyboard, and in the dark scheme', async () => {
    const w = await open('/#/assets', { width: 375, dark: true });
    const { page } = w;
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(17, 20, 24)');
    await page.focus('a.brand');
    await page.keyboard.press('Tab'); // Overview
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/');
    await page.waitForSelector('[data-total="assets"]');
    await done(w);
  });

  it('behind a proxy that serves kx under a path: every request stays under it', async () => {
    // A reverse proxy as an ingress configures one: /kx/… goes to kx without the prefix, and
    // nothing else is kx's (an absolute /ui/… or /stats would be another app's, here a 404).
    const target = new URL(server.url);
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(req.url!);
      if (!req.url!.startsWith('/kx/')) return void res.writeHead(404).end('not kx');
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url!.slice('/kx'.length),
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      const prefixed = `http://127.0.0.1:${port}/kx`;
      const w = await open('/', { url: prefixed });
      const { page } = w;
      await page.waitForSelector('[data-total="assets"]');
      expect((await drawnPixels(page))[0]).toBeGreaterThan(500); // uPlot came through the proxy
      await page.goto(`${prefixed}/#/assets/${btc}?interval=1d&range=30d`);
      await page.waitForSelector('[data-table="listings"]');
      await done(w);
      expect(seen.filter((path) => !path.startsWith('/kx/'))).toEqual([]);
      expect(seen).toContain('/kx/stats');
      const docs = await (await fetch(`${prefixed}/docs`)).text();
      expect(docs).toContain('href="openapi.json"');
      expect((await fetch(`${prefixed}/openapi.json`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('with KX_API_TOKEN: the shell shows no data until the token is given', async () => {
    const token = 'dashboard-test-token-0123456789';
    // An embedded database has one server at a time: the open one stops first.
    server.child.kill('SIGTERM');
    await server.done;
    const guarded = await startServe({ ...database.env, KX_API_TOKEN: token });
    try {
      const shell = await (await fetch(`${guarded.url}/`)).text();
      expect(shell).not.toMatch(/\d{3,}/); // no counts, no ids: the shell holds no data
      const w = await open('/', { url: guarded.url });
      const { page } = w;
      expect(await page.textContent('main h1')).toBe('This kx needs its API token');
      expect(await page.$('[data-total]')).toBeNull();
      await page.fill('input[name="token"]', 'wrong-token-wrong-token');
      await page.keyboard.press('Enter');
      await page.waitForSelector('text=That token was refused.');
      await page.fill('input[name="token"]', token);
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-total="assets"]');
      expect(await page.evaluate(() => sessionStorage.getItem('kx-token'))).toBe(token);
      // The refused token's 401 is the one error the console shows.
      w.errors = w.errors.filter((e) => !e.includes('401'));
      await done(w);
    } finally {
      guarded.child.kill('SIGTERM');
      await guarded.done;
    }
  });
});
