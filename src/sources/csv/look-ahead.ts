/**
 * What kx reads of a file before its rows are loaded: the header, the date order, the decimal
 * mark, whether symbols are trading pairs and names are names, whether a file without a time
 * column repeats a listing and whether one with gives a listing two values at one time. Each
 * refuses a file that cannot load right, naming the flag or the step that fixes it.
 */
import { basename } from 'node:path';
import { decimalMarkOf, type DecimalMark } from '../../core/decimal.js';
import { KxError } from '../../core/errors.js';
import { type SourceRecord } from '../../core/source.js';
import { FIRST_BLOCK, toNameKey, type UnifiedListing } from '../../core/unified.js';
import { dateOrdersOf, zoneNamedInHeader, type DateOrder } from '../../core/timestamp.js';
import {
  AMOUNT_KEYS,
  isCandles,
  isUnnamed,
  mapHeader,
  toHeaderKey,
  unnamedColumn,
  type CsvField,
  listColumns,
  type HeaderMapping,
} from './mapping.js';
import { toCurrency, USD_QUOTES } from '../../core/currency.js';
import {
  COIN_NAMES,
  coinInFileName,
  isCurrencySign,
  isWellKnownCoin,
  namesCoin,
  isMarketShaped,
  parsePair,
  parseQuoteFirst,
  pricedInItself,
  readingOf,
  readMarket,
  sameCoin,
  splitNamedTicker,
} from './pairs.js';
import {
  looksLikeData,
  numberedHeader,
  readCsvRows,
  type CsvRow,
  type YfinanceLevels,
} from './reader.js';
import type { PairExample } from './pairs.js';
import { COLUMN_PRESETS, type CsvParams } from './params.js';
import {
  amountColumns,
  countedCoin,
  DECIMAL_FIELDS,
  isDecoration,
  textOf,
  type CsvPosition,
} from './rows.js';

export async function readHeader(
  rows: AsyncGenerator<CsvRow>,
  bannerLines: number,
  path: string,
): Promise<string[]> {
  for (let skipped = 0; ; skipped++) {
    const next = await rows.next();
    if (next.done)
      throw new KxError('input', `${path}: no header row`, { context: { file: path } });
    if (skipped < bannerLines) continue;
    const header = next.value.fields;
    if (
      header.every((cell) => cell.trim() === '') ||
      (looksLikeData(header) && numberedHeader(header) === null)
    ) {
      throw new KxError(
        'input',
        `${path}:${next.value.line}: no header row: the first line (${JSON.stringify(header.join(',').slice(0, 60))}) ` +
          'looks like data. Name the columns with --columns, for example ' +
          '--columns open_time,open,high,low,close,volume, or --columns binance-kline or ' +
          "--columns kraken-ohlcvt for those exchanges' dumps",
        { context: { file: path, line: next.value.line } },
      );
    }
    // A row's stray NUL byte rejects that row; a header's would name a column no one can
    // --map, and neither the run's mapping nor its checkpoint could store it.
    const nul = header.findIndex((cell) => cell.includes('\u0000'));
    if (nul >= 0) {
      throw new KxError(
        'input',
        `${path}:${next.value.line}: header cell ${nul + 1} (${JSON.stringify(header[nul])}) ` +
          `holds a NUL byte, which no column name has: the file is damaged; remove the byte ` +
          `(for example: tr -d '\\000' < ${path} > fixed.csv) or export the file again`,
        { context: { file: path, line: next.value.line, field: header[nul] } },
      );
    }
    return header;
  }
}

/**
 * How to read the observed_at column's `NN/NN/YYYY` dates, from the file itself: its rows are
 * read until they leave one order (`25/12/2025` is day-first, `12/25/2025` month-first; a
 * two-digit year may also come first, `24/01/05`), which is mostly within the first month of
 * rows. A column whose every date could be read more than one way is refused with the flag
 * that settles it: kx never guesses a date. Rows that contradict the order found are rejected
 * one by one (`not a date`), never read another way.
 */
export async function inferDateOrder(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
): Promise<DateOrder | undefined> {
  const column = mapping.columns.find((c) => c.field === 'observed_at');
  if (!column) return undefined;
  let left: DateOrder[] | undefined;
  let example: { value: string; line: number } | undefined;
  for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
    const value = (row.fields[column.index] ?? '').trim();
    if (value === '') continue;
    const orders = dateOrdersOf(value);
    if (!orders) {
      if (!left) return undefined; // dates of another form: the order does not apply
      continue;
    }
    // a value no order reads is rejected with its row; one that contradicts the rest, too
    const both = (left ?? orders).filter((order) => orders.includes(order));
    if (both.length === 0) continue;
    left = both;
    if (left.length === 1) return left[0];
    example ??= { value, line: row.line };
  }
  if (!left || !example) return undefined;
  throw new KxError(
    'input',
    `${path}: the dates in column ${JSON.stringify(column.header)} could be ${left.join(' or ')} ` +
      `(${JSON.stringify(example.value)} on line ${example.line} reads each way, and no date in the file settles it); ` +
      `pass ${left.map((order) => `--date-format ${DATE_FORMATS[order]}`).join(' or ')}`,
    { context: { file: path, line: example.line, field: 'observed_at' } },
  );
}

const DATE_FORMATS: Record<DateOrder, string> = {
  'day-first': 'DD/MM/YYYY',
  'month-first': 'MM/DD/YYYY',
  'year-first': 'YY/MM/DD',
};

/**
 * Whether this file writes `1,234.5` or `1.234,5`, from the file itself: a locale is the
 * file's, so every number-like cell counts (but the time column's `22.07.2019`), and rows are
 * read until one shows a mark only one reading allows (`0,5`, `1.234,5`, `2,08%`). A file
 * whose every such cell reads both ways (`1,234` is a thousand, or one and a bit) is refused
 * with the flag that settles it, as is one that shows both marks: kx never guesses a number.
 */
export async function inferDecimalMark(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
): Promise<DecimalMark> {
  const time = mapping.columns.find((c) => c.field === 'observed_at')?.index;
  let either: { value: string; line: number; column: string } | undefined;
  for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
    for (const [index, cell] of row.fields.entries()) {
      if (index === time) continue;
      const mark = decimalMarkOf(cell);
      if (mark === '.' || mark === ',') return mark;
      if (mark === 'either')
        either ??= { value: cell.trim(), line: row.line, column: header[index] ?? '' };
    }
  }
  if (!either) return '.';
  throw new KxError(
    'input',
    `${path}: the numbers could have a decimal point or a decimal comma ` +
      `(${JSON.stringify(either.value)} in column ${JSON.stringify(either.column.trim())} on line ${either.line} ` +
      'could be either, and no number in the file settles it); pass --decimal . (1,234.5) or --decimal , (1.234,5)',
    { context: { file: path, line: either.line } },
  );
}

/** How many rows with a symbol or a name are enough to tell what those columns hold. */
export const TEXT_SAMPLE_ROWS = 1000;
/** Rows read past a currency sign in the symbol column, to tell a column of signs. */
const SIGN_SAMPLE_ROWS = 100;

export interface Sampled {
  value: string;
  line: number;
}

export interface TextColumns {
  /**
   * Four in five sampled symbols are trading pairs (the others are rejected row by row): the
   * first, the first not in dollars, whether all are one, and which way they are written.
   */
  pairs: {
    first: Sampled;
    /** The first sampled spot market in dollars (`BTCUSDT`). */
    usd: Sampled | null;
    notUsd: (Sampled & { quote: string }) | null;
    /** The first sampled swap or future (`BTC/USDT:USDT`). */
    contract: Sampled | null;
    same: boolean;
    /** Written quote first (`KRW-BTC`, `USDT_BTC`: `readingOf`). */
    quoteFirst: boolean;
  } | null;
  /**
   * Every sampled name is a number (`2781`: CoinMarketCap's id of the dollar): the first, and
   * the first other number (null when every one is the first's).
   */
  numericName: (Sampled & { other: Sampled | null }) | null;
  /**
   * The currency column's cells are currency codes (but for a stray `n/a`, one in ten at most):
   * the column, and its first code that is not the dollar or a dollar stablecoin when no
   * sampled row is in dollars (rows in both: each row is judged by itself). Null without
   * such a column, or when its cells are something else (coins' names: then the column does not
   * say what the prices are in).
   */
  currency: { index: number; notUsd: (Sampled & { code: string }) | null } | null;
  /**
   * An amount column whose cells name their coin (`2.00000000 ETH`, Bitstamp's transactions):
   * the first priced row of each coin but the dollar, in the order met.
   */
  counted: { header: string; coins: (Sampled & { code: string })[] } | null;
  /** The symbol column's first two values that differ, as written (`--symbol` must be each). */
  named: { header: string; coins: Sampled[] } | null;
  /**
   * Every sampled symbol is a cashtag (`$BTC`, as social media write a coin), one of them a
   * well-known coin's: the first. Null otherwise (`$$$` is a ticker).
   */
  cashtags: Sampled | null;
  /**
   * Every sampled symbol is a coin's name and ticker in one (`Bitcoin BTC`, `Bitcoin (BTC)`,
   * as web tables show a coin): the first. Null otherwise.
   */
  namedTickers: Sampled | null;
  /**
   * The symbol column when its sampled values are coins' names, not tickers (`Bitcoin`,
   * `Shiba Inu`, or `bitcoin` and `ethereum`): its first two such values. Null when fewer than
   * four in five of them are and fewer than two well-known coins are named.
   */
  symbolNames: { header: string; names: Sampled[] } | null;
  /**
   * The symbol column's first two currency signs (`₿`, `Ξ`), if it holds any, and whether signs
   * and empty cells are half of its cells or more.
   */
  symbolSigns: { header: string; signs: Sampled[]; most: boolean } | null;
  /**
   * The id column's first two ids that differ: two listings, unless they number rows. Not for
   * an id column the user named (`--map 'id=source_id'`).
   */
  listings: { header: string; coins: Sampled[] } | null;
  /** The name column's first two names that differ (`key`: folded): two coins, if there are two. */
  names: { header: string; coins: (Sampled & { key: string })[] } | null;
  /** The file has no row after its header: an export that came out empty. */
  noRows: boolean;
  /**
   * The id column numbers rows, not coins: no sampled id comes twice, while a coin comes again
   * at another time (with another id, then). The row where it did; null otherwise.
   */
  rowIds: Sampled | null;
}

/**
 * What the symbol and name columns hold, from the file's first rows: tickers or trading
 * pairs (`BTC/USD`, `BTCUSDT`), names or numbers, one coin or more. A column counts as pairs
 * if four in five sampled symbols are, so that a listing of coins with `BSC-USD` or `TUSD`
 * among them stays a listing of coins, and an exchange's markets with a few it has no
 * currency for (`DOGE-XRP`) stay markets. Also: whether the id column numbers rows, and which
 * coins an amount column counts.
 */
export async function inspectTextColumns(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
  currencyColumn: number | undefined,
  fixedSymbol?: string,
): Promise<TextColumns> {
  const symbol = mapping.columns.find((c) => c.field === 'symbol')?.index;
  const name = mapping.columns.find((c) => c.field === 'name')?.index;
  /** The symbol column's sampled cells, and how many of them are no market read either way. */
  const markets = { cells: [] as Sampled[], misses: 0 };
  let numericName: TextColumns['numericName'] | undefined = name === undefined ? null : undefined;
  const money = {
    codes: 0,
    others: 0,
    usd: false,
    notUsd: null as (Sampled & { code: string }) | null,
  };
  const amounts = amountColumns(header, mapping);
  const price = mapping.columns.find((c) => c.field === 'price_usd')?.index;
  const coins = new Map<string, Sampled & { code: string }>();
  const named: Sampled[] = [];
  /** The symbol column's cells: how many hold something, names, signs, and are empty. */
  const symbolCells = {
    total: 0,
    names: [] as Sampled[],
    nameCount: 0,
    known: new Set<string>(),
    signs: [] as Sampled[],
    signCount: 0,
    empty: 0,
  };
  const tags = { first: null as Sampled | null, all: true, wellKnown: false };
  const both = { first: null as Sampled | null, all: true };
  const names: (Sampled & { key: string })[] = [];
  const listings: Sampled[] = [];
  // A coin's id comes on each of its rows; an id column whose ids never come twice while a
  // coin comes again at another time numbers the rows (a database's or a script's index).
  const id = mapping.columns.find((c) => c.field === 'source_id' && c.how !== 'override')?.index;
  const time = mapping.columns.find((c) => c.field === 'observed_at')?.index;
  const ids = new Set<string>();
  const firstTimes = new Map<string, string>();
  let idRepeats = id === undefined || time === undefined;
  let rowIds: Sampled | null = null;
  let sampled = 0;
  let broken = false;
  try {
    for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
      if (
        sampled++ >= TEXT_SAMPLE_ROWS ||
        // past a fifth of a full sample that is no market, the column is none
        ((symbol === undefined || markets.misses * 5 > TEXT_SAMPLE_ROWS) &&
          numericName === null &&
          currencyColumn === undefined &&
          amounts === null &&
          (symbol === undefined || named.length === 2) &&
          // a sign among the first rows: how many more there are, in a hundred rows
          (symbolCells.signs.length === 0 || sampled > SIGN_SAMPLE_ROWS) &&
          (name === undefined || names.length === 2) &&
          (id === undefined || listings.length === 2) &&
          idRepeats)
      )
        break;
      const value = symbol === undefined ? '' : textOf((row.fields[symbol] ?? '').trim());
      const code = currencyColumn === undefined ? '' : (row.fields[currencyColumn] ?? '').trim();
      // Nomics' `currency` is the row's coin (`BTC` beside the symbol `BTC`): no coin is
      // priced in itself, so it says nothing of the prices
      if (code !== '' && !pricedInItself(code, fixedSymbol ?? value)) {
        const found = toCurrency(code);
        if (!found) money.others++;
        else {
          money.codes++;
          if (!found.usd) money.notUsd ??= { value: code, line: row.line, code: found.code };
          else money.usd = true;
        }
      }
      if (value !== '' && named.length < 2 && named[0]?.value.toUpperCase() !== value.toUpperCase())
        named.push({ value, line: row.line });
      if (symbol !== undefined && value === '') symbolCells.empty++;
      if (value !== '') {
        const tag = /^\$([A-Za-z\d]{1,15})$/.exec(value)?.[1];
        tags.all &&= tag !== undefined;
        tags.first ??= { value, line: row.line };
        tags.wellKnown ||= tag !== undefined && isWellKnownCoin(tag);
        both.all &&= splitNamedTicker(value) !== null;
        both.first ??= { value, line: row.line };
        symbolCells.total++;
        if (isCurrencySign(value)) {
          symbolCells.signCount++;
          if (symbolCells.signs.length < 2) symbolCells.signs.push({ value, line: row.line });
        }
        const known = value.toUpperCase() in COIN_NAMES;
        if (known) symbolCells.known.add(value.toUpperCase());
        if (looksLikeName(value) || known) {
          symbolCells.nameCount++;
          if (symbolCells.names.length < 2) symbolCells.names.push({ value, line: row.line });
        }
      }
      if (symbol !== undefined && value !== '') {
        markets.cells.push({ value, line: row.line });
        if (!parsePair(value) && !parseQuoteFirst(value) && !isMarketShaped(value))
          markets.misses++;
      }
      const nameCell = name === undefined ? '' : textOf((row.fields[name] ?? '').trim());
      const nameKey = toNameKey(nameCell);
      if (nameKey !== '' && names.length < 2 && names[0]?.key !== nameKey)
        names.push({ value: nameCell, line: row.line, key: nameKey });
      const listed = id === undefined ? '' : textOf((row.fields[id] ?? '').trim());
      if (listed !== '' && listings.length < 2 && listings[0]?.value !== listed)
        listings.push({ value: listed, line: row.line });
      if (numericName !== null && nameCell !== '') {
        if (!/^\d+$/.test(nameCell)) numericName = null;
        else if (!numericName) numericName = { value: nameCell, line: row.line, other: null };
        else if (nameCell !== numericName.value)
          numericName.other ??= { value: nameCell, line: row.line };
      }
      if (!idRepeats) {
        const rowId = (row.fields[id!] ?? '').trim();
        if (ids.has(rowId)) idRepeats = true;
        else if (rowId !== '') ids.add(rowId);
        const coin = `${value.toUpperCase()}\u0000${nameKey}`;
        const at = (row.fields[time!] ?? '').trim();
        const first = firstTimes.get(coin);
        if (first === undefined) firstTimes.set(coin, at);
        else if (first !== at) rowIds ??= { value: rowId, line: row.line };
      }
      const coin = amounts ? countedCoin(row.fields, amounts) : undefined;
      const priced = (row.fields[price ?? -1] ?? '').trim() !== '';
      if (amounts && coin && !USD_QUOTES.has(coin) && priced && !coins.has(coin)) {
        const counted = (row.fields[amounts.amount] ?? '').trim();
        coins.set(coin, {
          value: amounts.coin === -1 ? counted : `${counted} ${coin}`,
          line: row.line,
          code: coin,
        });
      }
    }
  } catch {
    // A broken row (a quote never closed, a runaway record) ends the sample; the read says
    // what is wrong with it, and where.
    broken = true;
  }
  const currency =
    currencyColumn !== undefined && money.codes > 0 && money.others * 10 <= money.codes
      ? { index: currencyColumn, notUsd: money.usd ? null : money.notUsd }
      : null;
  return {
    pairs: pairsIn(markets.cells),
    numericName: numericName ?? null,
    currency,
    counted:
      coins.size > 0
        ? { header: header[amounts!.amount]!.trim(), coins: [...coins.values()] }
        : null,
    named: named.length > 0 ? { header: header[symbol!]!.trim(), coins: named } : null,
    cashtags: tags.all && tags.wellKnown ? tags.first : null,
    namedTickers: both.all ? both.first : null,
    // Names in four rows of five, or two well-known coins by name (`bitcoin`, `ethereum`: no
    // listing of tickers has both), as CoinGecko's ids are written
    symbolNames:
      (symbolCells.nameCount > 0 && symbolCells.nameCount * 5 >= symbolCells.total * 4) ||
      symbolCells.known.size >= 2
        ? { header: header[symbol!]!.trim(), names: symbolCells.names }
        : null,
    symbolSigns:
      symbolCells.signs.length > 0
        ? {
            header: header[symbol!]!.trim(),
            signs: symbolCells.signs,
            most:
              (symbolCells.signCount + symbolCells.empty) * 2 >=
              symbolCells.total + symbolCells.empty,
          }
        : null,
    names: names.length > 0 ? { header: header[name!]!.trim(), coins: names } : null,
    listings: listings.length > 0 ? { header: header[id!]!.trim(), coins: listings } : null,
    rowIds: idRepeats ? null : rowIds,
    noRows: sampled === 0 && !broken,
  };
}

/**
 * The coin of yfinance's download (`YfinanceLevels`): its ticker's base (`BTC-USD` → BTC), as
 * `--symbol` would name it. A download of several tickers (a column per coin and field), a
 * ticker priced in another currency (`BTC-EUR`) and a `--symbol` of another coin are refused;
 * a ticker that is no pair (a stock's) loads only as the coin `--symbol` names.
 */
export function yfinanceCoin(
  levels: YfinanceLevels,
  fixedSymbol: string | undefined,
  path: string,
): string | undefined {
  const refuse = (reason: string): never => {
    throw new KxError('input', `${path}: ${reason}`, { context: { file: path, line: 2 } });
  };
  const [ticker, other] = levels.tickers;
  if (other !== undefined)
    refuse(
      `yfinance's download of ${levels.tickers.length} tickers (${levels.tickers.slice(0, 3).join(', ')}` +
        `${levels.tickers.length > 3 ? ', …' : ''}) holds a column per coin and field; download ` +
        `one ticker at a time (yf.download("${ticker}")) and load each file by itself`,
    );
  if (ticker === undefined) return fixedSymbol;
  const pair = parsePair(ticker);
  if (!pair)
    return (
      fixedSymbol ??
      refuse(
        `yfinance's ticker ${ticker} (line 2) is no coin priced in US dollars, as BTC-USD is; ` +
          `if its prices are a coin's in dollars, pass --symbol`,
      )
    );
  if (!pair.usd)
    refuse(
      `yfinance's ticker ${ticker} (line 2) is priced in ${pair.quote}, not US dollars: ` +
        `download ${pair.base}-USD`,
    );
  if (fixedSymbol && !sameCoin(pair.base, fixedSymbol.toUpperCase()))
    refuse(
      `--symbol ${fixedSymbol} reads every row as ${fixedSymbol.toUpperCase()}, but yfinance's ` +
        `ticker ${ticker} (line 2) says they are ${pair.base}'s prices; pass --symbol ${pair.base}`,
    );
  return fixedSymbol ?? pair.base;
}

/**
 * A coin's name rather than its ticker: a capital and three lower-case letters or more
 * (`Bitcoin`, `Ethereum`), or words apart (`Shiba Inu`, `USD Coin`). Tickers are written in
 * capitals, or in their own mixed case (`stETH`, `USDe`, `crvUSD`), never so.
 */
function looksLikeName(value: string): boolean {
  return /^\p{Lu}\p{Ll}{3,}/u.test(value) || /\p{L}\s+\p{L}/u.test(value);
}

/**
 * The name column's first value when the first rows' values are all tickers (`coin` holding
 * `BTC`, `ETH`), or all a name and a ticker (`Bitcoin BTC`, a web table's), or null: for the
 * refusal of a file without a symbol column to name it.
 */
export async function tickersInNames(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
): Promise<(Sampled & { named: boolean }) | null> {
  const name = mapping.columns.find((c) => c.field === 'name')?.index;
  if (name === undefined) return null;
  let first: Sampled | null = null;
  let tickers = true;
  let named = true;
  let seen = 0;
  try {
    for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
      const value = textOf((row.fields[name] ?? '').trim());
      if (value === '') continue;
      tickers &&= /^[A-Z][A-Z0-9]{1,9}$/.test(value);
      named &&= splitNamedTicker(value) !== null;
      if (!tickers && !named) return null;
      first ??= { value, line: row.line };
      if (++seen >= 20) break;
    }
  } catch {
    return null; // the read says what is wrong with the file
  }
  return first && { ...first, named: !tickers };
}

/** Each column's cells that hold something in the file's first 20 rows; null if the read fails. */
async function firstCells(
  path: string,
  delimiter: string,
  header: readonly string[],
): Promise<Sampled[][] | null> {
  const columns: Sampled[][] = header.map(() => []);
  let seen = 0;
  try {
    for await (const row of rowsAfterHeader(path, delimiter, header)) {
      columns.forEach((cells, index) => {
        const value = (row.fields[index] ?? '').trim();
        if (value !== '') cells.push({ value, line: row.line });
      });
      if (++seen >= 20) break;
    }
  } catch {
    return null; // the read says what is wrong with the file
  }
  return columns;
}

/**
 * The column whose first rows are all markets (`KRW-BTC`, `BTC_ETH`), read one way or the
 * other, in a file no column of which maps to symbol: Upbit's and Bittrex's `market`,
 * Poloniex's tickers with the market as pandas' unnamed index. Null when there is none.
 */
export async function marketColumn(
  path: string,
  delimiter: string,
  header: readonly string[],
  mapping: HeaderMapping,
): Promise<(Sampled & { index: number }) | null> {
  const sample = await firstCells(path, delimiter, header);
  // a coin's id or name is no market, whatever its dashes (`binance-usd`, `usd-coin`)
  const coins = mapping.columns.filter((c) => c.field === 'source_id' || c.field === 'name');
  const parsed = (value: string) => parsePair(value) !== null || parseQuoteFirst(value) !== null;
  const index = (sample ?? []).findIndex(
    (cells, i) =>
      !coins.some((c) => c.index === i) &&
      cells.some((c) => parsed(c.value)) &&
      cells.every((c) => parsed(c.value) || isMarketShaped(c.value)),
  );
  return index === -1 ? null : { ...sample![index]![0]!, index };
}

/**
 * A file without a symbol column whose markets are in a column of another name (`market`,
 * `MarketName`, pandas' unnamed index, which --map calls `column_1`): the `--map` that reads
 * it as the symbol, and the warning that says so. Null when no column is all markets, or --map
 * named the one that is.
 */
export async function marketsAsSymbol(
  path: string,
  delimiter: string,
  header: readonly string[],
  mapping: HeaderMapping,
  overrides: ReadonlyMap<string, CsvField | null>,
): Promise<{ overrides: Map<string, CsvField | null>; warning: string } | null> {
  const market = await marketColumn(path, delimiter, header, mapping);
  if (!market) return null;
  const written = header[market.index] ?? '';
  const column = isUnnamed(written) ? unnamedColumn(market.index) : written.trim();
  const key = toHeaderKey(column);
  if (key === '' || overrides.has(key)) return null;
  return {
    overrides: new Map([...overrides, [key, 'symbol']]),
    warning:
      `column ${JSON.stringify(column)} holds markets (${JSON.stringify(market.value)} on line ` +
      `${market.line}): read as each row's coin and its prices' currency (if it is not, ` +
      `--map '${column}=')`,
  };
}

/**
 * Binance's klines saved by pandas without names (`pd.DataFrame(client.get_klines(…))`): a
 * numbered header (`numberedHeader`) over twelve cells whose first and seventh are a candle's
 * open and close in milliseconds, a whole number of minutes apart but one. The names
 * `--columns binance-kline` gives them, in the header's place (pandas' index keeps its own),
 * or null for another file.
 */
export async function klineNames(
  path: string,
  delimiter: string,
  header: readonly string[],
): Promise<string[] | null> {
  const offset = numberedHeader(header);
  if (offset === null || header.length - offset !== COLUMN_PRESETS['binance-kline']!.length)
    return null;
  try {
    for await (const row of rowsAfterHeader(path, delimiter, header)) {
      const [open = '', close = ''] = [row.fields[offset], row.fields[offset + 6]];
      if (!/^\d{13}$/.test(open.trim()) || !/^\d{13}$/.test(close.trim())) return null;
      const span = Number(close) - Number(open) + 1;
      if (span <= 0 || span % 60_000 !== 0) return null;
      return header.map((h, i) => (i < offset ? h : COLUMN_PRESETS['binance-kline']![i - offset]!));
    }
  } catch {
    // the read says what is wrong with the file
  }
  return null;
}

/**
 * The first column whose first rows are coins' ids as CoinGecko writes them (`bitcoin`,
 * `usd-coin`: in lower case, two of them well-known), as pandas writes the index of its
 * `/simple/price` answer: for the refusal of a file without tickers to say where its coins
 * are. Null when there is none.
 */
export async function coinGeckoIds(
  path: string,
  delimiter: string,
  header: readonly string[],
): Promise<(Sampled & { header: string }) | null> {
  const sample = await firstCells(path, delimiter, header);
  const index = (sample ?? []).findIndex(
    (cells) =>
      cells.every((c) => /^[a-z\d]+(?:-[a-z\d]+)*$/.test(c.value)) &&
      cells.filter((c) => c.value.toUpperCase() in COIN_NAMES).length >= 2,
  );
  if (index === -1) return null;
  const written = header[index] ?? '';
  return {
    ...sample![index]![0]!,
    header: isUnnamed(written) ? unnamedColumn(index) : written.trim(),
  };
}

/** `[1704067200000, 42283.58]`: a time and a value in one cell. */
const TIME_VALUE_CELL = /^\[\s*\d{10,13}(?:\.\d+)?\s*,\s*-?\d[\d.eE+-]*\s*\]$/;

/**
 * The first column whose first row holds a time and a value in one cell, as pandas writes
 * CoinGecko's `market_chart` lists (`prices`, `market_caps`, `total_volumes`) from a
 * `pd.DataFrame(answer)`, or null: for the refusal of a file without a price column to say so.
 */
export async function timeValueCells(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
): Promise<(Sampled & { header: string }) | null> {
  try {
    for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
      const at = row.fields.findIndex((cell) => TIME_VALUE_CELL.test(cell.trim()));
      if (at === -1) return null;
      return { value: row.fields[at]!.trim(), line: row.line, header: (header[at] ?? '').trim() };
    }
  } catch {
    // the read says what is wrong with the file
  }
  return null;
}

/**
 * A symbol column of coins' names (`asset` holding `Bitcoin`): loaded, each would be a coin
 * of its own (`BITCOIN`, beside the sources' BTC), and names of two words rejected. Refused,
 * unless --map named the column so or --symbol names the coin.
 */
export function requireTickers(
  mapping: HeaderMapping,
  { symbolNames }: Pick<TextColumns, 'symbolNames'>,
  fixedSymbol: string | undefined,
  path: string,
): void {
  const column = mapping.columns.find((c) => c.field === 'symbol');
  if (!symbolNames || fixedSymbol || !column || column.how === 'override') return;
  const [first, second] = symbolNames.names;
  const examples = [first, second]
    .filter((s): s is Sampled => s !== undefined)
    .map((s) => `${JSON.stringify(s.value)} on line ${s.line}`)
    .join(', ');
  const header = column.header.trim();
  throw new KxError(
    'input',
    `${path}: column ${JSON.stringify(header)} holds coins' names (${examples}), not their ` +
      `tickers: kx keys a coin by its ticker (BTC), and would load each name as a coin of its ` +
      `own. Name the column of tickers with --map 'COLUMN=symbol' (and this one with ` +
      `--map '${header}=name'), or pass --symbol SYM for a file of one coin; ` +
      `--map '${header}=symbol' loads the names as tickers after all`,
    { context: { file: path, line: first?.line, field: 'symbol' } },
  );
}

/**
 * A symbol column of currency signs (`₿`, `Ξ`, `Ɖ`: LiveCoinWatch's `symbol`, beside its
 * ticker `code`, and empty for coins without a sign): loaded, `Ξ` would be a coin of its own
 * beside ETH, and the rows without a sign rejected. Refused when the first rows have a column
 * of tickers beside it (named as the fix) or are mostly signs and empty cells, unless --map
 * named the column so or --symbol names the coin; a sign among tickers is rejected by itself.
 */
export async function refuseSigns(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
  { symbolSigns }: Pick<TextColumns, 'symbolSigns'>,
  fixedSymbol: string | undefined,
  currency: number | undefined,
): Promise<void> {
  const column = mapping.columns.find((c) => c.field === 'symbol');
  if (!symbolSigns || fixedSymbol || !column || column.how === 'override') return;
  // not a column read as another field, nor the prices' currency (`USD` on every row)
  const skip = new Set([...mapping.columns.map((c) => c.index), currency ?? -1]);
  const tickers = await tickerColumn(path, delimiter, header, headerInFile, skip);
  if (!tickers && !symbolSigns.most) return;
  const signs = symbolSigns.signs
    .map((s) => `${JSON.stringify(s.value)} on line ${s.line}`)
    .join(', ');
  const own = symbolSigns.header;
  throw new KxError(
    'input',
    `${path}: column ${JSON.stringify(own)} holds currency signs (${signs}), not tickers: kx ` +
      `keys a coin by its ticker (ETH), and would load a sign as a coin of its own. ` +
      (tickers
        ? `Column ${JSON.stringify(tickers.header)} holds tickers (${JSON.stringify(tickers.value)} ` +
          `on line ${tickers.line}): --map '${tickers.header}=symbol' --map '${own}='`
        : `Name the column of tickers with --map 'COLUMN=symbol' --map '${own}='`),
    { context: { file: path, line: symbolSigns.signs[0]!.line, field: 'symbol' } },
  );
}

/** The first column not in `skip` whose first rows' values are all tickers (`BTC`), or null. */
async function tickerColumn(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  skip: ReadonlySet<number>,
): Promise<(Sampled & { header: string }) | null> {
  const firsts = new Map<number, Sampled>();
  const others = new Set<number>(skip);
  let seen = 0;
  try {
    for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
      row.fields.forEach((raw, i) => {
        const value = textOf(raw.trim());
        if (others.has(i) || value === '') return;
        if (!/^[A-Z][A-Z\d]{1,9}$/.test(value)) others.add(i);
        else if (!firsts.has(i)) firsts.set(i, { value, line: row.line });
      });
      if (++seen >= 50) break;
    }
  } catch {
    // a broken row ends the sample: the read says what is wrong with it
  }
  for (const [i, first] of [...firsts].sort(([a], [b]) => a - b)) {
    const named = (header[i] ?? '').trim();
    if (!others.has(i) && named !== '') return { ...first, header: named };
  }
  return null;
}

/**
 * `--symbol` reads every row as one coin: a file whose symbol, name or id column names others,
 * or whose amounts count others (a log of transactions in several coins), is refused before
 * anything is written, naming a row of another coin, rather than loading its prices as the one
 * coin's.
 */
export function requireOneCoin(
  {
    named,
    names,
    counted,
    listings,
    rowIds,
  }: Pick<TextColumns, 'named' | 'names' | 'counted' | 'listings' | 'rowIds'>,
  fixedSymbol: string | undefined,
  path: string,
  namedTickers = false,
): void {
  if (!fixedSymbol) return;
  const symbol = fixedSymbol.toUpperCase();
  // a column of names and tickers (`Bitcoin BTC`) names each row's coin by its ticker
  const coinOf = (value: string) =>
    (namedTickers ? splitNamedTicker(value)?.ticker : undefined) ?? value;
  const refuse = (header: string, what: string, other: Sampled, fix: string) => {
    throw new KxError(
      'input',
      `${path}: --symbol ${fixedSymbol} reads every row as ${symbol}, but column ` +
        `${JSON.stringify(header)} ${what} on line ${other.line} (${JSON.stringify(other.value)}): ` +
        `its price is not ${symbol}'s. ${fix}`,
      { context: { file: path, line: other.line, field: header } },
    );
  };
  const otherNamed = named?.coins.find((c) => !namesCoin(coinOf(c.value), symbol));
  if (named && otherNamed)
    refuse(
      named.header,
      'names another coin',
      otherNamed,
      `Load without --symbol, each row as the coin it names; if its values are one coin under ` +
        `two tickers (a ticker renamed), leave the column out with --map '${named.header}='`,
    );
  const [first, second] = names?.coins ?? [];
  if (names && first && second)
    refuse(
      names.header,
      `names ${JSON.stringify(first.value)} on line ${first.line} and another coin`,
      second,
      `Load the rows of one coin, or without --symbol with a column of each row's ticker; ` +
        `if both are names of ${symbol}, leave the column out with --map '${names.header}='`,
    );
  const [one, another] = listings?.coins ?? [];
  if (listings && one && another && !rowIds)
    refuse(
      listings.header,
      `gives the id ${JSON.stringify(one.value)} on line ${one.line} and another`,
      another,
      `Load the rows of one id, or without --symbol with a column of each row's ticker; ` +
        `if both are ids of ${symbol}, leave the column out with --map '${listings.header}='`,
    );
  const otherCounted = counted?.coins.find((c) => !sameCoin(c.code, symbol));
  if (counted && otherCounted)
    refuse(
      counted.header,
      `counts ${otherCounted.code}`,
      otherCounted,
      "Load a file of one coin's rows",
    );
}

/**
 * The currency column whose every row must be priced in dollars, or null when the file has
 * none. Sampled rows all priced in another currency refuse the file: kx stores dollar prices.
 * Beside rows in dollars, such a row is rejected by itself.
 */
export function currencyOf(
  found: TextColumns['currency'],
  header: readonly string[],
  path: string,
): { index: number; header: string } | null {
  if (!found) return null;
  const other = found.notUsd;
  const column = (header[found.index] ?? '').trim();
  if (other) {
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(column)} says the prices are in ${other.code}, not US dollars ` +
        `(${JSON.stringify(other.value)} on line ${other.line}); kx stores prices in US dollars, so load ` +
        `an export in USD. If the prices are in dollars whatever that column says, pass --map '${column}='`,
      { context: { file: path, line: other.line, field: column } },
    );
  }
  return { index: found.index, header: column };
}

/** The symbol column's sampled cells as trading pairs (`TextColumns['pairs']`), or null. */
function pairsIn(cells: readonly Sampled[]): TextColumns['pairs'] {
  const { quoteFirst } = readingOf(cells.map((c) => c.value));
  let found: NonNullable<TextColumns['pairs']> | null = null;
  let misses = 0;
  for (const at of cells) {
    const pair = readMarket(at.value, quoteFirst);
    if (!pair) {
      // `DOGE-XRP`: a market in a currency kx does not know, its row rejected
      if (!isMarketShaped(at.value)) misses++;
      continue;
    }
    found ??= { first: at, usd: null, notUsd: null, contract: null, same: true, quoteFirst };
    if (pair.contract) found.contract ??= at;
    if (!pair.usd) found.notUsd ??= { ...at, quote: pair.quote };
    else if (!pair.contract) found.usd ??= at;
    found.same &&= at.value.toUpperCase() === found.first.value.toUpperCase();
  }
  return found && misses * 5 <= cells.length ? found : null;
}

/**
 * A symbol column of pairs reads as their base coin, when they are priced in US dollars (or
 * a dollar stablecoin); a column of pairs priced in euros or in bitcoin alone is refused: kx
 * stores dollar prices. `--symbol` equal to every sampled value says the column holds that
 * coin's ticker.
 */
export function pairsOf(
  found: TextColumns['pairs'],
  fixedSymbol: string | undefined,
  path: string,
): PairExample | null {
  if (!found) return null;
  if (fixedSymbol && found.same && found.first.value.toUpperCase() === fixedSymbol.toUpperCase())
    return null;
  const contract = found.contract;
  if (contract) {
    const spot = parsePair(contract.value);
    throw new KxError(
      'input',
      `${path}: the symbol column holds swap, futures or options contracts (${JSON.stringify(contract.value)} on line ` +
        `${contract.line}), not spot markets: a contract's price is not the coin's, and kx stores coins' ` +
        `prices. Load an export of the spot market (${JSON.stringify(spot ? `${spot.base}/${spot.quote}` : contract.value)})`,
      { context: { file: path, line: contract.line, field: 'symbol' } },
    );
  }
  // A trade history of several markets (BTCUSDT and ETHBTC) loads its dollar markets' rows
  // and rejects the others' (rows.ts), each naming its quote.
  const other = found.notUsd;
  if (other && !found.usd) {
    throw new KxError(
      'input',
      `${path}: the symbol column holds trading pairs priced in ${other.quote}, not US dollars ` +
        `(${JSON.stringify(other.value)} on line ${other.line}); kx stores prices in US dollars, so load an ` +
        'export of a USD, USDT or USDC market' +
        (/^[\p{L}\p{N}]+$/u.test(other.value)
          ? `. If ${JSON.stringify(other.value)} is a coin's own ticker, pass --symbol ${other.value}`
          : ''),
      { context: { file: path, line: other.line, field: 'symbol' } },
    );
  }
  const example = found.usd ?? found.first;
  return {
    example: example.value,
    line: example.line,
    ...(found.quoteFirst ? { quoteFirst: true as const } : {}),
  };
}

/** A `name` column of numbers names no coin: it is left out, with a warning. */
export function leaveOutNumericName(
  mapping: HeaderMapping,
  header: readonly string[],
  example: Sampled,
): void {
  const cmc = isCoinMarketCapExport(header);
  leaveOut(
    mapping,
    'name',
    (column) =>
      `column ${column} holds ${cmc ? "CoinMarketCap's id of the prices' currency" : 'numbers'}, ` +
      `not names (${JSON.stringify(example.value)} on line ${example.line}` +
      `${cmc && example.value === CMC_DOLLAR ? ', the US dollar' : ''}): left out of name`,
  );
}

/**
 * CoinMarketCap's historical-data export (`timeOpen,timeClose,timeHigh,timeLow,name,open,…,
 * timestamp`) writes in its `name` column the id of the currency its prices are in, its API's
 * `convertId`: `2781` is the US dollar. Its other ids, for the message that refuses them.
 */
const CMC_DOLLAR = '2781';
const CMC_CURRENCIES: Record<string, string> = {
  '1': 'BTC',
  '1027': 'ETH',
  ...Object.fromEntries(
    (
      'AUD BRL CAD CHF CLP CNY CZK DKK EUR GBP HKD HUF IDR ILS INR JPY KRW MXN MYR NOK NZD PHP ' +
      'PKR PLN RUB SEK SGD THB TRY TWD ZAR'
    )
      .split(' ')
      .map((code, i) => [String(2782 + i), code]),
  ),
  '2814': 'BGN',
  '2815': 'HRK',
  '2816': 'MUR',
  '2817': 'RON',
  '2818': 'ISK',
  '2819': 'NGN',
  '2820': 'COP',
  '2821': 'ARS',
  '2822': 'PEN',
  '2823': 'VND',
  '2824': 'UAH',
  '2832': 'BOB',
};

function isCoinMarketCapExport(header: readonly string[]): boolean {
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  return names.has('timeopen') && names.has('timeclose') && names.has('name');
}

/**
 * Refuses CoinMarketCap's export of prices in another currency than the dollar (its `name`
 * column says which), unless `--map` named the price column. Loaded, euros were dollars.
 */
export function requireCoinMarketCapDollars(
  mapping: HeaderMapping,
  header: readonly string[],
  numericName: TextColumns['numericName'],
  path: string,
): void {
  const price = mapping.columns.find((c) => c.field === 'price_usd');
  if (!numericName || !price || price.how === 'override' || !isCoinMarketCapExport(header)) return;
  const other = [numericName, numericName.other].find((n) => n && n.value !== CMC_DOLLAR);
  if (!other) return;
  const code = CMC_CURRENCIES[other.value];
  const column = header.find((h) => h.trim().toLowerCase() === 'name')?.trim() ?? 'name';
  throw new KxError(
    'input',
    `${path}: CoinMarketCap's export gives its prices' currency by an id in column ` +
      `${JSON.stringify(column)}, and line ${other.line} has ${JSON.stringify(other.value)}: ` +
      (code ? `prices in ${code}` : `a currency that is not the US dollar (${CMC_DOLLAR})`) +
      ', not US dollars; kx stores prices in US dollars, so export the history again with USD ' +
      `chosen on CoinMarketCap (the column then holds ${CMC_DOLLAR}). If the prices are in ` +
      `dollars after all, pass --map '${price.header.trim()}=price_usd'`,
    { context: { file: path, line: other.line, field: 'price_usd' } },
  );
}

/** An id column that numbers rows names no coin: it is left out, with a warning. */
export function leaveOutRowIds(mapping: HeaderMapping, example: Sampled): void {
  leaveOut(
    mapping,
    'source_id',
    (column, header) =>
      `column ${column} numbers the rows, not the coins: no id comes twice, and on line ` +
      `${example.line} a coin comes again at another time with the id ` +
      `${JSON.stringify(example.value)}; left out of source_id (if it is each coin's id, ` +
      `--map '${header}=source_id')`,
  );
}

/** Unmaps the column of `field`, saying why (`column` is its header, quoted). */
function leaveOut(
  mapping: HeaderMapping,
  field: CsvField,
  why: (column: string, header: string) => string,
): void {
  const column = mapping.columns.find((c) => c.field === field);
  if (!column) return;
  mapping.columns = mapping.columns.filter((c) => c !== column);
  mapping.unmapped.push(column.header);
  // its low-confidence warning ("mapped to … confirm with --map") no longer holds
  const mapped = `column "${column.header}" mapped to ${field} `;
  mapping.warnings = mapping.warnings.filter((w) => !w.startsWith(mapped));
  mapping.warnings.push(why(JSON.stringify(column.header), column.header));
}

/** A volume that names no currency: in a market's row, its base coin's (`BASE_VOLUME`). */
const BASE_VOLUME = /^(?:base_?)?vol(?:ume)?(?:_?24_?h(?:our|r)?)?(?:_base)?$/;
/** `BaseVolume` (Bittrex's, Poloniex's first APIs): the quote's, in markets written quote first. */
const QUOTE_FIRST_VOLUME = /^base_?vol(?:ume)?(?:_?24_?h(?:our|r)?)?$/;

/**
 * In a file whose symbols are markets (`BTC-USDT`: exchanges' tickers, KuCoin's `allTickers`,
 * Bybit's), a volume that names no currency (`vol`, `volume24h`) counts the market's base coin,
 * bitcoins on BTC-USDT's row: it is left out (the file is then mapped again without it, so
 * that a volume in the quote currency, KuCoin's `volValue`, takes its place). Where markets are
 * written quote first (`USDT-BTC`: Bittrex's and Poloniex's first APIs), so are the volumes'
 * names: `BaseVolume` is the quote's, read as the volume, and `Volume` or `quoteVolume` the
 * coin's. The `--map` that reads the file so, and the warning that says it; null when there is
 * nothing to change, or --map named the volume.
 */
export function marketVolumes(
  mapping: HeaderMapping,
  header: readonly string[],
  pairs: PairExample | null,
): { overrides: [string, CsvField | null][]; warning: string } | null {
  const volume = mapping.columns.find((c) => c.field === 'volume_24h_usd');
  if (!pairs || volume?.how === 'override') return null;
  const market = readMarket(pairs.example, pairs.quoteFirst);
  const quoted = pairs.quoteFirst
    ? header.find((h) => QUOTE_FIRST_VOLUME.test(toHeaderKey(h)))?.trim()
    : undefined;
  if (quoted !== undefined) {
    const other = volume && volume.header.trim() !== quoted ? volume.header.trim() : undefined;
    return {
      overrides: [
        [toHeaderKey(quoted), 'volume_24h_usd'],
        ...(other ? [[toHeaderKey(other), null] as [string, null]] : []),
      ],
      warning:
        `column ${JSON.stringify(quoted)} is in each market's quote currency ` +
        `(${market?.quote ?? 'its quote'} on ${pairs.example}'s row), as markets written quote ` +
        `first name it: read as volume_24h_usd` +
        (other ? `, and ${JSON.stringify(other)}, which counts the coin, left out` : ''),
    };
  }
  if (!volume) return null;
  const key = toHeaderKey(volume.header);
  if (!BASE_VOLUME.test(key) && !(pairs.quoteFirst && QUOTE_VOLUME.test(key))) return null;
  const name = volume.header.trim();
  return {
    overrides: [[key, null]],
    warning:
      `column ${JSON.stringify(name)} counts each market's base coin ` +
      `(${market?.base ?? 'its coin'} on ${pairs.example}'s row), not US ` +
      `dollars: left out of volume_24h_usd (if it is US dollars, --map '${name}=volume_24h_usd')`,
  };
}

/** A market's volume in its quote currency (`quoteVolume`, KuCoin's `volValue`, `turnover24h`). */
const QUOTE_VOLUME = /^(?:quote_volume|vol_value|turnover_?24_?h)$/;

/**
 * A volume in the market's quote currency is in dollars where the symbol column says the market
 * is priced in them (`BTC-USDT`), which then leave the user nothing to confirm; a file of one
 * market that does not say which leaves it to --map, as `--columns binance-kline` leaves its
 * `volume_quote`.
 */
export function leaveOutQuoteVolume(mapping: HeaderMapping, pairs: PairExample | null): void {
  const volume = mapping.columns.find((c) => c.field === 'volume_24h_usd');
  if (!volume || volume.how === 'override') return;
  if (!QUOTE_VOLUME.test(toHeaderKey(volume.header))) return;
  // the markets say what it is in: nothing for the user to confirm
  const unsure = `column "${volume.header}" mapped to volume_24h_usd `;
  if (pairs) mapping.warnings = mapping.warnings.filter((w) => !w.startsWith(unsure));
  else
    leaveOut(
      mapping,
      'volume_24h_usd',
      (column, name) =>
        `column ${column} is in its market's quote currency, which the file does not name: left ` +
        `out of volume_24h_usd (if it is US dollars, --map '${name}=volume_24h_usd')`,
    );
}

/**
 * A file without a time column is observed at its modification time; one from before any
 * coin had a price is a file unpacked with a made-up time (npm's packages say 1985, zip
 * archives 1980, Nix's store 1970), not when its prices were. Refused, naming the fixes.
 */
export function requireFileTime(mtime: Date, path: string): void {
  if (mtime.getTime() >= FIRST_BLOCK) return;
  throw new KxError(
    'input',
    `${path}: no column maps to observed_at, so its rows are observed at the file's modification ` +
      `time, and that is ${mtime.toISOString()}, before any coin had a price (a file unpacked ` +
      `from a package or an archive?). Name its time column with --map 'COLUMN=observed_at', or ` +
      `give the file the time of its prices: touch -d 'YYYY-MM-DD HH:MM' FILE`,
    { context: { file: path, field: 'observed_at' } },
  );
}

/**
 * A file without a time column has one observation time, the file's own: each listing can
 * appear once. A history without a time column (`Start`, `Day` … unrecognised) would collapse
 * into one quote per listing and report the rest as loaded, so it is refused before anything
 * is written, naming the flag that fixes it.
 */
export async function refuseRepeatsWithoutTime(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
): Promise<void> {
  const firstLine = new Map<string, number>();
  for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
    const record = toRecord(row);
    if (!record.result.ok || record.sourceId === null) continue;
    const first = firstLine.get(record.sourceId);
    if (first === undefined) {
      firstLine.set(record.sourceId, row.line);
      continue;
    }
    throw new KxError(
      'input',
      `${path}: lines ${first} and ${row.line} are both ${record.result.listing.symbol} (${record.sourceId}) ` +
        `and no column maps to observed_at (columns: ${listColumns(header)}), so both would be one quote at the file's time. ` +
        "Name its time column with --map 'COLUMN=observed_at'; a file without times can hold each coin once",
      { context: { file: path, line: row.line, field: 'observed_at' } },
    );
  }
}

/** How many data rows the look ahead for a coin with two values at one time reads. */
const SAME_TIME_SAMPLE_ROWS = 10_000;

/** A quote's values, which two lines of one coin at one time may not disagree on. */
const QUOTE_VALUES = [...DECIMAL_FIELDS, ['rank', 'rank']] as const;

/** The fields of the columns that tell what a quote is of (the others are its values and time). */
const WHAT: ReadonlySet<CsvField> = new Set<CsvField>(['source_id', 'symbol', 'name']);

/** A row's cell as compared and shown: without the spaces around it. */
const cell = (cells: readonly string[], i: number) => (cells[i] ?? '').trim();

/**
 * kx keeps one quote per listing and time. A file that gives a coin two values at one time
 * (several exchanges' candles told apart by an `exchange` column, two markets of one coin)
 * would keep the later line's alone and report both loaded: it is refused before anything is
 * written, naming the column that tells the two apart. Two lines alike but for their values
 * are a correction, and two lines of a trade log two trades at once: the later is kept, with a
 * warning. Reads the first SAME_TIME_SAMPLE_ROWS rows: such lines come together in the files
 * seen (rows by time, then by market).
 */
export async function refuseTwoValuesAtOnce(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
  read: { mapping: HeaderMapping; timeOfDay: number | undefined; pairs: PairExample | null },
): Promise<void> {
  const notWhat = new Set(
    read.mapping.columns.filter((c) => !WHAT.has(c.field)).map((c) => c.index),
  );
  if (read.timeOfDay !== undefined) notWhat.add(read.timeOfDay);
  const seen = new Map<string, { line: number; listing: UnifiedListing; cells: string[] }>();
  let warned = false;
  let rows = 0;
  let refusal: KxError | undefined;
  try {
    for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
      if (++rows > SAME_TIME_SAMPLE_ROWS) break;
      const record = toRecord(row);
      if (!record.result.ok) continue;
      const listing = record.result.listing;
      const key = `${listing.sourceId}\u0000${listing.observedAt.getTime()}`;
      const before = seen.get(key);
      seen.set(key, { line: row.line, listing, cells: row.fields });
      const value = before && QUOTE_VALUES.find(([, k]) => before.listing[k] !== listing[k]);
      if (!before || value === undefined) continue;
      const [field, prop] = value;
      const both =
        `lines ${before.line} and ${row.line} are both ${listing.symbol} (${listing.sourceId}) ` +
        `at ${listing.observedAt.toISOString()}, with ${field} ` +
        `${String(before.listing[prop])} and ${String(listing[prop])}`;
      const apart = header.findIndex(
        (_, i) => !notWhat.has(i) && cell(before.cells, i) !== cell(row.fields, i),
      );
      if (apart === -1 || read.mapping.tradeLog) {
        if (!warned)
          read.mapping.warnings.push(
            read.mapping.tradeLog
              ? `${both}: trades at one time, of which the later line's is kept`
              : `${both}, and alike but for their values: the later line's are kept, as a correction`,
          );
        warned = true;
        continue;
      }
      const name = cell(header, apart);
      const column = JSON.stringify(name);
      // two markets of one coin in dollars: Bittrex's USD-ETH and USDT-ETH
      const symbol = read.mapping.columns.find((c) => c.field === 'symbol')?.index;
      const [one, other] = [before.cells, row.fields].map((cells) =>
        read.pairs && apart === symbol
          ? readMarket(cell(cells, apart), read.pairs.quoteFirst)?.quote
          : undefined,
      );
      // a second time column (`unix` beside a local `date` that repeats an hour when clocks go back)
      const isTime = mapHeader([name], new Map()).columns.some((c) => c.field === 'observed_at');
      refusal = new KxError(
        'input',
        `${path}: ${both}; column ${column} tells them apart ` +
          `(${JSON.stringify(cell(before.cells, apart))} and ${JSON.stringify(cell(row.fields, apart))}). ` +
          `kx keeps one quote per coin and time and would keep only the later line's. ` +
          (isTime
            ? `If ${column} is when each line was observed, name it with --map '${name}=observed_at'`
            : one && other && one !== other
              ? `Load the markets of one quote currency (${one} or ${other}), from a file of their own`
              : `Load the rows of one ${column} value, from a file of their own`),
        { context: { file: path, line: row.line, field: header[apart] } },
      );
      break;
    }
  } catch {
    // A broken row or a second header: the read stops there too, once the rows before it are in.
    return;
  }
  if (refusal) throw refusal;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A volume header that says its span: `volume_24h`, `24h Volume`, Coin Metrics' `…_1d`. */
const DAY_VOLUME = /24|(?:^|_)1d(?:$|_)|daily/;

/** A listing's price and 24-hour change at one of its sampled times, as read. */
export interface SampledQuote {
  price: string | null;
  change: string | null;
}

/**
 * The times each listing (source_id) has among the first SAME_TIME_SAMPLE_ROWS rows, with its
 * price and change at each.
 */
export type SampledTimes = () => Promise<ReadonlyMap<string, ReadonlyMap<number, SampledQuote>>>;

/** Reads the sample of SampledTimes once, when a rule first asks for it. */
export function sampleTimes(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
): SampledTimes {
  let sampled: Promise<Map<string, Map<number, SampledQuote>>> | undefined;
  const read = async () => {
    const times = new Map<string, Map<number, SampledQuote>>();
    let rows = 0;
    try {
      for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
        if (++rows > SAME_TIME_SAMPLE_ROWS) break;
        const record = toRecord(row);
        if (!record.result.ok) continue;
        const { sourceId, observedAt, priceUsd, percentChange24h } = record.result.listing;
        const seen = times.get(sourceId) ?? new Map<number, SampledQuote>();
        const quote = { price: priceUsd, change: percentChange24h };
        times.set(sourceId, seen.set(observedAt.getTime(), quote));
      }
    } catch {
      // A broken row or a second header: the rows before it tell.
    }
    return times;
  };
  return () => (sampled ??= read());
}

/**
 * A candle's volume is what traded in its interval: a daily candle's is a day's, an hourly
 * one's about a twenty-fourth of one (CryptoDataDownload's hourly files), a weekly one's seven
 * days'. Loaded as volume_24h_usd it would be off by that much, so in a file of candles whose
 * coins come back other than a day apart (the median gap between a coin's sampled times) the
 * volume column is left out, with a warning, unless its header says 24 hours or --map names
 * it. True when it was: the rows are then read without it.
 */
export async function leaveOutCandleVolume(
  header: readonly string[],
  mapping: HeaderMapping,
  times: SampledTimes,
): Promise<boolean> {
  const volume = mapping.columns.find((c) => c.field === 'volume_24h_usd');
  if (
    !volume ||
    volume.how === 'override' ||
    DAY_VOLUME.test(toHeaderKey(volume.header)) ||
    !isCandles(header.map(toHeaderKey))
  )
    return false;
  const gaps: number[] = [];
  for (const seen of (await times()).values()) {
    const sorted = [...seen.keys()].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) gaps.push(sorted[i]! - sorted[i - 1]!);
  }
  if (gaps.length === 0) return false;
  const interval = gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
  if (interval >= 20 * HOUR && interval <= 28 * HOUR) return false;
  leaveOut(
    mapping,
    'volume_24h_usd',
    (column, name) =>
      `column ${column} is each candle's volume, and a coin's candles are ${spanOf(interval)} ` +
      `apart, not a day: left out of volume_24h_usd (if it is a 24-hour volume, --map '${name}=volume_24h_usd')`,
  );
  return true;
}

/** A rank header that says it is the rank when the file was made: `ranknow`, `rank_now`. */
const RANK_NOW = /^rank_?now$/;

/**
 * A coin's rank "now" (Kaggle's CoinMarketCap history, `ranknow`) is its rank when the file
 * was made, written again on every day of its history: a coin 5th now would be 5th in 2013.
 * In a file where a coin comes at more than one time, it is left out of rank, with a warning,
 * unless --map names it. True when it was: the rows are then read without it.
 */
export async function leaveOutRankNow(
  mapping: HeaderMapping,
  times: SampledTimes,
): Promise<boolean> {
  const rank = mapping.columns.find((c) => c.field === 'rank');
  if (!rank || rank.how === 'override' || !RANK_NOW.test(toHeaderKey(rank.header))) return false;
  if (![...(await times()).values()].some((seen) => seen.size > 1)) return false;
  leaveOut(
    mapping,
    'rank',
    (column, name) =>
      `column ${column} is each coin's rank when the file was made, written on every day of its ` +
      `history: left out of rank (if it is each row's rank, --map '${name}=rank')`,
  );
  return true;
}

/** Day-over-day changes compared before a change column is judged, and how close is a match. */
const CHANGE_SAMPLE_MIN = 5;
const CHANGE_TOLERANCE = 0.1;

/**
 * A 24-hour change written as a fraction (`0.0213` for +2.13%: pandas' `pct_change()`, saved
 * under a name that says percent) would be stored a hundred times too small. In a file of a
 * coin's days, the change of each day is its price's change from the day before: when the
 * sampled changes match those as fractions (within a tenth, four in five of at least five
 * days that moved half a percent or more) and not as percents, the column is left out, with a
 * warning, unless --map names it. True when it was: the rows are then read without it.
 */
export async function leaveOutFractionChange(
  mapping: HeaderMapping,
  times: SampledTimes,
): Promise<boolean> {
  const change = mapping.columns.find((c) => c.field === 'percent_change_24h');
  if (!change || change.how === 'override') return false;
  let fractions = 0;
  let compared = 0;
  for (const seen of (await times()).values()) {
    const days = [...seen.entries()].sort(([a], [b]) => a - b);
    for (let i = 1; i < days.length; i++) {
      const [before, then] = [days[i - 1]!, days[i]!];
      const gap = then[0] - before[0];
      const [from, to, written] = [Number(before[1].price), Number(then[1].price), then[1].change];
      if (gap < 20 * HOUR || gap > 28 * HOUR || !(from > 0) || !(to > 0) || written === null)
        continue;
      const moved = to / from - 1;
      if (Math.abs(moved) < 0.005) continue;
      compared++;
      const near = (value: number) =>
        Math.abs(Number(written) - value) <= CHANGE_TOLERANCE * Math.abs(value);
      if (near(moved) && !near(moved * 100)) fractions++;
    }
  }
  if (compared < CHANGE_SAMPLE_MIN || fractions * 5 < compared * 4) return false;
  leaveOut(
    mapping,
    'percent_change_24h',
    (column, name) =>
      `column ${column} holds fractions, not percents: each day's value is its price's change ` +
      `from the day before as a fraction (0.0213 for +2.13%), a hundred times too small stored ` +
      `as a percent: left out of percent_change_24h (if it is percents after all, ` +
      `--map '${name}=percent_change_24h')`,
  );
  return true;
}

/** `1 hour`, `4 hours`, `7 days`, `5 minutes`, `30 seconds`. */
function spanOf(ms: number): string {
  const [n, unit] =
    ms % DAY === 0
      ? [ms / DAY, 'day']
      : ms % HOUR === 0
        ? [ms / HOUR, 'hour']
        : ms % 60_000 === 0
          ? [ms / 60_000, 'minute']
          : [Math.round(ms / 1000), 'second'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * The file's data rows, read from the top past its banner lines and header (every row, for a
 * file without one: `header` null): a look ahead. Lines that draw a table are skipped, as
 * the read skips them.
 */
export async function* rowsAfterHeader(
  path: string,
  delimiter: string,
  header: readonly string[] | null,
): AsyncGenerator<CsvRow> {
  const joined = header?.join('\u0000');
  let inHeader = header !== null;
  for await (const row of readCsvRows({ path, start: 0, lineBase: 0, delimiter })) {
    if (inHeader) inHeader = row.fields.join('\u0000') !== joined;
    else if (!isDecoration(row)) yield row;
  }
}

/** The header line's exact bytes: the first row, past the banner lines, with `header`'s cells. */
export async function headerBytes(
  path: string,
  delimiter: string,
  header: readonly string[],
): Promise<Buffer> {
  const joined = header.join('\u0000');
  for await (const row of readCsvRows({ path, start: 0, lineBase: 0, delimiter }))
    if (row.fields.join('\u0000') === joined) return row.bytes;
  throw new KxError('input', `${path}: the header row is gone from the file`, {
    context: { file: path },
  });
}

/**
 * `--columns` names every cell of a row, in order: one name too few or too many would shift
 * the close onto the open, and load every price wrong. The first row must have as many cells.
 */
export async function requireColumnCount(
  path: string,
  delimiter: string,
  names: readonly string[],
): Promise<void> {
  for await (const row of rowsAfterHeader(path, delimiter, null)) {
    if (row.fields.length === names.length) return;
    throw new KxError(
      'usage',
      `--columns names ${names.length} columns, but line ${row.line} of ${path} has ${row.fields.length} ` +
        `(${JSON.stringify(row.fields.join(delimiter).slice(0, 60))}); name every column, in order`,
      { context: { file: path, line: row.line } },
    );
  }
}

/**
 * CoinGecko names a coin's chart export `COIN-CURRENCY-max.csv` (`sol-usd-max.csv`,
 * `sol-eur-max.csv`; a browser adds ` (1)` to a second download, a user may put words in
 * front), and its header (`snapped_at,price,market_cap,total_volume`) is the same in every
 * currency: the file's name is all that says its prices are in euros.
 */
const COINGECKO_EXPORT = /(?:^|[^a-z\d])([a-z\d]{1,20})-([a-z]{3,5})-max(?: \(\d+\))?\.csv$/i;

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
const BINANCE_DUMP =
  /^([A-Z\d]{4,20})-(?:\d{1,2}[smhdw]|1mo|trades|aggTrades)-\d{4}-\d{2}(?:-\d{2})?(?: \(\d+\))?\.csv$/;

/**
 * Kraken's downloadable OHLCVT history names a file `PAIR_MINUTES.csv` (`XBTUSD_1440.csv`,
 * `XBTEUR_60.csv`, `ETHXBT_1.csv`), without a header: the market is only in its name.
 */
const KRAKEN_DUMP = /^([A-Z\d]{5,12})_(?:1|5|15|30|60|240|720|1440|10080|21600)(?: \(\d+\))?\.csv$/;

/**
 * CoinAPI names a spot market `EXCHANGE_SPOT_BASE_QUOTE` (`BITSTAMP_SPOT_BTC_USD`), and its
 * OHLCV history (`time_period_start`, …, `price_close`) says nothing of either: files of it are
 * named after the market, often with the period after it (`KRAKEN_SPOT_BTC_EUR_1DAY.csv`).
 */
const COINAPI_SPOT = /^[A-Z\d]+_SPOT_([A-Z\d]{2,15}_[A-Z]{3,5})(?:_\w+)?(?: \(\d+\))?\.csv$/;

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
function fredSeries(
  header: readonly string[],
): { coin: string; column: string; flags: string } | null {
  for (const cell of header) {
    const column = cell.trim();
    const coin = /^CB([A-Z\d]{2,6})USD$/.exec(column)?.[1];
    if (coin) return { coin, column, flags: `--symbol ${coin} --map '${column}=price_usd'` };
  }
  return null;
}

/** For a column named after a coin (`Date,BTC`): the flags that load its cells as prices. */
function coinColumnHint(column: string, symbol?: string): string {
  const coin = symbol ?? column.toUpperCase();
  return (
    ` (column ${JSON.stringify(column)} is named after a coin: if its cells are ${coin}'s ` +
    `prices in US dollars, --symbol ${coin} --map '${column}=price_usd')`
  );
}

export function requireColumns(
  mapping: HeaderMapping,
  params: CsvParams,
  header: string[],
  path: string,
): void {
  const has = (field: CsvField) => mapping.columns.some((c) => c.field === field);
  const columns = listColumns(header);
  const named = exportNamed(path)?.coin;
  // names only coins have; a ticker of another name (`ABC-USD.csv`) may be a stock's
  const coinsOnly = [COINGECKO_EXPORT, BINANCE_DUMP, KRAKEN_DUMP, COINAPI_SPOT];
  const coin =
    named && (coinsOnly.some((r) => r.test(basename(path))) || isWellKnownCoin(named))
      ? named
      : (coinInFileName(basename(path)) ?? undefined);
  const symbol = params.symbol?.toUpperCase();
  const series = fredSeries(header);
  const fred = has('price_usd') ? null : series;
  const price = mapping.columns.find((c) => c.field === 'price_usd')?.header.trim();
  if (symbol && series && price === series.column && !sameCoin(series.coin, symbol)) {
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(series.column)} is FRED's Coinbase prices of ` +
        `${series.coin}, and --symbol ${params.symbol} reads every row as ${symbol}; ` +
        `pass --symbol ${series.coin}`,
      { context: { file: path, field: 'symbol' } },
    );
  }
  if (!has('symbol') && symbol && coin && !sameCoin(coin, symbol)) {
    throw new KxError(
      'input',
      `${path}: the file's name says its coin is ${coin}, and --symbol ${params.symbol} reads ` +
        `every row as ${symbol}; pass --symbol ${coin}, or rename the file if its name is wrong`,
      { context: { file: path, field: 'symbol' } },
    );
  }
  // Koinly's, CoinTracker's, the Crypto.com app's exports: what was sent and received, and
  // what it was worth. Sent to --map symbol first, a user would then be sent to map a price
  // that is not there; a worth is no price.
  const amounts = has('price_usd')
    ? []
    : header.filter((h) =>
        toHeaderKey(h)
          .split('_')
          .some((word) => AMOUNT_KEYS.has(word)),
      );
  if (amounts.length > 0) {
    const which = amounts
      .slice(0, 2)
      .map((h) => JSON.stringify(h.trim()))
      .join(' and ');
    throw new KxError(
      'input',
      `${path}: no column holds a price: ${which} ${amounts.length > 1 ? 'are amounts' : 'is an amount'} ` +
        `of coins, so this is a history of transactions or holdings, whose worths are not ` +
        `prices (columns: ${columns}). kx loads prices of coins: load a price history. If a ` +
        `column is each row's price in US dollars after all, name it with --map 'COLUMN=price_usd'`,
      { context: { file: path, field: 'price_usd' } },
    );
  }
  if (!has('symbol') && !params.symbol) {
    // `date,BTC,ETH,SOL`: a column per coin, of prices or just as often returns or weights.
    const wide = has('price_usd') ? [] : header.filter(isWellKnownCoin).map((h) => h.trim());
    throw new KxError(
      'input',
      `${path}: no column maps to symbol (columns: ${columns}); ` +
        "name it with --map 'COLUMN=symbol', or pass --symbol SYM for a single-asset history file" +
        (coin ? ` (the file's name says ${coin}: --symbol ${coin})` : '') +
        (fred ? ` (FRED's Coinbase prices of ${fred.coin} in US dollars: ${fred.flags})` : '') +
        (wide.length > 1
          ? `. Its columns ${wide.slice(0, 3).join(', ')} are coins, one per column; kx reads a coin per ` +
            `row, so if their cells are prices (not returns or weights) load each one by itself: ` +
            `--symbol ${wide[0]} --map '${wide[0]}=price_usd'`
          : '') +
        (wide.length === 1 ? coinColumnHint(wide[0]!) : ''),
      { context: { file: path, field: 'symbol', unmapped: 'symbol' } },
    );
  }
  // `Date (CST)`: China's time or America's? Read as UTC (or not read, and the file's time
  // taken), its times would be hours off
  const time = mapping.columns.find((c) => c.field === 'observed_at');
  const unplaced = header.find(
    (h, i) => zoneNamedInHeader(h) !== null && (time ? time.index === i : true),
  );
  if (unplaced !== undefined) {
    const zone = zoneNamedInHeader(unplaced)!;
    const word = unplaced.trim().split(/[\s(_]/)[0];
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(unplaced.trim())} names its times' zone ${zone}, which kx ` +
        `cannot place (more than one zone is called so): read as UTC, its ` +
        `times would be hours off. Name the offset in the header instead (${word} (UTC+08:00), ` +
        `${word} (UTC-06:00)) and load the file again`,
      { context: { file: path, field: 'observed_at' } },
    );
  }
  // Each trade's price is at its time: a file without times takes the file's own, right for a
  // snapshot of listings and wrong for every trade in a log.
  if (mapping.tradeLog && !has('observed_at')) {
    throw new KxError(
      'input',
      `${path}: a log of trades (an order id, a side, a fee) and no column maps to observed_at ` +
        `(columns: ${columns}); each trade's price is at its own time, not the file's: name the ` +
        `time column with --map 'COLUMN=observed_at'`,
      { context: { file: path, field: 'observed_at' } },
    );
  }
  const euros = mapping.otherCurrency.find((c) => c.fields.includes('price_usd'));
  if (!has('price_usd') && euros) {
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(euros.header)} holds prices in ${euros.code}, not US dollars, ` +
        `and no column holds prices in dollars (columns: ${columns}); kx stores prices in US dollars, ` +
        `so load an export in USD. If that column is in dollars after all, pass --map '${euros.header}=price_usd'`,
      { context: { file: path, field: 'price_usd' } },
    );
  }
  if (!has('price_usd')) {
    // `Date,BTC`: a column named after the coin, which --symbol says the file is of
    const own = header
      .map((h) => h.trim())
      .find((h) => symbol && sameCoin(h.toUpperCase(), symbol));
    throw new KxError(
      'input',
      `${path}: no column maps to price_usd (columns: ${columns}); name it with --map 'COLUMN=price_usd'` +
        (fred ? ` (FRED's Coinbase prices of ${fred.coin} in US dollars: ${fred.flags})` : '') +
        (own && !fred ? coinColumnHint(own, symbol) : '') +
        (numberedHeader(header) !== null
          ? ". The header is pandas' numbers for columns saved without names: name the time " +
            "and the price by theirs, for a list of [time, price] pairs (CoinGecko's " +
            "market_chart prices) --map '0=observed_at' --map '1=price_usd'"
          : ''),
      { context: { file: path, field: 'price_usd', unmapped: 'price_usd' } },
    );
  }
  // `timestamp,value` is how Glassnode, Nasdaq Data Link (`BCHAIN-…`) and Santiment export any
  // series of one coin: its addresses or hash rate as well as its price.
  const value = mapping.columns.find(
    (c) => c.field === 'price_usd' && c.how !== 'override' && toHeaderKey(c.header) === 'value',
  );
  if (value && !has('symbol') && !PRICE_IN_NAME.test(basename(path))) {
    const column = value.header.trim();
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(column)} may be any series of a coin (Glassnode, Nasdaq ` +
        'Data Link and Santiment export each metric, addresses or hash rate as well as a price, ' +
        `as a time and a value), and neither its header nor the file's name says it is ` +
        `${symbol ?? 'the coin'}'s price; if it is its price in US dollars, pass --map ` +
        `'${column}=price_usd'`,
      { context: { file: path, field: 'price_usd' } },
    );
  }
}

/** A file's name that says its series is a price (`BCHAIN-MKPRU`: market price, USD). */
const PRICE_IN_NAME = /price|close|mkpru|usd|kurs|preis|prix|precio|pre[cç]o|цена/i;
