/**
 * Why one row cannot load though its file can: another coin than --symbol's, a header line
 * in the middle, cells not in UTF-8, a cell split by its delimiter, a currency not the dollar,
 * a contract, a sign or a market for a ticker, a totals row, a price too high to be in dollars.
 */
import { isUtf8 } from 'node:buffer';
import { toCurrency, USD_QUOTES } from '../../core/currency.js';
import { KxError } from '../../core/errors.js';
import { toDecimal } from '../../core/decimal.js';
import { toNameKey, type UnifiedListing } from '../../core/unified.js';
import type { ColumnMapping, CsvField } from './fields.js';
import { mapHeader, type HeaderMapping } from './mapping.js';
import { isCurrencySign, pricedInItself, sameCoin } from './coins.js';
import {
  isFiat,
  isMarketOfKnownCoins,
  isMarketShaped,
  parsePair,
  readCell,
  readMarket,
} from './pairs.js';
import type { CsvRow } from './reader.js';
import type { PairExample } from './pairs.js';
import type { RowMapperOptions } from './rows.js';
import { countedCoin, textOf } from './cells.js';

/**
 * A row past the look-ahead's sample that names another coin than --symbol's: loaded, it would
 * be read as the one coin, another coin's price as its own. Rejected, naming the coin.
 */
export function otherCoin(
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
 * The rejection of a line of prose among the rows, a note under the table (`Source: CoinGecko,
 * retrieved 2024-01-01`, `Data provided by CoinGecko`, `© 2024 …`): one or two cells, the first
 * of them, no number among them, and words a note has (a label and a colon, a URL, ©, or four
 * words or more). Said so, rather than as a row without a price.
 */
export function noteLine(row: CsvRow): { ok: false; reason: string } | null {
  const cells = row.fields.map((c) => c.trim());
  const filled = cells.filter((c) => c !== '');
  if (cells[0] === '' || filled.length === 0 || filled.length > 2) return null;
  if (filled.some(isNumberOrDate)) return null;
  const text = filled.join(', ');
  const words = text.split(/\s+/).filter((word) => /\p{L}/u.test(word));
  const noteLike = /^\p{L}[\p{L} ]*:|https?:\/\/|www\.|©|\(c\)/iu.test(text) || words.length >= 4;
  return noteLike
    ? {
        ok: false,
        reason: `a line of text (a note?), not a row of the table: ${JSON.stringify(text)}`,
      }
    : null;
}

/**
 * A row that is a header line (files joined with `cat a.csv b.csv`), told by its cells: no
 * number among them, and read as a header they name a price and a coin. One with the file's
 * layout is rejected, saying what it is. One that puts a field in another column would have
 * every row after it read by the first header's columns (a volume loaded as the market cap),
 * so the file is refused at that line, the rows before it committed.
 */
export function secondHeader(
  row: CsvRow,
  mapping: HeaderMapping,
  path: string,
): { ok: false; reason: string } | null {
  const cells = row.fields.map((c) => c.trim());
  // A number or a date is a row's; this runs for each rejected row, so the cheap tests first.
  if (cells.some((c) => c !== '' && isNumberOrDate(c))) return null;
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

/** A cell a row has and a header or a note has not: a number or a date. */
function isNumberOrDate(cell: string): boolean {
  return DATE_LIKE.test(cell) || toDecimal(cell).ok;
}

/** The text cells a listing is made of: the ones whose characters are loaded as they are. */
const TEXT_FIELDS: readonly CsvField[] = ['source_id', 'symbol', 'name'];

/**
 * The rejection of a row whose id, symbol or name is not UTF-8 (a Windows-1252 or Latin-1
 * export): read as UTF-8 its `é` would load as U+FFFD. Bytes that are not UTF-8 elsewhere
 * in the line are no harm: the raw line keeps them exactly.
 */
export function notUtf8Cell(
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
export function overflow(
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
export function notDollars(
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

const contractReason = (value: string) =>
  `${JSON.stringify(value)} is a swap, futures or options contract, not a spot market`;

/**
 * The rejection of a row whose symbol names a derivative contract (`BTC-PERP`, `BTCUSDT_240329`)
 * in a column of tickers (in one of pairs, `toBase` rejects it), with or without --symbol, which
 * would read it as the coin: a contract's price is not the coin's.
 */
export function contractRow(
  written: string,
): { ok: false; reason: string; field: CsvField } | null {
  if (!/[-_.:]/.test(written) || !parsePair(written)?.contract) return null;
  return { ok: false, reason: `symbol: ${contractReason(written)}`, field: 'symbol' };
}

/**
 * The rejection of a row whose symbol is a currency sign (`Ξ`) past the look-ahead's sample,
 * which refuses a column of them: loaded, the sign would be a coin of its own.
 */
export function signRow(written: string): { ok: false; reason: string; field: CsvField } | null {
  if (!isCurrencySign(written)) return null;
  const reason = `${JSON.stringify(written)} is a currency sign, not a ticker`;
  return { ok: false, reason: `symbol: ${reason}`, field: 'symbol' };
}

/** `Total`, `TOTAL:`, `Grand total`, `Subtotal`, `Sub-total`, `Totals`. */
const TOTAL = /^(grand[\s_-]*|sub[\s_-]*)?totals?:?$/i;

/**
 * The rejection of a spreadsheet's totals row (`Total,,,2500000000000` under a column of market
 * caps, most often the last line): a symbol that says total, and no name or the same word. No
 * coin is so listed (none of CoinGecko's 12,387 coins of 2022 has such a symbol); loaded, the
 * row would be a coin TOTAL priced at the column's sum.
 */
export function totalsRow(
  symbol: string,
  name: string,
): { ok: false; reason: string; field: CsvField } | null {
  if (!TOTAL.test(symbol) || (name !== '' && !TOTAL.test(name))) return null;
  const reason = `${JSON.stringify(symbol)} heads a spreadsheet's totals row, not a coin's`;
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
export function notDollarPrice(
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
export function marketRow(written: string): { ok: false; reason: string; field: CsvField } | null {
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
