/**
 * A CSV file's rows as records: each row mapped to a listing by what was decided of its file
 * (`RowMapperOptions`), or rejected with the field and the reason; repeated headers and
 * spreadsheet decorations skipped.
 */
import { scaleDecimal, toDecimal, type DecimalMark } from '../../core/decimal.js';
import type { FileVersion, SourceRecord } from '../../core/source.js';
import { toTimestamp, type DateOrder } from '../../core/timestamp.js';
import {
  checkListing,
  toNameKey,
  type ListingCheck,
  type UnifiedListing,
} from '../../core/unified.js';
import type { ColumnMapping, CsvField } from './fields.js';
import type { HeaderMapping } from './mapping.js';
import { splitNamedTicker, usualTicker, withoutCashtag } from './coins.js';
import type { CsvRow } from './reader.js';
import type { PairExample } from './pairs.js';
import { type AmountColumns, textOf, withTimeOfDay, DECIMAL_FIELDS, withoutCoin } from './cells.js';
import {
  toBase,
  overflow,
  notUtf8Cell,
  notDollars,
  contractRow,
  signRow,
  totalsRow,
  marketRow,
  otherCoin,
  notDollarPrice,
  secondHeader,
  noteLine,
} from './row-rejections.js';

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
  return (row) => {
    const cell = cellsOf(row, column, options);
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
          totalsRow(textOf(cell('symbol')), textOf(cell('name'))) ??
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
    // A rejected row may be a second header (files joined one after the other) or a note.
    const result = priced.ok
      ? priced
      : ((file.header ? secondHeader(row, mapping, file.path) : null) ?? noteLine(row) ?? priced);
    const sourceId = result.ok ? result.listing.sourceId : cell('source_id') || null;
    let payload: Record<string, string> | undefined;
    return {
      locator: { file: file.path, line: row.line },
      sourceId,
      // Made when asked for: a valid row lands as its line, and most rows are valid.
      get payload() {
        return (payload ??= toPayload(keys, row.fields));
      },
      line: { file, number: row.line, bytes: row.bytes },
      result,
      position: { end: row.end, line: row.line, unfinished: row.unfinished },
      readAs,
    };
  };
}

/**
 * A row's cell of each field, without the spaces around it; the symbol as the file's symbols
 * are read (a cashtag without its `$`, a name-and-ticker cell's ticker, which gives the name
 * too when no column does).
 */
function cellsOf(
  row: CsvRow,
  column: ReadonlyMap<CsvField, ColumnMapping>,
  options: Pick<RowMapperOptions, 'namedTickers' | 'cashtags'>,
): (field: CsvField) => string {
  /** The name or the ticker of a symbol cell of both; a cell of one is its ticker. */
  const partOf = (part: 'name' | 'ticker'): string => {
    const written = (row.fields[column.get('symbol')?.index ?? -1] ?? '').trim();
    const both = splitNamedTicker(written);
    return both ? both[part] : part === 'ticker' ? written : '';
  };
  return (field) => {
    const c = column.get(field);
    if (field === 'name' && !c && options.namedTickers) return partOf('name');
    const written = c ? (row.fields[c.index] ?? '').trim() : '';
    if (field !== 'symbol') return written;
    if (options.namedTickers) return partOf('ticker');
    return options.cashtags ? withoutCashtag(written) : written;
  };
}

/** The row as header name → cell: what a quarantined row is stored as. */
function toPayload(keys: readonly string[], fields: readonly string[]): Record<string, string> {
  const payload: Record<string, string> = {};
  keys.forEach((key, i) => (payload[key] = fields[i] ?? ''));
  fields
    .slice(keys.length)
    .forEach((extra, i) => (payload[`column_${keys.length + i + 1}`] = extra));
  return payload;
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

/** A row's amounts by UnifiedListing key, as exact decimal text; null where a cell is empty. */
type Decimals = Partial<Record<(typeof DECIMAL_FIELDS)[number][1], string | null>>;

/**
 * The row's amounts, each scaled by its column's magnitude; the first that is no number
 * rejects the row.
 */
function readDecimals(
  cell: (field: CsvField) => string,
  symbol: string,
  decimalMark: DecimalMark,
  scales: Scales,
): { ok: true; value: Decimals } | { ok: false; reason: string; field: CsvField } {
  const decimals: Decimals = {};
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
  return { ok: true, value: decimals };
}

/** The power of ten each scaled column's numbers are in (`Market Cap (M)`: 6). */
type Scales = Partial<Record<CsvField, number>>;

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
  const read = readDecimals(cell, symbol, decimalMark, scales);
  if (!read.ok) return read;
  const decimals = read.value;
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
