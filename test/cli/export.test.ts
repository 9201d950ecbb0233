import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/db/sql.js';
import { repoRoot, runKx } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * #16: `kx export`, the real CLI, against the rows in the database. The history is 5,000
 * hourly BTC quotes, so a raw export spans three of the pages it is read in.
 */
let database: TestDatabase;
let work: string;
const HOURS = 5000;
const start = Date.UTC(2024, 0, 1);
/** Prices with 8 decimals, none a float's artefact and none with a trailing zero: `40000.00000001`. */
const price = (i: number) => `${40000 + i}.${String((i * 7919) % 10_000_000).padStart(7, '0')}1`;

beforeAll(async () => {
  database = await createTestDatabase();
  work = mkdtempSync(join(tmpdir(), 'kx-export-'));
  const lines = ['time,symbol,name,close'];
  for (let i = 0; i < HOURS; i++)
    lines.push(`${new Date(start + i * 3_600_000).toISOString()},BTC,Bitcoin,${price(i)}`);
  writeFileSync(join(work, 'btc-hourly.csv'), `${lines.join('\n')}\n`);
  for (const file of [join(work, 'btc-hourly.csv'), join(repoRoot, 'fixtures/sample.csv')]) {
    const r = await runKx(['ingest', '--source', 'csv', '--file', file], database.env);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await database.drop();
});

async function stored<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const handle = await database.open();
  try {
    return await selectRows<T>(handle.db, query);
  } finally {
    await handle.close();
  }
}

const csvRows = (text: string) => parse<Record<string, string>>(text, { columns: true });
type RunJson = { run_id: number; rejected: number };

describe('kx export', () => {
  it('quotes: every raw observation of the window, exact, in each format', async () => {
    const expected = (
      await stored<{ observed_at: string; price_usd: string }>(
        sql`select to_char(q.observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as observed_at,
              q.price_usd::text as price_usd
            from quotes q join assets a on a.id = q.asset_id
            where a.symbol = 'BTC' and q.observed_at >= '2024-01-01' and q.observed_at < '2025-01-01'
            order by q.observed_at`,
      )
    ).map((r) => ({ ...r, price_usd: r.price_usd }));
    expect(expected).toHaveLength(HOURS);
    expect(expected[HOURS - 1]).toEqual({
      observed_at: new Date(start + (HOURS - 1) * 3_600_000).toISOString(),
      price_usd: price(HOURS - 1),
    });
    const window = ['--asset', 'btc', '--from', '2024-01-01', '--to', '2025-01-01'];

    const csv = await runKx(['export', 'quotes', ...window], database.env);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'source,source_id,observed_at,price_usd,market_cap_usd,volume_24h_usd',
    );
    const rows = csvRows(csv.stdout);
    expect(rows.map((r) => ({ observed_at: r.observed_at, price_usd: r.price_usd }))).toEqual(
      expected,
    );

    const ndjson = await runKx(['export', 'quotes', ...window, '--format', 'ndjson'], database.env);
    const lines = ndjson.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(HOURS);
    expect(lines.map((l) => JSON.parse(l) as Record<string, string>)).toEqual(
      rows.map((r) => ({ ...r, market_cap_usd: null, volume_24h_usd: null })),
    );

    const json = await runKx(['export', 'quotes', ...window, '--format', 'json'], database.env);
    expect(JSON.parse(json.stdout)).toEqual(lines.map((l) => JSON.parse(l) as unknown));
  });

  it('quotes per day with the consensus; listings and assets', async () => {
    const daily = await runKx(
      ['export', 'quotes', '--asset', 'BTC', '--from', '2024-01-01', '--to', '2024-01-04'],
      database.env,
    );
    expect(csvRows(daily.stdout)).toHaveLength(72);
    const buckets = await runKx(
      [
        'export',
        'quotes',
        '--asset',
        'BTC',
        '--from',
        '2024-01-01',
        '--to',
        '2024-01-04',
        '--interval',
        '1d',
        '--source',
        'csv,consensus',
      ],
      database.env,
    );
    expect(buckets.code, buckets.stderr).toBe(0);
    const days = csvRows(buckets.stdout);
    expect(days.map((d) => [d.source, d.bucket, d.close, d.observations])).toEqual(
      [0, 1, 2].flatMap((day) => [
        ['consensus', `2024-01-0${day + 1}T00:00:00Z`, price(day * 24 + 23), '1'],
        ['csv', `2024-01-0${day + 1}T00:00:00Z`, price(day * 24 + 23), '24'],
      ]),
    );
    expect(days[1]).toMatchObject({ open: price(0), high: price(23), low: price(0) });

    const [counts] = await stored<{ listings: number; assets: number }>(
      sql`select (select count(*)::int from asset_sources) as listings,
            (select count(*)::int from assets) as assets`,
    );
    const listings = await runKx(['export', 'listings', '--format', 'json'], database.env);
    const parsed = JSON.parse(listings.stdout) as { source: string; match: { method: string } }[];
    expect(parsed).toHaveLength(counts!.listings);
    expect(parsed.every((l) => l.source === 'csv' && typeof l.match.method === 'string')).toBe(
      true,
    );
    const assets = await runKx(['export', 'assets'], database.env);
    const assetRows = csvRows(assets.stdout);
    expect(assetRows).toHaveLength(counts!.assets);
    const btc = await runKx(
      ['export', 'assets', '--asset', 'BTC', '--format', 'ndjson'],
      database.env,
    );
    expect(JSON.parse(btc.stdout)).toMatchObject({ symbol: 'BTC', listings: 2, sources: ['csv'] });
  });

  it.each([
    [['export', 'quotes'], '--asset: `kx export quotes` needs the coin'],
    [['export', 'quotes', '--asset', 'NOPE'], '--asset NOPE: no asset has this symbol'],
    [['export', 'quotes', '--asset', 'BTC', '--source', 'consensus'], 'needs --interval'],
    [['export', 'quotes', '--asset', 'BTC', '--from', '2024-13-01'], '--from 2024-13-01'],
    [['export', 'quotes', '--asset', 'BTC', '--to', '01/02/2024'], 'expected an ISO 8601 date'],
    [['export', 'quotes', '--asset', 'BTC', '--source', 'kraken'], '--source kraken'],
    [['export', 'assets', '--interval', '1d'], 'only `kx export quotes` takes it'],
    [['export', 'listings', '--source', 'csv,coingecko'], 'takes one source'],
    [['export', 'prices'], "value 'prices' is invalid for argument 'what'"],
    [['export', 'listings', '--run', '1'], '--run: only `kx export rejected` takes it'],
    [['export', 'rejected', '--run', '987654'], '--run 987654: there is no run #987654'],
    [['export', 'rejected', '--asset', 'BTC'], '`kx export rejected` takes --run or --source'],
    [['export', 'rejected', '--run', 'last'], "'--run <id>' argument 'last' is invalid"],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runKx(args, database.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("prefixes a name a spreadsheet would run as a formula with ' in CSV, not in NDJSON", async () => {
    const names = ['=HYPERLINK("http://example.com","x")', "-2+3+cmd|' /C calc'!A0", '@SUM(1)'];
    const file = join(work, 'formulas.csv');
    writeFileSync(
      file,
      `symbol,name,price,percent_change_24h\n` +
        names.map((n, i) => `XQF${i},"${n.replaceAll('"', '""')}",1.5,-2.25`).join('\n') +
        '\n',
    );
    const loaded = await runKx(['ingest', '--source', 'csv', '--file', file], database.env);
    expect(loaded.code, loaded.stderr).toBe(0);
    const args = ['export', 'listings', '--source', 'csv'];
    const csv = csvRows((await runKx(args, database.env)).stdout).filter((r) =>
      r.symbol!.startsWith('XQF'),
    );
    expect(csv.map((r) => [r.name, r.percent_change_24h])).toEqual(
      names.map((n) => [`'${n}`, '-2.25']),
    );
    const ndjson = await runKx([...args, '--format', 'ndjson'], database.env);
    const rows = ndjson.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { symbol: string; name: string })
      .filter((r) => r.symbol.startsWith('XQF'));
    expect(rows.map((r) => r.name)).toEqual(names);
  });

  it('rejected: the ingest names the first, the export lists every one with its record', async () => {
    // 2,100 bad rows of 5,000 (under KX_MAX_REJECT_RATIO): the export reads them in two pages.
    const lines = ['date,symbol,price'];
    const bad = new Map<number, string>();
    for (let i = 0; i < 5000; i++) {
      const day = new Date(Date.UTC(2010, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const cell = i % 50 < 21 ? `n/a ${i}` : `${i + 1}.5`;
      if (cell.startsWith('n/a')) bad.set(i + 2, cell);
      lines.push(`${day},XRJ,${cell}`);
    }
    const file = join(work, 'xrj.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = await runKx(['ingest', '--source', 'csv', '--file', file, '--json'], database.env);
    expect(run.code, run.stderr).toBe(0);
    const { run_id: runId, rejected } = JSON.parse(run.stdout) as RunJson;
    expect(rejected).toBe(2100);
    // The first three, where and why, and the command that lists them all.
    expect(run.stderr).toContain(`csv run #${runId} rejected 2100 records, the first 3:`);
    expect(run.stderr).toContain(`${file}:2: price_usd: not a number: "n/a 0"`);
    expect(run.stderr).toContain(`${file}:4: price_usd: not a number: "n/a 2"`);
    expect(run.stderr).toContain(`kx export rejected --run ${runId}`);

    const csv = await runKx(['export', 'rejected', '--run', String(runId)], database.env);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'run_id,source,locator,source_id,field,reason,record,rejected_at',
    );
    const rows = csvRows(csv.stdout);
    expect(rows.map((r) => [r.locator, r.field, r.reason])).toEqual(
      [...bad].map(([line, cell]) => [
        `${file}:${line}`,
        'price_usd',
        `price_usd: not a number: "${cell}"`,
      ]),
    );
    expect(new Set(rows.map((r) => r.run_id))).toEqual(new Set([String(runId)]));

    const ndjson = await runKx(
      ['export', 'rejected', '--run', String(runId), '--format', 'ndjson'],
      database.env,
    );
    const records = ndjson.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { locator: { line: number }; record: Record<string, string> });
    expect(records).toHaveLength(2100);
    expect(records[1]).toMatchObject({
      locator: { file, line: 3 },
      record: { date: '2010-01-02', symbol: 'XRJ', price: 'n/a 1' },
    });
    // Every run's by default; --source keeps to one source.
    const all = await runKx(['export', 'rejected', '--format', 'ndjson'], database.env);
    expect(all.stdout.trimEnd().split('\n').length).toBeGreaterThanOrEqual(2100);
    const other = await runKx(['export', 'rejected', '--source', 'coingecko'], database.env);
    expect(other.stdout).toBe(
      'run_id,source,locator,source_id,field,reason,record,rejected_at\r\n',
    );
  });

  it('rejected: a resumed run names its rejections, each once, as a run in one go would', async () => {
    const lines = ['date,symbol,price'];
    for (let i = 0; i < 40; i++) {
      const day = new Date(Date.UTC(2012, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      lines.push(`${day},XRR,${i % 4 === 1 ? 'error' : `${i + 1}.5`}`);
    }
    const file = join(work, 'xrr.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const args = ['ingest', '--source', 'csv', '--file', file];
    const failed = await runKx(args, { ...database.env, FAIL_AFTER_N_RECORDS: '15' });
    expect(failed.code, failed.stderr).toBe(5);
    const resumed = await runKx(['resume', '--source', 'csv', '--json'], database.env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [run] = JSON.parse(resumed.stdout) as RunJson[];
    expect(resumed.stderr).toContain(`csv run #${run!.run_id} rejected`);
    expect(resumed.stderr).toContain(`kx export rejected --run ${run!.run_id}`);
    const listed = await runKx(
      ['export', 'rejected', '--run', String(run!.run_id), '--format', 'ndjson'],
      database.env,
    );
    const where = listed.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { locator: { line: number } }).locator.line);
    // Lines 3, 7, 11, …: the ten rows of `error`, before and after the failure, once each.
    expect(where).toEqual(Array.from({ length: 10 }, (_, k) => 3 + 4 * k));
  });

  it('quotes: an export that finds none says when the coin has them, and how to get them', async () => {
    const [{ n } = { n: 0 }] = await stored<{ n: number }>(
      sql`select count(*)::int as n from quotes q join assets a on a.id = q.asset_id
          where a.symbol = 'BTC'`,
    );
    expect(n).toBeGreaterThanOrEqual(HOURS);
    const before = await runKx(
      ['export', 'quotes', '--asset', 'btc', '--to', '2023-06-01'],
      database.env,
    );
    expect(before.code, before.stderr).toBe(0);
    expect(csvRows(before.stdout)).toEqual([]);
    expect(before.stderr).toContain(
      '--asset btc: no quotes in 2023-05-02T00:00:00.000Z to 2023-06-01T00:00:00.000Z ' +
        '(without --from, the 30 days before --to); its quotes are from 2024-01-01T00:00:00Z to ',
    );
    // What it says to pass exports every quote of the coin.
    const advice = /--from (\S+) --to (\S+) exports them all/.exec(before.stderr);
    expect(advice, before.stderr).not.toBeNull();
    const all = await runKx(
      ['export', 'quotes', '--asset', 'btc', '--from', advice![1]!, '--to', advice![2]!],
      database.env,
    );
    expect(all.code, all.stderr).toBe(0);
    expect(csvRows(all.stdout)).toHaveLength(n);
    expect(all.stderr).not.toContain('no quotes');

    const elsewhere = await runKx(
      ['export', 'quotes', '--asset', 'btc', '--source', 'coingecko', '--format', 'json'],
      database.env,
    );
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(JSON.parse(elsewhere.stdout)).toEqual([]);
    expect(elsewhere.stderr).toContain(
      '--asset btc: no quotes of this coin from coingecko are stored',
    );
    // The consensus is of the sources' quotes: it has no quotes of its own to look for.
    const agreed = await runKx(
      ['export', 'quotes', '--asset', 'btc', '--source', 'consensus', '--interval', '1d'].concat([
        '--to',
        '2023-06-01',
      ]),
      database.env,
    );
    expect(agreed.code, agreed.stderr).toBe(0);
    expect(agreed.stderr).toContain('; its quotes are from 2024-01-01T00:00:00Z to ');
  });

  it('names every asset a symbol has when it is not one', async () => {
    const unlinked = await runKx(['unlink', 'csv:btc-bitcoin', '--json'], database.env);
    expect(unlinked.code, unlinked.stderr).toBe(0);
    const r = await runKx(['export', 'quotes', '--asset', 'BTC'], database.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--asset BTC: 2 assets have this symbol: \d+ \(Bitcoin; csv\), \d+ \(Bitcoin; csv\); give the id/,
    );
  });
});
