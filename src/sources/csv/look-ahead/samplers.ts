/**
 * The samplers of the name, id, currency and amount columns: each reads the rows of the
 * sample `inspectTextColumns` (text-columns.ts) takes, and says what its column holds.
 */
import { toCurrency, USD_QUOTES } from '../../../core/currency.js';
import { toNameKey } from '../../../core/unified.js';
import { amountColumns, countedCoin, textOf } from '../cells.js';
import { type HeaderMapping } from '../mapping.js';
import { pricedInItself } from '../coins.js';
import { type CsvRow } from '../reader.js';
import { type Sampled, type TextColumns } from './text-columns.js';

/** A row of the sample, with its symbol and name cells as read. */
export interface SampledRow {
  row: CsvRow;
  /** The symbol cell's text (`''` without a symbol column). */
  symbol: string;
  name: { text: string; key: string };
}

/**
 * What one kind of column holds, from the rows it is given: `wants` says whether more rows
 * could change it (`sampled` rows so far, this one included); the sample ends when none does.
 */
export interface Sampler<T> {
  add(cells: SampledRow): void;
  wants(sampled: number): boolean;
  found(): T;
}

/** The name column: its first two names that differ, and whether every name is a number. */
export function nameSampler(
  header: readonly string[],
  index: number | undefined,
): Sampler<Pick<TextColumns, 'names' | 'numericName'>> & {
  cell(row: CsvRow): SampledRow['name'];
} {
  const names: (Sampled & { key: string })[] = [];
  let numericName: TextColumns['numericName'] | undefined = index === undefined ? null : undefined;
  return {
    cell(row) {
      const text = index === undefined ? '' : textOf((row.fields[index] ?? '').trim());
      return { text, key: toNameKey(text) };
    },
    wants: () => numericName !== null || (index !== undefined && names.length < 2),
    add({ row, name: { text, key } }) {
      if (key !== '' && names.length < 2 && names[0]?.key !== key)
        names.push({ value: text, line: row.line, key });
      if (numericName === null || text === '') return;
      if (!/^\d+$/.test(text)) numericName = null;
      else if (!numericName) numericName = { value: text, line: row.line, other: null };
      else if (text !== numericName.value) numericName.other ??= { value: text, line: row.line };
    },
    found: () => ({
      numericName: numericName ?? null,
      names: names.length > 0 ? { header: header[index!]!.trim(), coins: names } : null,
    }),
  };
}

/**
 * The id column: its first two ids that differ, and whether it numbers rows. A coin's id comes
 * on each of its rows; an id column whose ids never come twice while a coin comes again at
 * another time numbers the rows (a database's or a script's index).
 */
export function idSampler(
  header: readonly string[],
  index: number | undefined,
  time: number | undefined,
): Sampler<Pick<TextColumns, 'listings' | 'rowIds'>> {
  const listings: Sampled[] = [];
  const ids = new Set<string>();
  const firstTimes = new Map<string, string>();
  let idRepeats = index === undefined || time === undefined;
  let rowIds: Sampled | null = null;
  return {
    wants: () => (index !== undefined && listings.length < 2) || !idRepeats,
    add({ row, symbol, name }) {
      if (index === undefined) return;
      const listed = textOf((row.fields[index] ?? '').trim());
      if (listed !== '' && listings.length < 2 && listings[0]?.value !== listed)
        listings.push({ value: listed, line: row.line });
      if (idRepeats) return;
      const rowId = (row.fields[index] ?? '').trim();
      if (ids.has(rowId)) idRepeats = true;
      else if (rowId !== '') ids.add(rowId);
      const coin = `${symbol.toUpperCase()}\u0000${name.key}`;
      const at = (row.fields[time!] ?? '').trim();
      const first = firstTimes.get(coin);
      if (first === undefined) firstTimes.set(coin, at);
      else if (first !== at) rowIds ??= { value: rowId, line: row.line };
    },
    found: () => ({
      listings: listings.length > 0 ? { header: header[index!]!.trim(), coins: listings } : null,
      rowIds: idRepeats ? null : rowIds,
    }),
  };
}

/**
 * The currency column's cells are currency codes (but for a stray `n/a`, one in ten at most),
 * and the first that is not the dollar when no sampled row is in dollars. Read over the whole
 * sample.
 */
export function currencySampler(
  index: number | undefined,
  fixedSymbol: string | undefined,
): Sampler<TextColumns['currency']> {
  const money = {
    codes: 0,
    others: 0,
    usd: false,
    notUsd: null as (Sampled & { code: string }) | null,
  };
  return {
    wants: () => index !== undefined,
    add({ row, symbol }) {
      const code = index === undefined ? '' : (row.fields[index] ?? '').trim();
      // Nomics' `currency` is the row's coin (`BTC` beside the symbol `BTC`): no coin is
      // priced in itself, so it says nothing of the prices
      if (code === '' || pricedInItself(code, fixedSymbol ?? symbol)) return;
      const found = toCurrency(code);
      if (!found) money.others++;
      else {
        money.codes++;
        if (!found.usd) money.notUsd ??= { value: code, line: row.line, code: found.code };
        else money.usd = true;
      }
    },
    found: () =>
      index !== undefined && money.codes > 0 && money.others * 10 <= money.codes
        ? { index, notUsd: money.usd ? null : money.notUsd }
        : null,
  };
}

/**
 * An amount column whose cells name their coin (`2.00000000 ETH`): the first priced row of
 * each coin but the dollar. Read over the whole sample.
 */
export function amountSampler(
  header: readonly string[],
  mapping: HeaderMapping,
): Sampler<TextColumns['counted']> {
  const amounts = amountColumns(header, mapping);
  const price = mapping.columns.find((c) => c.field === 'price_usd')?.index;
  const coins = new Map<string, Sampled & { code: string }>();
  return {
    wants: () => amounts !== null,
    add({ row }) {
      const coin = amounts ? countedCoin(row.fields, amounts) : undefined;
      const priced = (row.fields[price ?? -1] ?? '').trim() !== '';
      if (!amounts || !coin || USD_QUOTES.has(coin) || !priced || coins.has(coin)) return;
      const counted = (row.fields[amounts.amount] ?? '').trim();
      coins.set(coin, {
        value: amounts.coin === -1 ? counted : `${counted} ${coin}`,
        line: row.line,
        code: coin,
      });
    },
    found: () =>
      coins.size > 0
        ? { header: header[amounts!.amount]!.trim(), coins: [...coins.values()] }
        : null,
  };
}
