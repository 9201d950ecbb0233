import { headerKeyAt } from './header-keys.js';
import type { FileInput, FileReading } from './reading.js';

/** What `--dry-run` and `--json` show of a file's reading. */
export function describeReading(
  reading: FileReading,
  input: FileInput,
): { mapping: unknown; warnings: string[] } {
  const { named, mapping, timeOfDay, pairs, cashtags, namedTickers, currency, symbol } = reading;
  return {
    mapping: {
      delimiter: input.delimiter,
      ...(reading.dateOrderApplies ? { dateOrder: reading.dateOrder } : {}),
      decimalMark: reading.decimalMark,
      ...(timeOfDay !== undefined ? { timeOfDay: named[timeOfDay] } : {}),
      ...(pairs ? { pairs } : {}),
      ...(cashtags ? { cashtags: true } : {}),
      ...(namedTickers ? { namedTickers: true } : {}),
      ...(currency ? { currency: currency.header } : {}),
      columns: mapping.columns.map(
        ({ header: h, index, field, confidence, how, scale, zoneMinutes }) => ({
          header: h,
          field,
          confidence,
          // a --map of the file's own reading (its markets'), not of the user's
          how: how === 'override' && !reading.userMap.has(headerKeyAt(h, index)) ? 'markets' : how,
          ...(scale ? { scale } : {}),
          ...(zoneMinutes ? { zone: utcOffset(zoneMinutes) } : {}),
        }),
      ),
      unmapped: mapping.unmapped.filter(
        (h) =>
          (timeOfDay === undefined || h !== named[timeOfDay]) &&
          (!currency || h !== named[currency.index]),
      ),
      ...(symbol ? { symbol } : {}),
      ...(symbol && !input.params.symbol ? { ticker: input.shape.levels?.tickers[0] } : {}),
    },
    warnings: mapping.warnings,
  };
}

/** 480 → `UTC+08:00`, -300 → `UTC-05:00`. */
function utcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
