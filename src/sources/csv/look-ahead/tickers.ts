/**
 * Refusals of a symbol column that cannot load as it is: names, signs, cashtags, several
 * coins beside --symbol, prices in another currency; and the reading of its trading pairs.
 */
import { KxError } from '../../../core/errors.js';
import { type HeaderMapping } from '../mapping.js';
import { sameCoin, splitNamedTicker } from '../coins.js';
import { namesCoin, parsePair, type PairExample } from '../pairs.js';
import { textOf } from '../cells.js';
import { type TextColumns, type Sampled } from './text-columns.js';
import { rowsAfterHeader } from './format.js';

/**
 * A symbol column of coins' names (`asset` holding `Bitcoin`): loaded, each would be a coin
 * of its own (`BITCOIN`, beside the sources' BTC), and names of two words rejected. Refused,
 * unless --symbol names the coin; when --map named the column so, loaded, with the warning
 * this returns.
 */
export function requireTickers(
  mapping: HeaderMapping,
  { symbolNames }: Pick<TextColumns, 'symbolNames'>,
  fixedSymbol: string | undefined,
  path: string,
): string | undefined {
  const column = mapping.columns.find((c) => c.field === 'symbol');
  if (!symbolNames || fixedSymbol || !column) return;
  const [first, second] = symbolNames.names;
  const examples = [first, second]
    .filter((s): s is Sampled => s !== undefined)
    .map((s) => `${JSON.stringify(s.value)} on line ${s.line}`)
    .join(', ');
  const header = column.header.trim();
  if (column.how === 'override')
    return (
      `column ${JSON.stringify(header)} holds coins' names (${examples}): read as tickers, as ` +
      `--map says, each a coin of its own${first ? ` (${first.value.toUpperCase()})` : ''}, ` +
      "not linked to the sources' coins by its ticker"
    );
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
  // and rejects the others' (`toBase`), each naming its quote.
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
