import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { selectRows } from '../../src/db/sql.js';
import { createApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import { HistorySchema } from '../../src/http/schemas.js';
import { linkListing } from '../../src/identity/manual-links.js';
import { csvSource } from '../../src/sources/csv/index.js';
import { sourceNames } from '../../src/sources/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ingestWith } from '../helpers/ingest.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { assertDerived } from '../helpers/state.js';

/**
 * #16: daily and weekly history read a day of many observations from `quote_days` and the
 * rest from `quotes`. Whatever mix of the two a window needs, each bucket must equal what the
 * stored quotes give when grouped here in JavaScript: two listings of one source merged by
 * time, days of one observation, a correction, a row loaded after its day was summed up, and
 * windows that cut a day in two.
 */
let database: TestDatabase;
let handle: DbHandle;
let app: ReturnType<typeof createApp>;
let assetId: number;
let dir: string;

const HEADER = 'id,symbol,name,current_price,market_cap,total_volume,last_updated';
const DAYS = ['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06', '2025-06-07'];
const hh = (h: number) => String(h).padStart(2, '0');

function row(id: string, at: string, price: string, cap = '', volume = '') {
  return `${id},${id === 'alpha' ? 'ALF' : 'ALT'},${id},${price},${cap},${volume},${at}`;
}

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await database.open();
  dir = makeScratchDir('kx-days-');
  const alpha: string[] = [];
  // Three days of hours; no market cap after 20:00 on the first, no volume on the second.
  for (let d = 0; d < 3; d++)
    for (let h = 0; h < 24; h++)
      alpha.push(
        row(
          'alpha',
          `${DAYS[d]}T${hh(h)}:00:00Z`,
          `${100 + d * 10}.${hh(h)}`,
          d === 0 && h >= 20 ? '' : String(1_000_000 + d * 1000 + h),
          d === 1 ? '' : `${5000 + h}.5`,
        ),
      );
  // Then one observation a day, and one a week later.
  for (const day of [...DAYS.slice(3), '2025-06-09'])
    alpha.push(row('alpha', `${day}T12:00:00Z`, `${day.slice(-2)}.5`, '2000000', '7000'));
  // The second listing: half hours on the second and third day, one morning on the fifth.
  const alt: string[] = [];
  for (let d = 1; d < 3; d++)
    for (let h = 0; h < 24; h++)
      alt.push(row('alt', `${DAYS[d]}T${hh(h)}:30:00Z`, `${200 + d}.${hh(h)}`, '', '9000'));
  alt.push(row('alt', `${DAYS[4]}T06:00:00Z`, '44.25', '3000000', ''));
  const write = (name: string, lines: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, `${HEADER}\n${lines.join('\n')}\n`);
    return file;
  };
  await ingestWith(handle, csvSource, { file: write('alpha.csv', alpha), map: [] });
  await ingestWith(handle, csvSource, { file: write('alt.csv', alt), map: [] });
  const [listing] = await selectRows<{ asset_id: string }>(
    handle.db,
    sql`select asset_id from asset_sources where source = 'csv' and source_id = 'alpha'`,
  );
  assetId = Number(listing!.asset_id);
  await linkListing(handle.db, 'csv', 'alt', assetId);
  // A correction of a summed-up day, and a second observation for a day that had one.
  await ingestWith(handle, csvSource, {
    file: write('later.csv', [
      row('alpha', `${DAYS[1]}T05:00:00Z`, '999.99', '1', '2'),
      row('alpha', `${DAYS[3]}T18:00:00Z`, '3.25', '', '8000'),
    ]),
    map: [],
  });
  app = createApp({ handle, sources: sourceNames, metrics: createHttpMetrics(), version: 'test' });
}, 120_000);
afterAll(async () => {
  await handle.close();
  await database.drop();
});

interface Quote {
  source: string;
  at: string;
  price: string;
  cap: string | null;
  volume: string | null;
}

/** The buckets the stored quotes give, grouped here: what the API must answer. */
async function expected(from: string, to: string, unit: 'day' | 'week') {
  const quotes = await selectRows<Quote>(
    handle.db,
    sql`select source, to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at,
          price_usd::text as price, market_cap_usd::text as cap, volume_24h_usd::text as volume
        from quotes where asset_id = ${assetId} and observed_at >= ${from}::timestamptz
          and observed_at < ${to}::timestamptz
        order by observed_at`,
  );
  const bucketOf = (at: string) => {
    const day = new Date(`${at.slice(0, 10)}T00:00:00Z`);
    if (unit === 'week') day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
    return `${day.toISOString().slice(0, 10)}T00:00:00Z`;
  };
  const groups = new Map<string, Quote[]>();
  for (const q of quotes) {
    const key = `${bucketOf(q.at)} ${q.source}`;
    groups.set(key, [...(groups.get(key) ?? []), q]);
  }
  const byValue = (a: string, b: string) => Number(a) - Number(b);
  const lastOf = (values: (string | null)[]) => values.filter((x) => x !== null).at(-1) ?? null;
  return [...groups.keys()].sort().map((key) => {
    const qs = groups.get(key)!;
    const prices = qs.map((q) => q.price);
    return {
      source: qs[0]!.source,
      bucket: key.split(' ')[0],
      open: prices[0],
      high: [...prices].sort(byValue).at(-1),
      low: [...prices].sort(byValue)[0],
      close: prices.at(-1),
      market_cap_usd: lastOf(qs.map((q) => q.cap)),
      volume_24h_usd: lastOf(qs.map((q) => q.volume)),
      observations: qs.length,
    };
  });
}

async function history(query: string) {
  const res = await app.request(`/assets/${assetId}/quotes?${query}`);
  const body = (await res.json()) as v.InferOutput<typeof HistorySchema>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(v.safeParse(HistorySchema, body).issues).toBeUndefined();
  return body.data;
}

describe('daily and weekly history over summed-up days', () => {
  it('sums up exactly the listing-days with more than one observation', async () => {
    await assertDerived(handle);
    const days = await selectRows<{ id: string; day: string; n: number }>(
      handle.db,
      sql`select source_id as id, day::text as day, observations as n from quote_days
          order by source_id, day`,
    );
    expect(days).toEqual([
      { id: 'alpha', day: DAYS[0], n: 24 },
      { id: 'alpha', day: DAYS[1], n: 24 },
      { id: 'alpha', day: DAYS[2], n: 24 },
      { id: 'alpha', day: DAYS[3], n: 2 },
      { id: 'alt', day: DAYS[1], n: 24 },
      { id: 'alt', day: DAYS[2], n: 24 },
    ]);
  });

  it.each([
    ['whole days', '2025-06-02T00:00:00Z', '2025-06-10T00:00:00Z'],
    ['a window that cuts its first and last day', '2025-06-02T05:30:00Z', '2025-06-05T13:00:00Z'],
    ['less than a day', '2025-06-03T04:00:00Z', '2025-06-03T07:00:00Z'],
    ['from the middle of a summed-up stretch', '2025-06-04T00:00:00Z', '2025-06-08T00:00:00Z'],
  ])('1d and 1w equal the stored quotes grouped: %s', async (_, from, to) => {
    const window = `from=${from}&to=${to}`;
    const days = await expected(from, to, 'day');
    expect(days.length).toBeGreaterThan(0);
    expect(await history(`${window}&interval=1d`)).toEqual(days);
    expect(await history(`${window}&interval=1d&source=csv`)).toEqual(days);
    expect(await history(`${window}&interval=1w`)).toEqual(await expected(from, to, 'week'));
  });

  it('merges two listings of one source by time: the open of one, the close of the other', async () => {
    const [june6] = await history('from=2025-06-06&to=2025-06-07&interval=1d');
    expect(june6).toMatchObject({ open: '44.25', close: '6.5', observations: 2 });
    const [june3] = await history('from=2025-06-03&to=2025-06-04&interval=1d');
    // alpha's 110 at 00:00 opens, alt's 201.23 at 23:30 closes, the correction is the high.
    expect(june3).toMatchObject({ open: '110', close: '201.23', high: '999.99', low: '110' });
    expect(june3).toMatchObject({
      market_cap_usd: '1001023',
      volume_24h_usd: '9000',
      observations: 48,
    });
  });

  it('merges a summed-up day that only gains later quotes, and sums up again after a correction', async () => {
    const day = '2025-06-12';
    const run = async (name: string, lines: string[]) => {
      const file = join(dir, name);
      writeFileSync(file, `${HEADER}\n${lines.join('\n')}\n`);
      await ingestWith(handle, csvSource, { file, map: [] });
      await assertDerived(handle);
      const [row] = await selectRows<Record<string, string | number>>(
        handle.db,
        sql`select open::text, high::text, low::text, close::text, market_cap_usd::text as cap,
              volume_24h_usd::text as volume, observations as n from quote_days
            where source_id = 'gamma' and day = ${day}::date`,
      );
      return row;
    };
    const gamma = (hour: string, price: string, cap = '', volume = '') =>
      `gamma,GAM,gamma,${price},${cap},${volume},${day}T${hour}:00:00Z`;
    // Two quotes: summed up from both.
    expect(await run('g1.csv', [gamma('01', '5', '100'), gamma('02', '6')])).toEqual({
      open: '5',
      high: '6',
      low: '5',
      close: '6',
      cap: '100',
      volume: null,
      n: 2,
    });
    // Later quotes, one run each: merged into the row.
    expect(await run('g2.csv', [gamma('03', '4', '', '7')])).toEqual({
      open: '5',
      high: '6',
      low: '4',
      close: '4',
      cap: '100',
      volume: '7',
      n: 3,
    });
    expect(await run('g3.csv', [gamma('05', '8', '300')])).toEqual({
      open: '5',
      high: '8',
      low: '4',
      close: '8',
      cap: '300',
      volume: '7',
      n: 4,
    });
    // A correction of an earlier hour: summed up again from all of the day's quotes.
    expect(await run('g4.csv', [gamma('02', '9.5', '200')])).toEqual({
      open: '5',
      high: '9.5',
      low: '4',
      close: '8',
      cap: '300',
      volume: '7',
      n: 4,
    });
    // A correction of the latest quote, as late as anything before it: summed up again too.
    expect(await run('g5.csv', [gamma('05', '7.25')])).toEqual({
      open: '5',
      high: '9.5',
      low: '4',
      close: '7.25',
      cap: '200',
      volume: '7',
      n: 4,
    });
  });
});
