import { isUtf8 } from 'node:buffer';
import { realpathSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as v from 'valibot';
import { type DecimalMark } from '../../core/decimal.js';
import { KxError } from '../../core/errors.js';
import { defineSource, defineSourceEntry, type Cursor } from '../../core/source.js';
import { type DateOrder } from '../../core/timestamp.js';
import { parseOverrides } from './fields.js';
import { iconvLine } from './encoding.js';
import { cutShort, PrefixHasher, readCsvRows } from './reader.js';
import { sniffCsv } from './sniff.js';
import type { PairExample } from './pairs.js';
import { describeReading } from './describe.js';
import { readFile, type FileReading } from './reading.js';
import type { CsvParams } from './params.js';
import { CsvParamsSchema, flagsOf, ONE_FILE_A_RUN } from './params.js';
import type { CsvPosition } from './rows.js';
import { mapRows } from './rows.js';

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
    const input = { path, params, cursor, shape, delimiter, rows };
    let reading: FileReading;
    try {
      reading = await readFile(input);
    } catch (error) {
      await rows.return(undefined); // closes the file
      throw error;
    }
    const { header, mapping, dateOrder, decimalMark, file, pairs, cashtags, namedTickers } =
      reading;
    mapping.warnings.forEach((w) => context.warn(w));
    if (file.header && !isUtf8(file.header)) {
      const guess = await reading.codePageOf(file.header);
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
      records: mapRows(rows, reading.toRecord),
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
      describe: () => describeReading(reading, input),
      ...(cursor && { continues: { afterLine: cursor.line } }),
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
