/**
 * What the symbol, name, id, currency and amount columns hold, from the file's first rows:
 * one pass over a sample that the refusals and the reading of the file share.
 */
import { toNameKey } from '../../../core/unified.js';
import { type HeaderMapping } from '../mapping.js';
import { toCurrency, USD_QUOTES } from '../../../core/currency.js';
import {
  COIN_NAMES,
  isCurrencySign,
  isWellKnownCoin,
  isMarketShaped,
  parsePair,
  parseQuoteFirst,
  pricedInItself,
  readingOf,
  readMarket,
  splitNamedTicker,
} from '../pairs.js';
import { amountColumns, countedCoin, textOf } from '../rows.js';
import { rowsAfterHeader } from './format.js';

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
 * A coin's name rather than its ticker: a capital and three lower-case letters or more
 * (`Bitcoin`, `Ethereum`), or words apart (`Shiba Inu`, `USD Coin`). Tickers are written in
 * capitals, or in their own mixed case (`stETH`, `USDe`, `crvUSD`), never so.
 */
function looksLikeName(value: string): boolean {
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
