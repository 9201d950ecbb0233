/**
 * What a file is before it is read as CSV: a file at all (not a pipe, a spreadsheet, an
 * archive or UTF-16), its delimiter, banner lines above its header, yfinance's ticker lines.
 */
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { KxError } from '../../core/errors.js';
import {
  jsonKind,
  looksBinary,
  markupKind,
  otherFormatOf,
  spacedKind,
  standInKind,
} from './file-kinds.js';
import type { CsvField } from './fields.js';
import { mapHeader } from './mapping.js';
import { ONE_FILE_A_RUN } from './params.js';
import type { FileState } from './reader.js';

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
  // Node.js decodes its arguments as UTF-8: a name in Latin-1 (`café` from an old zip) comes
  // with U+FFFD for its bytes, and no file is named so
  if (path.includes('\uFFFD'))
    return (
      ': its name is not valid UTF-8 (each byte that is not shows as \uFFFD), and kx cannot ' +
      'open a file by such a name; rename it to a UTF-8 name, for example with ' +
      'convmv -f latin1 -t utf8 --notest FILE, or mv'
    );
  return '';
}

const SAVE_FIRST = 'save the data to a file first (curl -fLo prices.csv URL, or … > prices.csv)';

/** Checks that `path` is a readable, non-empty CSV file and finds its delimiter and banner. */
export async function sniffCsv(path: string): Promise<CsvShape> {
  const info = await statFile(path);
  const text = headText(path, await readHead(path));
  const lines = text.split(/\r\n|\n|\r/).filter((line) => line.trim() !== '');
  const delimiter = pickDelimiter(lines.slice(0, 20));
  const oneColumn = lines.slice(0, 20).every((line) => DELIMITERS.every((d) => !line.includes(d)));
  const spaced = oneColumn ? spacedKind(lines, path) : undefined;
  if (spaced) throw new KxError('input', `${path}: ${spaced}`, { context: { file: path } });
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

/** The file at `path`, refused when it is none, is no regular file, or is empty. */
async function statFile(path: string): Promise<Stats> {
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
  return info;
}

/**
 * The text of a file's head, refused when it is UTF-16, packed, binary, markup, a stand-in or
 * JSON.
 */
function headText(path: string, head: Buffer): string {
  if (isUtf16(head)) {
    throw new KxError(
      'input',
      `${path}: UTF-16 text, and kx reads CSV files as UTF-8: convert the file first, for ` +
        `example: iconv -f UTF-16 -t UTF-8 ${path} > converted.csv (in Excel: save as "CSV UTF-8")`,
      { context: { file: path } },
    );
  }
  const kind = otherFormatOf(head);
  if (kind) throw new KxError('input', `${path}: ${kind(path)}`, { context: { file: path } });
  if (looksBinary(head)) {
    throw new KxError('input', `${path}: binary data (NUL bytes), not a CSV file`, {
      context: { file: path },
    });
  }
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const markup = markupKind(text);
  if (markup) throw new KxError('input', `${path}: ${markup}`, { context: { file: path } });
  const stand = standInKind(text);
  if (stand) throw new KxError('input', `${path}: ${stand}`, { context: { file: path } });
  const json = jsonKind(text, path);
  if (json) throw new KxError('input', `${path}: ${json}`, { context: { file: path } });
  return text;
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
  if (header === 0) return titlesWithDelimiters(lines, delimiter);
  if (header < 0 || counts.slice(0, header).some((c) => c >= mode)) return 0;
  if (looksLikeData(lines[header]!.split(delimiter))) return 0;
  // A first line that names kx's fields, more of them than the line below it, is the header:
  // the longer lines are rows with an unquoted delimiter in a cell (`US$42,000.50`).
  const named = fieldsNamed(lines[0]!, delimiter).size;
  return named >= 2 && named >= fieldsNamed(lines[header]!, delimiter).size ? 0 : header;
}

/**
 * Titles above the header that split into as many cells as it (`Bitcoin price history, exported
 * 2024-01-06` over `Date,Price`): lines that name no field, before one among the first five that
 * names two or more, a price among them. How many, or 0.
 */
function titlesWithDelimiters(lines: readonly string[], delimiter: string): number {
  if (fieldsNamed(lines[0]!, delimiter).size > 0) return 0;
  for (let i = 1; i < Math.min(lines.length, 5); i++) {
    if (looksLikeData(lines[i]!.split(delimiter))) return 0;
    const fields = fieldsNamed(lines[i]!, delimiter);
    if (fields.size >= 2 && fields.has('price_usd')) return i;
    if (fields.size > 0) return 0;
  }
  return 0;
}

/** The kx fields a line, read as a header, names. */
function fieldsNamed(line: string, delimiter: string): Set<CsvField> {
  const cells = line.split(delimiter).map((cell) => cell.trim().replace(/^"|"$/g, ''));
  return new Set(mapHeader(cells, new Map()).columns.map((column) => column.field));
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
