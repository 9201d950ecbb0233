/**
 * Columns that say the coin another way than a symbol: yfinance's tickers, names with
 * tickers in them, markets, pandas' numbered klines, CoinGecko's ids, `[time, value]` cells.
 */
import { KxError } from '../../../core/errors.js';
import { type CsvField } from '../fields.js';
import { isUnnamed, toHeaderKey, unnamedColumn } from '../header-keys.js';
import { type HeaderMapping } from '../mapping.js';
import { COIN_NAMES, sameCoin, splitNamedTicker } from '../coins.js';
import { isMarketShaped, parsePair, parseQuoteFirst } from '../pairs.js';
import { numberedHeader, type YfinanceLevels } from '../sniff.js';
import { COLUMN_PRESETS } from '../params.js';
import { textOf } from '../cells.js';
import { looksLikeName, type Sampled } from './text-columns.js';
import { rowsAfterHeader } from './format.js';

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

/**
 * A header for a column of coins: `coin`, `Assets`, `Cryptocurrency`, `coin_name`; not a bare
 * `name`, which a table of anything has.
 */
const COINS_HEADER = /^(?:coin|asset|token|crypto(?:currency)?)s?(?:[ _-]?names?)?$/i;

/** A well-known coin's ticker by its name as written (`Bitcoin`, `Shiba Inu`), or undefined. */
function tickerOfName(value: string): string | undefined {
  return COIN_NAMES[value.toUpperCase().replace(/\s+/g, '-')];
}
const isCoinName = (value: string) => tickerOfName(value) !== undefined;

/**
 * The first column, of those no field but the name reads, whose first rows are coins' names
 * (`Bitcoin`, `Shiba Inu`; four in five, as a name may be written as a ticker: CoinMarketCap's
 * `XRP`), a well-known coin's among them or the column named for coins; with its first two
 * names, and the ticker of the one well-known coin when they all name it; or null: for the
 * refusal of a file without tickers to say what its coins are.
 */
export async function coinNames(
  path: string,
  delimiter: string,
  header: readonly string[],
  mapping: HeaderMapping,
): Promise<{ header: string; names: Sampled[]; ticker?: string } | null> {
  const sample = await firstCells(path, delimiter, header);
  const taken = new Set(mapping.columns.filter((c) => c.field !== 'name').map((c) => c.index));
  const index = (sample ?? []).findIndex((cells, i) => {
    if (taken.has(i) || cells.length === 0) return false;
    const names = cells.filter((c) => looksLikeName(c.value) || isCoinName(c.value));
    const named = cells.some((c) => isCoinName(c.value));
    return names.length * 5 >= cells.length * 4 && (named || COINS_HEADER.test(header[i]!.trim()));
  });
  if (index === -1) return null;
  const cells = sample![index]!;
  const second = cells.find((c) => c.value !== cells[0]!.value);
  const found = {
    header: header[index]!.trim(),
    names: second ? [cells[0]!, second] : [cells[0]!],
  };
  const ticker = second ? undefined : tickerOfName(cells[0]!.value);
  return ticker ? { ...found, ticker } : found;
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
