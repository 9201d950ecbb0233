import { createHash, type Hash } from 'node:crypto';
import { createReadStream, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { KxError } from '../../core/errors.js';
import { mapHeader } from './mapping.js';
import { ONE_FILE_A_RUN } from './params.js';

/** Largest record we accept: a legitimate market-data row is a few KB; more means a runaway quote. */
export const MAX_RECORD_BYTES = 1 << 20;
/** How much of the file start we look at to refuse non-CSV input and pick the delimiter. */
const SNIFF_BYTES = 64 * 1024;
const DELIMITERS = [',', ';', '\t', '|'] as const;

export interface CsvShape {
  delimiter: string;
  /** Leading banner lines before the header (CryptoDataDownload puts its URL there). */
  bannerLines: number;
  size: number;
  mtime: Date;
  /** The file as it was when kx opened it, to tell whether it changed while kx read it. */
  opened: FileState;
  /** yfinance's two header lines under the header, when the file is its `to_csv` (`yfinanceLevels`). */
  levels?: YfinanceLevels;
}

/**
 * yfinance's download saved with `to_csv`: its columns have two levels, the field and the
 * ticker, and its index's name has a line of its own under them:
 * `Price,Close,High,…` / `Ticker,BTC-USD,BTC-USD,…` / `Date,,,…`. The first column is that
 * index (`Date`, `Datetime`), the tickers say the coin of each column.
 */
export interface YfinanceLevels {
  /** The distinct tickers of the `Ticker` line (`BTC-USD`). */
  tickers: string[];
  /** The index's name: the first column's. */
  index: string;
}

/**
 * Why a path a user gave may not be found: a URL (kx reads files, it does not download them),
 * or a `~` the shell did not expand because it was quoted.
 */
function notFoundHint(path: string): string {
  const url = /(?:^|[/\\])((?:https?|ftp):[/\\]+.*)$/i.exec(path)?.[1];
  if (url) {
    const address = url.replace(/^(\w+):[/\\]+/, '$1://').replaceAll('\\', '/');
    const name = address.split('/').pop() || 'file.csv';
    return `: kx reads files, not URLs; download it first, for example: curl -fLo ${name} '${address}'`;
  }
  if (/(?:^|[/\\])~(?:[/\\]|$)/.test(path))
    return ': "~" is your home folder only where the shell expands it; write the path without quotes, or in full';
  if (basename(path) === '-') return `: kx reads a file, not standard input; ${SAVE_FIRST}`;
  if (/[*?]/.test(basename(path)))
    return `: a pattern is files only where the shell expands it, and ${ONE_FILE_A_RUN}`;
  return '';
}

const SAVE_FIRST = 'save the data to a file first (curl -fLo prices.csv URL, or … > prices.csv)';

/** Checks that `path` is a readable, non-empty CSV file and finds its delimiter and banner. */
export async function sniffCsv(path: string): Promise<CsvShape> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    const reason =
      error.code === 'ENOENT'
        ? `file not found${notFoundHint(path)}`
        : `cannot read file (${error.code})`;
    throw new KxError('input', `${path}: ${reason}`, { context: { file: path }, cause: error });
  });
  if (info.isDirectory())
    throw new KxError('input', `${path}: is a directory, not a CSV file`, {
      context: { file: path },
    });
  // A pipe (`--file /dev/stdin`, `<(curl …)`) reads once: kx reads a file more than once
  // (its columns, its date order, then its rows) and resumes from a byte offset.
  if (!info.isFile())
    throw new KxError(
      'input',
      `${path}: a pipe or a device, not a file: kx reads a file more than once and resumes a run ` +
        `from a place in it; ${SAVE_FIRST}`,
      { context: { file: path } },
    );
  if (info.size === 0)
    throw new KxError('input', `${path}: file is empty`, { context: { file: path } });
  const head = await readHead(path);
  if (isUtf16(head)) {
    throw new KxError(
      'input',
      `${path}: UTF-16 text, and kx reads CSV files as UTF-8: convert the file first, for ` +
        `example: iconv -f UTF-16 -t UTF-8 ${path} > converted.csv (in Excel: save as "CSV UTF-8")`,
      { context: { file: path } },
    );
  }
  const packed = packedKind(head);
  if (packed) throw new KxError('input', `${path}: ${packed(path)}`, { context: { file: path } });
  if (looksBinary(head)) {
    throw new KxError('input', `${path}: binary data (NUL bytes), not a CSV file`, {
      context: { file: path },
    });
  }
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const stand = standInKind(text);
  if (stand) throw new KxError('input', `${path}: ${stand}`, { context: { file: path } });
  if (/^\s*[[{]/.test(text)) {
    throw new KxError(
      'input',
      `${path}: looks like JSON, not CSV (starts with "${text.trim()[0]}")`,
      {
        context: { file: path },
      },
    );
  }
  const lines = text.split(/\r\n|\n|\r/).filter((line) => line.trim() !== '');
  const delimiter = pickDelimiter(lines.slice(0, 20));
  const bannerLines = countBannerLines(lines.slice(0, 21), delimiter);
  if (singleQuoted(lines.slice(bannerLines + 1, bannerLines + 21), delimiter)) {
    throw new KxError(
      'input',
      `${path}: its cells are enclosed in single quotes ('BTC'), and a CSV file's are in ` +
        `double quotes ("BTC"): a comma inside one would split it, so kx does not strip them. ` +
        `Convert the file, for example: python3 -c 'import csv,sys; ` +
        `csv.writer(sys.stdout).writerows(csv.reader(sys.stdin, quotechar=chr(39)` +
        `${delimiter === ',' ? '' : `, delimiter=chr(${delimiter.charCodeAt(0)})`}))' ` +
        `< ${path} > converted.csv`,
      { context: { file: path } },
    );
  }
  const levels = bannerLines === 0 ? yfinanceLevels(lines, delimiter) : undefined;
  return {
    delimiter,
    bannerLines,
    size: info.size,
    mtime: info.mtime,
    opened: { ino: info.ino, mtimeMs: info.mtimeMs },
    ...(levels && { levels }),
  };
}

function yfinanceLevels(lines: readonly string[], delimiter: string): YfinanceLevels | undefined {
  const [fields, tickers, index] = lines
    .slice(0, 3)
    .map((line) => line.split(delimiter).map((cell) => cell.trim().replace(/^"|"$/g, '')));
  const name = index?.[0] ?? '';
  if (fields?.[0] !== 'Price' || tickers?.[0] !== 'Ticker' || !/^Date(?:time)?$/.test(name))
    return undefined;
  if (index!.slice(1).some((cell) => cell !== '')) return undefined;
  return { tickers: [...new Set(tickers.slice(1).filter((t) => t !== ''))], index: name };
}

/**
 * Lines above the header: a site's URL (CryptoDataDownload), a title, an "exported on" line
 * of a cell or two. The header is the first line with as many cells as most of the lines
 * below it; the lines above it, each with fewer cells, are banners. If that line looks like
 * data, the file's first line is its header after all (a header shorter than its rows, which
 * end in an empty cell), and nothing is skipped.
 */
function countBannerLines(lines: readonly string[], delimiter: string): number {
  const counts = lines.map((line) => countOf(line, delimiter));
  const tally = new Map<number, number>();
  for (const c of counts.slice(1)) tally.set(c, (tally.get(c) ?? 0) + 1);
  const [mode] = [...tally].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] ?? [0];
  if (mode === 0) return 0;
  const header = counts.findIndex((c) => c === mode);
  if (header <= 0 || counts.slice(0, header).some((c) => c >= mode)) return 0;
  if (looksLikeData(lines[header]!.split(delimiter))) return 0;
  // A first line that names kx's fields, more of them than the line below it, is the header:
  // the longer lines are rows with an unquoted delimiter in a cell (`US$42,000.50`).
  const named = fieldsNamed(lines[0]!, delimiter);
  return named >= 2 && named >= fieldsNamed(lines[header]!, delimiter) ? 0 : header;
}

/** How many kx fields a line, read as a header, names. */
function fieldsNamed(line: string, delimiter: string): number {
  const cells = line.split(delimiter).map((cell) => cell.trim().replace(/^"|"$/g, ''));
  return new Set(mapHeader(cells, new Map()).columns.map((column) => column.field)).size;
}

/** Mostly numbers and dates: a data row, not a header. */
/**
 * pandas' numbers for the columns of a list saved without names (`pd.DataFrame(klines)
 * .to_csv()`: `,0,1,…,11`, the index's column first and unnamed, or `0,1,…` without it): a
 * header that names nothing, not a row of data. The number of cells before the numbers, or
 * null for any other header.
 */
export function numberedHeader(cells: readonly string[]): number | null {
  const offset = cells[0]?.trim() === '' ? 1 : 0;
  const numbers = cells.slice(offset);
  return numbers.length >= 2 && numbers.every((c, i) => c.trim() === String(i)) ? offset : null;
}

export function looksLikeData(cells: readonly string[]): boolean {
  const filled = cells.map((c) => c.trim().replace(/^"|"$/g, '')).filter((c) => c !== '');
  const dataLike = filled.filter(
    (c) => /^[-+$]?[\d.,]+(e[-+]?\d+)?$/i.test(c) || /^\d{4}-\d{2}-\d{2}/.test(c),
  );
  return dataLike.length * 2 > filled.length;
}

/**
 * UTF-16 by its byte order mark, or without one by text in the ASCII range: a NUL beside every
 * other byte (Excel's "Unicode text" and some Windows tools write it).
 */
function isUtf16(head: Buffer): boolean {
  if (head.length < 2) return false;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return true;
  const pairs = Math.min(256, Math.floor(head.length / 2));
  let low = 0;
  let high = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i + 1] === 0 && head[2 * i] !== 0) low++;
    if (head[2 * i] === 0 && head[2 * i + 1] !== 0) high++;
  }
  return pairs >= 4 && Math.max(low, high) >= pairs * 0.9;
}

/**
 * Whether the lines' cells are enclosed in single quotes (`'BTC','43000'`: Python's
 * `csv.writer(quotechar="'", quoting=QUOTE_ALL)`, MySQL's `ENCLOSED BY '\''`): nine lines in
 * ten are such cells (or empty ones) and delimiters, an apostrophe inside one doubled.
 */
function singleQuoted(lines: readonly string[], delimiter: string): boolean {
  const cell = `\\s*(?:'(?:[^']|'')*')?\\s*`;
  const d = delimiter.replace(/[|]/g, '\\$&');
  const line = new RegExp(`^${cell}(?:${d}${cell})*$`);
  const quoted = lines.filter((l) => l.includes("'") && line.test(l));
  return quoted.length > 0 && quoted.length >= lines.length * 0.9;
}

/**
 * Zip (xlsx too) and gzip by their magic bytes; anything else by its share of NUL bytes. Text
 * has none, but one stray NUL in a cell of a real export is a bad record to quarantine
 * (DESIGN §3, invariant 6), not a reason to refuse the whole file.
 */
function looksBinary(head: Buffer): boolean {
  let nuls = 0;
  for (const byte of head) if (byte === 0) nuls++;
  return nuls > 1 && nuls > head.length / 1000;
}

/**
 * What a file that holds a CSV rather than being one is, as the fix to say: a gzip or zip
 * (data.binance.vision ships each month as a zip) to unpack, an Excel workbook (a zip of
 * `xl/` parts, or the older OLE file) to save as CSV. Undefined for anything else.
 */
function packedKind(head: Buffer): ((path: string) => string) | undefined {
  const starts = (magic: number[]) => head.subarray(0, magic.length).equals(Buffer.from(magic));
  const excel = (path: string) =>
    'an Excel workbook, not a CSV file: save it as "CSV UTF-8" in Excel, or convert it: ' +
    `libreoffice --headless --convert-to csv ${path}`;
  if (starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return excel;
  if (starts([0x1f, 0x8b]))
    return (path) => `gzip-compressed: unpack it first (gunzip -k ${path}) and pass the .csv`;
  if (starts([0x50, 0x4b, 0x03, 0x04])) {
    const names = head.toString('latin1');
    if (names.includes('[Content_Types].xml') || names.includes('xl/')) return excel;
    return (path) => `a zip archive: unpack it first (unzip ${path}) and pass the .csv inside`;
  }
  return undefined;
}

/**
 * What was saved in the CSV's place, as the fix to say: a web page (a download link that
 * answered with its site's page, a login or an error; a GitHub page of the file rather than its
 * raw text) or Git LFS's pointer (a repository cloned without `git lfs`, whose large files stay
 * a three-line stub). Undefined for anything else.
 */
function standInKind(text: string): string | undefined {
  if (/^\s*<(?:!doctype html|html[\s>]|head[\s>]|body[\s>])/i.test(text))
    return (
      'a web page (HTML), not a CSV file: the download saved the page that links to the data, ' +
      "a login or an error; download the file itself (on GitHub: the file's Raw link)"
    );
  if (text.startsWith('version https://git-lfs.github.com/spec/'))
    return 'a Git LFS pointer, not the file it stands for: fetch the file with git lfs pull';
  return undefined;
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The delimiter that splits the sample lines most consistently (ignoring quoted parts). */
function pickDelimiter(lines: readonly string[]): string {
  let best: string = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const counts = lines.map((line) => countOf(line, d));
    const header = Math.max(...counts, 0);
    const consistent = counts.filter((c) => c === header).length;
    const score = header === 0 ? 0 : consistent * 1000 + header;
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

function countOf(line: string, delimiter: string): number {
  return line.replace(/"[^"]*"/g, '').split(delimiter).length - 1;
}

/**
 * sha256 of a file prefix that grows as records are committed. Read chunks are held until the
 * checkpoint moves past them, so hashing never re-reads the file and never runs ahead of the
 * committed offset.
 */
export class PrefixHasher {
  private readonly pending: { start: number; bytes: Buffer }[] = [];
  private constructor(
    private readonly hash: Hash,
    private hashedTo: number,
  ) {}

  /** Hashes `path` up to `offset` (the prefix a checkpoint covers) and continues from there. */
  static async from(path: string, offset: number): Promise<PrefixHasher> {
    const hash = createHash('sha256');
    if (offset > 0) {
      for await (const chunk of createReadStream(path, { start: 0, end: offset - 1 }))
        hash.update(chunk as Buffer);
    }
    return new PrefixHasher(hash, offset);
  }

  push(start: number, bytes: Buffer): void {
    this.pending.push({ start, bytes });
  }

  /** The hex digest of bytes [0, offset), leaving the hash where it is (offset may be ahead). */
  peekAt(offset: number): string {
    const hash = this.hash.copy();
    let at = this.hashedTo;
    for (const chunk of this.pending) {
      if (at >= offset) break;
      const upto = Math.min(chunk.start + chunk.bytes.length, offset);
      hash.update(chunk.bytes.subarray(at - chunk.start, upto - chunk.start));
      at = upto;
    }
    if (at < offset) throw new Error(`PrefixHasher: offset ${offset} is past the bytes read`);
    return hash.digest('hex');
  }

  /** The hex digest of bytes [0, offset); offset must not go backwards. */
  digestAt(offset: number): string {
    while (this.hashedTo < offset) {
      const chunk = this.pending[0];
      if (!chunk) throw new Error(`PrefixHasher: offset ${offset} is past the bytes read`);
      const end = chunk.start + chunk.bytes.length;
      const upto = Math.min(end, offset);
      this.hash.update(chunk.bytes.subarray(this.hashedTo - chunk.start, upto - chunk.start));
      this.hashedTo = upto;
      if (upto === end) this.pending.shift();
    }
    return this.hash.copy().digest('hex');
  }
}

export interface CsvRow {
  fields: string[];
  /**
   * The record's exact bytes in the file: from the end of the record before it (empty lines
   * skipped in between included) to its own end, without its line break.
   */
  bytes: Buffer;
  /** Absolute byte offset just past this record (and its line break). */
  end: number;
  /** 1-based line number where the record ends. */
  line: number;
  /**
   * Set for a last record with no line break after it (a file that ends so, or one still being
   * written): where to read again to get it whole, should the file go on after it. `offset` is
   * where its bytes begin, `line` the lines before them.
   */
  unfinished?: { offset: number; line: number };
}

/** A file's inode and modification time. */
export interface FileState {
  ino: number;
  mtimeMs: number;
}

/**
 * A program that writes the file in place while kx reads it (a script's `to_csv` over the
 * export it wrote an hour ago, from another cron job) cuts it short and writes it again: the
 * rows kx reads then are of no one version of the file, and a line across the cut may join
 * two. Returns the error when the file `opened` is now shorter than `end`, the bytes read. A
 * file replaced by a rename is no harm: kx reads the one it opened to its end.
 */
export function cutShort(path: string, opened: FileState, end: number): KxError | null {
  return cutBelow(path, stillOpened(path, opened), end);
}

function cutBelow(path: string, now: Stats | null, end: number): KxError | null {
  return now && now.size < end
    ? changedWhileRead(path, `was cut to ${now.size} bytes (kx had read ${end})`)
    : null;
}

/**
 * The file at `path` now, if it is still the one `opened` (not removed, not replaced by a
 * rename): only writes to that one can change what kx reads.
 */
function stillOpened(path: string, opened: FileState): Stats | null {
  try {
    const now = statSync(path);
    return now.ino === opened.ino ? now : null;
  } catch {
    return null;
  }
}

function changedWhileRead(path: string, how: string): KxError {
  return new KxError(
    'input',
    `${path} ${how} while kx read it: a program is writing it in place. The rows read before ` +
      'the last checkpoint are committed; run `kx ingest` again once the file is complete, and ' +
      'it is read again from the start (unchanged rows are skipped)',
    { context: { file: path } },
  );
}

/**
 * At the end of a read: bytes this read took, [start, end), that are no longer those of the
 * file (rewritten in place to the same length or longer) are an error too. Only a file whose
 * modification time moved is read again to compare, and only that range: one appended to
 * while every run reads it costs what the run read, not the whole file. (The bytes before
 * `start` were checked against the cursor when the read began; rewritten since, they fail the
 * next run's check, which reads the file again from the top.)
 */
async function checkNotRewritten(
  path: string,
  opened: FileState,
  range: { start: number; end: number; sha256: Hash },
): Promise<void> {
  const { start, end } = range;
  const now = stillOpened(path, opened);
  const cut = cutBelow(path, now, end);
  if (cut) throw cut;
  if (!now || now.mtimeMs === opened.mtimeMs || end === start) return;
  const again = createHash('sha256');
  for await (const chunk of createReadStream(path, { start, end: end - 1 }))
    again.update(chunk as Buffer);
  if (again.digest('hex') !== range.sha256.digest('hex'))
    throw changedWhileRead(path, `changed within the ${end} bytes kx had read`);
}

export interface ReadOptions {
  path: string;
  start: number;
  /** Lines before `start` (so reported line numbers stay absolute). */
  lineBase: number;
  delimiter: string;
  /** Hashes what is read, for the cursor; a read that keeps no cursor passes none. */
  hasher?: PrefixHasher;
  /** The file as it was opened: with `hasher`, a file rewritten meanwhile fails the read's end. */
  opened?: FileState;
}

/**
 * Streams records from `start`, never holding more than one chunk of the file in memory.
 * Records are taken synchronously as csv-parse finds them (`on_record`), so a parse error
 * never swallows the good records parsed before it in the same chunk.
 */
export async function* readCsvRows(options: ReadOptions): AsyncGenerator<CsvRow> {
  const { path, start, lineBase, delimiter, hasher } = options;
  const found: { record: string[]; bytes: number }[] = [];
  const { parse } = await import('csv-parse'); // when a file is read, not when kx starts
  // Each record's end is read from the parser's running count as it hands the record over:
  // its `info` option would build two objects per record to say the same.
  const parser = parse({
    delimiter,
    bom: start === 0,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (record: unknown) => {
      found.push({ record: record as string[], bytes: parser.info.bytes });
      return null; // collected here; nothing goes through the stream's readable side
    },
  });
  parser.on('error', () => undefined); // surfaced by write/end below
  let position = start;
  // What this read took, to compare with the file at its end (checkNotRewritten)
  const readHash = options.opened && hasher ? createHash('sha256') : undefined;
  /** The line the last record taken ends on; `consumed` counts its line break too. */
  let lastLine = lineBase;
  let consumed = lineBase;
  // The bytes read since the end of the last record taken, which starts at file offset `from`.
  let pending: Buffer = Buffer.alloc(0);
  let from = start;
  function* take(): Generator<CsvRow> {
    for (const { record, bytes: read } of found) {
      const end = start + read;
      const taken = pending.subarray(0, end - from);
      const bytes = withoutLineBreak(taken);
      // Counted here rather than by csv-parse, which counts a CRLF inside quotes as two lines.
      const inside = countLineBreaks(bytes);
      const ended = bytes.length < taken.length;
      const unfinished = ended ? undefined : { offset: from, line: consumed };
      lastLine = consumed + inside + 1;
      consumed += inside + (ended ? 1 : 0);
      pending = pending.subarray(end - from);
      from = end;
      yield { fields: record, bytes, end, line: lastLine, unfinished };
    }
    found.length = 0;
  }
  const input = createReadStream(path, { start, highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      hasher?.push(position, chunk);
      readHash?.update(chunk);
      position += chunk.length;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const error = await new Promise<Error | null | undefined>((resolve) =>
        parser.write(chunk, resolve),
      );
      yield* take();
      if (error) throw toInputError(error, path, lastLine + 1);
    }
    const error = await new Promise<Error | undefined>((resolve) => {
      parser.once('error', resolve);
      parser.once('finish', () => resolve(undefined));
      parser.end();
    });
    // The last record, ended by the end of the file and not a line break, of a file that has
    // gone on since: a writer was mid-line, and its cells may be cut short (`4300` of
    // `43001.5`). It is left for the next run, which reads it whole.
    const last = found.at(-1);
    if (
      options.opened &&
      last &&
      start + last.bytes === position &&
      pending.at(-1) !== 0x0a &&
      pending.at(-1) !== 0x0d &&
      (stillOpened(path, options.opened)?.size ?? 0) > position
    )
      found.pop();
    yield* take();
    if (error) throw toInputError(error, path, lastLine + 1);
    if (options.opened && readHash)
      await checkNotRewritten(path, options.opened, { start, end: position, sha256: readHash });
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** Line breaks in `bytes`: LF, CRLF and a lone CR each count once. */
function countLineBreaks(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) count++;
  for (let i = bytes.indexOf(0x0d); i !== -1; i = bytes.indexOf(0x0d, i + 1))
    if (bytes[i + 1] !== 0x0a) count++;
  return count;
}

/** `bytes` without the one line break (CRLF, LF or CR) that ends it, if any. */
function withoutLineBreak(bytes: Buffer): Buffer {
  let end = bytes.length;
  if (bytes[end - 1] === 0x0a) end--;
  if (bytes[end - 1] === 0x0d) end--;
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}

/** A parse error as an input error at the line where the failing record starts. */
function toInputError(error: unknown, path: string, line: number): KxError {
  const e = error as { code?: string; message?: string };
  const reasons: Record<string, string> = {
    CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (broken quote)',
    CSV_MAX_RECORD_SIZE: `a record is longer than ${MAX_RECORD_BYTES} bytes (an over-long field or a broken quote)`,
    CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote (broken quote)',
  };
  const reason = reasons[e.code ?? ''] ?? e.message ?? String(error);
  return new KxError('input', `${path}:${line}: ${reason}`, {
    cause: error,
    context: { file: path, line },
  });
}
