import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import * as v from 'valibot';
import { decimalMarkOf, toDecimal, type DecimalMark } from '../../core/decimal.js';
import { KxError } from '../../core/errors.js';
import {
  defineSource,
  defineSourceEntry,
  type Cursor,
  type SourceRecord,
} from '../../core/source.js';
import { dateOrderOf, parseDateFormat, toTimestamp, type DateOrder } from '../../core/timestamp.js';
import {
  checkListing,
  toNameKey,
  type ListingCheck,
  type UnifiedListing,
} from '../../core/unified.js';
import {
  findTimeOfDay,
  mapHeader,
  parseOverrides,
  type ColumnMapping,
  type CsvField,
  type HeaderMapping,
} from './mapping.js';
import { parsePair } from './pairs.js';
import { looksLikeData, PrefixHasher, readCsvRows, sniffCsv, type CsvRow } from './reader.js';

const CsvParamsSchema = v.object({
  // Absolute, so that `kx resume` finds the file from any working directory.
  file: v.pipe(
    v.string('--file PATH is required for --source csv'),
    v.minLength(1, '--file PATH is required'),
    v.transform((file) => resolve(file)),
  ),
  map: v.optional(v.array(v.string()), []),
  symbol: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.toUpperCase(),
      v.regex(/^[\p{L}\p{N}._\-$+&@*]{1,32}$/u, '--symbol must be a ticker such as BTC'),
    ),
  ),
  dateFormat: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (format) => parseDateFormat(format) !== undefined,
        '--date-format must be DD/MM/YYYY or MM/DD/YYYY (any of / - . between, YY or YYYY)',
      ),
    ),
  ),
  decimal: v.optional(v.picklist(['.', ','], '--decimal must be . (1,234.5) or , (1.234,5)')),
  columns: v.optional(v.pipe(v.string(), v.transform(toColumnNames))),
});

/**
 * Column names of the exchanges' header-less dumps, for `--columns NAME`. Their volumes are
 * named as kx reads them: the base volume counts coins and is left out; the quote volume is in
 * the pair's quote currency (US dollars only for a USD or USDT pair), left for `--map`.
 */
export const COLUMN_PRESETS: Record<string, string[]> = {
  // Binance's klines (REST and data.binance.vision dumps), in its documented order.
  'binance-kline': [
    'open_time',
    'open',
    'high',
    'low',
    'close',
    'volume_base',
    'close_time',
    'volume_quote',
    'trades',
    'taker_buy_volume_base',
    'taker_buy_volume_quote',
    'ignore',
  ],
  // Kraken's downloadable OHLCVT files: unix seconds, prices, volume in the base asset, trades.
  'kraken-ohlcvt': ['timestamp', 'open', 'high', 'low', 'close', 'volume_base', 'trades'],
};

/** `--columns binance-kline` or `--columns time,open,high,low,close`: names for a header-less file. */
function toColumnNames(value: string): string[] {
  const preset = COLUMN_PRESETS[value.trim().toLowerCase()];
  if (preset) return preset;
  const names = value.split(',').map((name) => name.trim());
  if (names.length < 2 || names.some((name) => name === '')) {
    throw new KxError(
      'usage',
      `--columns expects a comma-separated name for every column (open_time,open,high,low,close,…) ` +
        `or one of ${Object.keys(COLUMN_PRESETS).join(', ')}; got ${JSON.stringify(value)}`,
    );
  }
  return names;
}
export type CsvParams = v.InferOutput<typeof CsvParamsSchema>;

/**
 * Where a CSV read stands: the bytes [0, offset) of `path` are committed, they hash to
 * `sha256`, and they hold `line` lines. The header travels with it so a resume or an
 * incremental run can start mid-file.
 */
export interface CsvCursor extends Cursor {
  path: string;
  offset: number;
  line: number;
  sha256: string;
  delimiter: string;
  header: string[];
  /** How this file's `NN/NN/YYYY` dates are read, decided when its reading began. */
  dateOrder?: DateOrder;
  /** This file's decimal mark, decided when its reading began. */
  decimalMark?: DecimalMark;
  /** The --map, --symbol, --date-format and --decimal it was read with (`flagsOf`). */
  flags?: string;
  /** Set when its symbol column holds trading pairs, decided when its reading began. */
  pairs?: PairExample;
}

/** A symbol column of trading pairs, as described: `{ example: 'BTC/USD', line: 3 }`. */
interface PairExample {
  example: string;
  line: number;
}

interface CsvPosition {
  end: number;
  line: number;
}

export const csvSource = defineSource<CsvParams, CsvPosition>({
  name: 'csv',
  rawTable: 'raw_csv',
  cursorScope: 'stream',
  parseParams(input) {
    const result = v.safeParse(CsvParamsSchema, input);
    if (!result.success) throw new KxError('usage', result.issues[0].message);
    parseOverrides(result.output.map); // bad --map is a usage error before any file is touched
    return result.output;
  },
  streamKey(params) {
    try {
      return realpathSync(params.file);
    } catch {
      return resolve(params.file);
    }
  },
  async open(params, stored, context) {
    const path = params.file;
    const shape = await sniffCsv(path);
    const flags = flagsOf(params);
    const cursor = await continueFrom(path, stored as CsvCursor | null, shape.size, flags, context);
    const hasher = cursor?.hasher ?? (await PrefixHasher.from(path, 0));
    const delimiter = cursor?.delimiter ?? shape.delimiter;
    const rows = readCsvRows({
      path,
      start: cursor?.offset ?? 0,
      lineBase: cursor?.line ?? 0,
      delimiter,
      hasher,
    });
    let header: string[];
    let mapping: HeaderMapping;
    let dateOrder: DateOrder;
    /** Whether the file's dates are `NN/NN/YYYY`, whose order matters (for --dry-run). */
    let dateOrderApplies: boolean;
    let decimalMark: DecimalMark;
    let timeOfDay: number | undefined;
    /** The symbol column's trading pairs (`BTC/USD`): an example, or null for tickers. */
    let pairs: PairExample | null;
    let toRecord: (row: CsvRow) => SourceRecord<CsvPosition>;
    try {
      header =
        cursor?.header ?? params.columns ?? (await readHeader(rows, shape.bannerLines, path));
      if (params.columns && !cursor) await requireColumnCount(path, delimiter, params.columns);
      mapping = mapHeader(header, parseOverrides(params.map));
      requireColumns(mapping, params, header, path);
      const foundOrder =
        (params.dateFormat && parseDateFormat(params.dateFormat)) ||
        cursor?.dateOrder ||
        (await inferDateOrder(path, delimiter, header, !params.columns, mapping));
      dateOrderApplies = foundOrder !== undefined;
      dateOrder = foundOrder ?? 'day-first';
      decimalMark =
        params.decimal ??
        cursor?.decimalMark ??
        (await inferDecimalMark(path, delimiter, header, !params.columns, mapping));
      timeOfDay = findTimeOfDay(header, mapping);
      const text = await inspectTextColumns(path, delimiter, header, !params.columns, mapping);
      pairs = cursor ? (cursor.pairs ?? null) : pairsOf(text.pairs, params.symbol, path);
      if (text.numericName) leaveOutNumericName(mapping, text.numericName);
      toRecord = createRowMapper({
        path,
        header,
        mapping,
        timeOfDay,
        symbol: params.symbol,
        pairs,
        fileTime: shape.mtime,
        dateOrder,
        decimalMark,
        readAs: JSON.stringify({
          columns: mapping.columns.map((c) => [c.index, c.field]),
          symbol: params.symbol ?? null,
          dateOrder,
          ...(pairs ? { pairs: true } : {}),
          // Absent for a decimal point: what rows read that way were stored with before.
          ...(decimalMark === ',' ? { decimalMark } : {}),
          ...(timeOfDay !== undefined ? { timeOfDay } : {}),
        }),
      });
      if (!cursor && !mapping.columns.some((c) => c.field === 'observed_at'))
        await refuseRepeatsWithoutTime(path, delimiter, header, !params.columns, toRecord);
    } catch (error) {
      await rows.return(undefined); // closes the file
      throw error;
    }
    mapping.warnings.forEach((w) => context.warn(w));
    if (shape.bannerLines > 0 && !cursor && !params.columns)
      context.warn(
        `skipped ${shape.bannerLines} banner line${shape.bannerLines === 1 ? '' : 's'} before the header`,
      );
    return {
      records: mapRows(rows, toRecord),
      cursorAt: (p): CsvCursor => ({
        path,
        offset: p.end,
        line: p.line,
        sha256: hasher.digestAt(p.end),
        delimiter,
        header,
        dateOrder,
        decimalMark,
        flags,
        ...(pairs ? { pairs } : {}),
      }),
      progressAt: (p) => ({ done: p.end, total: shape.size, unit: 'bytes' as const }),
      describe: () => ({
        mapping: {
          delimiter,
          ...(dateOrderApplies ? { dateOrder } : {}),
          decimalMark,
          ...(timeOfDay !== undefined ? { timeOfDay: header[timeOfDay] } : {}),
          ...(pairs ? { pairs } : {}),
          columns: mapping.columns.map(({ header: h, field, confidence, how }) => ({
            header: h,
            field,
            confidence,
            how,
          })),
          unmapped: mapping.unmapped.filter(
            (h) => timeOfDay === undefined || h !== header[timeOfDay],
          ),
          ...(params.symbol ? { symbol: params.symbol } : {}),
        },
        warnings: mapping.warnings,
      }),
    };
  },
});

/**
 * Decides where to start. A stored cursor is trusted only if the file still starts with the
 * exact bytes it covers: then only appended lines are read. Otherwise the file was rewritten
 * and is read again from the top (idempotently); a resume cannot do that and fails.
 */
async function continueFrom(
  path: string,
  cursor: CsvCursor | null,
  size: number,
  flags: string,
  context: { resume: boolean; fullRefresh: boolean; warn(m: string): void },
): Promise<(CsvCursor & { hasher: PrefixHasher }) | null> {
  if (!cursor || context.fullRefresh) return null;
  // Read with other flags, the same bytes give other rows: a corrected --map after a run that
  // loaded (or rejected) the file the wrong way must read it again. A resume keeps its flags.
  if (cursor.flags !== undefined && cursor.flags !== flags && !context.resume) {
    context.warn(
      `${path} was last read with other --map, --symbol, --date-format or --decimal flags; reading it again from the start`,
    );
    return null;
  }
  if (size >= cursor.offset) {
    const hasher = await PrefixHasher.from(path, cursor.offset);
    if (hasher.digestAt(cursor.offset) === cursor.sha256) return { ...cursor, hasher };
  }
  if (context.resume) {
    throw new KxError(
      'input',
      `${path}: the file changed since this run started (its first ${cursor.offset} bytes differ); ` +
        'run a new `kx ingest` to reprocess it',
      { context: { file: path } },
    );
  }
  context.warn(
    `${path} was rewritten since the last run; reading it again from the start (unchanged rows are skipped)`,
  );
  return null;
}

/** The flags that decide how rows are read, as the checkpoint keeps them. */
function flagsOf(params: CsvParams): string {
  return JSON.stringify({
    map: params.map,
    symbol: params.symbol ?? null,
    dateFormat: params.dateFormat ?? null,
    ...(params.decimal ? { decimal: params.decimal } : {}),
    ...(params.columns ? { columns: params.columns } : {}),
  });
}

async function readHeader(
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
    if (header.every((cell) => cell.trim() === '') || looksLikeData(header)) {
      throw new KxError(
        'input',
        `${path}:${next.value.line}: no header row: the first line (${JSON.stringify(header.join(',').slice(0, 60))}) ` +
          'looks like data. Name the columns with --columns, for example ' +
          '--columns open_time,open,high,low,close,volume, or --columns binance-kline or ' +
          "--columns kraken-ohlcvt for those exchanges' dumps",
        { context: { file: path, line: next.value.line } },
      );
    }
    return header;
  }
}

/**
 * How to read the observed_at column's `NN/NN/YYYY` dates, from the file itself: its rows are
 * read until one settles it (`25/12/2025` is day-first, `12/25/2025` month-first), which is
 * mostly within the first month of rows. A column whose every date could be either is
 * refused with the flag that settles it: kx never guesses a date. Rows that contradict the
 * order found are rejected one by one (`not a date`), never read the other way.
 */
async function inferDateOrder(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
): Promise<DateOrder | undefined> {
  const column = mapping.columns.find((c) => c.field === 'observed_at');
  if (!column) return undefined;
  let example: { value: string; line: number } | undefined;
  for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
    const value = (row.fields[column.index] ?? '').trim();
    if (value === '') continue;
    const order = dateOrderOf(value);
    if (order === 'day-first' || order === 'month-first') return order;
    if (order === 'either') example ??= { value, line: row.line };
    else if (!example) return undefined; // dates of another form: the order does not apply
  }
  if (!example) return undefined;
  throw new KxError(
    'input',
    `${path}: the dates in column ${JSON.stringify(column.header)} could be day-first or month-first ` +
      `(no day is over 12: ${JSON.stringify(example.value)} on line ${example.line} could be either); ` +
      'pass --date-format DD/MM/YYYY or --date-format MM/DD/YYYY',
    { context: { file: path, line: example.line, field: 'observed_at' } },
  );
}

/**
 * Whether this file writes `1,234.5` or `1.234,5`, from the file itself: a locale is the
 * file's, so every number-like cell counts (but the time column's `22.07.2019`), and rows are
 * read until one shows a mark only one reading allows (`0,5`, `1.234,5`, `2,08%`). A file
 * whose every such cell reads both ways (`1,234` is a thousand, or one and a bit) is refused
 * with the flag that settles it, as is one that shows both marks: kx never guesses a number.
 */
async function inferDecimalMark(
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

/** How many rows with a symbol or a name are enough to tell what those columns hold. */
const TEXT_SAMPLE_ROWS = 1000;

interface Sampled {
  value: string;
  line: number;
}

interface TextColumns {
  /** Every sampled symbol is a trading pair: the first, the first not in dollars, and whether all are one. */
  pairs: { first: Sampled; notUsd: (Sampled & { quote: string }) | null; same: boolean } | null;
  /** Every sampled name is a number (`2781`: CoinMarketCap's id of the dollar): the first. */
  numericName: Sampled | null;
}

/**
 * What the symbol and name columns hold, from the file's first rows: tickers or trading
 * pairs (`BTC/USD`, `BTCUSDT`), names or numbers. A column counts as pairs only if every
 * sampled symbol is one, so that a listing of coins with `BSC-USD` or `TUSD` among them
 * stays a listing of coins.
 */
async function inspectTextColumns(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  mapping: HeaderMapping,
): Promise<TextColumns> {
  const symbol = mapping.columns.find((c) => c.field === 'symbol')?.index;
  const name = mapping.columns.find((c) => c.field === 'name')?.index;
  let pairs: TextColumns['pairs'] | undefined = symbol === undefined ? null : undefined;
  let numericName: Sampled | null | undefined = name === undefined ? null : undefined;
  let sampled = 0;
  for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
    if (sampled++ >= TEXT_SAMPLE_ROWS || (pairs === null && numericName === null)) break;
    const value = symbol === undefined ? '' : (row.fields[symbol] ?? '').trim();
    if (pairs !== null && value !== '') {
      const pair = parsePair(value);
      const at = { value, line: row.line };
      if (!pair) pairs = null;
      else if (!pairs) pairs = { first: at, notUsd: null, same: true };
      if (pair && pairs) {
        if (!pair.usd) pairs.notUsd ??= { ...at, quote: pair.quote };
        pairs.same &&= value.toUpperCase() === pairs.first.value.toUpperCase();
      }
    }
    const named = name === undefined ? '' : (row.fields[name] ?? '').trim();
    if (numericName !== null && named !== '')
      numericName = /^\d+$/.test(named) ? (numericName ?? { value: named, line: row.line }) : null;
  }
  return { pairs: pairs ?? null, numericName: numericName ?? null };
}

/**
 * A symbol column of pairs reads as their base coin, when they are priced in US dollars (or
 * a dollar stablecoin); pairs priced in euros or in bitcoin are refused: kx stores dollar
 * prices. `--symbol` equal to every sampled value says the column holds that coin's ticker.
 */
function pairsOf(
  found: TextColumns['pairs'],
  fixedSymbol: string | undefined,
  path: string,
): PairExample | null {
  if (!found) return null;
  if (fixedSymbol && found.same && found.first.value.toUpperCase() === fixedSymbol.toUpperCase())
    return null;
  const other = found.notUsd;
  if (other) {
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
  return { example: found.first.value, line: found.first.line };
}

/** A `name` column of numbers names no coin: it is left out, with a warning. */
function leaveOutNumericName(mapping: HeaderMapping, example: Sampled): void {
  const column = mapping.columns.find((c) => c.field === 'name');
  if (!column) return;
  mapping.columns = mapping.columns.filter((c) => c !== column);
  mapping.unmapped.push(column.header);
  mapping.warnings.push(
    `column ${JSON.stringify(column.header)} holds numbers, not names ` +
      `(${JSON.stringify(example.value)} on line ${example.line}): left out of name`,
  );
}

/**
 * A file without a time column has one observation time, the file's own: each listing can
 * appear once. A history without a time column (`Start`, `Day` … unrecognised) would collapse
 * into one quote per listing and report the rest as loaded, so it is refused before anything
 * is written, naming the flag that fixes it.
 */
async function refuseRepeatsWithoutTime(
  path: string,
  delimiter: string,
  header: readonly string[],
  headerInFile: boolean,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
): Promise<void> {
  const firstLine = new Map<string, number>();
  for await (const row of rowsAfterHeader(path, delimiter, headerInFile ? header : null)) {
    const record = toRecord(row);
    if (!record.result.ok || record.sourceId === null) continue;
    const first = firstLine.get(record.sourceId);
    if (first === undefined) {
      firstLine.set(record.sourceId, row.line);
      continue;
    }
    throw new KxError(
      'input',
      `${path}: lines ${first} and ${row.line} are both ${record.result.listing.symbol} (${record.sourceId}) ` +
        `and no column maps to observed_at (columns: ${listColumns(header)}), so both would be one quote at the file's time. ` +
        "Name its time column with --map 'COLUMN=observed_at'; a file without times can hold each coin once",
      { context: { file: path, line: row.line, field: 'observed_at' } },
    );
  }
}

/**
 * The file's data rows, read from the top past its banner lines and header (every row, for a
 * file without one: `header` null): a look ahead.
 */
async function* rowsAfterHeader(
  path: string,
  delimiter: string,
  header: readonly string[] | null,
): AsyncGenerator<CsvRow> {
  const joined = header?.join('\u0000');
  let inHeader = header !== null;
  for await (const row of readCsvRows({ path, start: 0, lineBase: 0, delimiter })) {
    if (inHeader) inHeader = row.fields.join('\u0000') !== joined;
    else yield row;
  }
}

/**
 * `--columns` names every cell of a row, in order: one name too few or too many would shift
 * the close onto the open, and load every price wrong. The first row must have as many cells.
 */
async function requireColumnCount(
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

/** `"Date", "Price", "Vol."`: the header as error messages name it. */
function listColumns(header: readonly string[]): string {
  return header.map((h) => JSON.stringify(h.trim())).join(', ');
}

function requireColumns(
  mapping: HeaderMapping,
  params: CsvParams,
  header: string[],
  path: string,
): void {
  const has = (field: CsvField) => mapping.columns.some((c) => c.field === field);
  const columns = listColumns(header);
  if (!has('symbol') && !params.symbol) {
    throw new KxError(
      'input',
      `${path}: no column maps to symbol (columns: ${columns}); ` +
        "name it with --map 'COLUMN=symbol', or pass --symbol SYM for a single-asset history file",
      { context: { file: path, field: 'symbol' } },
    );
  }
  if (!has('price_usd')) {
    throw new KxError(
      'input',
      `${path}: no column maps to price_usd (columns: ${columns}); name it with --map 'COLUMN=price_usd'`,
      { context: { file: path, field: 'price_usd' } },
    );
  }
}

async function* mapRows(
  rows: AsyncGenerator<CsvRow>,
  toRecord: (row: CsvRow) => SourceRecord<CsvPosition>,
): AsyncGenerator<SourceRecord<CsvPosition>> {
  for await (const row of rows) yield toRecord(row);
}

interface RowMapperOptions {
  path: string;
  header: string[];
  mapping: HeaderMapping;
  /** The column with the time of day of the observed_at column's dates, if apart. */
  timeOfDay: number | undefined;
  symbol: string | undefined;
  /** Set when the symbol column holds trading pairs: each row's coin is its pair's base. */
  pairs: PairExample | null;
  /** observed_at for files without a timestamp column: re-reading the same file stays idempotent. */
  fileTime: Date;
  dateOrder: DateOrder;
  decimalMark: DecimalMark;
  /** `SourceRecord.readAs`: the mapping that turns this file's rows into listings. */
  readAs: string;
}

function createRowMapper(options: RowMapperOptions): (row: CsvRow) => SourceRecord<CsvPosition> {
  const { path, mapping, timeOfDay, symbol, pairs, fileTime, dateOrder, decimalMark, readAs } =
    options;
  const keys = payloadKeys(options.header);
  const column = new Map<CsvField, ColumnMapping>(mapping.columns.map((c) => [c.field, c]));
  return (row) => {
    const payload: Record<string, string> = {};
    keys.forEach((key, i) => (payload[key] = row.fields[i] ?? ''));
    row.fields
      .slice(keys.length)
      .forEach((extra, i) => (payload[`column_${keys.length + i + 1}`] = extra));
    const cell = (field: CsvField) => {
      const c = column.get(field);
      return c ? (row.fields[c.index] ?? '').trim() : '';
    };
    const time = column.has('observed_at')
      ? toTimestamp(withTimeOfDay(cell('observed_at'), row.fields[timeOfDay ?? -1]), dateOrder)
      : { ok: true as const, value: fileTime };
    const pair = pairs ? toBase(cell('symbol'), pairs) : null;
    const result =
      pair && !pair.ok
        ? { ok: false as const, reason: `symbol: ${pair.reason}`, field: 'symbol' }
        : toListing(cell, symbol ?? pair?.base, time, decimalMark);
    const sourceId = result.ok ? result.listing.sourceId : cell('source_id') || null;
    return {
      locator: { file: path, line: row.line },
      sourceId,
      payload,
      result,
      position: { end: row.end, line: row.line },
      readAs,
    };
  };
}

/** A pair's coin (`BTC/USD` → BTC), or why the row's symbol is not one priced in dollars. */
function toBase(
  value: string,
  pairs: PairExample,
): { ok: true; base: string } | { ok: false; reason: string } {
  const pair = parsePair(value);
  if (!pair)
    return {
      ok: false,
      reason: `${JSON.stringify(value)} is not a trading pair like the column's others (${JSON.stringify(pairs.example)})`,
    };
  if (!pair.usd)
    return {
      ok: false,
      reason: `${JSON.stringify(value)} is priced in ${pair.quote}, not US dollars`,
    };
  return { ok: true, base: pair.base };
}

/** `2024-03-24` and `7:05` → `2024-03-24 07:05`; a date that has a time keeps it. */
function withTimeOfDay(date: string, time: string | undefined): string {
  const clock = time?.trim() ?? '';
  if (clock === '' || /\d:\d\d|[ap]\.?m\.?$/i.test(date)) return date;
  return `${date} ${clock.replace(/^(\d)(?=:)/, '0$1')}`;
}

/** Payload keys: the header names, made unique (`symbol`, `symbol#2`) and never empty. */
function payloadKeys(header: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, i) => {
    const name = raw.replace(/^\uFEFF/, '').trim() || `column_${i + 1}`;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}#${count}`;
  });
}

const DECIMAL_FIELDS = [
  ['price_usd', 'priceUsd'],
  ['market_cap_usd', 'marketCapUsd'],
  ['volume_24h_usd', 'volume24hUsd'],
  ['circulating_supply', 'circulatingSupply'],
  ['total_supply', 'totalSupply'],
  ['max_supply', 'maxSupply'],
  ['percent_change_24h', 'percentChange24h'],
] as const;

function toListing(
  cell: (field: CsvField) => string,
  fixedSymbol: string | undefined,
  time: ReturnType<typeof toTimestamp>,
  decimalMark: DecimalMark,
): ListingCheck {
  const symbol = (fixedSymbol ?? cell('symbol')).toUpperCase();
  const name = cell('name') || null;
  const explicitId = cell('source_id');
  const sourceId =
    explicitId || (name ? `${symbol.toLowerCase()}-${toNameKey(name)}` : symbol.toLowerCase());
  const decimals: Partial<Record<(typeof DECIMAL_FIELDS)[number][1], string | null>> = {};
  for (const [field, key] of DECIMAL_FIELDS) {
    const parsed = toDecimal(cell(field), decimalMark);
    if (!parsed.ok) return { ok: false, reason: `${field}: ${parsed.reason}`, field };
    decimals[key] = parsed.value;
  }
  // Yahoo Finance writes `null` in every cell of a day without trading: a quote without a
  // price says nothing, and loaded it would read as a coin with no price that day.
  // blockchain.com's market price is `0.0` for every day before bitcoin had a market: a coin
  // nobody trades has no price, not a price of nothing.
  if (decimals.priceUsd == null || decimals.priceUsd === '0')
    return {
      ok: false,
      reason: `price_usd: no price (${JSON.stringify(cell('price_usd'))})`,
      field: 'price_usd',
    };
  const rank = toDecimal(cell('rank'), decimalMark);
  if (!rank.ok || (rank.value !== null && !/^\d+$/.test(rank.value))) {
    return {
      ok: false,
      reason: `rank: not a whole number: ${JSON.stringify(cell('rank'))}`,
      field: 'rank',
    };
  }
  if (!time.ok) return { ok: false, reason: `observed_at: ${time.reason}`, field: 'observed_at' };
  if (!time.value) return { ok: false, reason: 'observed_at: empty', field: 'observed_at' };
  const listing: UnifiedListing = {
    sourceId,
    symbol,
    name,
    slug: explicitId || null,
    rank: rank.value === null ? null : Number(rank.value),
    priceUsd: decimals.priceUsd ?? null,
    marketCapUsd: decimals.marketCapUsd ?? null,
    volume24hUsd: decimals.volume24hUsd ?? null,
    circulatingSupply: decimals.circulatingSupply ?? null,
    totalSupply: decimals.totalSupply ?? null,
    maxSupply: decimals.maxSupply ?? null,
    percentChange24h: decimals.percentChange24h ?? null,
    observedAt: time.value,
  };
  return checkListing(listing);
}

/** CSV files in the registry: no settings of their own, and a file is not run on a schedule. */
export const csv = defineSourceEntry<Record<string, never>, 'csv'>({
  name: 'csv',
  settings: {},
  schedulable: false,
  create: () => csvSource,
});
