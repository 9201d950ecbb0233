/**
 * Why a file has no column kx needs, where the file tells: its header is not UTF-8, its cells
 * are CoinGecko's `[time, price]` lists, its names are tickers, its ids are CoinGecko's.
 */
import { KxError } from '../../../core/errors.js';
import { notUtf8Header, type EncodingGuess } from '../encoding.js';
import { listColumns } from '../header-keys.js';
import { sidewaysFix } from '../file-kinds.js';
import { mapHeader, type HeaderMapping } from '../mapping.js';
import type { CsvParams } from '../params.js';
import { coinGeckoIds, coinNames, tickersInNames, timeValueCells } from './coin-columns.js';
import { headerBytes, rowsAfterHeader } from './format.js';

/**
 * The refusal of a file without a column kx needs, said better where the file tells why: a
 * header not in UTF-8, CoinGecko's `[time, price]` cells, tickers in a column taken for names,
 * CoinGecko's ids where tickers should be.
 */
export async function whyUnmapped(
  error: unknown,
  input: { path: string; params: CsvParams; delimiter: string },
  columns: { header: string[]; named: string[]; mapping: HeaderMapping },
  codePageOf: (bytes: Buffer) => Promise<EncodingGuess | null>,
): Promise<unknown> {
  const { path, params, delimiter } = input;
  const { header, mapping } = columns;
  // `終値` read as UTF-8 is no column kx knows: say what the header is written in.
  if (!params.columns && columns.named.some((h) => h.includes('\uFFFD'))) {
    const guess = await codePageOf(await headerBytes(path, delimiter, header));
    if (guess) return notUtf8Header(path, guess, listColumns(guess.header));
  }
  if (!(error instanceof KxError)) return error;
  const message = error.message.replace(/; name it with --map .*$/, '');
  // `symbol,BTC,ETH` over `price_usd,43000,2300`: no --map turns a table
  const side = await sideways(path, delimiter, header, !params.columns);
  if (side)
    return new KxError(
      'input',
      `${message}: the table is on its side, its fields down the first column ` +
        `(${firstFew(side.names)}) and a coin in each other (${firstFew(side.coins)}); ` +
        sidewaysFix(path, delimiter, side.label),
      { context: error.context },
    );
  // CoinGecko's market_chart as pandas writes it: `[time, price]` in each cell
  if (error.context.unmapped === 'price_usd') {
    const pair = await timeValueCells(path, delimiter, header, !params.columns);
    if (pair)
      return new KxError(
        'input',
        `${message}: column ${JSON.stringify(pair.header)} holds a time and a value ` +
          `in each cell (${JSON.stringify(pair.value)} on line ${pair.line}), as pandas ` +
          "writes CoinGecko's market_chart lists: no --map reads them; write each list " +
          `as its own columns first, as pd.DataFrame(answer["prices"], columns=["time", ` +
          `"price"]) does`,
        { context: error.context },
      );
  }
  if (error.context.unmapped !== 'symbol') return error;
  // `coin` of `BTC`, `ETH` was taken for names: say which column holds the tickers
  const ticker = await tickersInNames(path, delimiter, header, !params.columns, mapping);
  const column = mapping.columns.find((c) => c.field === 'name')?.header.trim();
  if (ticker && column)
    return new KxError(
      'input',
      `${error.message}. Column ${JSON.stringify(column)} holds ` +
        `${ticker.named ? "each coin's name and ticker" : 'tickers'} ` +
        `(${JSON.stringify(ticker.value)} on line ${ticker.line}): --map '${column}=symbol'` +
        (ticker.named ? ' reads the two from it' : ''),
      { context: error.context },
    );
  // CoinGecko's `/simple/price` keyed by its ids: no column holds a ticker
  const ids = await coinGeckoIds(path, delimiter, header);
  if (ids)
    return new KxError(
      'input',
      `${message}: column ${JSON.stringify(ids.header)} holds CoinGecko's ids of ` +
        `coins (${JSON.stringify(ids.value)} on line ${ids.line}), not their tickers, ` +
        'which no column holds: kx ingest --source coingecko loads its coins with both',
      { context: error.context },
    );
  // `coin` of `Bitcoin`, `Ethereum`: --map 'coin=symbol' would load BITCOIN beside BTC
  const names = await coinNames(path, delimiter, header, mapping);
  if (names) {
    const [first] = names.names;
    return new KxError(
      'input',
      `${message}: column ${JSON.stringify(names.header)} holds coins' names ` +
        `(${names.names.map((n) => `${JSON.stringify(n.value)} on line ${n.line}`).join(', ')}), ` +
        'not their tickers, which no column holds: kx keys a coin by its ticker (BTC), and ' +
        `would load each name as a coin of its own (${first!.value.toUpperCase()}). ` +
        (names.ticker
          ? `If every row is ${first!.value}'s, --symbol ${names.ticker} reads them so`
          : "Add a column of tickers, or load a file of one coin's rows with --symbol SYM"),
      { context: { ...error.context, line: first!.line } },
    );
  }
  return error;
}

/**
 * A table on its side: the first column names the fields a header would (a price among them),
 * the header names a coin in each other column. The name for the coins' column once turned:
 * the header's first cell when it names them, else by what they look like. Null otherwise.
 */
async function sideways(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
): Promise<{ names: string[]; coins: string[]; label: string } | null> {
  const names: string[] = [];
  try {
    for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
      const name = (row.fields[0] ?? '').trim();
      if (name !== '') names.push(name);
      if (names.length >= 20) break;
    }
  } catch {
    return null; // the read says what is wrong with the file
  }
  const fields = (cells: readonly string[]) =>
    mapHeader(cells, new Map()).columns.map((c) => c.field);
  const coins = header
    .slice(1)
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (coins.length === 0 || !fields(names).includes('price_usd')) return null;
  const first = header[0]?.trim() ?? '';
  const label = fields([first]).some((f) => f === 'symbol' || f === 'name')
    ? first
    : coins.every((c) => /^[A-Z][A-Z0-9]{1,9}$/.test(c))
      ? 'symbol'
      : 'name';
  return { names, coins, label };
}

/** The first three of a list, quoted, and an ellipsis for the rest. */
function firstFew(list: readonly string[]): string {
  const few = list.slice(0, 3).map((item) => JSON.stringify(item));
  return list.length > 3 ? `${few.join(', ')}, …` : few.join(', ');
}
