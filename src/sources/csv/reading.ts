/**
 * What kx decides of a CSV file before it loads a row: which column feeds which field, how
 * its dates and numbers are written, what its symbol column holds, and how a row becomes a
 * record. Each step refuses a file that cannot load right, naming the fix; a resume decides
 * the same from its checkpoint.
 */
import { type DecimalMark } from '../../core/decimal.js';
import { KxError } from '../../core/errors.js';
import { type FileVersion, type SourceRecord } from '../../core/source.js';
import { parseDateFormat, type DateOrder } from '../../core/timestamp.js';
import { guessHeaderEncoding, type EncodingGuess } from './encoding.js';
import { parseOverrides } from './fields.js';
import type { CsvCursor } from './index.js';
import { klineNames, marketsAsSymbol, yfinanceCoin } from './look-ahead/coin-columns.js';
import { requireDollarExport, requirePriceChart } from './look-ahead/file-names.js';
import {
  coinInTitle,
  headerBytes,
  inferDateOrder,
  inferDecimalMark,
  readHeader,
  requireColumnCount,
} from './look-ahead/format.js';
import {
  leaveOutFractionChange,
  leaveOutNumericName,
  leaveOutRankNow,
  leaveOutRowIds,
  requireCoinMarketCapDollars,
} from './look-ahead/leave-out.js';
import { requireColumns } from './look-ahead/require-columns.js';
import {
  refuseRepeatsWithoutTime,
  refuseTwoValuesAtOnce,
  requireFileTime,
  sampleTimes,
} from './look-ahead/same-time.js';
import { inspectTextColumns, type TextColumns } from './look-ahead/text-columns.js';
import { whyUnmapped } from './look-ahead/unmapped.js';
import {
  currencyOf,
  pairsOf,
  refuseSigns,
  requireOneCoin,
  requireTickers,
} from './look-ahead/tickers.js';
import { leaveOutCandleVolume, leaveOutQuoteVolume, marketVolumes } from './look-ahead/volumes.js';
import { mapHeader, type HeaderMapping } from './mapping.js';
import type { PairExample } from './pairs.js';
import type { CsvParams } from './params.js';
import type { CsvRow } from './reader.js';
import type { CsvShape } from './sniff.js';
import { amountColumns, payloadKeys } from './cells.js';
import { createRowMapper, type CsvPosition } from './rows.js';
import { findCurrency, findTimeOfDay, timeOfDayZone } from './side-columns.js';

type Overrides = ReturnType<typeof parseOverrides>;

/** How a row becomes a record, made again when a column is left out. */
type ToRecord = (row: CsvRow) => SourceRecord<CsvPosition>;

/** The file being read and how: what every step of its reading is given. */
export interface FileInput {
  path: string;
  params: CsvParams;
  cursor: CsvCursor | null;
  shape: CsvShape;
  delimiter: string;
  /** The file's rows; its header is read from them, unless --columns or the cursor gives it. */
  rows: AsyncGenerator<CsvRow>;
}

/** The header and the fields its columns feed, mapped again as the file's reading goes on. */
interface Columns {
  header: string[];
  /** The header as its columns are named: yfinance's first column by its index's name. */
  named: string[];
  /** `--symbol`, or the coin of yfinance's ticker line. */
  symbol: string | undefined;
  /** The user's --map, apart from what the file's reading adds to it. */
  userMap: Overrides;
  overrides: Overrides;
  mapping: HeaderMapping;
  /** What the file's own reading said of it, said again each time it is mapped again. */
  readings: string[];
}

/** What kx decided of a file: `open` reads its rows by it and checkpoints it. */
export interface FileReading {
  header: string[];
  named: string[];
  symbol: string | undefined;
  userMap: Overrides;
  mapping: HeaderMapping;
  dateOrder: DateOrder;
  /** Whether the file's dates are `NN/NN/YYYY`, whose order matters (for --dry-run). */
  dateOrderApplies: boolean;
  decimalMark: DecimalMark;
  timeOfDay: number | undefined;
  /** The symbol column's trading pairs (`BTC/USD`): an example, or null for tickers. */
  pairs: PairExample | null;
  /** Whether the symbol column holds cashtags (`$BTC`), read without their `$`. */
  cashtags: boolean;
  /** Whether the symbol column holds a name and a ticker (`Bitcoin BTC`), read as two. */
  namedTickers: boolean;
  /** The column that says each row's prices are in US dollars, if the file has one. */
  currency: { index: number; header: string } | null;
  file: FileVersion;
  toRecord: ToRecord;
  /** The code page a header that is not UTF-8 reads better in, if one does (encoding.ts). */
  codePageOf(bytes: Buffer): Promise<EncodingGuess | null>;
}

/** Reads what a file holds before its rows load; refuses a file that cannot load right. */
export async function readFile(input: FileInput): Promise<FileReading> {
  const columns = await mapColumns(input);
  const { path, params, delimiter } = input;
  const { header, named } = columns;
  const numbers = await readNumbers(input, columns);
  const timeOfDay = findTimeOfDay(named, columns.mapping);
  const zoneMinutes = timeOfDayZone(named, columns.mapping, timeOfDay);
  const { text, ...symbols } = await readSymbols(input, columns);
  const file: FileVersion = {
    path,
    header: params.columns ? null : await headerBytes(path, delimiter, header),
    columns: payloadKeys(named),
    delimiter,
  };
  const { symbol, userMap, mapping } = columns;
  const read = { header, named, symbol, userMap, mapping, ...numbers, timeOfDay, ...symbols, file };
  const mapper = () => rowMapperOf(read, { text, zoneMinutes, fileTime: input.shape.mtime });
  return {
    ...read,
    toRecord: await checkTimes(input, header, mapping, mapper, read),
    codePageOf: (bytes) => codePageOf(columns, delimiter, bytes),
  };
}

/**
 * How the file's dates and numbers are written: `--date-format` and `--decimal`, the
 * checkpoint's, or what the file's cells say.
 */
async function readNumbers(
  input: FileInput,
  columns: Columns,
): Promise<Pick<FileReading, 'dateOrder' | 'dateOrderApplies' | 'decimalMark'>> {
  const { path, params, cursor, delimiter } = input;
  const { header, mapping } = columns;
  const given = params.dateFormat ? parseDateFormat(params.dateFormat) : undefined;
  // A checkpoint keeps the order rows were read in, 'day-first' also for dates that have
  // none (ISO): whether the file's dates need one is the file's to say. (A run's
  // --date-format goes with its checkpoint: a resume passes it again.)
  const inferred =
    given ?? (await inferDateOrder(path, delimiter, header, !params.columns, mapping));
  return {
    dateOrder: given ?? cursor?.dateOrder ?? inferred ?? 'day-first',
    dateOrderApplies: inferred !== undefined,
    decimalMark:
      params.decimal ??
      cursor?.decimalMark ??
      (await inferDecimalMark(path, delimiter, header, !params.columns, mapping)),
  };
}

/** How a row becomes a record under what was decided of its file. */
function rowMapperOf(
  read: Omit<FileReading, 'toRecord' | 'codePageOf'>,
  more: { text: TextColumns; zoneMinutes: number | undefined; fileTime: Date },
): ToRecord {
  const { mapping, symbol, pairs, cashtags, namedTickers, dateOrder, decimalMark } = read;
  const { timeOfDay } = read;
  const { text, zoneMinutes } = more;
  return createRowMapper({
    file: read.file,
    mapping,
    timeOfDay,
    zoneMinutes,
    symbol,
    oneName: text.names?.coins[0] ?? null,
    oneId: text.rowIds ? null : (text.listings?.coins[0]?.value ?? null),
    amounts: amountColumns(read.named, mapping),
    pairs,
    cashtags,
    namedTickers,
    currency: read.currency,
    fileTime: more.fileTime,
    dateOrder,
    decimalMark,
    readAs: JSON.stringify({
      // A scale joins a column's pair only where there is one: rows read before keep their versions.
      columns: mapping.columns.map((c) =>
        c.scale ? [c.index, c.field, c.scale] : [c.index, c.field],
      ),
      symbol: symbol ?? null,
      dateOrder,
      ...(pairs ? { pairs: true } : {}),
      ...(cashtags ? { cashtags: true } : {}),
      ...(namedTickers ? { namedTickers: true } : {}),
      // Absent for a decimal point: what rows read that way were stored with before.
      ...(decimalMark === ',' ? { decimalMark } : {}),
      ...(timeOfDay !== undefined ? { timeOfDay } : {}),
      // the zone a time column's or time-of-day column's header names, where one does
      ...(zoneMinutes ? { zoneMinutes } : {}),
    }),
  });
}

/**
 * The header and its fields: read from the file (or --columns, or the checkpoint), named as
 * pandas' klines or yfinance's download name them, with a column of markets read as symbols;
 * refused without a coin, a price or a time, saying what the file holds instead.
 */
async function mapColumns(input: FileInput): Promise<Columns> {
  const { path, params, cursor, shape, delimiter } = input;
  const header =
    cursor?.header ?? params.columns ?? (await readHeader(input.rows, shape.bannerLines, path));
  if (params.columns && !cursor) await requireColumnCount(path, delimiter, params.columns);
  const levels = params.columns ? undefined : shape.levels;
  const klines = params.columns || levels ? null : await klineNames(path, delimiter, header);
  const named = levels ? [levels.index, ...header.slice(1)] : (klines ?? header);
  const symbol = levels ? yfinanceCoin(levels, params.symbol, path) : params.symbol;
  const userMap = parseOverrides(params.map);
  const columns: Columns = {
    header,
    named,
    symbol,
    userMap,
    overrides: userMap,
    mapping: mapHeader(named, userMap),
    readings: [],
  };
  if (klines)
    remap(
      columns,
      userMap,
      "the header is pandas' numbers of Binance's klines' columns (the seventh a candle's " +
        'close time): read with the names --columns binance-kline gives them',
    );
  const markets =
    params.columns || symbol || columns.mapping.columns.some((c) => c.field === 'symbol')
      ? null
      : await marketsAsSymbol(path, delimiter, header, columns.mapping, columns.overrides);
  if (markets) remap(columns, markets.overrides, markets.warning);
  requireDollarExport(columns.mapping, path, symbol);
  requirePriceChart(columns.mapping, path);
  try {
    // a title above the header may name the coin (`Bitcoin Historical Data`)
    const title =
      !cursor && !columns.mapping.columns.some((c) => c.field === 'symbol') && shape.bannerLines
        ? await coinInTitle(path, delimiter, shape.bannerLines)
        : null;
    requireColumns(columns.mapping, { ...params, symbol }, named, path, title);
  } catch (error) {
    throw await whyUnmapped(error, input, columns, (bytes) =>
      codePageOf(columns, delimiter, bytes),
    );
  }
  return columns;
}

/** Maps the header again under `overrides`, saying why. */
function remap(columns: Columns, overrides: Overrides, why: string): void {
  columns.overrides = overrides;
  columns.readings.push(why);
  columns.mapping = mapHeader(columns.named, overrides);
  columns.mapping.warnings.push(...columns.readings);
}

/** The code page a header that is not UTF-8 reads better in, if one does (encoding.ts). */
function codePageOf(
  columns: Columns,
  delimiter: string,
  bytes: Buffer,
): Promise<EncodingGuess | null> {
  return guessHeaderEncoding(
    bytes,
    delimiter,
    (cells) => mapHeader(cells, columns.overrides).columns.length,
    mapHeader(columns.named, columns.overrides).columns.length,
  );
}

/**
 * What the symbol, name, id and currency columns hold (`inspectTextColumns`): trading pairs
 * and their volumes, cashtags, names with tickers, the currency of each row; a file that
 * cannot load right for what they hold is refused, and columns that mean something else are
 * left out of the mapping.
 */
async function readSymbols(input: FileInput, columns: Columns) {
  const { path, params, cursor, delimiter } = input;
  const { header, named, symbol } = columns;
  const currencyColumn = findCurrency(header, columns.mapping, columns.overrides);
  const text: TextColumns = await inspectTextColumns(
    path,
    delimiter,
    header,
    !params.columns,
    columns.mapping,
    currencyColumn,
    symbol,
  );
  const pairs = cursor ? (cursor.pairs ?? null) : pairsOf(text.pairs, symbol, path);
  const volumes = marketVolumes(columns.mapping, named, pairs);
  if (volumes !== null)
    remap(columns, new Map([...columns.overrides, ...volumes.overrides]), volumes.warning);
  const { mapping } = columns;
  leaveOutQuoteVolume(mapping, pairs);
  const cashtags = cursor ? cursor.cashtags === true : text.cashtags !== null;
  const namedTickers = cursor ? cursor.namedTickers === true : !pairs && text.namedTickers !== null;
  if (!cursor && text.noRows)
    throw new KxError(
      'input',
      `${path}: a header and no rows: nothing to load (did the export come out empty?)`,
      { context: { file: path } },
    );
  requireCoinMarketCapDollars(mapping, header, text.numericName, path);
  if (!cursor) requireOneCoin(text, symbol, path, namedTickers);
  const asTickers =
    !cursor && !pairs && !namedTickers && requireTickers(mapping, text, symbol, path);
  if (asTickers) {
    columns.readings.push(asTickers);
    mapping.warnings.push(asTickers);
  }
  if (!cursor && !pairs)
    await refuseSigns(
      path,
      delimiter,
      header,
      !params.columns,
      mapping,
      text,
      symbol,
      currencyColumn,
    );
  const currency = currencyOf(text.currency, header, path);
  if (text.numericName) leaveOutNumericName(mapping, header, text.numericName);
  if (text.rowIds) leaveOutRowIds(mapping, text.rowIds);
  return { text, pairs, cashtags, namedTickers, currency };
}

/**
 * The rows' times: a file without a time column needs a plausible modification time and no
 * listing twice; with one, columns whose meaning the times tell are left out (the rows then
 * read again without them: resumes decide the same), and a listing's two values at one time
 * are refused. Returns how a row becomes a record.
 */
async function checkTimes(
  input: FileInput,
  header: readonly string[],
  mapping: HeaderMapping,
  mapper: () => ToRecord,
  read: { timeOfDay: number | undefined; pairs: PairExample | null },
): Promise<ToRecord> {
  const { path, params, cursor, shape, delimiter } = input;
  const inFile = !params.columns;
  let toRecord = mapper();
  const timed = mapping.columns.some((c) => c.field === 'observed_at');
  if (!timed) requireFileTime(shape.mtime, path);
  if (timed) {
    const times = sampleTimes(path, delimiter, header, inFile, toRecord);
    const volume = await leaveOutCandleVolume(header, mapping, times);
    const rank = await leaveOutRankNow(mapping, times);
    if ((await leaveOutFractionChange(mapping, times)) || rank || volume) toRecord = mapper();
  }
  if (!cursor && !timed) await refuseRepeatsWithoutTime(path, delimiter, header, inFile, toRecord);
  if (!cursor && timed)
    await refuseTwoValuesAtOnce(path, delimiter, header, inFile, toRecord, { mapping, ...read });
  return toRecord;
}
