/**
 * A listing's values over time: a file without a time column that repeats a listing, and one
 * with a time column that gives a listing two values at one time, are refused; the sample of
 * times the other checks share.
 */
import { KxError } from '../../../core/errors.js';
import { type SourceRecord } from '../../../core/source.js';
import { FIRST_BLOCK, type UnifiedListing } from '../../../core/unified.js';
import { type CsvField } from '../fields.js';
import { listColumns } from '../header-keys.js';
import { mapHeader, type HeaderMapping } from '../mapping.js';
import { readMarket, type PairExample } from '../pairs.js';
import { type CsvRow } from '../reader.js';
import { DECIMAL_FIELDS } from '../cells.js';
import { type CsvPosition } from '../rows.js';
import { rowsAfterHeader } from './format.js';

/**
 * A file without a time column is observed at its modification time; one from before any
 * coin had a price is a file unpacked with a made-up time (npm's packages say 1985, zip
 * archives 1980, Nix's store 1970), not when its prices were. Refused, naming the fixes.
 */
export function requireFileTime(mtime: Date, path: string): void {
  if (mtime.getTime() >= FIRST_BLOCK) return;
  throw new KxError(
    'input',
    `${path}: no column maps to observed_at, so its rows are observed at the file's modification ` +
      `time, and that is ${mtime.toISOString()}, before any coin had a price (a file unpacked ` +
      `from a package or an archive?). Name its time column with --map 'COLUMN=observed_at', or ` +
      `give the file the time of its prices: touch -d 'YYYY-MM-DD HH:MM' FILE`,
    { context: { file: path, field: 'observed_at' } },
  );
}

/**
 * A file without a time column has one observation time, the file's own: each listing can
 * appear once. A history without a time column (`Start`, `Day` … unrecognised) would collapse
 * into one quote per listing and report the rest as loaded, so it is refused before anything
 * is written, naming the flag that fixes it. A line that repeats an earlier one cell for cell
 * (a row pasted twice, an export that pages with overlap) says nothing new: it loads as the
 * same quote, unchanged, as it does in a file with times.
 */
export async function refuseRepeatsWithoutTime(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
): Promise<void> {
  const rows = () => rowsAfterHeader(path, delimiter, headerInFile ? header : null);
  const firstLine = new Map<string, number>();
  // Each listing's first row as a digest, taken from the first repeat on: most files have none.
  let firstRow: Map<string, number> | undefined;
  for await (const row of rows()) {
    const record = toRecord(row);
    if (!record.result.ok || record.sourceId === null) continue;
    const first = firstLine.get(record.sourceId);
    if (first === undefined) {
      firstLine.set(record.sourceId, row.line);
      firstRow?.set(record.sourceId, digestOf(row.fields));
      continue;
    }
    firstRow ??= await firstRows(rows(), toRecord, firstLine, row.line);
    if (firstRow.get(record.sourceId) === digestOf(row.fields)) continue;
    throw new KxError(
      'input',
      `${path}: lines ${first} and ${row.line} are both ${record.result.listing.symbol} (${record.sourceId}) ` +
        `and no column maps to observed_at (columns: ${listColumns(header)}), so both would be one quote at the file's time. ` +
        "Name its time column with --map 'COLUMN=observed_at'; a file without times can hold each coin once",
      { context: { file: path, line: row.line, field: 'observed_at' } },
    );
  }
}

/** The digest of each listing's first row before line `end`, read again from the top. */
async function firstRows(
  rows: AsyncGenerator<CsvRow>,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
  firstLine: ReadonlyMap<string, number>,
  end: number,
): Promise<Map<string, number>> {
  const digests = new Map<string, number>();
  for await (const row of rows) {
    if (row.line >= end) break;
    const { sourceId } = toRecord(row);
    if (sourceId !== null && firstLine.get(sourceId) === row.line)
      digests.set(sourceId, digestOf(row.fields));
  }
  return digests;
}

/**
 * A row's cells, without the spaces around them, as a 53-bit number (cyrb53): two rows of one
 * listing that differ get the same one about once in 10^15 (the later would then be kept).
 */
function digestOf(cells: readonly string[]): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const cell of cells) {
    const text = `${cell.trim()}\u0000`;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** How many data rows the look ahead for a coin with two values at one time reads. */
const SAME_TIME_SAMPLE_ROWS = 10_000;
const SAMPLE = SAME_TIME_SAMPLE_ROWS.toLocaleString('en-US');

/** A quote's values, which two lines of one coin at one time may not disagree on. */
const QUOTE_VALUES = [...DECIMAL_FIELDS, ['rank', 'rank']] as const;

/** The fields of the columns that tell what a quote is of (the others are its values and time). */
const WHAT: ReadonlySet<CsvField> = new Set<CsvField>(['source_id', 'symbol', 'name']);

/** A row's cell as compared and shown: without the spaces around it. */
const cell = (cells: readonly string[], i: number) => (cells[i] ?? '').trim();

/**
 * kx keeps one quote per listing and time. A file that gives a coin two values at one time
 * (several exchanges' candles told apart by an `exchange` column, two markets of one coin)
 * would keep the later line's alone and report both loaded: it is refused before anything is
 * written, naming the column that tells the two apart. Two lines alike but for their values
 * are a correction, and two lines of a trade log two trades at once: the later is kept, with a
 * warning. But when every line is at one time the file is a snapshot, which holds each coin once
 * (as a file without times does): a coin's lines with other values in it are no correction but
 * values kx cannot choose between (a generator's random prices stamped with one time), and the
 * file is refused. Reads the first SAME_TIME_SAMPLE_ROWS rows: such lines come together in the
 * files seen (rows by time, then by market).
 */
export async function refuseTwoValuesAtOnce(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
  read: { mapping: HeaderMapping; timeOfDay: number | undefined; pairs: PairExample | null },
): Promise<void> {
  const notWhat = new Set(
    read.mapping.columns.filter((c) => !WHAT.has(c.field)).map((c) => c.index),
  );
  if (read.timeOfDay !== undefined) notWhat.add(read.timeOfDay);
  const seen = new Map<string, { line: number; listing: UnifiedListing; cells: string[] }>();
  let rows = 0;
  let refusal: KxError | undefined;
  // the first two lines alike but for their values, and whether every line is at one time
  let alike: { both: string; line: number } | undefined;
  let time: number | undefined;
  let oneTime = true;
  try {
    for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
      if (++rows > SAME_TIME_SAMPLE_ROWS) break;
      const record = toRecord(row);
      if (!record.result.ok) continue;
      const listing = record.result.listing;
      oneTime &&= (time ??= listing.observedAt.getTime()) === listing.observedAt.getTime();
      const key = `${listing.sourceId}\u0000${listing.observedAt.getTime()}`;
      const before = seen.get(key);
      seen.set(key, { line: row.line, listing, cells: row.fields });
      const value = before && QUOTE_VALUES.find(([, k]) => before.listing[k] !== listing[k]);
      if (!before || value === undefined) continue;
      const [field, prop] = value;
      const both =
        `lines ${before.line} and ${row.line} are both ${listing.symbol} (${listing.sourceId}) ` +
        `at ${listing.observedAt.toISOString()}, with ${field} ` +
        `${String(before.listing[prop])} and ${String(listing[prop])}`;
      const apart = header.findIndex(
        (_, i) => !notWhat.has(i) && cell(before.cells, i) !== cell(row.fields, i),
      );
      if (apart === -1 || read.mapping.tradeLog) {
        alike ??= { both, line: row.line };
        continue;
      }
      refusal = twoValuesRefusal(path, header, read, { before: before.cells, row, apart, both });
      break;
    }
  } catch {
    // A broken row or a second header: the read stops there too, once the rows before it are in.
    oneTime = false;
  }
  if (refusal) throw refusal;
  if (!alike) return;
  if (read.mapping.tradeLog || !oneTime) {
    read.mapping.warnings.push(
      read.mapping.tradeLog
        ? `${alike.both}: trades at one time, of which the later line's is kept`
        : `${alike.both}, and alike but for their values: the later line's are kept, as a correction`,
    );
    return;
  }
  const lines = rows > SAME_TIME_SAMPLE_ROWS ? `its first ${SAMPLE}` : 'the file';
  throw new KxError(
    'input',
    `${path}: ${alike.both}, and every line of ${lines} is at that time. A file of one time ` +
      'holds each coin once, as a file without times does: kx would keep only the later ' +
      "line's values and cannot tell which are right. Load a file that gives each line the " +
      'time it was observed, or each coin once',
    { context: { file: path, line: alike.line, field: 'observed_at' } },
  );
}

/**
 * The refusal of two values of a coin at one time that a column tells apart: what to load
 * instead, by what the column is (a second time, markets in two quote currencies, anything else).
 */
function twoValuesRefusal(
  path: string,
  header: readonly string[],
  read: { mapping: HeaderMapping; pairs: PairExample | null },
  at: { before: readonly string[]; row: CsvRow; apart: number; both: string },
): KxError {
  const { row, apart, both } = at;
  const name = cell(header, apart);
  const column = JSON.stringify(name);
  // two markets of one coin in dollars: Bittrex's USD-ETH and USDT-ETH
  const symbol = read.mapping.columns.find((c) => c.field === 'symbol')?.index;
  const [one, other] = [at.before, row.fields].map((cells) =>
    read.pairs && apart === symbol
      ? readMarket(cell(cells, apart), read.pairs.quoteFirst)?.quote
      : undefined,
  );
  // a second time column (`unix` beside a local `date` that repeats an hour when clocks go back)
  const isTime = mapHeader([name], new Map()).columns.some((c) => c.field === 'observed_at');
  return new KxError(
    'input',
    `${path}: ${both}; column ${column} tells them apart ` +
      `(${JSON.stringify(cell(at.before, apart))} and ${JSON.stringify(cell(row.fields, apart))}). ` +
      `kx keeps one quote per coin and time and would keep only the later line's. ` +
      (isTime
        ? `If ${column} is when each line was observed, name it with --map '${name}=observed_at'`
        : one && other && one !== other
          ? `Load the markets of one quote currency (${one} or ${other}), from a file of their own`
          : `Load the rows of one ${column} value, from a file of their own`),
    { context: { file: path, line: row.line, field: header[apart] } },
  );
}

export const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A listing's price and 24-hour change at one of its sampled times, as read. */
export interface SampledQuote {
  price: string | null;
  change: string | null;
}

/**
 * The times each listing (source_id) has among the first SAME_TIME_SAMPLE_ROWS rows, with its
 * price and change at each.
 */
export type SampledTimes = () => Promise<ReadonlyMap<string, ReadonlyMap<number, SampledQuote>>>;

/** Reads the sample of SampledTimes once, when a rule first asks for it. */
export function sampleTimes(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
): SampledTimes {
  let sampled: Promise<Map<string, Map<number, SampledQuote>>> | undefined;
  const read = async () => {
    const times = new Map<string, Map<number, SampledQuote>>();
    let rows = 0;
    try {
      for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
        if (++rows > SAME_TIME_SAMPLE_ROWS) break;
        const record = toRecord(row);
        if (!record.result.ok) continue;
        const { sourceId, observedAt, priceUsd, percentChange24h } = record.result.listing;
        const seen = times.get(sourceId) ?? new Map<number, SampledQuote>();
        const quote = { price: priceUsd, change: percentChange24h };
        times.set(sourceId, seen.set(observedAt.getTime(), quote));
      }
    } catch {
      // A broken row or a second header: the rows before it tell.
    }
    return times;
  };
  return () => (sampled ??= read());
}

/** `1 hour`, `4 hours`, `7 days`, `5 minutes`, `30 seconds`. */
export function spanOf(ms: number): string {
  const [n, unit] =
    ms % DAY === 0
      ? [ms / DAY, 'day']
      : ms % HOUR === 0
        ? [ms / HOUR, 'hour']
        : ms % 60_000 === 0
          ? [ms / 60_000, 'minute']
          : [Math.round(ms / 1000), 'second'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
