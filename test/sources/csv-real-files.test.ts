import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKxError } from '../../src/core/errors.js';
import type { DbHandle } from '../../src/db/client.js';
import { assets, quotes } from '../../src/db/schema.js';
import { getFailedRun } from '../../src/engine/failed-run.js';
import type { RunResult } from '../../src/engine/runner.js';
import { csvSource } from '../../src/sources/csv/index.js';
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
    refused:
      /no column maps to symbol .*"snapped_at".*--symbol SYM .*the file's name says BTC: --symbol BTC/,
  },
  // The same header as the USD export: only the name says euros. It loaded as dollars.
  'wild/coingecko_export_sol-eur-max.csv': {
    refused:
      /the file's name says its prices are in EUR, not US dollars .*\(sol-usd-max\.csv\).*--map 'price=price_usd'/,
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
  // Two systems' prices of one coin on one day, wildly apart: it loaded one of them, whichever
  // came last. test/sources/csv-same-time.test.ts has the rest.
  'peers/Govind9825__coins.csv': {
    refused:
      /lines \d+ and \d+ are both \w+ .* with price_usd [\d.]+ and [\d.]+; column "Source" tells them apart \("Legacy_System_[AB]" and "Legacy_System_[AB]"\)/,
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
    // three of them for no price (`null`, empty); `NaN` in a volume is a missing volume, as
    // `null` and an empty cell are, and its row loads
    rejected: 14,

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
    // A generator's random prices, every line stamped with one time: 29 BTC prices at once.
    // It loaded "100 read, 100 loaded" as five quotes, each coin's last line as a correction.
    refused:
      /lines 3 and 4 are both BTC \(btc\) at 2025-12-12T18:39:05\.494Z, with price_usd 594\.52 and 33212\.4, and every line of the file is at that time/,
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
  'wild/kraken_xbtusd_1440_ohlcvt_headerless.csv': {
    fetched: 120,
    rejected: 0,
    columns: { timestamp: 'observed_at', close: 'price_usd' },
    args: { symbol: 'BTC', columns: 'kraken-ohlcvt' },
  },
  'wild/cryptodatadownload_bitstamp_btcusd_d_2022.csv': {
    // `BTC/USD` used to be refused row by row: "symbol has characters no ticker uses".
    fetched: 100,
    rejected: 0,
    columns: { date: 'observed_at', symbol: 'symbol', close: 'price_usd' },
  },
  'wild/cryptodatadownload_gemini_btcusd_d_2025_unix_ms.csv': {
    fetched: 100,
    rejected: 0,
    columns: { date: 'observed_at', close: 'price_usd', 'Volume USD': 'volume_24h_usd' },
  },
  'wild/cryptodatadownload_coinbase_btcusd_1h_2019_hour_pm.csv': {
    fetched: 100,
    rejected: 0,
    columns: { Date: 'observed_at', Symbol: 'symbol', Close: 'price_usd' },
  },
  'wild/cryptodatadownload_coinbase_btcusd_1h_2020_unix_float.csv': {
    fetched: 100,
    rejected: 0,
    columns: { Date: 'observed_at', Close: 'price_usd' },
  },
  'wild/cryptodatadownload_gemini_btcusd_d_2019_created_on.csv': {
    fetched: 100,
    rejected: 0,
    columns: { Date: 'observed_at', Close: 'price_usd' },
  },
  'wild/cryptodatadownload_kraken_btceur_d_2020_euros.csv': {
    // Its closes are euros: loaded, every price would be off by the exchange rate.
    refused:
      /the symbol column holds trading pairs priced in EUR, not US dollars \("BTC\/EUR" on line 3\)/,
  },
  'wild/investing_com_btc_usd_2019_month_names_bom.csv': {
    fetched: 100,
    rejected: 0,
    columns: { Date: 'observed_at', Price: 'price_usd' },
    args: { symbol: 'BTC' },
  },
  'wild/blockchain_com_market_price_headerless.csv': {
    // 296 days of 2009–2010 at `0.0`, before bitcoin had a market: no price.
    fetched: 1682,
    rejected: 296,
    columns: { date: 'observed_at', price: 'price_usd' },
    args: { symbol: 'BTC', columns: 'date,price' },
  },
  'wild/coinmarketcap_scraped_bitcoin_2021_semicolon_dollars.csv': {
    fetched: 100,
    rejected: 0,
    columns: { Date: 'observed_at', 'Close**': 'price_usd', 'Market Cap': 'market_cap_usd' },
    args: { symbol: 'BTC' },
  },
  'wild/coinmarketcap_export_bitcoin_2025_name_is_id.csv': {
    fetched: 100,
    rejected: 0,
    columns: { timestamp: 'observed_at', close: 'price_usd', marketCap: 'market_cap_usd' },
    args: { symbol: 'BTC' },
  },
  'wild/yahoo_finance_btc_usd_2014.csv': {
    fetched: 100,
    rejected: 0,
    columns: { Date: 'observed_at', Close: 'price_usd', Volume: 'volume_24h_usd' },
    args: { symbol: 'BTC' },
  },
  'wild/investing_com_bitcoin_datos_historicos_es.csv': {
    fetched: 40,
    rejected: 0,
    columns: { Fecha: 'observed_at', Último: 'price_usd' },
    args: { symbol: 'BTC' },
  },
  // Its `Currency` column holds the coin (`BTC`), not what the prices are in: the price's header
  // says that. It was refused as priced in bitcoin, and `Closing Price (USD)` found no field.
  'wild/coindesk_bpi_btc_2013_currency_is_the_coin.csv': {
    fetched: 20,
    rejected: 0,
    columns: { Date: 'observed_at', 'Closing Price (USD)': 'price_usd' },
    args: { symbol: 'BTC' },
  },
  'wild/coinmaster_btc_daily_close_eur_and_usd_2026.csv': {
    fetched: 40,
    rejected: 0,
    columns: { date: 'observed_at', close_usd: 'price_usd' },
    args: { symbol: 'BTC' },
  },
  // Its `symbol` is each coin's currency sign: `Ξ` loaded as a coin of its own beside ETH, `₿`
  // was rejected as a ticker with characters no ticker uses.
  'wild/livecoinwatch_coins_meta_json_normalize.csv': {
    refused:
      /column "symbol" holds currency signs \("Ξ" on line 2, "₿" on line 3\), not tickers.*Column "code" holds tickers \("ETH" on line 2\): --map 'code=symbol' --map 'symbol='$/,
  },
  // Nothing mapped: refused for want of a symbol, `RAW.USD.PRICE` not read as a price.
  'wild/cryptocompare_top_mktcapfull_json_normalize.csv': {
    fetched: 1,
    rejected: 0,
    columns: {
      'CoinInfo.Name': 'symbol',
      'CoinInfo.FullName': 'name',
      'RAW.USD.PRICE': 'price_usd',
      'RAW.USD.LASTUPDATE': 'observed_at',
      'RAW.USD.TOTALVOLUME24HTO': 'volume_24h_usd',
      'RAW.USD.CHANGEPCT24HOUR': 'percent_change_24h',
    },
  },
  // Only the price was read: the market cap, volume, change and supply sit under their paths.
  'wild/messari_asset_metrics_btc_2019_json_normalize.csv': {
    fetched: 1,
    rejected: 0,
    columns: {
      'market_data.price_usd': 'price_usd',
      'market_data.volume_last_24_hours': 'volume_24h_usd',
      'market_data.percent_change_usd_last_24_hours': 'percent_change_24h',
      'marketcap.current_marketcap_usd': 'market_cap_usd',
      'supply.circulating': 'circulating_supply',
    },
  },
  // Its `currency` is the row's coin (`BTC`, as its `symbol`): refused as priced in bitcoin.
  // Markets written quote first: `USDT_BTC` is bitcoin in tethers; the BTC and XMR markets'
  // rows are rejected, each naming its quote.
  'wild/poloniex_return_ticker_2018_pandas_index.csv': {
    fetched: 19,
    rejected: 9,
    columns: { '': 'symbol', last: 'price_usd', baseVolume: 'volume_24h_usd' },
  },
  // Ether in dollars and in tethers at one time, apart only by the market.
  'wild/bittrex_getmarketsummaries_2019-06-23_pandas.csv': {
    refused:
      /column "MarketName" tells them apart \("USD-ETH" and "USDT-ETH"\).*Load the markets of one quote currency \(USD or USDT\)/,
  },
  'wild/nomics_currencies_ticker_json_normalize.csv': {
    fetched: 1,
    rejected: 0,
    columns: { price: 'price_usd', price_timestamp: 'observed_at', '1d.volume': 'volume_24h_usd' },
  },
  'wild/alpha_vantage_digital_currency_daily_btc_cny.csv': {
    fetched: 2,
    rejected: 0,
    columns: { timestamp: 'observed_at', 'close (USD)': 'price_usd' },
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

/**
 * Values read from each real export's bytes (the line is quoted), checked against what kx
 * stored: the right coin, on the right day and hour, at the exact price and dollar volume.
 */
describe('each real export stores the values its lines hold', () => {
  interface Spot {
    /** The file's line, as written. */
    line: string;
    at: string;
    price: string;
    volume?: string | null;
    marketCap?: string | null;
  }
  const spots: Record<string, { args?: { symbol?: string; columns?: string }; spots: Spot[] }> = {
    'wild/kraken_xbtusd_1440_ohlcvt_headerless.csv': {
      args: { symbol: 'BTC', columns: 'kraken-ohlcvt' },
      spots: [
        {
          line: '1381017600,122.0,122.0,122.0,122.0,0.1,1',
          at: '2013-10-06T00:00:00.000Z',
          price: '122',
          volume: null,
        },
        {
          line: '1391472000,808.0,819.78,799.579,802.4,11.42593687,169',
          at: '2014-02-04T00:00:00.000Z',
          price: '802.4',
        },
      ],
    },
    'wild/cryptodatadownload_bitstamp_btcusd_d_2022.csv': {
      spots: [
        {
          line: '1660953600,2022-08-20 00:00:00,BTC/USD,20840.00,20972.00,20811.00,20957.00,244.32138276,5120243.21850132',
          at: '2022-08-20T00:00:00.000Z',
          price: '20957',
          volume: '5120243.21850132',
        },
        {
          line: '1652400000,2022-05-13 00:00:00,BTC/USD,28932.69,30974.60,28686.37,29238.81,6010.27363922,175733248.98516214',
          at: '2022-05-13T00:00:00.000Z',
          price: '29238.81',
          volume: '175733248.98516214',
        },
      ],
    },
    'wild/cryptodatadownload_gemini_btcusd_d_2025_unix_ms.csv': {
      spots: [
        {
          line: '1749427200000,2025-06-09 00:00:00,BTC/USD,105794.14,110524.63,105365.78,110320.27,513.80517149,56683125.246173106',
          at: '2025-06-09T00:00:00.000Z',
          price: '110320.27',
          volume: '56683125.246173106',
        },
      ],
    },
    'wild/cryptodatadownload_coinbase_btcusd_1h_2019_hour_pm.csv': {
      spots: [
        {
          line: '2019-04-22 11-PM,BTCUSD,5400.01,5401.17,5396.05,5396.87,8.32,44886.77',
          at: '2019-04-22T23:00:00.000Z',
          price: '5396.87',
          // an hour's volume, not a day's: left out
          volume: null,
        },
        {
          line: '2019-04-22 09-PM,BTCUSD,5365,5398.59,5353.71,5384.93,396.26,2131291.83',
          at: '2019-04-22T21:00:00.000Z',
          price: '5384.93',
        },
        {
          line: '2019-04-18 08-PM,BTCUSD,5290.81,5314,5280,5309.18,473.85,2508657.69',
          at: '2019-04-18T20:00:00.000Z',
          price: '5309.18',
        },
      ],
    },
    'wild/cryptodatadownload_coinbase_btcusd_1h_2020_unix_float.csv': {
      spots: [
        {
          line: '1603522800.0,2020-10-24 07-AM,BTCUSD,12965.84,12965.84,12953.2,12953.2,0.0,0.0',
          at: '2020-10-24T07:00:00.000Z',
          price: '12953.2',
          volume: null,
        },
        {
          line: '1603166400.0,2020-10-20 04-AM,BTCUSD,11749.12,11764.62,11725.59,11728.52,293.27,3444496.08',
          at: '2020-10-20T04:00:00.000Z',
          price: '11728.52',
          volume: null,
        },
      ],
    },
    'wild/cryptodatadownload_gemini_btcusd_d_2019_created_on.csv': {
      spots: [
        {
          line: '2019-06-02,BTCUSD,8583.86,8583.86,8560.74,8560.74,0.0,0.0',
          at: '2019-06-02T00:00:00.000Z',
          price: '8560.74',
          volume: '0',
        },
        {
          line: '2019-02-23,BTCUSD,3946.56,4153.01,3914.25,4110.99,2210.12,8914369.13',
          at: '2019-02-23T00:00:00.000Z',
          price: '4110.99',
          volume: '8914369.13',
        },
      ],
    },
    'wild/investing_com_btc_usd_2019_month_names_bom.csv': {
      args: { symbol: 'BTC' },
      spots: [
        {
          line: '"Apr 14, 2019","5,134.8","5,052.0","5,153.5","5,010.7","566.38K","1.64%"',
          at: '2019-04-14T00:00:00.000Z',
          price: '5134.8',
          volume: null,
        },
        {
          line: '"Jan 05, 2019","3,785.4","3,802.8","3,846.7","3,769.0","468.45K","-0.46%"',
          at: '2019-01-05T00:00:00.000Z',
          price: '3785.4',
        },
      ],
    },
    'wild/blockchain_com_market_price_headerless.csv': {
      args: { symbol: 'BTC', columns: 'date,price' },
      spots: [
        { line: '2010-08-18 00:00:00,0.074', at: '2010-08-18T00:00:00.000Z', price: '0.074' },
        {
          line: '2018-03-19 00:00:00,8412.033333333333',
          at: '2018-03-19T00:00:00.000Z',
          price: '8412.033333333333',
        },
      ],
    },
    'wild/coinmarketcap_scraped_bitcoin_2021_semicolon_dollars.csv': {
      args: { symbol: 'BTC' },
      spots: [
        {
          line: 'Sep 23, 2021;$43,560.30;$44,942.17;$43,109.34;$44,895.10;$34,244,064,430;$845,122,403,460',
          at: '2021-09-23T00:00:00.000Z',
          price: '44895.1',
          volume: '34244064430',
          marketCap: '845122403460',
        },
        {
          line: 'Jun 16, 2021;$40,168.69;$40,516.78;$38,176.03;$38,347.06;$39,211,635,100;$718,494,773,612',
          at: '2021-06-16T00:00:00.000Z',
          price: '38347.06',
        },
      ],
    },
    'wild/coinmarketcap_export_bitcoin_2025_name_is_id.csv': {
      args: { symbol: 'BTC' },
      spots: [
        {
          // The row's `timestamp` is its close: the close price was observed then.
          line: '"2025-04-28T00:00:00.000Z",…,"2781",93755.3036053418,95598.492236527,92860.808221058,94978.7525036375,32363449569.16,1886098133222.49,"2025-04-28T23:59:59.999Z"',
          at: '2025-04-28T23:59:59.999Z',
          price: '94978.7525036375',
          volume: '32363449569.16',
          marketCap: '1886098133222.49',
        },
      ],
    },
    'wild/yahoo_finance_btc_usd_2014.csv': {
      args: { symbol: 'BTC' },
      spots: [
        {
          line: '2014-09-17,465.864014,468.174011,452.421997,457.334015,457.334015,21056800',
          at: '2014-09-17T00:00:00.000Z',
          price: '457.334015',
          volume: '21056800',
        },
        {
          line: '2014-12-25,322.286011,322.670013,316.958008,319.007996,319.007996,9883640',
          at: '2014-12-25T00:00:00.000Z',
          price: '319.007996',
        },
      ],
    },
    'wild/coindesk_bpi_btc_2013_currency_is_the_coin.csv': {
      args: { symbol: 'BTC' },
      spots: [
        {
          line: 'BTC,2013-10-03,108.58483,125.455,125.66566,83.32833',
          at: '2013-10-03T00:00:00.000Z',
          price: '108.58483',
        },
      ],
    },
    'wild/coinmaster_btc_daily_close_eur_and_usd_2026.csv': {
      args: { symbol: 'BTC' },
      spots: [
        {
          // close_eur first: 66665.12 is euros
          line: '2026-08-22,66665.12,77861.63,16.91544536301734,…',
          at: '2026-08-22T00:00:00.000Z',
          price: '77861.63',
        },
      ],
    },
    'wild/alpha_vantage_digital_currency_daily_btc_cny.csv': {
      args: { symbol: 'BTC' },
      spots: [
        {
          // yuan first, then dollars; the volume (466 coins) is written again as the market cap
          line: '2019-09-18,72248.58941200,…,10212.05000000,466.36058500,466.36058500',
          at: '2019-09-18T00:00:00.000Z',
          price: '10212.05',
          volume: null,
          marketCap: null,
        },
      ],
    },
    'wild/cryptocompare_top_mktcapfull_json_normalize.csv': {
      spots: [
        {
          // every market's volume in dollars (`TOTALVOLUME24HTO`), not in bitcoins (191,304.9)
          line: '1182,BTC,Bitcoin,…,59593.72,1637235546,…,1124766269470.32,…,11417268203.63976,…',
          at: '2021-11-18T11:39:06.000Z',
          price: '59593.72',
          volume: '11417268203.63976',
          marketCap: '1124766269470.32',
        },
      ],
    },
    'wild/nomics_currencies_ticker_json_normalize.csv': {
      spots: [
        {
          line: 'BTC,BTC,active,8451.36516421,…,150083247116.70,…,1110989572.04,…',
          at: '2019-06-14T12:35:00.000Z',
          price: '8451.36516421',
          volume: '1110989572.04',
          marketCap: '150083247116.7',
        },
      ],
    },
    'upstream/cryptodatadownload_Binance_BTCUSDT_d.csv': {
      spots: [
        {
          line: '1680134400000,2023-03-30,BTCUSDT,28348.6,29184.68,27686.0,28028.53,98865.43256,2808471938.6424427,1843652',
          at: '2023-03-30T00:00:00.000Z',
          price: '28028.53',
          volume: '2808471938.6424427',
        },
      ],
    },
  };

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

  it.each(Object.entries(spots))('%s', async (name, { args, spots: expected }) => {
    const run = await ingest(join(repoRoot, 'fixtures/csv', name), args, db);
    expect(run.status).toBe('succeeded');
    // Every row is the coin, BTC: never `BTCUSD`, `BTC/USD` or a name of `2781`.
    const coins = await db.db
      .selectDistinct({ symbol: assets.symbol, name: assets.name })
      .from(quotes)
      .innerJoin(assets, eq(assets.id, quotes.assetId))
      .where(eq(quotes.runId, run.runId));
    expect(coins.map((c) => c.symbol)).toEqual(['BTC']);
    expect(coins.map((c) => c.name)).not.toContain('2781');
    for (const spot of expected) {
      const [stored] = await db.db
        .select({
          price: sql<string>`${quotes.priceUsd}::text`,
          volume: sql<string | null>`${quotes.volume24hUsd}::text`,
          marketCap: sql<string | null>`${quotes.marketCapUsd}::text`,
        })
        .from(quotes)
        .where(and(eq(quotes.source, 'csv'), eq(quotes.observedAt, new Date(spot.at))));
      expect(stored, spot.line).toMatchObject({
        price: spot.price,
        ...(spot.volume !== undefined ? { volume: spot.volume } : {}),
        ...(spot.marketCap !== undefined ? { marketCap: spot.marketCap } : {}),
      });
    }
  });
});
