/**
 * Choosing a header's columns among its candidates: each field its most confident column,
 * each column one field, after the file's shape has ruled some out (what a `Value` or a
 * `Rate` is beside an amount of coins, a candle's volume, a trade log's market and time).
 */
import { type ColumnMapping, type CsvField } from './fields.js';
import { currencyIn } from './header-keys.js';
import {
  AMOUNT_KEYS,
  BUCKET_TIMES,
  FILL_PRICES,
  isCandleVolume,
  LAST_PRICES,
  RATE_KEYS,
  TRADE_MARKETS,
  TRADE_TIMES,
  TRANSACTION_IDS,
  WINDOW_CLOSES,
  WINDOW_OPENS,
  WORTH_KEYS,
} from './shapes.js';

/** A header's candidates, best first, and those the file's shape rules out. */
export interface Picking {
  headers: readonly string[];
  keys: readonly string[];
  /** Each key without the currency it names. */
  bare: readonly string[];
  candidates: ColumnMapping[];
  /** Candidates the file's shape rules out, each step adding to those before it. */
  out: Set<ColumnMapping>;
  warnings: string[];
}

/** Each field its most confident column of the candidates not ruled out. */
function pickLeft(p: Picking): ColumnMapping[] {
  return pick(p.candidates.filter((c) => !p.out.has(c)));
}

/** Rules out the candidates `which` says, but for the user's (--map). */
function ruleOut(p: Picking, which: (c: ColumnMapping) => boolean): void {
  p.candidates.filter((c) => c.how !== 'override' && which(c)).forEach((c) => p.out.add(c));
}

/**
 * The columns picked once the file's shape has spoken: what a `Value` or a `Rate` is, a date
 * split into columns, a ticker's window, a volume of candles that may count coins.
 */
export function pickByShape(p: Picking, coinbasePrices: boolean): ColumnMapping[] {
  const { keys, bare } = p;
  // Beside an amount of coins, `Value` is that amount's worth and `Rate` the price paid (a
  // log of transactions: Bitstamp's); without one, a rate is an interest or a funding rate,
  // but beside a market cap the coin's price (LiveCoinWatch's `code,rate,volume,cap`).
  const amounts = !coinbasePrices && bare.some((k) => AMOUNT_KEYS.has(k));
  const capped = p.candidates.some((c) => c.field === 'market_cap_usd');
  const notPrices = amounts ? WORTH_KEYS : capped ? new Set<string>() : RATE_KEYS;
  ruleOut(p, (c) => c.field === 'price_usd' && notPrices.has(bare[c.index] ?? ''));
  /** Rules out the time columns named so, but for the user's. */
  const noTimes = (named: ReadonlySet<string>) =>
    ruleOut(p, (c) => c.field === 'observed_at' && named.has(keys[c.index] ?? ''));
  // A date split into columns (`year,month,day`): its `day` is no time, and kx joins no date.
  if (keys.includes('year') || keys.includes('month')) noTimes(BUCKET_TIMES);
  let columns = pickLeft(p);
  // A ticker's last price is at its window's close (Binance's 24-hour tickers: `lastPrice`
  // beside `openTime` and `closeTime`), not at its open, as a candle's close is stamped
  const last = columns.find((c) => c.field === 'price_usd' && LAST_PRICES.has(bare[c.index]!));
  if (last && keys.some((k) => WINDOW_CLOSES.has(k))) {
    noTimes(WINDOW_OPENS);
    columns = pickLeft(p);
  }
  const unsure = columns.find((c) => isCandleVolume(c, keys, columns));
  if (!unsure) return columns;
  p.warnings.push(
    `column "${unsure.header.trim()}" of a file of candles may count coins (exchanges' exports do) or US dollars: ` +
      `left out of volume_24h_usd (if it is US dollars, name it with --map '${unsure.header.trim()}=volume_24h_usd')`,
  );
  p.candidates.filter((c) => c.index === unsure.index).forEach((c) => p.out.add(c));
  columns = pickLeft(p);
  // Alpha Vantage's daily export (`open (CNY)`, …, `close (USD)`, `volume`, `market cap
  // (USD)`) writes its volume, in coins, again as its market cap: it has none.
  const cap = columns.find((c) => c.field === 'market_cap_usd' && c.how !== 'override');
  if (!cap || !keys.some((k) => currencyIn('', k)?.key === 'open')) return columns;
  p.warnings.push(
    `column "${cap.header.trim()}" of candles whose prices name their currency (Alpha Vantage's export) ` +
      `repeats the volume, not a market cap: left out (if it is one, name it with --map '${cap.header.trim()}=market_cap_usd')`,
  );
  p.candidates.filter((c) => c.index === cap.index).forEach((c) => p.out.add(c));
  return pickLeft(p);
}

/**
 * A trade log (Kraken's trades, Binance's and Coinbase's fills, Coinbase's transactions): no
 * column of it is a day's volume (its `vol` is one trade's size, in coins), and its `id` is a
 * transaction's, not a coin's. Words that elsewhere mean other things name its market and
 * its time: Poloniex's `Market` (`XRP/USDT`; Kaggle's market cap), Coinbase's `product`
 * (a catalogue's product), and `created at` (when a row was made); and an order's average
 * price is what it was filled at, where its `price` is its limit (KuCoin's orders: 0 for a
 * market order).
 */
export function readTradeLog(p: Picking, columns: ColumnMapping[]): ColumnMapping[] {
  const { keys } = p;
  const inTradeLog = (field: CsvField, words: ReadonlySet<string>, takesOver = false) => {
    const index = keys.findIndex((k) => words.has(k));
    const read = p.candidates.filter((c) => c.index === index);
    if (index === -1 || read.some((c) => c.how === 'override')) return;
    read.forEach((c) => p.out.add(c));
    const other = (c: ColumnMapping) => c.field === field && c.index !== index;
    if (takesOver) ruleOut(p, other);
    if (!columns.some((c) => other(c) && (!takesOver || c.how === 'override')))
      p.candidates.push({
        field,
        header: p.headers[index] ?? '',
        index,
        confidence: 0.9,
        how: 'synonym',
      });
  };
  inTradeLog('symbol', TRADE_MARKETS);
  inTradeLog('observed_at', TRADE_TIMES);
  inTradeLog('price_usd', FILL_PRICES, true);
  const size = columns.find((c) => c.field === 'volume_24h_usd' && c.how !== 'override');
  if (size)
    p.warnings.push(
      `column "${size.header.trim()}" of a trade log is each trade's size, not a 24h volume: left out`,
    );
  ruleOut(
    p,
    (c) =>
      c.field === 'volume_24h_usd' ||
      (c.field === 'source_id' && TRANSACTION_IDS.has(keys[c.index] ?? '')),
  );
  return pickLeft(p);
}

/** Each field its most confident column, each column one field (`candidates` best first). */
function pick(candidates: readonly ColumnMapping[]): ColumnMapping[] {
  const columns: ColumnMapping[] = [];
  for (const c of candidates)
    if (!columns.some((m) => m.field === c.field || m.index === c.index)) columns.push(c);
  return columns;
}

/** Overrides beat everything; otherwise confidence decides. */
export function rankOf(c: ColumnMapping): number {
  return c.how === 'override' ? 2 : c.confidence;
}
