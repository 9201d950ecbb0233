/**
 * What a file's name says: the coin and the currency of an export named by its site
 * (CoinGecko, Yahoo, TradingView, Binance, Kraken, Stooq, Quandl, CoinAPI, FRED).
 */
import { basename } from 'node:path';
import { KxError } from '../../../core/errors.js';
import { type HeaderMapping } from '../mapping.js';
import { toCurrency } from '../../../core/currency.js';
import { isWellKnownCoin, sameCoin } from '../coins.js';
import { parsePair } from '../pairs.js';

/**
 * CoinGecko names a coin's chart export `COIN-CURRENCY-max.csv` (`sol-usd-max.csv`,
 * `sol-eur-max.csv`; a browser adds ` (1)` to a second download, a user may put words in
 * front), and its header (`snapped_at,price,market_cap,total_volume`) is the same in every
 * currency: the file's name is all that says its prices are in euros.
 */
export const COINGECKO_EXPORT =
  /(?:^|[^a-z\d])([a-z\d]{1,20})-([a-z]{3,5})-max(?: \(\d+\))?\.csv$/i;

/**
 * investing.com names its download after the market (`BTC_USD Bitfinex Historical Data.csv`,
 * `BTC_EUR Kraken Historical Data.csv`, and so in its other languages), and its header is the
 * same whatever the market's currency. Only its wording, so that Kaggle's `coin_XRP.csv` is no
 * market priced in XRP.
 */
const MARKET_NAMED =
  /^([a-z\d]{2,10})_([a-z]{3,5}) .*(?:historical data|datos hist|historische daten|donn[ée]es historiques|dados hist|dati storici|過去データ|历史数据|과거 데이터|geçmiş veriler)/i;

/**
 * Yahoo Finance names a download after its ticker, `BTC-USD.csv` or `BTC-EUR.csv`, and writes
 * `Date,Open,High,Low,Close,Adj Close,Volume` whatever its currency. In capitals only, as Yahoo
 * writes it: a user's `backup-try.csv` names no Turkish lira.
 */
const YAHOO_EXPORT = /^([A-Z\d]{2,10})-([A-Z]{3})(?: \(\d+\))?\.csv$/;

/**
 * TradingView names a chart's export `EXCHANGE_MARKET, INTERVAL.csv` (`BINANCE_BTCUSDT, 1D.csv`,
 * `KRAKEN_BTCEUR, 240.csv`), its header (`time,open,high,low,close,Volume`) the same for any
 * market.
 */
const TRADINGVIEW_EXPORT = /^[a-z\d]+_([a-z\d]+), ?\w+(?: \(\d+\))?\.csv$/i;

/**
 * TradingView's market cap charts, `CRYPTOCAP:BTC` (BTC's market cap), `CRYPTOCAP:TOTAL`,
 * `CRYPTOCAP:BTC.D` (its dominance, a percentage), export as `CRYPTOCAP_BTC, 1D.csv` with the
 * same `time,open,high,low,close` as a market's.
 */
const TRADINGVIEW_CRYPTOCAP = /^CRYPTOCAP_([A-Z\d.]+), ?\w+(?: \(\d+\))?\.csv$/i;

/**
 * Refuses TradingView's export of a market cap or dominance chart, whose `close` is no price,
 * unless `--map` named the price column.
 */
export function requirePriceChart(mapping: HeaderMapping, path: string): void {
  const chart = TRADINGVIEW_CRYPTOCAP.exec(basename(path))?.[1];
  const price = mapping.columns.find((c) => c.field === 'price_usd');
  if (!chart || !price || price.how === 'override') return;
  const what = /\.D$/i.test(chart) ? 'a dominance, in percent' : 'a market capitalization';
  throw new KxError(
    'input',
    `${path}: the file's name is TradingView's export of CRYPTOCAP:${chart.toUpperCase()}, ` +
      `${what}, not a price; export a market's chart (BITSTAMP:BTCUSD, COINBASE:ETHUSD). If ` +
      `the column is a price after all, pass --map '${price.header.trim()}=price_usd'`,
    { context: { file: path, field: 'price_usd' } },
  );
}

/**
 * Binance's public data (data.binance.vision) names a dump `MARKET-INTERVAL-YYYY-MM(-DD).csv`
 * (`BTCUSDT-1d-2024-01.csv`, `BTCEUR-1h-2024-01-05.csv`, `ETHBTC-trades-2024-01.csv`), and the
 * file has no header: its market is only in its name.
 */
export const BINANCE_DUMP =
  /^([A-Z\d]{4,20})-(?:\d{1,2}[smhdw]|1mo|trades|aggTrades)-\d{4}-\d{2}(?:-\d{2})?(?: \(\d+\))?\.csv$/;

/**
 * Kraken's downloadable OHLCVT history names a file `PAIR_MINUTES.csv` (`XBTUSD_1440.csv`,
 * `XBTEUR_60.csv`, `ETHXBT_1.csv`), without a header: the market is only in its name.
 */
export const KRAKEN_DUMP =
  /^([A-Z\d]{5,12})_(?:1|5|15|30|60|240|720|1440|10080|21600)(?: \(\d+\))?\.csv$/;

/**
 * CoinAPI names a spot market `EXCHANGE_SPOT_BASE_QUOTE` (`BITSTAMP_SPOT_BTC_USD`), and its
 * OHLCV history (`time_period_start`, …, `price_close`) says nothing of either: files of it are
 * named after the market, often with the period after it (`KRAKEN_SPOT_BTC_EUR_1DAY.csv`).
 */
export const COINAPI_SPOT = /^[A-Z\d]+_SPOT_([A-Z\d]{2,15}_[A-Z]{3,5})(?:_\w+)?(?: \(\d+\))?\.csv$/;

/**
 * Stooq names a download after its ticker and interval, in lower case (`btcusd_d.csv`,
 * `btceur_w.csv`), with `Date,Open,High,Low,Close,Volume` for any market. A market of a
 * well-known coin only: `history_d.csv` is no coin `HIS` in Turkish lira.
 */
const STOOQ_EXPORT = /^([a-z\d]{5,12})_[dwmqy](?: \(\d+\))?\.csv$/;

/**
 * Quandl's bitcoin charts (`BCHARTS/KRAKENEUR`: an exchange and the currency, no coin: each is
 * bitcoin's), downloaded as `BCHARTS-KRAKENEUR.csv` with `Date,Open,…,Close,Volume (BTC),Volume
 * (Currency),Weighted Price`: only the name says the currency.
 */
const QUANDL_BCHARTS = /^BCHARTS[-_]([A-Z]{3,20}?)([A-Z]{3})(?: \(\d+\))?\.csv$/i;

/** Codes of money a market of a coin is priced in, that are no coin themselves. */
const CRYPTO_CODES = new Set(['BTC', 'XBT', 'ETH', 'BNB', 'SATS', 'XRP', 'LTC']);

/**
 * A well-known coin's market in any other file's name, as exchanges and people write one:
 * `BTC-EUR_1d.csv` (Bitvavo's), `kraken_btceur_2024.csv`, `eth usd daily.csv`. A name with
 * markets of two coins, or in the dollar and in another currency, says nothing, and `try` in
 * lower case is a word. Two coins are a market in one word (`ETHBTC.csv`), and as two words
 * when one of them is the file's coin (`--symbol ETH`) beside the other, in either order
 * (`eth_btc.csv`, Poloniex's `BTC_ETH` for ETH in BTC); `btc_vs_eth.csv` is no market.
 */
function marketInName(
  name: string,
  symbol?: string,
): { coin: string; currency: string; usd: boolean } | null {
  const words = name.replace(/\.csv$/i, '').split(/[^A-Za-z\d]+/);
  const found: { coin: string; currency: string; usd: boolean }[] = [];
  const add = (coin: string | undefined, code: string, coins = false): boolean => {
    const money = CRYPTO_CODES.has(code)
      ? coins && coin && !sameCoin(coin, code) && { code, usd: false }
      : toCurrency(code);
    if (!coin || !money || !isWellKnownCoin(coin)) return false;
    found.push({ coin, currency: money.code, usd: money.usd });
    return true;
  };
  const held = symbol?.toUpperCase();
  const coinOf = (word: string) => parsePair(`${word}/USD`)?.base;
  words.forEach((word, i) => {
    const next = words[i + 1] ?? '';
    const [a, b] = [coinOf(word), coinOf(next)];
    const other =
      held && a && sameCoin(a, held) ? next : held && b && sameCoin(b, held) ? word : '';
    if (other && CRYPTO_CODES.has(other.toUpperCase()) && !sameCoin(held!, other.toUpperCase())) {
      found.push({ coin: held!, currency: other.toUpperCase(), usd: false });
      return;
    }
    // `XBT EUR` as two words (the coin as parsePair names it), else `btceur` as one
    if (next !== 'try' && add(a, next.toUpperCase())) return;
    const pair = parsePair(word);
    if (pair && !pair.contract) add(pair.base, pair.quote, true);
  });
  const [only, ...more] = found;
  return only && more.every((m) => m.coin === only.coin && m.usd === only.usd) ? only : null;
}

/**
 * The coin and the currency a file's name says (a CoinGecko, investing.com, TradingView,
 * Binance, Kraken, CoinAPI, Stooq or Quandl export), or null for another name. `generic` when it is
 * another file's name that names a market (`marketInName`, for a file of `symbol`'s alone).
 */
export function exportNamed(
  path: string,
  symbol?: string,
): { coin: string; currency: string; usd: boolean; generic?: boolean } | null {
  const name = basename(path);
  const market =
    TRADINGVIEW_EXPORT.exec(name) ??
    BINANCE_DUMP.exec(name) ??
    KRAKEN_DUMP.exec(name) ??
    COINAPI_SPOT.exec(name);
  const stooq = market ? null : STOOQ_EXPORT.exec(name);
  const parsed = parsePair((market ?? stooq)?.[1] ?? '');
  const pair = stooq && !isWellKnownCoin(parsed?.base ?? '') ? null : parsed;
  if (pair && !pair.contract) return { coin: pair.base, currency: pair.quote, usd: pair.usd };
  const chart = toCurrency(QUANDL_BCHARTS.exec(name)?.[2] ?? '');
  if (chart) return { coin: 'BTC', currency: chart.code, usd: chart.usd };
  const named = COINGECKO_EXPORT.exec(name) ?? MARKET_NAMED.exec(name) ?? YAHOO_EXPORT.exec(name);
  const currency = named ? toCurrency(named[2] ?? '') : null;
  if (named && currency)
    return { coin: (named[1] ?? '').toUpperCase(), currency: currency.code, usd: currency.usd };
  const generic = marketInName(name, symbol);
  return generic && { ...generic, generic: true };
}

/**
 * Refuses a file whose name says it is priced in another currency (a CoinGecko export, a
 * market's name), unless `--map` named the price column: kx stores US dollars, and nothing in
 * the file says otherwise.
 */
export function requireDollarExport(mapping: HeaderMapping, path: string, symbol?: string): void {
  const named = exportNamed(path, symbol);
  const price = mapping.columns.find((c) => c.field === 'price_usd');
  if (!named || named.usd || !price || price.how === 'override') return;
  // A header that names the dollar (`close_usd`) says more than the name; another file's
  // name speaks for its one coin, and a symbol column names each row's market.
  if (price.currency === 'USD') return;
  if (named.generic && mapping.columns.some((c) => c.field === 'symbol')) return;
  const coingecko = COINGECKO_EXPORT.test(basename(path));
  throw new KxError(
    'input',
    `${path}: the file's name says its prices are in ${named.currency}, not US dollars` +
      (coingecko ? " (CoinGecko names a chart's export COIN-CURRENCY-max.csv)" : '') +
      '; kx stores prices in US dollars, so load an export in USD' +
      (coingecko ? ` (${named.coin.toLowerCase()}-usd-max.csv)` : '') +
      `. If the prices are in dollars after all, pass --map '${price.header.trim()}=price_usd'`,
    { context: { file: path, field: 'price_usd' } },
  );
}

/**
 * FRED's series of Coinbase prices in US dollars (`CBBTCUSD`, `CBETHUSD`), downloaded as
 * `observation_date,CBBTCUSD`: the column's name is the coin and the currency. Its first one
 * in `header`, with the flags that load it.
 */
export function fredSeries(
  header: readonly string[],
): { coin: string; column: string; flags: string } | null {
  for (const cell of header) {
    const column = cell.trim();
    const coin = /^CB([A-Z\d]{2,6})USD$/.exec(column)?.[1];
    if (coin) return { coin, column, flags: `--symbol ${coin} --map '${column}=price_usd'` };
  }
  return null;
}
