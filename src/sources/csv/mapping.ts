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
import { isOhlcLetters, CANDLE_LETTERS, COINBASE_PRICE_KEYS, isTradeLog } from './shapes.js';
import { pickByShape, rankOf, readTradeLog, type Picking } from './picking.js';

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
