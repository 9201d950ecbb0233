import { isUtf8 } from 'node:buffer';
import { realpathSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as v from 'valibot';
import { type DecimalMark } from '../../core/decimal.js';
import { KxError } from '../../core/errors.js';
import {
  defineSource,
  defineSourceEntry,
  type Cursor,
  type FileVersion,
  type SourceRecord,
} from '../../core/source.js';
import { parseDateFormat, type DateOrder } from '../../core/timestamp.js';
import { parseOverrides } from './fields.js';
import { listColumns, headerKeyAt } from './header-keys.js';
import { mapHeader, type HeaderMapping } from './mapping.js';
import { findCurrency, findTimeOfDay, timeOfDayZone } from './side-columns.js';
import { guessHeaderEncoding, iconvLine, notUtf8Header } from './encoding.js';
import { cutShort, PrefixHasher, readCsvRows, sniffCsv, type CsvRow } from './reader.js';
import {
  coinGeckoIds,
  klineNames,
  marketsAsSymbol,
  tickersInNames,
  timeValueCells,
  yfinanceCoin,
} from './look-ahead/coin-columns.js';
import { requireDollarExport, requirePriceChart } from './look-ahead/file-names.js';
import {
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
import { inspectTextColumns } from './look-ahead/text-columns.js';
import {
  currencyOf,
  pairsOf,
  refuseSigns,
  requireOneCoin,
  requireTickers,
} from './look-ahead/tickers.js';
import { leaveOutCandleVolume, leaveOutQuoteVolume, marketVolumes } from './look-ahead/volumes.js';
import type { PairExample } from './pairs.js';
import type { CsvParams } from './params.js';
import { CsvParamsSchema, flagsOf, ONE_FILE_A_RUN } from './params.js';
import type { CsvPosition } from './rows.js';
import { amountColumns, createRowMapper, mapRows, payloadKeys } from './rows.js';

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
  /** Set when its symbol column holds cashtags (`$BTC`), decided when its reading began. */
  cashtags?: true;
  /** Set when its symbol column holds names and tickers (`Bitcoin BTC`), decided so too. */
  namedTickers?: true;
  /**
   * Set when the last record read had no line break after it: where it begins. Should the file
   * go on from `offset` without a line break first, that record was cut short (a file still
   * being written, or appended to by a tool that did not end it), and is read again whole.
   */
  unfinished?: { offset: number; line: number };
}

/**
 * A file not found where a checkpoint of it was made (moved, renamed, or on a disk not
 * mounted): the error says where kx got to in it, and how to go on from there.
 */
function movedSince(error: unknown, stored: CsvCursor | null): KxError | null {
  const missing = error instanceof KxError && (error.cause as { code?: string })?.code === 'ENOENT';
  if (!missing || !stored || stored.line <= 0) return null;
  return new KxError(
    'input',
    `${error.message}; kx read it to line ${stored.line.toLocaleString('en-US')} before: put ` +
      'it back at this path to go on from there (a run that failed resumes with `kx resume`)',
    { context: error.context, cause: error.cause },
  );
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
    const shape = await sniffCsv(path).catch((error: unknown) => {
      throw movedSince(error, stored as CsvCursor | null) ?? error;
    });
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
      opened: shape.opened,
    });
    let header: string[];
    /** The header as its columns are named: yfinance's first column by its index's name. */
    let named: string[];
    /** `--symbol`, or the coin of yfinance's ticker line. */
    let symbol: string | undefined;
    let mapping: HeaderMapping;
    let overrides: ReturnType<typeof parseOverrides>;
    /** The user's --map, apart from what the file's reading adds to it. */
    let userMap: ReturnType<typeof parseOverrides>;
    /** The code page a header that is not UTF-8 reads better in, if one does (encoding.ts). */
    const codePageOf = (bytes: Buffer) =>
      guessHeaderEncoding(
        bytes,
        delimiter,
        (cells) => mapHeader(cells, overrides).columns.length,
        mapHeader(named, overrides).columns.length,
      );
    let dateOrder: DateOrder;
    /** Whether the file's dates are `NN/NN/YYYY`, whose order matters (for --dry-run). */
    let dateOrderApplies: boolean;
    let decimalMark: DecimalMark;
    let timeOfDay: number | undefined;
    /** The symbol column's trading pairs (`BTC/USD`): an example, or null for tickers. */
    let pairs: PairExample | null;
    /** Whether the symbol column holds cashtags (`$BTC`), read without their `$`. */
    let cashtags: boolean;
    /** Whether the symbol column holds a name and a ticker (`Bitcoin BTC`), read as two. */
    let namedTickers: boolean;
    /** The column that says each row's prices are in US dollars, if the file has one. */
    let currency: { index: number; header: string } | null;
    let toRecord: (row: CsvRow) => SourceRecord<CsvPosition>;
    let file: FileVersion;
    try {
      header =
        cursor?.header ?? params.columns ?? (await readHeader(rows, shape.bannerLines, path));
      if (params.columns && !cursor) await requireColumnCount(path, delimiter, params.columns);
      const levels = params.columns ? undefined : shape.levels;
      const klines = params.columns || levels ? null : await klineNames(path, delimiter, header);
      named = levels ? [levels.index, ...header.slice(1)] : (klines ?? header);
      symbol = levels ? yfinanceCoin(levels, params.symbol, path) : params.symbol;
      overrides = parseOverrides(params.map);
      userMap = overrides;
      mapping = mapHeader(named, overrides);
      /** What the file's own reading said of it, said again each time it is mapped again. */
      const readings: string[] = [];
      /** Maps the header again under `overrides`, saying why. */
      const remap = (why: string) => {
        readings.push(why);
        mapping = mapHeader(named, overrides);
        mapping.warnings.push(...readings);
      };
      if (klines)
        remap(
          "the header is pandas' numbers of Binance's klines' columns (the seventh a candle's " +
            'close time): read with the names --columns binance-kline gives them',
        );
      const markets =
        params.columns || symbol || mapping.columns.some((c) => c.field === 'symbol')
          ? null
          : await marketsAsSymbol(path, delimiter, header, mapping, overrides);
      if (markets) {
        overrides = markets.overrides;
        remap(markets.warning);
      }
      requireDollarExport(mapping, path, symbol);
      requirePriceChart(mapping, path);
      try {
        requireColumns(mapping, { ...params, symbol }, named, path);
      } catch (error) {
        // `終値` read as UTF-8 is no column kx knows: say what the header is written in.
        if (!params.columns && named.some((h) => h.includes('\uFFFD'))) {
          const guess = await codePageOf(await headerBytes(path, delimiter, header));
          if (guess) throw notUtf8Header(path, guess, listColumns(guess.header));
        }
        // CoinGecko's market_chart as pandas writes it: `[time, price]` in each cell
        if (error instanceof KxError && error.context.unmapped === 'price_usd') {
          const pair = await timeValueCells(path, delimiter, header, !params.columns);
          if (pair)
            throw new KxError(
              'input',
              `${error.message.replace(/; name it with --map .*$/, '')}: column ` +
                `${JSON.stringify(pair.header)} holds a time and a value ` +
                `in each cell (${JSON.stringify(pair.value)} on line ${pair.line}), as pandas ` +
                "writes CoinGecko's market_chart lists: no --map reads them; write each list " +
                `as its own columns first, as pd.DataFrame(answer["prices"], columns=["time", ` +
                `"price"]) does`,
              { context: error.context },
            );
        }
        // `coin` of `BTC`, `ETH` was taken for names: say which column holds the tickers
        if (error instanceof KxError && error.context.unmapped === 'symbol') {
          const ticker = await tickersInNames(path, delimiter, header, !params.columns, mapping);
          const column = mapping.columns.find((c) => c.field === 'name')?.header.trim();
          if (ticker && column)
            throw new KxError(
              'input',
              `${error.message}. Column ${JSON.stringify(column)} holds ` +
                `${ticker.named ? "each coin's name and ticker" : 'tickers'} ` +
                `(${JSON.stringify(ticker.value)} on line ${ticker.line}): --map '${column}=symbol'` +
                (ticker.named ? ' reads the two from it' : ''),
              { context: error.context },
            );
        }
        // CoinGecko's `/simple/price` keyed by its ids: no column holds a ticker
        if (error instanceof KxError && error.context.unmapped === 'symbol') {
          const ids = await coinGeckoIds(path, delimiter, header);
          if (ids)
            throw new KxError(
              'input',
              `${error.message.replace(/; name it with --map .*$/, '')}: column ` +
                `${JSON.stringify(ids.header)} holds CoinGecko's ids of ` +
                `coins (${JSON.stringify(ids.value)} on line ${ids.line}), not their tickers, ` +
                'which no column holds: kx ingest --source coingecko loads its coins with both',
              { context: error.context },
            );
        }
        throw error;
      }
      const given = params.dateFormat ? parseDateFormat(params.dateFormat) : undefined;
      // A checkpoint keeps the order rows were read in, 'day-first' also for dates that have
      // none (ISO): whether the file's dates need one is the file's to say. (A run's
      // --date-format goes with its checkpoint: a resume passes it again.)
      const inferred =
        given ?? (await inferDateOrder(path, delimiter, header, !params.columns, mapping));
      dateOrderApplies = inferred !== undefined;
      dateOrder = given ?? cursor?.dateOrder ?? inferred ?? 'day-first';
      decimalMark =
        params.decimal ??
        cursor?.decimalMark ??
        (await inferDecimalMark(path, delimiter, header, !params.columns, mapping));
      timeOfDay = findTimeOfDay(named, mapping);
      const zoneMinutes = timeOfDayZone(named, mapping, timeOfDay);
      const currencyColumn = findCurrency(header, mapping, overrides);
      const text = await inspectTextColumns(
        path,
        delimiter,
        header,
        !params.columns,
        mapping,
        currencyColumn,
        symbol,
      );
      pairs = cursor ? (cursor.pairs ?? null) : pairsOf(text.pairs, symbol, path);
      const volumes = marketVolumes(mapping, named, pairs);
      if (volumes !== null) {
        overrides = new Map([...overrides, ...volumes.overrides]);
        remap(volumes.warning);
      }
      leaveOutQuoteVolume(mapping, pairs);
      cashtags = cursor ? cursor.cashtags === true : text.cashtags !== null;
      namedTickers = cursor ? cursor.namedTickers === true : !pairs && text.namedTickers !== null;
      if (!cursor && text.noRows)
        throw new KxError(
          'input',
          `${path}: a header and no rows: nothing to load (did the export come out empty?)`,
          { context: { file: path } },
        );
      requireCoinMarketCapDollars(mapping, header, text.numericName, path);
      if (!cursor) requireOneCoin(text, symbol, path, namedTickers);
      if (!cursor && !pairs && !namedTickers) requireTickers(mapping, text, symbol, path);
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
      currency = currencyOf(text.currency, header, path);
      if (text.numericName) leaveOutNumericName(mapping, header, text.numericName);
      if (text.rowIds) leaveOutRowIds(mapping, text.rowIds);
      file = {
        path,
        header: params.columns ? null : await headerBytes(path, delimiter, header),
        columns: payloadKeys(named),
        delimiter,
      };
      const mapper = () =>
        createRowMapper({
          file,
          mapping,
          timeOfDay,
          zoneMinutes,
          symbol,
          oneName: text.names?.coins[0] ?? null,
          oneId: text.rowIds ? null : (text.listings?.coins[0]?.value ?? null),
          amounts: amountColumns(named, mapping),
          pairs,
          cashtags,
          namedTickers,
          currency,
          fileTime: shape.mtime,
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
      toRecord = mapper();
      const timed = mapping.columns.some((c) => c.field === 'observed_at');
      if (!timed) requireFileTime(shape.mtime, path);
      // Columns whose meaning the times tell: read again without them (resumes decide the same).
      if (timed) {
        const times = sampleTimes(path, delimiter, header, !params.columns, toRecord);
        const volume = await leaveOutCandleVolume(header, mapping, times);
        const rank = await leaveOutRankNow(mapping, times);
        if ((await leaveOutFractionChange(mapping, times)) || rank || volume) toRecord = mapper();
      }
      if (!cursor && !timed)
        await refuseRepeatsWithoutTime(path, delimiter, header, !params.columns, toRecord);
      if (!cursor && timed)
        await refuseTwoValuesAtOnce(path, delimiter, header, !params.columns, toRecord, {
          mapping,
          timeOfDay,
          pairs,
        });
    } catch (error) {
      await rows.return(undefined); // closes the file
      throw error;
    }
    mapping.warnings.forEach((w) => context.warn(w));
    if (file.header && !isUtf8(file.header)) {
      const guess = await codePageOf(file.header);
      context.warn(
        `the header is not UTF-8 text (${guess ? `it reads as ${guess.name}` : 'a Windows-1252 or Latin-1 export?'}): ` +
          'kx reads CSV files as UTF-8, and rows whose id, symbol or name are not UTF-8 are ' +
          `rejected; convert the file first: ${iconvLine(path, guess?.iconv ?? 'WINDOWS-1252')}`,
      );
    }
    if (shape.bannerLines > 0 && !cursor && !params.columns)
      context.warn(
        `skipped ${shape.bannerLines} banner line${shape.bannerLines === 1 ? '' : 's'} before the header`,
      );
    return {
      records: mapRows(rows, toRecord),
      cursorAt: (p): CsvCursor => {
        // Checked before each commit: a batch read across a cut is not committed.
        const cut = cutShort(path, shape.opened, p.end);
        if (cut) throw cut;
        return {
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
          ...(cashtags ? { cashtags: true as const } : {}),
          ...(namedTickers ? { namedTickers: true as const } : {}),
          ...(p.unfinished ? { unfinished: p.unfinished } : {}),
        };
      },
      progressAt: (p) => ({ done: p.end, total: shape.size, unit: 'bytes' as const }),
      describe: () => ({
        mapping: {
          delimiter,
          ...(dateOrderApplies ? { dateOrder } : {}),
          decimalMark,
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
              how: how === 'override' && !userMap.has(headerKeyAt(h, index)) ? 'markets' : how,
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
          ...(symbol && !params.symbol ? { ticker: shape.levels?.tickers[0] } : {}),
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
    if (hasher.digestAt(cursor.offset) === cursor.sha256) {
      const again = cursor.unfinished;
      if (!again || size === cursor.offset || (await startsLine(path, cursor.offset)))
        return { ...cursor, hasher };
      context.warn(
        `${path}: its last line (${again.line + 1}) had no line break and the file went on from ` +
          'there since the last run; reading that line again, whole',
      );
      const rehashed = await PrefixHasher.from(path, again.offset);
      return { ...cursor, offset: again.offset, line: again.line, hasher: rehashed };
    }
  }
  if (context.resume) {
    throw new KxError(
      'input',
      `${path}: the file changed since this run started (its first ${cursor.offset} bytes differ); ` +
        'run a new `kx ingest` to reprocess it, or put the file back as it was and `kx resume`',
      { context: { file: path } },
    );
  }
  context.warn(
    `${path} was rewritten since the last run; reading it again from the start (unchanged rows are skipped)`,
  );
  return null;
}

/** Whether the byte at `offset` of `path` breaks a line (LF or CR). */
async function startsLine(path: string, offset: number): Promise<boolean> {
  const file = await openFile(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(1), 0, 1, offset);
    return bytesRead === 1 && (buffer[0] === 0x0a || buffer[0] === 0x0d);
  } finally {
    await file.close();
  }
}

/** CSV files in the registry: no settings of their own, and a file is not run on a schedule. */
export const csv = defineSourceEntry<Record<string, never>, 'csv'>({
  name: 'csv',
  settings: {},
  identity: 'file',
  schedulable: false,
  flags: [
    { flags: '--file <path>', help: 'CSV file to read', once: ONE_FILE_A_RUN },
    {
      flags: '--map <header=field>',
      help: 'map a CSV column to a field (repeatable; empty field ignores it)',
      repeatable: true,
    },
    { flags: '--symbol <sym>', help: 'symbol for every row of a single-asset history CSV' },
    {
      flags: '--date-format <format>',
      help: 'DD/MM/YYYY, MM/DD/YYYY or YY/MM/DD: how to read dates like 05/06/2025',
    },
    {
      flags: '--columns <names>',
      help: 'names for a CSV without a header row: NAME,NAME,… or binance-kline, kraken-ohlcvt',
    },
    {
      flags: '--decimal <mark>',
      help: '. or ,: the decimal mark of numbers like 1,234 (found from the file if unset)',
    },
  ],
  create: () => csvSource,
});

/** 480 → `UTC+08:00`, -300 → `UTC-05:00`. */
function utcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
