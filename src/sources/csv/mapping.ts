/**
 * A header row mapped to unified fields: overrides first, then synonyms, then fuzzy matches,
 * with the shape of the file (candles, a trade log, a ticker) and the currency each header
 * names deciding between candidates.
 */
import { toCurrency } from '../../core/currency.js';
import { KxError } from '../../core/errors.js';
import { zoneOfHeader } from '../../core/timestamp.js';
import {
  type ColumnMapping,
  type CsvField,
  MAGNITUDE_FIELDS,
  matchColumn,
  round2,
} from './fields.js';
import { NOT_A_FIELD } from './synonyms.js';
import {
  headerKeyAt,
  isUnnamed,
  magnitudeOf,
  toHeaderKey,
  withoutFormatWords,
  currencyIn,
  listColumns,
} from './header-keys.js';
import {
  isOhlcLetters,
  CANDLE_LETTERS,
  COINBASE_PRICE_KEYS,
  AMOUNT_KEYS,
  WORTH_KEYS,
  RATE_KEYS,
  BUCKET_TIMES,
  LAST_PRICES,
  WINDOW_CLOSES,
  WINDOW_OPENS,
  isCandleVolume,
  isTradeLog,
  TRADE_MARKETS,
  TRADE_TIMES,
  FILL_PRICES,
  TRANSACTION_IDS,
} from './shapes.js';

/**
 * Volumes counted in coins, not US dollars: investing.com's `Vol.` (`65.59K` bitcoins; other
 * files' bare `vol` is dollars), and `Volume BTC`, `volume_eth`… beside a `Volume USDT`
 * (CryptoDataDownload, exchange klines). Loading one as volume_24h_usd would be off by the
 * coin's price; it is left out with a word.
 */
function countsCoins(key: string, header: string): boolean {
  return (
    /^vol\.$/i.test(header.trim()) ||
    /^vol(ume)?_(?!usd|usdt|usdc|busd|24h|usd_24h|quote|value)[a-z]{2,6}$/.test(key)
  );
}

/**
 * CryptoCompare's volumes count the coin unless their name ends in `TO`, the currency it is
 * quoted in: `RAW.USD.TOTALVOLUME24H` is coins, `RAW.USD.TOTALVOLUME24HTO` dollars. Left out
 * without a word (a file of its top list has seven), where the fuzzy match would have read one
 * as dollars.
 */
function isCryptoCompareCoinVolume(key: string, header: string): boolean {
  const volume = /^([a-z]{3,5})_(?:total)?(?:toptier)?(?:last)?volume(?:24_h|24_hour|day|hour)?$/;
  const code = volume.exec(key)?.[1];
  return code !== undefined && toCurrency(code) !== null && /^raw\./i.test(header.trim());
}

function coinVolumeWarning(header: string, key: string): string {
  const fiat = /_(eur|gbp|jpy|krw|aud|cad|chf|try|brl|rub|inr)$/.exec(key)?.[1];
  // OKX's `volCcy`: in the market's base or quote currency, by the kind of market
  const unnamed = key.endsWith('_ccy');
  const what = fiat
    ? `is in ${fiat.toUpperCase()}, not US dollars`
    : unnamed
      ? 'is in a currency it does not name'
      : 'counts coins, not US dollars';
  return (
    `column "${header.trim()}" ${what}: left out of volume_24h_usd ` +
    `(a column of US dollar volume can be named with --map 'COLUMN=volume_24h_usd')`
  );
}
const WARN_BELOW = 0.9;

export interface HeaderMapping {
  columns: ColumnMapping[];
  unmapped: string[];
  warnings: string[];
  /** Columns of amounts in another currency (`Close (EUR)`), left out: what each would feed. */
  otherCurrency: { header: string; code: string; fields: CsvField[] }[];
  /** A trade log (Kraken's trades, exchanges' fills): a row is a trade, its price the trade's. */
  tradeLog: boolean;
}

/**
 * Maps a header row to unified fields: overrides first, then exact synonyms, then fuzzy
 * matches; each field takes the most confident column, each column feeds one field, but for
 * candidates the file's shape rules out (`pickByShape`, `readTradeLog`).
 */
export function mapHeader(
  headers: readonly string[],
  overrides: Map<string, CsvField | null>,
): HeaderMapping {
  const keys = headers.map(headerKeyAt);
  const warnings = duplicateWarnings(headers, keys);
  const otherCurrency: HeaderMapping['otherCurrency'] = [];
  const header = { keys, overrides, warnings, otherCurrency };
  const candidates = keys.flatMap((key, index) =>
    key === '' || keys.indexOf(key) !== index
      ? []
      : columnCandidates(header, headers[index] ?? '', index),
  );
  requireOverridesFound(overrides, keys, headers);
  const coinbasePrices = isCoinbasePrices(keys, candidates);
  if (coinbasePrices) candidates.push(...coinbasePriceCandidates(headers, keys, overrides));
  candidates.sort((a, b) => rankOf(b) - rankOf(a) || a.index - b.index);
  const picking: Picking = {
    headers,
    keys,
    // Each key without the currency it names (`Amount (BTC)`, `Value (USD)`, `USD Value`).
    bare: keys.map((key, i) => currencyIn(headers[i] ?? '', key)?.key ?? key),
    candidates,
    out: new Set(),
    warnings,
  };
  let columns = pickByShape(picking, coinbasePrices);
  const tradeLog = isTradeLog(keys);
  if (tradeLog) columns = readTradeLog(picking, columns);
  for (const c of columns) {
    if (c.confidence < WARN_BELOW) {
      warnings.push(
        `column "${c.header}" mapped to ${c.field} with low confidence ${c.confidence.toFixed(2)}; ` +
          `confirm with --map '${c.header}=${c.field}' or ignore it with --map '${c.header}='`,
      );
    }
  }
  columns.sort((a, b) => a.index - b.index);
  const unmapped = headers.filter((_, i) => !columns.some((m) => m.index === i));
  return { columns, unmapped, warnings, otherCurrency, tradeLog };
}

/** What every column of a header is mapped under, and what its mapping says of the others. */
interface HeaderContext {
  keys: readonly string[];
  overrides: Map<string, CsvField | null>;
  warnings: string[];
  otherCurrency: HeaderMapping['otherCurrency'];
}

/** The fields one column could feed: the user's --map, else what its header says. */
function columnCandidates(ctx: HeaderContext, header: string, index: number): ColumnMapping[] {
  const { keys, overrides, warnings } = ctx;
  const key = keys[index] ?? '';
  if (isUnnamed(header) && !overrides.has(key)) return [];
  const zone = zoneOfHeader(header);
  const zoned = (c: ColumnMapping): ColumnMapping =>
    zone?.offsetMinutes && c.field === 'observed_at'
      ? { ...c, zoneMinutes: zone.offsetMinutes }
      : c;
  if (overrides.has(key)) {
    const field = overrides.get(key);
    const magnitude = magnitudeOf(key);
    if (!field) return [];
    const c: ColumnMapping = { field, header, index, confidence: 1, how: 'override' };
    return [magnitude && MAGNITUDE_FIELDS.has(field) ? { ...c, scale: magnitude.scale } : zoned(c)];
  }
  // `Date(UTC)` (Binance's exports), `Time (UTC+8)`: a time column that names its zone
  const times = zone
    ? matchColumn(toHeaderKey(zone.header), header, index).filter((c) => c.field === 'observed_at')
    : [];
  if (times.length > 0) return times.map(zoned);
  // `date_iso`, `iso_timestamp`, `date_str`: a time column that names the form it is written in
  const plain = withoutFormatWords(zone ? toHeaderKey(zone.header) : key);
  const written = plain
    ? matchColumn(plain, header, index).filter(
        (c) => c.field === 'observed_at' && c.how === 'synonym',
      )
    : [];
  if (written.length > 0)
    return written.map((c) => zoned({ ...c, confidence: round2(c.confidence * 0.95) }));
  if (countsCoins(key, header)) {
    warnings.push(coinVolumeWarning(header, key));
    return [];
  }
  if (isCryptoCompareCoinVolume(key, header)) return [];
  // `Close (USD)` is a price in dollars; `Close (EUR)` and `Preis (€)` are none, though
  // `price` alone would be (`Circulating Supply (BTC)` still counts coins).
  const named = currencyIn(header, key);
  if (named) return amountsIn(ctx, named, header, index);
  // OKX's and Polygon.io's candles' `c` is the close, beside `o`, `h` and `l` only, and
  // Polygon's `t` the candle's time
  const letter = isOhlcLetters(keys) ? CANDLE_LETTERS[key] : undefined;
  return amountOrField(letter ?? key, header, index, warnings);
}

/**
 * The fields of a column whose header names a currency: an amount of money in dollars is
 * marked so, one in another currency is left out with a word (`otherCurrency`).
 */
function amountsIn(
  ctx: HeaderContext,
  named: NonNullable<ReturnType<typeof currencyIn>>,
  header: string,
  index: number,
): ColumnMapping[] {
  const { warnings } = ctx;
  const key = ctx.keys[index] ?? '';
  const whole = named.sign ? [] : matchColumn(key, header, index);
  const found = whole.some((c) => c.how === 'synonym')
    ? amountOrField(key, header, index, warnings)
    : amountOrField(named.key, header, index, warnings);
  if (named.usd)
    return found.map((c) => (MONEY_FIELDS.has(c.field) ? { ...c, currency: 'USD' as const } : c));
  const money = found.filter((c) => MONEY_FIELDS.has(c.field)).map((c) => c.field);
  if (money.length > 0) {
    ctx.otherCurrency.push({ header: header.trim(), code: named.code, fields: money });
    warnings.push(
      `column "${header.trim()}" is in ${named.code}, not US dollars: left out ` +
        `(kx stores US dollar amounts; a column you know is in dollars can be named with --map '${header.trim()}=FIELD')`,
    );
  }
  // a change of the price in another currency is not the dollar price's (CoinGecko's trending
  // writes one per currency: `….price_change_percentage_24h.aed` … `.usd`)
  return found.filter((c) => !MONEY_FIELDS.has(c.field) && c.field !== 'percent_change_24h');
}

/**
 * A --map for a column that is not there is a typo or the wrong file: loading on without it
 * would map the file by guesswork the user meant to overrule.
 */
function requireOverridesFound(
  overrides: Map<string, CsvField | null>,
  keys: readonly string[],
  headers: readonly string[],
): void {
  const missing = [...overrides.keys()].filter((key) => !keys.includes(key));
  if (missing.length === 0) return;
  throw new KxError(
    'usage',
    `--map names ${missing.map((k) => `"${k}"`).join(', ')}, which the file's header does not have; ` +
      `its columns are ${listColumns(headers)}`,
    { context: { missing, headers } },
  );
}

/**
 * Coinbase's prices (`/v2/prices/BTC-USD/spot`: `amount`, `base`, `currency`, and at most a
 * time beside them): the amount is one `base` coin's price in `currency`, not an amount of
 * coins as in a log of trades, which has more columns.
 */
function isCoinbasePrices(keys: readonly string[], candidates: readonly ColumnMapping[]): boolean {
  return (
    COINBASE_PRICE_KEYS.every((k) => keys.includes(k)) &&
    candidates.every(
      (c) => c.field === 'observed_at' || COINBASE_PRICE_KEYS.some((k) => k === keys[c.index]),
    ) &&
    keys.length <= COINBASE_PRICE_KEYS.length + 1
  );
}

/** Coinbase's `amount` as the price and `base` as the symbol, where no --map says otherwise. */
function coinbasePriceCandidates(
  headers: readonly string[],
  keys: readonly string[],
  overrides: Map<string, CsvField | null>,
): ColumnMapping[] {
  const found: ColumnMapping[] = [];
  for (const [key, field] of [
    ['amount', 'price_usd'],
    ['base', 'symbol'],
  ] as const) {
    const index = keys.indexOf(key);
    if (!overrides.has(key))
      found.push({ field, header: headers[index]!, index, confidence: 0.9, how: 'synonym' });
  }
  return found;
}

/** A header's candidates, best first, and those the file's shape rules out. */
interface Picking {
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
function pickByShape(p: Picking, coinbasePrices: boolean): ColumnMapping[] {
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
function readTradeLog(p: Picking, columns: ColumnMapping[]): ColumnMapping[] {
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

/**
 * A column's candidate fields by its key (without a currency): `Market Cap (M)` is a market cap
 * in millions, not a fuzzy `market_cap`; a magnitude word in front of anything but an amount
 * leaves the key as it is.
 */
function amountOrField(
  key: string,
  header: string,
  index: number,
  warnings: string[],
): ColumnMapping[] {
  const magnitude = magnitudeOf(key);
  const amount = magnitude
    ? matchColumn(magnitude.key, header, index).filter((c) => MAGNITUDE_FIELDS.has(c.field))
    : [];
  if (magnitude && amount.length > 0 && !NOT_A_FIELD.has(magnitude.key)) {
    if (countsCoins(magnitude.key, header)) {
      warnings.push(coinVolumeWarning(header, magnitude.key));
      return [];
    }
    return amount.map((c) => ({ ...c, scale: magnitude.scale }));
  }
  return NOT_A_FIELD.has(key) ? [] : matchColumn(key, header, index);
}

/** The fields of amounts of money, which a currency in their header speaks for. */
const MONEY_FIELDS = new Set<CsvField>(['price_usd', 'market_cap_usd', 'volume_24h_usd']);

/** Each field its most confident column, each column one field (`candidates` best first). */
function pick(candidates: readonly ColumnMapping[]): ColumnMapping[] {
  const columns: ColumnMapping[] = [];
  for (const c of candidates)
    if (!columns.some((m) => m.field === c.field || m.index === c.index)) columns.push(c);
  return columns;
}

/** Overrides beat everything; otherwise confidence decides. */
function rankOf(c: ColumnMapping): number {
  return c.how === 'override' ? 2 : c.confidence;
}

function duplicateWarnings(headers: readonly string[], keys: readonly string[]): string[] {
  const warnings: string[] = [];
  keys.forEach((key, index) => {
    const first = keys.indexOf(key);
    if (key === '' || first === index) return;
    const [one, other] = [headers[first]?.trim(), headers[index]?.trim()];
    warnings.push(
      one === other
        ? `duplicate column "${other}" (columns ${first + 1} and ${index + 1}): using column ${first + 1}`
        : // two paths that end alike (`item.price_btc`, `item.data.price_btc`)
          `columns "${one}" and "${other}" (${first + 1} and ${index + 1}) read as one name, ` +
            `${key}: using column ${first + 1}`,
    );
  });
  return warnings;
}
