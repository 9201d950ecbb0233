import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKxError } from '../../src/core/errors.js';
import type { DbHandle } from '../../src/db/client.js';
import { quotes } from '../../src/db/schema.js';
import { getFailedRun, type RunResult } from '../../src/pipeline/runner.js';
import { csvSource } from '../../src/sources/csv.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ingestWith } from '../helpers/ingest.js';

/**
 * Every real CSV file we have (fixtures/csv, copied from shared/data) with the outcome we expect:
 * ingested with the named columns feeding price/symbol/time, or refused with a clear reason.
 */
type Expected =
  | {
      fetched: number;
      rejected: number;
      columns: Record<string, string>;
      args?: { symbol?: string; columns?: string };
    }
  | { refused: RegExp };

const cases: Record<string, Expected> = {
  'upstream/coingecko_export_btc-usd-max.csv': {
    refused: /no column maps to symbol .*"snapped_at".*--symbol SYM/,
  },
  'upstream/coingecko_markets_flattened_pandas_2021-07-10.csv': {
    fetched: 250,
    rejected: 0,
    columns: { id: 'source_id', current_price: 'price_usd', last_updated: 'observed_at' },
  },
  'upstream/coinmarketcap_snapshot_2017-12-06.csv': {
    fetched: 1326,
    rejected: 0,
    columns: {
      price_usd: 'price_usd',
      available_supply: 'circulating_supply',
      last_updated: 'observed_at',
    },
  },
  'upstream/coinmarketcap_snapshot_2018-01-06.csv': {
    fetched: 100,
    rejected: 0,
    columns: { price_usd: 'price_usd', rank: 'rank' },
  },
  'upstream/cryptodatadownload_Binance_BTCUSDT_d.csv': {
    fetched: 2052,
    rejected: 0,
    columns: {
      Close: 'price_usd',
      Date: 'observed_at',
      'Volume USDT': 'volume_24h_usd',
      Symbol: 'symbol',
    },
  },
  'upstream/edge_btc_close_single_column_no_header.csv': {
    refused: /:1: no header row: the first line \("16625.08008"\) looks like data/,
  },
  'upstream/edge_coingecko_markets_duplicate_headers_2021-07-02.csv': {
    fetched: 254,
    rejected: 0,
    columns: { symbol: 'symbol', current_price: 'price_usd' },
  },
  'upstream/edge_coinmarketcap_06122017_actually_json.csv': { refused: /looks like JSON, not CSV/ },
  'upstream/kaggle_coin_Bitcoin_ddmmyy.csv': {
    fetched: 2984,
    rejected: 0,
    columns: { Close: 'price_usd', Date: 'observed_at', 'Market Cap': 'market_cap_usd' },
  },
  'upstream/kaggle_crypto_markets_subset_no_date.csv': {
    // 5,572 days of 6 coins whose date column the repo's author dropped: it loaded as 6 quotes.
    refused:
      /lines 2 and 3 are both BTC \(bitcoin\) and no column maps to observed_at .* --map 'COLUMN=observed_at'/,
  },
  'upstream/messari_screener_bom_camelcase_2021.csv': {
    // 541 rows have no price (the 56 without a symbol among them) and one more says `N/A`
    // for its symbol; the BOM does not leak into the first header.
    fetched: 1520,
    rejected: 542,
    columns: { name: 'name', priceUsd: 'price_usd', currentMarketcap: 'market_cap_usd' },
  },
  'peers/04AvinashSingh__assets.csv': { fetched: 3, rejected: 0, columns: { price: 'price_usd' } },
  'peers/04AvinashSingh__assets_weird.csv': {
    fetched: 3,
    rejected: 0,
    columns: { coin_symbol: 'symbol', usd_price: 'price_usd' },
  },
  'peers/AdityaAneNenu__source2_semicolon_quirks.csv': {
    refused: /no column maps to symbol \(columns: "product_id", "name"/,
  },
  'peers/Amj103__sample.csv': { fetched: 5, rejected: 0, columns: { price: 'price_usd' } },
  'peers/Ashin234__crypto_local_feed.csv': {
    fetched: 3,
    rejected: 0,
    columns: { asset_id: 'source_id', ticker: 'symbol', last_seen: 'observed_at' },
  },
  'peers/Ashin234__crypto_prices.csv': {
    fetched: 100,
    rejected: 0,
    columns: { coin_id: 'source_id', price_usd: 'price_usd' },
  },
  'peers/Charan1490__crypto_data.csv': {
    fetched: 15,
    rejected: 0,
    columns: { price: 'price_usd', change_24h: 'percent_change_24h' },
  },
  'peers/Govind9825__coins.csv': {
    fetched: 50,
    rejected: 0,
    columns: { Ticker: 'symbol', Price: 'price_usd', Date: 'observed_at' },
  },
  'peers/Nojhi3__historical_prices.csv': {
    fetched: 1092,
    rejected: 0,
    columns: { ticker: 'symbol', close_price: 'price_usd', trade_date: 'observed_at' },
  },
  'peers/Paper-Bag-dev__coins.csv': {
    fetched: 1,
    rejected: 0,
    columns: { id: 'source_id', last_updated: 'observed_at' },
  },
  'peers/Pseudo-CS__sample_data.csv': {
    refused: /no column maps to symbol \(columns: "id", "title"/,
  },
  'peers/R1ssh1__crypto_data.csv': {
    fetched: 10,
    rejected: 0,
    columns: { timestamp: 'observed_at', price: 'price_usd' },
  },
  'peers/Rajveerjagtap__crypto_data.csv': {
    fetched: 10,
    rejected: 0,
    columns: { ticker: 'symbol', vol: 'volume_24h_usd', date: 'observed_at' },
  },
  'peers/Rohitjanardhan21__sample_crypto_data.csv': {
    fetched: 10,
    rejected: 0,
    columns: { rank: 'rank', percent_change_24h: 'percent_change_24h' },
  },
  'peers/SKV-io-495__crypto_sample.csv': {
    fetched: 5,
    rejected: 0,
    columns: { date: 'observed_at' },
  },
  'peers/Saisanket13__crypto_prices.csv': {
    fetched: 10,
    rejected: 0,
    columns: { volume: 'volume_24h_usd' },
  },
  'peers/Sirib219__sample_assets.csv': {
    fetched: 2,
    rejected: 0,
    columns: { asset_id: 'source_id' },
  },
  'peers/Sumanthgs0005__coins_source.csv': {
    fetched: 15,
    rejected: 0,
    columns: { price_usd: 'price_usd' },
  },
  'peers/Utkarsh3042__crypto_data_dirty.csv': {
    fetched: 30,
    rejected: 15, // three of them for no price (`null`, empty)

    columns: { current_price: 'price_usd', last_updated: 'observed_at' },
  },
  'peers/VinayLR15__assets.csv': {
    refused: /no column maps to price_usd \(columns: "external_id", "symbol", "name"\)/,
  },
  'peers/aryankumar2003__sample_data.csv': {
    fetched: 2,
    rejected: 0,
    columns: { price: 'price_usd' },
  },
  'peers/bni-7__sample.csv': { fetched: 10, rejected: 0, columns: { coin_id: 'source_id' } },
  'peers/devan5h__sample_coins.csv': {
    fetched: 3,
    rejected: 0,
    columns: { price_usd: 'price_usd' },
  },
  'peers/harry-urek__crypto_market.csv': {
    fetched: 15,
    rejected: 0,
    columns: { source_updated_at: 'observed_at' },
  },
  'peers/ishaanv18__crypto_data.csv': {
    fetched: 10,
    rejected: 0,
    columns: { volume_24h_usd: 'volume_24h_usd' },
  },
  'peers/kritirajsingh__coins.csv': {
    fetched: 2,
    rejected: 0,
    columns: { market_cap: 'market_cap_usd' },
  },
  'peers/kritirajsingh__coins_quirky.csv': {
    fetched: 2,
    rejected: 0,
    columns: { ticker: 'symbol', usd_price: 'price_usd', cap: 'market_cap_usd' },
  },
  'peers/manju374__historical_data.csv': {
    fetched: 2,
    rejected: 0,
    columns: { volume_24h: 'volume_24h_usd' },
  },
  'peers/manojkumargudge__sample_coins.csv': {
    fetched: 3,
    rejected: 0,
    columns: { price_usd: 'price_usd' },
  },
  'peers/pranavraj28__sample.csv': { fetched: 5, rejected: 0, columns: { price: 'price_usd' } },
  'peers/pruthvir7__sample_crypto.csv': {
    fetched: 2,
    rejected: 0,
    columns: { coin_id: 'source_id' },
  },
  'peers/shashank4227__crypto_data.csv': {
    fetched: 100,
    rejected: 0,
    columns: { timestamp: 'observed_at' },
  },
  'peers/shashank4227__legacy_crypto_data.csv': {
    // 02-12-2025 … 09-12-2025: every day is 12 or less, so December or February–September.
    refused:
      /"RecordedDate" could be day-first or month-first .*"05-12-2025 17:43:10" on line 2.*--date-format DD\/MM\/YYYY/,
  },
  'peers/shreyasbkgit__coingecko_btc.csv': {
    fetched: 4622,
    rejected: 0,
    columns: { price: 'price_usd', snapped_at: 'observed_at' },
    args: { symbol: 'BTC' },
  },
  'peers/shreyasbkgit__coingecko_eth.csv': {
    fetched: 3791,
    rejected: 0,
    columns: { price: 'price_usd' },
    args: { symbol: 'ETH' },
  },
  'peers/shuraih775__coin_Bitcoin.csv': {
    fetched: 2991,
    rejected: 0,
    columns: { Close: 'price_usd', Marketcap: 'market_cap_usd' },
  },
  'peers/shuraih775__market_data.csv': {
    fetched: 275,
    rejected: 0,
    columns: { Close: 'price_usd' },
  },
  'wild/investing_com_bitcoin_historical_data_mdy.csv': {
    fetched: 40,
    rejected: 0,
    columns: { Date: 'observed_at', Price: 'price_usd' },
    args: { symbol: 'BTC' },
  },
  'wild/binance_btcusdt_1d_klines_headerless.csv': {
    fetched: 2,
    rejected: 0,
    columns: { open_time: 'observed_at', close: 'price_usd' },
    args: { symbol: 'BTC', columns: 'binance-kline' },
  },
  'wild/investing_com_bitcoin_datos_historicos_es.csv': {
    fetched: 40,
    rejected: 0,
    columns: { Fecha: 'observed_at', Último: 'price_usd' },
    args: { symbol: 'BTC' },
  },
};

let database: TestDatabase;
let handle: DbHandle;
beforeAll(async () => {
  database = await createTestDatabase();
  handle = await database.open();
});
afterAll(async () => {
  await handle.close();
  await database.drop();
});

function ingest(
  file: string,
  args: { symbol?: string; dateFormat?: string; columns?: string } = {},
  into: DbHandle = handle,
): Promise<RunResult> {
  return ingestWith(into, csvSource, { file, map: [], ...args });
}

describe('every real CSV file ingests with a sensible mapping or is refused clearly', () => {
  it('covers every file in fixtures/csv', async () => {
    const { readdirSync } = await import('node:fs');
    const files = ['upstream', 'peers', 'wild'].flatMap((dir) =>
      readdirSync(join(repoRoot, 'fixtures/csv', dir)).map((f) => `${dir}/${f}`),
    );
    expect(Object.keys(cases).sort()).toEqual(files.sort());
  });

  it.each(Object.entries(cases))('%s', async (name, expected) => {
    const file = join(repoRoot, 'fixtures/csv', name);
    if ('refused' in expected) {
      const error = await ingest(file).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isKxError(error) && error.code).toBe('input');
      expect((error as Error).message).toMatch(expected.refused);
      expect(getFailedRun(error)?.loaded ?? 0).toBe(0);
      return;
    }
    const run = await ingest(file, expected.args);
    expect(run).toMatchObject({
      status: 'succeeded',
      fetched: expected.fetched,
      rejected: expected.rejected,
    });
    expect(run.loaded + run.unchanged).toBe(expected.fetched - expected.rejected);
    const columns = Object.fromEntries(
      (run.mapping as { columns: { header: string; field: string }[] }).columns.map((c) => [
        c.header,
        c.field,
      ]),
    );
    expect(columns).toMatchObject(expected.columns);
  });
});

describe('dates are read in the order the whole file shows, or refused', () => {
  // A database of their own: the table above has read these files already.
  let own: TestDatabase;
  let db: DbHandle;
  beforeAll(async () => {
    own = await createTestDatabase();
    db = await own.open();
  });
  afterAll(async () => {
    await db.close();
    await own.drop();
  });

  /** The quotes a run wrote, as the file's values: time, exact price text, volume. */
  async function quotesOf(run: RunResult) {
    const rows = await db.db
      .select({
        at: quotes.observedAt,
        price: sql<string>`${quotes.priceUsd}::text`,
        volume: quotes.volume24hUsd,
      })
      .from(quotes)
      .where(eq(quotes.runId, run.runId))
      .orderBy(quotes.observedAt);
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }

  it('investing.com writes M/D/YYYY: 3/9/2024 is 9 March, values exact, Vol. (coins) left out', async () => {
    const run = await ingest(
      join(repoRoot, 'fixtures/csv/wild/investing_com_bitcoin_historical_data_mdy.csv'),
      { symbol: 'BTC' },
      db,
    );
    expect(run.mapping).toMatchObject({ dateOrder: 'month-first' });
    expect((run.mapping as { unmapped: string[] }).unmapped).toContain('Vol.');
    const written = await quotesOf(run);
    expect(written).toHaveLength(40);
    // Bytes of the file (kx keeps the number, not its trailing zeros): line 2
    // `3/24/2024,"67,211.90"`, line 17 `3/9/2024,"68,366.50"`,
    // line 41 `2/14/2024,"51,782.40"`.
    expect(written.at(-1)).toEqual({
      at: '2024-03-24T00:00:00.000Z',
      price: '67211.9',
      volume: null,
    });
    expect(written.find((q) => q.at === '2024-03-09T00:00:00.000Z')?.price).toBe('68366.5');
    expect(written[0]).toMatchObject({ at: '2024-02-14T00:00:00.000Z', price: '51782.4' });
    expect(written.some((q) => q.at.startsWith('2024-09-03'))).toBe(false); // not day-first
  });

  it('a column whose every day is 12 or less loads with --date-format', async () => {
    const file = join(repoRoot, 'fixtures/csv/peers/shashank4227__legacy_crypto_data.csv');
    const run = await ingest(file, { dateFormat: 'DD-MM-YYYY' }, db);
    expect(run).toMatchObject({ status: 'succeeded', fetched: 50, rejected: 0 });
    // Line 2: `LTC,377.2,295199.57,05-12-2025 17:43:10`.
    const ltc = (await quotesOf(run)).filter((q) => q.at === '2025-12-05T17:43:10.000Z');
    expect(ltc.map((q) => q.price)).toContain('377.2');
    expect((await quotesOf(run)).every((q) => q.at.startsWith('2025-12-'))).toBe(true);
  });
});
