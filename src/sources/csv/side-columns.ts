/**
 * Columns no field reads that still say how to read the others: a time of day beside a
 * date, and a column of currency codes.
 */
import { zoneOfHeader } from '../../core/timestamp.js';
import { type HeaderMapping } from './mapping.js';
import { toHeaderKey } from './header-keys.js';
import { type CsvField } from './fields.js';

/** Headers of a column that holds the time of day beside a date column (`Date`, `Time`). */
const TIME_OF_DAY = new Set([
  'time',
  'hour',
  'time_utc',
  'utc_time',
  'hora',
  'uhrzeit',
  'zeit',
  'heure',
  'время',
]);

/**
 * The column with the time of day when the date is in another one (`Date,Time,…`): unmapped,
 * and named like a time while the observed_at column is not. Without it the hours of a day
 * would read as one moment, and all but one row of each day would be lost.
 */
export function findTimeOfDay(
  headers: readonly string[],
  mapping: HeaderMapping,
): number | undefined {
  // `Time (UTC+8)` is a time of day too: its zone is read with it (timeOfDayZone).
  const isTime = (h: string) => TIME_OF_DAY.has(toHeaderKey(zoneOfHeader(h)?.header ?? h));
  const date = mapping.columns.find((c) => c.field === 'observed_at');
  if (!date || isTime(date.header)) return undefined;
  const index = headers.findIndex(
    (h, i) => isTime(h) && !mapping.columns.some((c) => c.index === i),
  );
  return index === -1 ? undefined : index;
}

/**
 * The zone of the times a file's rows are observed at, in minutes east of UTC: the one the
 * time column's header names, else the one its time-of-day column's header names
 * (`Date,Time (UTC+8)`); undefined for UTC.
 */
export function timeOfDayZone(
  headers: readonly string[],
  mapping: HeaderMapping,
  timeOfDay: number | undefined,
): number | undefined {
  const date = mapping.columns.find((c) => c.field === 'observed_at');
  const zone =
    date?.zoneMinutes ??
    (date && timeOfDay !== undefined ? zoneOfHeader(headers[timeOfDay] ?? '')?.offsetMinutes : 0);
  return zone || undefined;
}

/** Headers of a column that says which currency a row's prices are in. */
const CURRENCY = new Set(
  ['currency', 'vs_currency', 'quote_currency', 'quote_asset', 'quote', 'fiat', 'convert']
    .concat(['target', 'target_currency'])
    .concat(['fiat_currency', 'price_currency', 'currency_code', 'wahrung', 'moneda', 'devise'])
    .concat(['spot_price_currency', 'native_currency', 'moeda', 'valuta', 'валюта']),
);

/**
 * A column named like a currency (`currency`, `vs_currency`) that no field reads and that
 * `--map 'HEADER='` does not leave out: its cells say what the prices are in, and a price
 * in euros must not load as dollars. Whether it holds currency codes at all is for its cells
 * to tell (look-ahead/text-columns.ts).
 */
export function findCurrency(
  headers: readonly string[],
  mapping: HeaderMapping,
  overrides: ReadonlyMap<string, CsvField | null>,
): number | undefined {
  // A price whose header names the dollar is in dollars: CoinDesk's export writes the coin
  // (`BTC`) in its `Currency` column beside `Closing Price (USD)`.
  const price = mapping.columns.find((c) => c.field === 'price_usd');
  if (price?.currency === 'USD') return undefined;
  const free = (key: string, i: number) =>
    !overrides.has(key) && !mapping.columns.some((c) => c.index === i);
  const keys = headers.map(toHeaderKey);
  // The price column's own (Bitstamp's `Rate` and `Rate currency`) before any other
  const own = price ? `${toHeaderKey(price.header)}_currency` : null;
  const index = keys.findIndex((key, i) => key === own && free(key, i));
  if (index !== -1) return index;
  const named = keys.findIndex((key, i) => CURRENCY.has(key) && free(key, i));
  return named === -1 ? undefined : named;
}
