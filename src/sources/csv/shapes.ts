/**
 * Kinds of file a header tells by its keys: candles (open, high, low), a log of one's own
 * trades, a ticker's last price over a window, an amount of coins and what it is worth.
 */
import { type ColumnMapping } from './fields.js';
import { magnitudeOf, currencyIn } from './header-keys.js';

/**
 * A bare `Volume` beside open, high and low, guessed as volume_24h_usd: an exchange's candles
 * (TradingView, Binance, Bitfinex, Coinbase, Kraken) count it in coins, an aggregator's export
 * in dollars, and nothing in the column tells which. Loaded as dollars, a coin volume is off by
 * the coin's price. Aggregators' exports are known by a market cap column (CoinMarketCap,
 * CoinCodex, Kaggle's sets of CoinMarketCap data) and Yahoo Finance's by its `Adj Close`.
 */
export function isCandleVolume(
  c: ColumnMapping,
  keys: readonly string[],
  columns: readonly ColumnMapping[],
): boolean {
  const written = keys[c.index] ?? '';
  const key = magnitudeOf(written)?.key ?? written;
  if (c.field !== 'volume_24h_usd' || c.how === 'override' || (key !== 'volume' && key !== 'vol'))
    return false;
  // Candles whose open, high and low name their currency beside a volume that names none
  // (Alpha Vantage's `open (USD)`, `market cap (USD)`, `volume`) count the volume in coins.
  const named = keys.some((k) => CANDLE_PRICES.includes(currencyIn('', k)?.key ?? ''));
  return (
    isCandles(keys) &&
    !keys.includes('adj_close') &&
    (named || !columns.some((m) => m.field === 'market_cap_usd'))
  );
}

const CANDLE_PRICES = ['open', 'high', 'low'];

/**
 * Whether a header's keys are candles: an open, a high and a low (`Open`, Bybit's
 * `openPrice`, CoinAPI's `price_open`, OKX's `o`, Alpha Vantage's `open (USD)`).
 */
export function isCandles(keys: readonly string[]): boolean {
  const plain = keys.map(candleKey);
  return CANDLE_PRICES.every(
    (k) => plain.includes(k) || keys.some((n) => currencyIn('', n)?.key === k),
  );
}

/**
 * A candle's price as `open`: Bybit's `openPrice`, CoinAPI's `price_open`, OKX's `o` (beside
 * its `h`, `l` and `c`); any other key as it is.
 */
function candleKey(key: string): string {
  const bare = /^(?:price_)?(open|high|low|close)(?:_price)?$/.exec(key)?.[1];
  return bare ?? OHLC_LETTERS[key] ?? key;
}
const OHLC_LETTERS: Record<string, string> = { o: 'open', h: 'high', l: 'low', c: 'close' };

/** Dune's and Flipside's buckets: a time only where no `year` or `month` splits the date. */
export const BUCKET_TIMES = new Set(['minute', 'hour', 'day', 'week']);

/** What `c` and `t` are in a file of candles by letters: the close and the candle's time. */
export const CANDLE_LETTERS: Record<string, string> = { c: 'close', t: 'timestamp' };

/** Whether the keys are candles by letters: `o`, `h`, `l` and `c` (OKX's, Polygon.io's). */
export function isOhlcLetters(keys: readonly string[]): boolean {
  return Object.keys(OHLC_LETTERS).every((k) => keys.includes(k));
}

/** Headers only a log of one's own trades has: a side, an order or trade id, a fee. */
const TRADE_KEYS = new Set(['side', 'txid', 'ordertxid', 'trade_id', 'tradeid', 'order_id'])
  .add('orderid')
  // Poloniex's trade history
  .add('order_number')
  .add('ordertype')
  .add('order_type')
  .add('fee')
  .add('fees')
  .add('commission')
  .add('transaction_type')
  .add('quantity_transacted')
  .add('subtotal');

/** Coinbase's price of a coin: `amount` of `currency` for one `base`. */
export const COINBASE_PRICE_KEYS = ['amount', 'base', 'currency'] as const;

/** An amount of coins: in a file with one, a `Value` is what the amount is worth. */
export const AMOUNT_KEYS = new Set(['amount', 'quantity', 'qty', 'units']);
export const WORTH_KEYS = new Set(['value', 'usd']);
export const RATE_KEYS = new Set(['rate']);

/** A ticker's last price, and the window it is the last of (`openTime`, `closeTime`). */
export const LAST_PRICES = new Set(['last', 'last_price', 'lastprice', 'last_trade_price']);
export const WINDOW_OPENS = new Set(['open_time', 'time_open', 'start_time']);
export const WINDOW_CLOSES = new Set(['close_time', 'time_close', 'end_time']);

/** A trade log's market and time, by words that elsewhere mean other things. */
export const TRADE_MARKETS = new Set(['market', 'product', 'product_id']);
export const TRADE_TIMES = new Set([
  'created_at',
  'order_created_at',
  'create_time',
  'created_time',
]);
export const FILL_PRICES = new Set(['average_price', 'avg_price']);

/** A trade log's id columns: a transaction's, never a coin's. */
export const TRANSACTION_IDS = new Set(['id', 'txid', 'transaction_id', 'trade_id', 'tradeid']);

export function isTradeLog(keys: readonly string[]): boolean {
  return keys.filter((k) => TRADE_KEYS.has(k)).length >= 2;
}
