/**
 * A CSV row's cells as kx reads them: what scripts write for a missing value, amounts that
 * name their coin, a date beside its time of day, a supply with its coin after it, the payload's
 * keys.
 */
import { isUnnamed, toHeaderKey, unnamedColumn } from './header-keys.js';
import type { HeaderMapping } from './mapping.js';
import { AMOUNT_KEYS } from './shapes.js';

/** An amount of coins kx leaves unmapped (`Amount`, `Quantity`) and the column of its coin. */
export interface AmountColumns {
  amount: number;
  /** Bitstamp's newer export writes the amount's coin in a column of its own; -1: in the cell. */
  coin: number;
}

/** The file's amount column, if one is left unmapped, and its coin's column. */
export function amountColumns(
  header: readonly string[],
  mapping: HeaderMapping,
): AmountColumns | null {
  const keys = header.map(toHeaderKey);
  const amount = keys.findIndex(
    (key, i) => AMOUNT_KEYS.has(key) && !mapping.columns.some((c) => c.index === i),
  );
  return amount === -1 ? null : { amount, coin: keys.indexOf(`${keys[amount]}_currency`) };
}

/** The coin a row's amount counts (`752.42 XRP`, or its coin column's), upper case, if it says. */
export function countedCoin(
  fields: readonly string[],
  { amount, coin }: AmountColumns,
): string | undefined {
  const written =
    coin === -1
      ? /^[-+]?[\d.,']+\s*([A-Za-z][A-Za-z0-9]{1,9})$/.exec((fields[amount] ?? '').trim())?.[1]
      : fields[coin]?.trim();
  return written ? written.toUpperCase() : undefined;
}

/**
 * `2024-03-24` and `7:05` → `2024-03-24 07:05`; a date that has a time keeps it. A time column
 * of unix times (`date,time,price` with `1711238400`, as scripts write them) is the instant
 * itself, which the date only rounds. An hour as a number (`Date,Hour` with `7`, `23`) is that
 * hour's start, and four digits (`0930`) an hour and its minutes.
 */
export function withTimeOfDay(date: string, time: string | undefined): string {
  const clock = time?.trim() ?? '';
  if (clock === '' || /\d:\d\d|[ap]\.?m\.?$/i.test(date)) return date;
  if (/^\d{9,19}(?:\.\d+)?$/.test(clock)) return clock;
  const hour = /^(?:[01]?\d|2[0-3])$/.test(clock) ? `${clock.padStart(2, '0')}:00` : undefined;
  const hhmm = /^([01]\d|2[0-3])([0-5]\d)$/.exec(clock);
  const written = hour ?? (hhmm ? `${hhmm[1]}:${hhmm[2]}` : clock);
  return `${date} ${written.replace(/^(\d)(?=:)/, '0$1')}`;
}

/** Payload keys: the header names, made unique (`symbol`, `symbol#2`) and never empty. */
export function payloadKeys(header: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, i) => {
    const name = isUnnamed(raw) ? unnamedColumn(i) : raw.replace(/^\uFEFF/, '').trim();
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}#${count}`;
  });
}

export const DECIMAL_FIELDS = [
  ['price_usd', 'priceUsd'],
  ['market_cap_usd', 'marketCapUsd'],
  ['volume_24h_usd', 'volume24hUsd'],
  ['circulating_supply', 'circulatingSupply'],
  ['total_supply', 'totalSupply'],
  ['max_supply', 'maxSupply'],
  ['percent_change_24h', 'percentChange24h'],
] as const;

/**
 * A supply without the row's coin after it: CoinMarketCap's table writes `19,600,000 BTC`. Any
 * other word after the number is left for toDecimal to read or refuse.
 */
export function withoutCoin(text: string, symbol: string): string {
  const trimmed = text.trim();
  if (symbol.length < 2 || !trimmed.toUpperCase().endsWith(symbol)) return text;
  const before = trimmed.slice(0, -symbol.length);
  // `19.6M BTC`; written together only after a digit and a code of three letters or more, so
  // that `5MM` stays five million of a coin named MM
  return /\d/.test(before) && (/\s$/.test(before) || (/\d$/.test(before) && symbol.length > 2))
    ? before.trim()
    : text;
}

/**
 * What scripts write for a value they did not have: Python's `None`, JavaScript's `undefined`
 * and `null`, `\N` of MySQL's and PostgreSQL's dumps, pandas' `<NA>`, `N/A`. In an id, symbol
 * or name column such a cell is missing, not a coin named so. `NaN` and `NIL` are coins'
 * tickers (NanTrade's, Nil DAO's) and stay text, as does `-`, a name CoinPaprika gives.
 */
const NO_TEXT = new Set(['none', 'null', 'undefined', 'n/a', '#n/a', '\\n', '<na>', '(null)']);

/** A text cell, or `''` for one that says it is missing (`NO_TEXT`). */
export function textOf(written: string): string {
  return written.length <= 9 && NO_TEXT.has(written.toLowerCase()) ? '' : written;
}
