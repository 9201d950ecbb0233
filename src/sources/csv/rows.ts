/** A file's rows as source records: each cell read with the file's mapping, date order and decimal mark. */
import { isUtf8 } from 'node:buffer';
import { toCurrency, USD_QUOTES } from '../../core/currency.js';
import { KxError } from '../../core/errors.js';
import { scaleDecimal, toDecimal, type DecimalMark } from '../../core/decimal.js';
import { type FileVersion, type SourceRecord } from '../../core/source.js';
import { toTimestamp, type DateOrder } from '../../core/timestamp.js';
import {
  checkListing,
  toNameKey,
  type ListingCheck,
  type UnifiedListing,
} from '../../core/unified.js';
import { type ColumnMapping, type CsvField } from './fields.js';
import { isUnnamed, toHeaderKey, unnamedColumn } from './header-keys.js';
import { mapHeader, type HeaderMapping } from './mapping.js';
import { AMOUNT_KEYS } from './shapes.js';
import {
  isCurrencySign,
  isFiat,
  isMarketOfKnownCoins,
  isMarketShaped,
  parsePair,
  pricedInItself,
  readCell,
  readMarket,
  sameCoin,
  splitNamedTicker,
  usualTicker,
  withoutCashtag,
} from './pairs.js';
import { type CsvRow } from './reader.js';
import type { PairExample } from './pairs.js';

export interface CsvPosition {
  end: number;
  line: number;
  /** `CsvRow.unfinished`: the file's last record had no line break after it. */
  unfinished?: { offset: number; line: number };
}

export async function* mapRows(
  rows: AsyncGenerator<CsvRow>,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
): AsyncGenerator<SourceRecord<CsvPosition>> {
  for await (const row of rows) if (!isDecoration(row)) yield toRecord(row);
}

/**
 * A line that draws a table rather than holding a record: the rule under a header in a Markdown
 * table (`|---|---:|`) or in psql's and MySQL's output (`--------+-------`, `+-----+`), and
 * their footers (`(3 rows)`, `3 rows in set (0.00 sec)`); the Ctrl-Z (SUB) that DOS-era
 * tools end a file with; a row of empty cells (`,,,,`: Excel saves rows that were once used
 * so) or of spaces; or the lines under yfinance's header (`Ticker,BTC-USD,…`, `Date,,,`: see
 * `YfinanceLevels`). Skipped like an empty line.
 */
export function isDecoration(row: CsvRow): boolean {
  const first = row.fields[0]?.trim() ?? '';
  if (first === 'Ticker' || first === 'Date' || first === 'Datetime') return isLevelLine(row);
  if (row.fields.length === 1)
    return (
      first === '' ||
      first === '\u001a' ||
      /^\(\d+ rows?\)$|^\d+ rows? in set\b|^[+:=-]*---[+:=-]*$/.test(first)
    );
  if (first !== '' && !/^[:+=-]/.test(first)) return false; // most rows: a date, a coin
  if (row.fields.every((field) => field.trim() === '')) return true;
  const line = row.fields.join('|');
  return line.includes('---') && /^[\s|+:=-]+$/.test(line);
}

/**
 * yfinance's `Ticker` line (one ticker in every cell: a download of several is refused before
 * any row is read) or its index's name over empty cells. A second header that starts with
 * `Ticker` (files joined one after the other) names fields, not one ticker, and stays a row.
 */
function isLevelLine({ fields }: CsvRow): boolean {
  const rest = fields.slice(1).map((cell) => cell.trim());
  if (rest.length === 0) return false;
  return fields[0]!.trim() === 'Ticker'
    ? /^[A-Z0-9^=.-]*[A-Z][A-Z0-9^=.-]*$/i.test(rest[0]!) && rest.every((cell) => cell === rest[0])
    : rest.every((cell) => cell === '');
}

export interface RowMapperOptions {
  /** The file version its lines are stored with; its `columns` name the payload's keys. */
  file: FileVersion;
  mapping: HeaderMapping;
  /** The column with the time of day of the observed_at column's dates, if apart. */
  timeOfDay: number | undefined;
  /** The zone the time column's or the time-of-day column's header names (`timeOfDayZone`). */
  zoneMinutes: number | undefined;
  symbol: string | undefined;
  /**
   * With --symbol, the name the file's first rows give their coin: a later row naming another
   * is rejected (the look-ahead refuses a file whose first rows name two).
   */
  oneName?: { value: string; key: string } | null;
  /** With --symbol, the id the file's first rows give their listing, if they give one. */
  oneId?: string | null;
  /** The amount column that counts each row's coin, if the file has one (`amountColumns`). */
  amounts?: AmountColumns | null;
  /** Set when the symbol column holds trading pairs: each row's coin is its pair's base. */
  pairs: PairExample | null;
  /** Set when the symbol column holds cashtags (`$BTC`): each row's coin is without its `$`. */
  cashtags?: boolean;
  /**
   * Set when the symbol column holds a name and a ticker (`Bitcoin BTC`): the ticker is the
   * row's symbol, and the name its name when no column holds names.
   */
  namedTickers?: boolean;
  /** The column that says what a row's prices are in (`currency`): each row must say dollars. */
  currency: { index: number; header: string } | null;
  /** observed_at for files without a timestamp column: re-reading the same file stays idempotent. */
  fileTime: Date;
  dateOrder: DateOrder;
  decimalMark: DecimalMark;
  /** `SourceRecord.readAs`: the mapping that turns this file's rows into listings. */
  readAs: string;
}

export function createRowMapper(
  options: RowMapperOptions,
): (row: CsvRow) => SourceRecord<CsvPosition> {
  const { file, mapping, timeOfDay, zoneMinutes, symbol, pairs, currency, oneName } = options;
  const { fileTime, dateOrder, decimalMark, readAs } = options;
  const keys = file.columns;
  const column = new Map<CsvField, ColumnMapping>(mapping.columns.map((c) => [c.field, c]));
  const scales: Scales = Object.fromEntries(
    mapping.columns.filter((c) => c.scale).map((c) => [c.field, c.scale]),
  );
  /** The row as header name → cell: what a quarantined row is stored as. */
  const toPayload = (fields: readonly string[]) => {
    const payload: Record<string, string> = {};
    keys.forEach((key, i) => (payload[key] = fields[i] ?? ''));
    fields
      .slice(keys.length)
      .forEach((extra, i) => (payload[`column_${keys.length + i + 1}`] = extra));
    return payload;
  };
  return (row) => {
    const cell = (field: CsvField): string => {
      const c = column.get(field);
      if (field === 'name' && !c && options.namedTickers) return partOf('name');
      const written = c ? (row.fields[c.index] ?? '').trim() : '';
      if (field !== 'symbol') return written;
      if (options.namedTickers) return partOf('ticker');
      return options.cashtags ? withoutCashtag(written) : written;
    };
    /** The name or the ticker of a symbol cell of both; a cell of one is its ticker. */
    const partOf = (part: 'name' | 'ticker'): string => {
      const written = (row.fields[column.get('symbol')?.index ?? -1] ?? '').trim();
      const both = splitNamedTicker(written);
      return both ? both[part] : part === 'ticker' ? written : '';
    };
    // With --symbol every row is one coin: a row without a name is the coin the first rows
    // name, one listing with them (not a listing `btc` beside `btc-bitcoin`).
    const named = (field: CsvField) =>
      field === 'name' && oneName && column.has('name') && textOf(cell('name')) === ''
        ? oneName.value
        : cell(field);
    const time = column.has('observed_at')
      ? toTimestamp(
          withTimeOfDay(cell('observed_at'), row.fields[timeOfDay ?? -1]),
          dateOrder,
          zoneMinutes,
        )
      : { ok: true as const, value: fileTime };
    // An empty symbol is not a pair gone wrong: toListing says it is missing (or --symbol fills it).
    const pair = pairs && cell('symbol') !== '' ? toBase(cell('symbol'), pairs) : null;
    const read =
      overflow(row, keys.length, file.delimiter) ??
      notUtf8Cell(column, row) ??
      (currency &&
        notDollars(row.fields[currency.index], currency.header, symbol ?? cell('symbol'))) ??
      (pairs
        ? null
        : (contractRow(cell('symbol')) ??
          signRow(textOf(cell('symbol'))) ??
          (symbol === undefined ? marketRow(cell('symbol')) : null))) ??
      (symbol !== undefined ? otherCoin(cell, row.fields, symbol, options) : null) ??
      (pair && !pair.ok
        ? { ok: false as const, reason: `symbol: ${pair.reason}`, field: 'symbol' }
        : toListing(
            pair ? withoutQuote(cell, pair.quote) : symbol !== undefined ? named : cell,
            symbol ?? pair?.base,
            time,
            decimalMark,
            scales,
          ));
    const priced = read.ok ? (notDollarPrice(read.listing, column.get('price_usd')) ?? read) : read;
    // A rejected row may be a second header: files joined one after the other.
    const result =
      priced.ok || !file.header ? priced : (secondHeader(row, mapping, file.path) ?? priced);
    const sourceId = result.ok ? result.listing.sourceId : cell('source_id') || null;
    let payload: Record<string, string> | undefined;
    return {
      locator: { file: file.path, line: row.line },
      sourceId,
      // Made when asked for: a valid row lands as its line, and most rows are valid.
      get payload() {
        return (payload ??= toPayload(row.fields));
      },
      line: { file, number: row.line, bytes: row.bytes },
      result,
      position: { end: row.end, line: row.line, unfinished: row.unfinished },
      readAs,
    };
  };
}

/** An amount of coins kx leaves unmapped (`Amount`, `Quantity`) and the column of its coin. */
export interface AmountColumns {
  amount: number;
  /** Bitstamp's newer export writes the amount's coin in a column of its own; -1: in the cell. */
  coin: number;
}

/** The file's amount column, if one is left unmapped, and its coin's column. */
export function amountColumns(
  header: readonly string[],
  mapping: HeaderMapping,
): AmountColumns | null {
  const keys = header.map(toHeaderKey);
  const amount = keys.findIndex(
    (key, i) => AMOUNT_KEYS.has(key) && !mapping.columns.some((c) => c.index === i),
  );
  return amount === -1 ? null : { amount, coin: keys.indexOf(`${keys[amount]}_currency`) };
}

/** The coin a row's amount counts (`752.42 XRP`, or its coin column's), upper case, if it says. */
export function countedCoin(
  fields: readonly string[],
  { amount, coin }: AmountColumns,
): string | undefined {
  const written =
    coin === -1
      ? /^[-+]?[\d.,']+\s*([A-Za-z][A-Za-z0-9]{1,9})$/.exec((fields[amount] ?? '').trim())?.[1]
      : fields[coin]?.trim();
  return written ? written.toUpperCase() : undefined;
}

/**
 * A row past the look-ahead's sample that names another coin than --symbol's: loaded, it would
 * be read as the one coin, another coin's price as its own. Rejected, naming the coin.
 */
function otherCoin(
  cell: (field: CsvField) => string,
  fields: readonly string[],
  symbol: string,
  { oneName, oneId, amounts }: Pick<RowMapperOptions, 'oneName' | 'oneId' | 'amounts'>,
): { ok: false; reason: string; field: CsvField } | null {
  const counted = amounts && countedCoin(fields, amounts);
  if (counted && !USD_QUOTES.has(counted) && !sameCoin(counted, symbol.toUpperCase()))
    return {
      ok: false,
      reason: `price_usd: the row's amount counts ${counted}, not --symbol ${symbol}`,
      field: 'price_usd',
    };
  const written = textOf(cell('symbol'));
  const read = written === '' ? null : readCell(written, symbol.toUpperCase());
  if (read && !read.names)
    return {
      ok: false,
      reason: `symbol: ${JSON.stringify(written)} is another coin than --symbol ${symbol}`,
      field: 'symbol',
    };
  // `BTC-EUR` and `BTCEUR` among BTC's rows name the coin, in euros
  if (read?.market && !read.market.usd)
    return {
      ok: false,
      reason: `symbol: ${JSON.stringify(written)} is priced in ${read.market.quote}, not US dollars`,
      field: 'symbol',
    };
  const name = textOf(cell('name'));
  if (oneName && name !== '' && toNameKey(name) !== oneName.key)
    return {
      ok: false,
      reason:
        `name: ${JSON.stringify(name)} is another coin than the first rows' ` +
        `${JSON.stringify(oneName.value)} (--symbol ${symbol})`,
      field: 'name',
    };
  const id = textOf(cell('source_id'));
  if (oneId && id !== '' && id !== oneId)
    return {
      ok: false,
      reason: `source_id: ${JSON.stringify(id)} is another listing than the first rows' ${JSON.stringify(oneId)} (--symbol ${symbol})`,
      field: 'source_id',
    };
  return null;
}

/**
 * A row that is a header line (files joined with `cat a.csv b.csv`), told by its cells: no
 * number among them, and read as a header they name a price and a coin. One with the file's
 * layout is rejected, saying what it is. One that puts a field in another column would have
 * every row after it read by the first header's columns (a volume loaded as the market cap),
 * so the file is refused at that line, the rows before it committed.
 */
function secondHeader(
  row: CsvRow,
  mapping: HeaderMapping,
  path: string,
): { ok: false; reason: string } | null {
  const cells = row.fields.map((c) => c.trim());
  // A number or a date is a row's; this runs for each rejected row, so the cheap tests first.
  if (cells.some((c) => DATE_LIKE.test(c) || (c !== '' && toDecimal(c).ok))) return null;
  let found: HeaderMapping;
  try {
    found = mapHeader(cells, new Map());
  } catch {
    return null;
  }
  const at = new Map(found.columns.map((c) => [c.field, c.index]));
  const coin: CsvField[] = ['symbol', 'source_id', 'name'];
  if (!at.has('price_usd') || !coin.some((f) => at.has(f))) return null;
  const moved = mapping.columns.find(
    (c) => c.how !== 'override' && at.has(c.field) && at.get(c.field) !== c.index,
  );
  if (!moved)
    return { ok: false, reason: 'a repeated header line (files joined one after the other?)' };
  const there = at.get(moved.field) ?? 0;
  throw new KxError(
    'input',
    `${path}:${row.line}: a second header line with other columns (${JSON.stringify(cells[there])} is ` +
      `column ${there + 1} there, ${JSON.stringify(moved.header.trim())} column ${moved.index + 1} in the ` +
      "file's header): the file joins files of different layouts, and the rows after it would be read " +
      `by the first one's. Split it at line ${row.line} and load each part`,
    { context: { file: path, line: row.line } },
  );
}

/** `2024-01-05…`, `05/01/2024`, `5.1.24`: no header names a column so. */
const DATE_LIKE = /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b/;

/** The text cells a listing is made of: the ones whose characters are loaded as they are. */
const TEXT_FIELDS: readonly CsvField[] = ['source_id', 'symbol', 'name'];

/**
 * The rejection of a row whose id, symbol or name is not UTF-8 (a Windows-1252 or Latin-1
 * export): read as UTF-8 its `é` would load as U+FFFD. Bytes that are not UTF-8 elsewhere
 * in the line are no harm: the raw line keeps them exactly.
 */
function notUtf8Cell(
  column: ReadonlyMap<CsvField, ColumnMapping>,
  row: CsvRow,
): { ok: false; reason: string; field: string } | null {
  for (const field of TEXT_FIELDS) {
    const c = column.get(field);
    if (!c || !row.fields[c.index]?.includes('\uFFFD') || isUtf8(row.bytes)) continue;
    return {
      ok: false,
      reason:
        `${field}: not UTF-8 text (read as UTF-8 it would be ${JSON.stringify(row.fields[c.index])}); ` +
        'kx reads CSV files as UTF-8: convert the file first, for a Windows-1252 or Latin-1 ' +
        'export: iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8.csv',
      field,
    };
  }
  return null;
}

/**
 * The rejection of a row with more cells than the header has columns, past them not empty: a
 * cell with the delimiter in it and no quotes around it (`42,000.50` in a file split by
 * commas) made two, and every cell after it moved one column over, so the row's price is `42`
 * and its volume `000.50`. Which cell split cannot be told; empty cells past the end (a
 * spreadsheet's trailing delimiters) are no harm.
 */
function overflow(
  row: CsvRow,
  columns: number,
  delimiter: string,
): { ok: false; reason: string } | null {
  if (row.fields.length <= columns || row.fields.slice(columns).every((c) => c.trim() === ''))
    return null;
  const name = delimiter === '\t' ? 'tab' : JSON.stringify(delimiter);
  return {
    ok: false,
    reason:
      `${row.fields.length} cells where the header has ${columns}: a cell with a ${name} in it ` +
      `and no quotes around it${delimiter === ',' ? ' (a number such as 42,000.50?)' : ''} ` +
      'splits in two and moves the cells after it; quote such cells' +
      (delimiter === ',' ? ', or write numbers without thousands separators' : ''),
  };
}

/**
 * The rejection of a row whose currency cell (`EUR`, `n/a`) does not say US dollars: its
 * prices would load as dollars. An empty cell says nothing, as in the rows before it.
 */
function notDollars(
  value: string | undefined,
  header: string,
  coin: string,
): { ok: false; reason: string; field: string } | null {
  const cell = (value ?? '').trim();
  const found = toCurrency(cell);
  if (cell === '' || found?.usd || pricedInItself(cell, coin)) return null;
  return {
    ok: false,
    reason: found
      ? `${header}: the row's prices are in ${found.code}, not US dollars`
      : `${header}: ${JSON.stringify(cell)} is not a currency kx knows as US dollars`,
    field: 'price_usd',
  };
}

/**
 * A row's cells with its name read without the pair's quote: Yahoo Finance names each coin
 * after its market (`Bitcoin USD` for `BTC-USD`, `Tether USDt USD`), and the coin is `Bitcoin`.
 */
function withoutQuote(
  cell: (field: CsvField) => string,
  quote: string,
): (field: CsvField) => string {
  const suffix = ` ${quote.toLowerCase()}`;
  return (field) => {
    const written = cell(field);
    return field === 'name' && written.toLowerCase().endsWith(suffix)
      ? written.slice(0, -suffix.length).trimEnd()
      : written;
  };
}

const contractReason = (value: string) =>
  `${JSON.stringify(value)} is a swap, futures or options contract, not a spot market`;

/**
 * The rejection of a row whose symbol names a derivative contract (`BTC-PERP`, `BTCUSDT_240329`)
 * in a column of tickers (in one of pairs, `toBase` rejects it), with or without --symbol, which
 * would read it as the coin: a contract's price is not the coin's.
 */
function contractRow(written: string): { ok: false; reason: string; field: CsvField } | null {
  if (!/[-_.:]/.test(written) || !parsePair(written)?.contract) return null;
  return { ok: false, reason: `symbol: ${contractReason(written)}`, field: 'symbol' };
}

/**
 * The rejection of a row whose symbol is a currency sign (`Ξ`) past the look-ahead's sample,
 * which refuses a column of them: loaded, the sign would be a coin of its own.
 */
function signRow(written: string): { ok: false; reason: string; field: CsvField } | null {
  if (!isCurrencySign(written)) return null;
  const reason = `${JSON.stringify(written)} is a currency sign, not a ticker`;
  return { ok: false, reason: `symbol: ${reason}`, field: 'symbol' };
}

/**
 * The most the coins most files are of have traded at in US dollars (BTC about 126,000 in
 * October 2025, ETH about 4,950 in August 2025), in round figures.
 */
const HIGHEST_USD: Readonly<Record<string, number>> = { BTC: 126_000, ETH: 4_950 };

/**
 * The rejection of a row whose price is more than ten times the most its coin has traded at in
 * US dollars: a price in won, yen or rupees (Upbit's, bitFlyer's, an exchange's own export)
 * that nothing in the file says the currency of. `--map` of the price column says it is
 * dollars after all.
 */
function notDollarPrice(
  listing: UnifiedListing,
  price: ColumnMapping | undefined,
): { ok: false; reason: string; field: CsvField } | null {
  const highest = HIGHEST_USD[listing.symbol];
  if (!highest || listing.priceUsd === null || price?.how === 'override') return null;
  if (Number(listing.priceUsd) <= highest * 10) return null;
  const header = price?.header.trim() ?? 'price_usd';
  return {
    ok: false,
    reason:
      `price_usd: ${listing.priceUsd} is more than ten times the most ${listing.symbol} has ` +
      `traded at in US dollars (about ${highest.toLocaleString('en')}): a price in another ` +
      `currency (won, yen, rupees)? Convert the file to dollars; if these are dollars, ` +
      `--map '${header}=price_usd'`,
    field: 'price_usd',
  };
}

/**
 * The rejection of a row whose symbol is a market (`BTC-USD`, `KRW-BTC`) in a column of
 * tickers, which --map or too few markets among the first rows left unread as pairs: loaded,
 * `BTC-USD` would be a coin of its own, priced in whatever the market is.
 */
function marketRow(written: string): { ok: false; reason: string; field: CsvField } | null {
  if (!isMarketOfKnownCoins(written)) return null;
  const reason = `${JSON.stringify(written)} is a market, not a coin's ticker like the column's others`;
  return { ok: false, reason: `symbol: ${reason}`, field: 'symbol' };
}

/** A pair's coin (`BTC/USD` → BTC), or why the row's symbol is not one priced in dollars. */
export function toBase(
  value: string,
  pairs: PairExample,
): { ok: true; base: string; quote: string } | { ok: false; reason: string } {
  const pair = readMarket(value, pairs.quoteFirst);
  const codes = pair ? null : value.trim().toUpperCase().split(/[-_/]/);
  if (codes?.length === 2 && isMarketShaped(value))
    return {
      ok: false,
      reason: `${JSON.stringify(value)} is priced in ${pairs.quoteFirst ? codes[0] : codes[1]}, not US dollars`,
    };
  if (!pair)
    return {
      ok: false,
      reason: `${JSON.stringify(value)} is not a trading pair like the column's others (${JSON.stringify(pairs.example)})`,
    };
  if (pair.contract) return { ok: false, reason: contractReason(value) };
  if (isFiat(pair.base))
    return {
      ok: false,
      reason: `${JSON.stringify(value)} is a market of money (${pair.base}), not of a coin`,
    };
  if (!pair.usd)
    return {
      ok: false,
      reason: `${JSON.stringify(value)} is priced in ${pair.quote}, not US dollars`,
    };
  return { ok: true, base: pair.base, quote: pair.quote };
}

/**
 * `2024-03-24` and `7:05` → `2024-03-24 07:05`; a date that has a time keeps it. A time column
 * of unix times (`date,time,price` with `1711238400`, as scripts write them) is the instant
 * itself, which the date only rounds. An hour as a number (`Date,Hour` with `7`, `23`) is that
 * hour's start, and four digits (`0930`) an hour and its minutes.
 */
export function withTimeOfDay(date: string, time: string | undefined): string {
  const clock = time?.trim() ?? '';
  if (clock === '' || /\d:\d\d|[ap]\.?m\.?$/i.test(date)) return date;
  if (/^\d{9,19}(?:\.\d+)?$/.test(clock)) return clock;
  const hour = /^(?:[01]?\d|2[0-3])$/.test(clock) ? `${clock.padStart(2, '0')}:00` : undefined;
  const hhmm = /^([01]\d|2[0-3])([0-5]\d)$/.exec(clock);
  const written = hour ?? (hhmm ? `${hhmm[1]}:${hhmm[2]}` : clock);
  return `${date} ${written.replace(/^(\d)(?=:)/, '0$1')}`;
}

/** Payload keys: the header names, made unique (`symbol`, `symbol#2`) and never empty. */
export function payloadKeys(header: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, i) => {
    const name = isUnnamed(raw) ? unnamedColumn(i) : raw.replace(/^\uFEFF/, '').trim();
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}#${count}`;
  });
}

export const DECIMAL_FIELDS = [
  ['price_usd', 'priceUsd'],
  ['market_cap_usd', 'marketCapUsd'],
  ['volume_24h_usd', 'volume24hUsd'],
  ['circulating_supply', 'circulatingSupply'],
  ['total_supply', 'totalSupply'],
  ['max_supply', 'maxSupply'],
  ['percent_change_24h', 'percentChange24h'],
] as const;

/**
 * A supply without the row's coin after it: CoinMarketCap's table writes `19,600,000 BTC`. Any
 * other word after the number is left for toDecimal to read or refuse.
 */
function withoutCoin(text: string, symbol: string): string {
  const trimmed = text.trim();
  if (symbol.length < 2 || !trimmed.toUpperCase().endsWith(symbol)) return text;
  const before = trimmed.slice(0, -symbol.length);
  // `19.6M BTC`; written together only after a digit and a code of three letters or more, so
  // that `5MM` stays five million of a coin named MM
  return /\d/.test(before) && (/\s$/.test(before) || (/\d$/.test(before) && symbol.length > 2))
    ? before.trim()
    : text;
}

/** The power of ten each scaled column's numbers are in (`Market Cap (M)`: 6). */
type Scales = Partial<Record<CsvField, number>>;

/**
 * What scripts write for a value they did not have: Python's `None`, JavaScript's `undefined`
 * and `null`, `\N` of MySQL's and PostgreSQL's dumps, pandas' `<NA>`, `N/A`. In an id, symbol
 * or name column such a cell is missing, not a coin named so. `NaN` and `NIL` are coins'
 * tickers (NanTrade's, Nil DAO's) and stay text, as does `-`, a name CoinPaprika gives.
 */
const NO_TEXT = new Set(['none', 'null', 'undefined', 'n/a', '#n/a', '\\n', '<na>', '(null)']);

/** A text cell, or `''` for one that says it is missing (`NO_TEXT`). */
export function textOf(written: string): string {
  return written.length <= 9 && NO_TEXT.has(written.toLowerCase()) ? '' : written;
}

export function toListing(
  cell: (field: CsvField) => string,
  fixedSymbol: string | undefined,
  time: ReturnType<typeof toTimestamp>,
  decimalMark: DecimalMark,
  scales: Scales = {},
): ListingCheck {
  const name = textOf(cell('name')) || null;
  const written = fixedSymbol ?? cell('symbol');
  const symbol = usualTicker((fixedSymbol ?? textOf(written)).toUpperCase(), name);
  const explicitId = textOf(cell('source_id'));
  const sourceId =
    explicitId || (name ? `${symbol.toLowerCase()}-${toNameKey(name)}` : symbol.toLowerCase());
  const decimals: Partial<Record<(typeof DECIMAL_FIELDS)[number][1], string | null>> = {};
  for (const [field, key] of DECIMAL_FIELDS) {
    const written = cell(field);
    const parsed = toDecimal(
      field.endsWith('_supply') ? withoutCoin(written, symbol) : written,
      decimalMark,
    );
    if (!parsed.ok) {
      // `19,600,000 ETH` on BTC's row: a count of another coin, not an amount of money
      const other = field.endsWith('_supply') && /is in (\S+), not US dollars$/.exec(parsed.reason);
      const reason = other
        ? `${JSON.stringify(written.slice(0, 40))} counts ${other[1]}, not ${symbol}`
        : parsed.reason;
      return { ok: false, reason: `${field}: ${reason}`, field };
    }
    const scale = scales[field];
    decimals[key] =
      scale && parsed.value !== null ? scaleDecimal(parsed.value, scale) : parsed.value;
  }
  // Yahoo Finance writes `null` in every cell of a day without trading: a quote without a
  // price says nothing, and loaded it would read as a coin with no price that day.
  // blockchain.com's market price is `0.0` for every day before bitcoin had a market: a coin
  // nobody trades has no price, not a price of nothing.
  if (decimals.priceUsd == null || decimals.priceUsd === '0')
    return {
      ok: false,
      reason: `price_usd: no price (${JSON.stringify(cell('price_usd'))})`,
      field: 'price_usd',
    };
  const rank = toDecimal(cell('rank'), decimalMark);
  if (!rank.ok || (rank.value !== null && !/^\d+$/.test(rank.value))) {
    return {
      ok: false,
      reason: `rank: not a whole number: ${JSON.stringify(cell('rank'))}`,
      field: 'rank',
    };
  }
  if (!time.ok) return { ok: false, reason: `observed_at: ${time.reason}`, field: 'observed_at' };
  if (!time.value) return { ok: false, reason: 'observed_at: empty', field: 'observed_at' };
  if (symbol === '' && written !== '')
    return { ok: false, reason: `symbol: missing (${JSON.stringify(written)})`, field: 'symbol' };
  const listing: UnifiedListing = {
    sourceId,
    symbol,
    name,
    slug: explicitId || null,
    rank: rank.value === null ? null : Number(rank.value),
    priceUsd: decimals.priceUsd ?? null,
    marketCapUsd: decimals.marketCapUsd ?? null,
    volume24hUsd: decimals.volume24hUsd ?? null,
    circulatingSupply: decimals.circulatingSupply ?? null,
    totalSupply: decimals.totalSupply ?? null,
    maxSupply: decimals.maxSupply ?? null,
    percentChange24h: decimals.percentChange24h ?? null,
    observedAt: time.value,
  };
  return checkListing(listing);
}
