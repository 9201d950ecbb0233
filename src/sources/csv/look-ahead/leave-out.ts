/**
 * Columns a header names like a field but whose cells say otherwise, left out of the mapping
 * (or refused) before a row loads: ids that number rows, CoinMarketCap's currency ids, a rank
 * of today beside a history, a change written as a fraction.
 */
import { KxError } from '../../../core/errors.js';
import { type CsvField } from '../fields.js';
import { toHeaderKey } from '../header-keys.js';
import { type HeaderMapping } from '../mapping.js';
import { type Sampled, type TextColumns } from './text-columns.js';
import { type SampledTimes, HOUR } from './same-time.js';

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
export function leaveOut(
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
