/**
 * What the symbol, name, id, currency and amount columns hold, from the file's first rows:
 * one pass over a sample that the refusals and the reading of the file share. The symbol
 * column's sampler is here; the other columns' are in samplers.ts.
 */
import { type HeaderMapping } from '../mapping.js';
import { COIN_NAMES, isCurrencySign, isWellKnownCoin, splitNamedTicker } from '../coins.js';
import { isMarketShaped, parsePair, parseQuoteFirst, readingOf, readMarket } from '../pairs.js';
import { type CsvRow } from '../reader.js';
import { textOf } from '../cells.js';
import { rowsAfterHeader } from './format.js';
import {
  amountSampler,
  currencySampler,
  idSampler,
  nameSampler,
  type Sampler,
  type SampledRow,
} from './samplers.js';

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
  const indexOf = (field: string) => mapping.columns.find((c) => c.field === field)?.index;
  const symbol = symbolSampler(header, indexOf('symbol'));
  const name = nameSampler(header, indexOf('name'));
  // an id column the user named (`--map 'id=source_id'`) holds listings' ids, not row numbers
  const id = mapping.columns.find((c) => c.field === 'source_id' && c.how !== 'override');
  const ids = idSampler(header, id?.index, indexOf('observed_at'));
  const currency = currencySampler(currencyColumn, fixedSymbol);
  const amounts = amountSampler(header, mapping);
  const samplers = [symbol, name, ids, currency, amounts];
  let sampled = 0;
  let broken = false;
  try {
    for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
      if (sampled++ >= TEXT_SAMPLE_ROWS || !samplers.some((s) => s.wants(sampled))) break;
      const cells: SampledRow = { row, symbol: symbol.cell(row), name: name.cell(row) };
      for (const sampler of samplers) sampler.add(cells);
    }
  } catch {
    // A broken row (a quote never closed, a runaway record) ends the sample; the read says
    // what is wrong with it, and where.
    broken = true;
  }
  return {
    ...symbol.found(),
    ...name.found(),
    ...ids.found(),
    currency: currency.found(),
    counted: amounts.found(),
    noRows: sampled === 0 && !broken,
  };
}

/**
 * The symbol column: trading pairs, the first two coins, cashtags, names with tickers, names
 * instead of tickers, currency signs. Past a fifth of a full sample that is no market, and two
 * coins, the column is known (signs: a hundred rows past the first).
 */
function symbolSampler(
  header: readonly string[],
  index: number | undefined,
): Sampler<
  Pick<TextColumns, 'pairs' | 'named' | 'cashtags' | 'namedTickers' | 'symbolNames' | 'symbolSigns'>
> & { cell(row: CsvRow): string } {
  /** The column's sampled cells, and how many of them are no market read either way. */
  const markets = { cells: [] as Sampled[], misses: 0 };
  const named: Sampled[] = [];
  /** The column's cells: how many hold something, names, signs, and are empty. */
  const cells = {
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
  const column = () => header[index!]!.trim();
  return {
    cell: (row) => (index === undefined ? '' : textOf((row.fields[index] ?? '').trim())),
    wants: (sampled) =>
      (index !== undefined && (markets.misses * 5 <= TEXT_SAMPLE_ROWS || named.length < 2)) ||
      // a sign among the first rows: how many more there are, in a hundred rows
      (cells.signs.length > 0 && sampled <= SIGN_SAMPLE_ROWS),
    add({ row, symbol: value }) {
      if (index === undefined) return;
      if (value === '') {
        cells.empty++;
        return;
      }
      const at = { value, line: row.line };
      if (named.length < 2 && named[0]?.value.toUpperCase() !== value.toUpperCase()) named.push(at);
      const tag = /^\$([A-Za-z\d]{1,15})$/.exec(value)?.[1];
      tags.all &&= tag !== undefined;
      tags.first ??= at;
      tags.wellKnown ||= tag !== undefined && isWellKnownCoin(tag);
      both.all &&= splitNamedTicker(value) !== null;
      both.first ??= at;
      cells.total++;
      if (isCurrencySign(value)) {
        cells.signCount++;
        if (cells.signs.length < 2) cells.signs.push(at);
      }
      const known = value.toUpperCase() in COIN_NAMES;
      if (known) cells.known.add(value.toUpperCase());
      if (looksLikeName(value) || known) {
        cells.nameCount++;
        if (cells.names.length < 2) cells.names.push(at);
      }
      markets.cells.push(at);
      if (!parsePair(value) && !parseQuoteFirst(value) && !isMarketShaped(value)) markets.misses++;
    },
    found: () => ({
      pairs: pairsIn(markets.cells),
      named: named.length > 0 ? { header: column(), coins: named } : null,
      cashtags: tags.all && tags.wellKnown ? tags.first : null,
      namedTickers: both.all ? both.first : null,
      // Names in four rows of five, or two well-known coins by name (`bitcoin`, `ethereum`: no
      // listing of tickers has both), as CoinGecko's ids are written
      symbolNames:
        (cells.nameCount > 0 && cells.nameCount * 5 >= cells.total * 4) || cells.known.size >= 2
          ? { header: column(), names: cells.names }
          : null,
      symbolSigns:
        cells.signs.length > 0
          ? {
              header: column(),
              signs: cells.signs,
              most: (cells.signCount + cells.empty) * 2 >= cells.total + cells.empty,
            }
          : null,
    }),
  };
}

/**
 * A coin's name rather than its ticker: a capital and three lower-case letters or more
 * (`Bitcoin`, `Ethereum`), or words apart (`Shiba Inu`, `USD Coin`). Tickers are written in
 * capitals, or in their own mixed case (`stETH`, `USDe`, `crvUSD`), never so.
 */
export function looksLikeName(value: string): boolean {
  return /^\p{Lu}\p{Ll}{3,}/u.test(value) || /\p{L}\s+\p{L}/u.test(value);
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
