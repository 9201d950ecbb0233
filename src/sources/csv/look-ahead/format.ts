/**
 * The shape of a file, read before its rows: the header, the date order, the decimal mark, the
 * rows after the header and their column count.
 */
import { decimalMarkOf, type DecimalMark } from '../../../core/decimal.js';
import { KxError } from '../../../core/errors.js';
import { dateOrdersOf, type DateOrder } from '../../../core/timestamp.js';
import { coinInFileName } from '../coins.js';
import { type HeaderMapping } from '../mapping.js';
import { readCsvRows, type CsvRow } from '../reader.js';
import { looksLikeData, numberedHeader } from '../sniff.js';
import { isDecoration } from '../rows.js';

export async function readHeader(
  rows: AsyncGenerator<CsvRow>,
  bannerLines: number,
  path: string,
): Promise<string[]> {
  for (let skipped = 0; ; skipped++) {
    const next = await rows.next();
    if (next.done)
      throw new KxError('input', `${path}: no header row`, { context: { file: path } });
    if (skipped < bannerLines) continue;
    const header = next.value.fields;
    if (
      header.every((cell) => cell.trim() === '') ||
      (looksLikeData(header) && numberedHeader(header) === null)
    ) {
      throw new KxError(
        'input',
        `${path}:${next.value.line}: no header row: the first line (${JSON.stringify(header.join(',').slice(0, 60))}) ` +
          'looks like data. Name the columns with --columns, for example ' +
          '--columns open_time,open,high,low,close,volume, or --columns binance-kline or ' +
          "--columns kraken-ohlcvt for those exchanges' dumps",
        { context: { file: path, line: next.value.line } },
      );
    }
    // A row's stray NUL byte rejects that row; a header's would name a column no one can
    // --map, and neither the run's mapping nor its checkpoint could store it.
    const nul = header.findIndex((cell) => cell.includes('\u0000'));
    if (nul >= 0) {
      throw new KxError(
        'input',
        `${path}:${next.value.line}: header cell ${nul + 1} (${JSON.stringify(header[nul])}) ` +
          `holds a NUL byte, which no column name has: the file is damaged; remove the byte ` +
          `(for example: tr -d '\\000' < ${path} > fixed.csv) or export the file again`,
        { context: { file: path, line: next.value.line, field: header[nul] } },
      );
    }
    return header;
  }
}

/**
 * How to read the observed_at column's `NN/NN/YYYY` dates, from the file itself: its rows are
 * read until they leave one order (`25/12/2025` is day-first, `12/25/2025` month-first; a
 * two-digit year may also come first, `24/01/05`), which is mostly within the first month of
 * rows. A column whose every date could be read more than one way is refused with the flag
 * that settles it: kx never guesses a date. Rows that contradict the order found are rejected
 * one by one (`not a date`), never read another way.
 */
export async function inferDateOrder(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
): Promise<DateOrder | undefined> {
  const column = mapping.columns.find((c) => c.field === 'observed_at');
  if (!column) return undefined;
  let left: DateOrder[] | undefined;
  let example: { value: string; line: number } | undefined;
  for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
    const value = (row.fields[column.index] ?? '').trim();
    if (value === '') continue;
    const orders = dateOrdersOf(value);
    if (!orders) {
      if (!left) return undefined; // dates of another form: the order does not apply
      continue;
    }
    // a value no order reads is rejected with its row; one that contradicts the rest, too
    const both = (left ?? orders).filter((order) => orders.includes(order));
    if (both.length === 0) continue;
    left = both;
    if (left.length === 1) return left[0];
    example ??= { value, line: row.line };
  }
  if (!left || !example) return undefined;
  throw new KxError(
    'input',
    `${path}: the dates in column ${JSON.stringify(column.header)} could be ${left.join(' or ')} ` +
      `(${JSON.stringify(example.value)} on line ${example.line} reads each way, and no date in the file settles it); ` +
      `pass ${left.map((order) => `--date-format ${DATE_FORMATS[order]}`).join(' or ')}`,
    { context: { file: path, line: example.line, field: 'observed_at' } },
  );
}

const DATE_FORMATS: Record<DateOrder, string> = {
  'day-first': 'DD/MM/YYYY',
  'month-first': 'MM/DD/YYYY',
  'year-first': 'YY/MM/DD',
};

/**
 * Whether this file writes `1,234.5` or `1.234,5`, from the file itself: a locale is the
 * file's, so every number-like cell counts (but the time column's `22.07.2019`), and rows are
 * read until one shows a mark only one reading allows (`0,5`, `1.234,5`, `2,08%`). A file
 * whose every such cell reads both ways (`1,234` is a thousand, or one and a bit) is refused
 * with the flag that settles it, as is one that shows both marks: kx never guesses a number.
 */
export async function inferDecimalMark(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
): Promise<DecimalMark> {
  const time = mapping.columns.find((c) => c.field === 'observed_at')?.index;
  let either: { value: string; line: number; column: string } | undefined;
  for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
    for (const [index, cell] of row.fields.entries()) {
      if (index === time) continue;
      const mark = decimalMarkOf(cell);
      if (mark === '.' || mark === ',') return mark;
      if (mark === 'either')
        either ??= { value: cell.trim(), line: row.line, column: header[index] ?? '' };
    }
  }
  if (!either) return '.';
  throw new KxError(
    'input',
    `${path}: the numbers could have a decimal point or a decimal comma ` +
      `(${JSON.stringify(either.value)} in column ${JSON.stringify(either.column.trim())} on line ${either.line} ` +
      'could be either, and no number in the file settles it); pass --decimal . (1,234.5) or --decimal , (1.234,5)',
    { context: { file: path, line: either.line } },
  );
}

/**
 * The file's data rows, read from the top past its banner lines and header (every row, for a
 * file without one: `header` null): a look ahead. Lines that draw a table are skipped, as
 * the read skips them.
 */
export async function* rowsAfterHeader(
  path: string,
  delimiter: string,
  header: readonly string[] | null,
): AsyncGenerator<CsvRow> {
  const joined = header?.join('\u0000');
  let inHeader = header !== null;
  for await (const row of readCsvRows({ path, start: 0, lineBase: 0, delimiter })) {
    if (inHeader) inHeader = row.fields.join('\u0000') !== joined;
    else if (!isDecoration(row)) yield row;
  }
}

/**
 * The coin a line above the header names, where one does: a title such as `Bitcoin Historical
 * Data` or `Ethereum (ETH) price history, exported 2024-01-06`, read as a file's name is.
 */
export async function coinInTitle(
  path: string,
  delimiter: string,
  bannerLines: number,
): Promise<{ coin: string; line: number; text: string } | null> {
  let seen = 0;
  for await (const row of readCsvRows({ path, start: 0, lineBase: 0, delimiter })) {
    if (seen >= bannerLines) return null;
    const cells = row.fields.map((cell) => cell.trim()).filter((cell) => cell !== '');
    if (cells.length === 0) continue;
    seen += 1;
    const text = cells.join(delimiter === '\t' ? ' ' : `${delimiter} `);
    const coin = coinInFileName(text);
    if (coin) return { coin, line: row.line, text };
  }
  return null;
}

/** The header line's exact bytes: the first row, past the banner lines, with `header`'s cells. */
export async function headerBytes(
  path: string,
  delimiter: string,
  header: readonly string[],
): Promise<Buffer> {
  const joined = header.join('\u0000');
  for await (const row of readCsvRows({ path, start: 0, lineBase: 0, delimiter }))
    if (row.fields.join('\u0000') === joined) return row.bytes;
  throw new KxError('input', `${path}: the header row is gone from the file`, {
    context: { file: path },
  });
}

/**
 * `--columns` names every cell of a row, in order: one name too few or too many would shift
 * the close onto the open, and load every price wrong. The first row must have as many cells.
 */
export async function requireColumnCount(
  path: string,
  delimiter: string,
  names: readonly string[],
): Promise<void> {
  for await (const row of rowsAfterHeader(path, delimiter, null)) {
    if (row.fields.length === names.length) return;
    throw new KxError(
      'usage',
      `--columns names ${names.length} columns, but line ${row.line} of ${path} has ${row.fields.length} ` +
        `(${JSON.stringify(row.fields.join(delimiter).slice(0, 60))}); name every column, in order`,
      { context: { file: path, line: row.line } },
    );
  }
}
