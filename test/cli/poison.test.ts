import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LosslessNumber } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectedRecords } from '../../src/db/schema.js';
import { runKx } from '../helpers/cli.js';
import { makeSnapshotCsv } from '../helpers/csv-gen.js';
import { withOpen, type TestDatabase } from '../helpers/db.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { useUpstreamSetup } from '../helpers/upstream-setup.js';

/**
 * DESIGN §3, invariant 6: no single record can stop a run. Values of every class PostgreSQL
 * refuses are hidden in real-shaped input; each must be quarantined with a reason, and every
 * other record loaded, in one run that exits 0.
 */
const { setup, database: newDatabase } = useUpstreamSetup();

type Cells = string[];
/** CSV columns of fixtures/sample.csv: 2 name, 3 rank, 4 price, 5 market cap, 11 last_updated. */
const CSV_POISONS: [string, (cells: Cells) => void, RegExp][] = [
  ['NUL in the name', (c) => (c[2] = 'Poison\u0000Coin'), /^name: contains a NUL/],
  ['rank over int4', (c) => (c[3] = '99999999999'), /^rank: must be at most 2147483647/],
  ['price over numeric', (c) => (c[4] = '1e131072'), /^price_usd: out of range/],
  ['price of 401 digits', (c) => (c[4] = '1e400'), /^price_usd: has 401 digits before/],
  ['market cap of 5000 digits', (c) => (c[5] = '9'.repeat(5000)), /^market_cap_usd: has 5000/],
  ['year 0', (c) => (c[11] = '0000-01-01'), /^observed_at: 0000-01-01T00:00:00.000Z is outside/],
  ['30 February', (c) => (c[11] = '2025-02-30'), /^observed_at: not a date: "2025-02-30"/],
  ['year 9999', (c) => (c[11] = '9999-12-31T23:59:59Z'), /^observed_at: 9999-12-31.* is outside/],
  ['unix time in year 2286', (c) => (c[11] = '9999999999'), /^observed_at: 2286-.* is outside/],
];
const ROWS = 12_000;
/**
 * The first row, the rows around the first 64 KiB read chunk, the rows around the end of the
 * first batch (KX_BATCH_SIZE's default, 10,000), the last row, and spread between: two
 * batches, 17 refused values in the first.
 */
const POSITIONS = [0, 580, 600, 620, 1000, 2500, 4000, 5000, 6000, 7000, 8000, 9000, 9500]
  .concat([9998, 9999, 10_000, 10_001, 10_500, 11_000, 11_250, 11_500, 11_777, 11_998])
  .concat([ROWS - 1]);

let work: string;
beforeAll(() => (work = makeScratchDir('kx-poison-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function rejectedOf(database: TestDatabase) {
  return withOpen(database, ({ db }) =>
    db
      .select({
        locator: rejectedRecords.locator,
        sourceId: rejectedRecords.sourceId,
        reason: rejectedRecords.reason,
      })
      .from(rejectedRecords),
  );
}

describe('poison records', () => {
  it(`a ${ROWS.toLocaleString('en')}-row CSV with ${POSITIONS.length} refused values loads every other row in one run`, async () => {
    const [header, ...lines] = makeSnapshotCsv(ROWS).trim().split('\n');
    const expected = new Map<number, RegExp>(); // file line -> reason
    POSITIONS.forEach((row, k) => {
      const [, poison, reason] = CSV_POISONS[k % CSV_POISONS.length]!;
      const cells = lines[row]!.split(',');
      poison(cells);
      lines[row] = cells.join(',');
      expected.set(row + 2, reason);
    });
    const file = join(work, 'poisoned.csv');
    writeFileSync(file, `${[header, ...lines].join('\n')}\n`);
    const database = await newDatabase();

    const first = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--json'],
      database.env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      status: 'succeeded',
      fetched: ROWS,
      loaded: ROWS - POSITIONS.length,
      rejected: POSITIONS.length,
    });
    const rejected = await rejectedOf(database);
    const reasons = new Map(rejected.map((r) => [(r.locator as { line: number }).line, r.reason]));
    expect([...reasons.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()]);
    for (const [line, reason] of expected)
      expect(reasons.get(line), `line ${line}`).toMatch(reason);

    const again = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--json'],
      database.env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ fetched: 0, loaded: 0, rejected: 0 });
    expect(await rejectedOf(database)).toHaveLength(POSITIONS.length);
  });

  /**
   * Upstream item transforms: a NUL in a name, rank over int4, a price of 1e400, year 0, and a
   * time in the future (loaded, it would be the listing's latest until 2099).
   */
  const apiPoisons = {
    coingecko: [
      (i: Record<string, unknown>) => ({ ...i, name: 'Poison\u0000Coin' }),
      (i: Record<string, unknown>) => ({
        ...i,
        market_cap_rank: new LosslessNumber('99999999999'),
      }),
      (i: Record<string, unknown>) => ({ ...i, current_price: new LosslessNumber('1e400') }),
      (i: Record<string, unknown>) => ({ ...i, last_updated: '0000-01-01T00:00:00.000Z' }),
      (i: Record<string, unknown>) => ({ ...i, last_updated: '2099-01-01T00:00:00.000Z' }),
    ],
    coinpaprika: [
      (i: Record<string, unknown>) => ({ ...i, name: 'Poison\u0000Coin' }),
      (i: Record<string, unknown>) => ({ ...i, rank: new LosslessNumber('99999999999') }),
      (i: Record<string, unknown>) => {
        const quotes = i.quotes as { USD: Record<string, unknown> };
        return { ...i, quotes: { USD: { ...quotes.USD, price: new LosslessNumber('1e400') } } };
      },
      (i: Record<string, unknown>) => ({ ...i, last_updated: '0000-01-01T00:00:00Z' }),
      (i: Record<string, unknown>) => ({ ...i, last_updated: '2099-01-01T00:00:00Z' }),
    ],
  };
  const API_REASONS = [
    /^name: contains a NUL/,
    /^rank: /,
    /^price_usd: has 401 digits/,
    /^observed_at: 0000/,
    /^observed_at: 2099-01-01T00:00:00\.000Z is in the future/,
  ];

  it.each([
    ['coingecko', { coingeckoCoins: 600 }, 'markets', [0, 260, 599, 300, 450]],
    ['coinpaprika', { paprikaTickers: 1500 }, 'tickers', [0, 700, 1499, 1000, 1200]],
  ] as const)(
    '%s: poisoned items are quarantined and every other item loads',
    async (source, options, route, positions) => {
      const { database, fake, env } = await setup(options);
      const poisoned = new Map<string, RegExp>(); // source id -> reason
      fake.transform(route, (item, index) => {
        const k = positions.indexOf(index as never);
        if (k < 0) return item;
        poisoned.set(String(item.id), API_REASONS[k]!);
        return apiPoisons[source][k]!(item);
      });
      const r = await runKx(['ingest', '--source', source, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const total = 'coingeckoCoins' in options ? options.coingeckoCoins : options.paprikaTickers;
      expect(JSON.parse(r.stdout)).toMatchObject({
        status: 'succeeded',
        fetched: total,
        loaded: total - positions.length,
        rejected: positions.length,
      });
      const rejected = await rejectedOf(database);
      expect(rejected.map((x) => x.sourceId).sort()).toEqual([...poisoned.keys()].sort());
      for (const x of rejected) expect(x.reason, x.sourceId!).toMatch(poisoned.get(x.sourceId!)!);
    },
  );
});
