/**
 * A CSV file's records read as they are written: exact bytes, lines counted, the prefix
 * hashed for the checkpoint, and a file cut short or rewritten while read refused.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, statSync, type Stats } from 'node:fs';
import { KxError } from '../../core/errors.js';

/** Largest record we accept: a legitimate market-data row is a few KB; more means a runaway quote. */
export const MAX_RECORD_BYTES = 1 << 20;

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
  const found: ParsedRecord[] = [];
  const parser = await createParser(delimiter, start === 0, found);
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
      yield { fields: shownText(record), bytes, end, line: lastLine, unfinished };
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
      last &&
      start + last.bytes === position &&
      mayBeUnfinished(path, options.opened, pending, position)
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

/**
 * Each cell as a spreadsheet shows it: Excel's text formula `="00123"`, which exports write to
 * keep Excel from reformatting a cell (leading zeros, long numbers, dates), is its text. The raw
 * line keeps the cell as written.
 */
function shownText(fields: string[]): string[] {
  for (let i = 0; i < fields.length; i++) {
    const cell = fields[i]!;
    if (cell.charCodeAt(0) === 0x3d && FORMULA_TEXT.test(cell))
      fields[i] = cell.slice(2, -1).replaceAll('""', '"');
  }
  return fields;
}

/** `="…"`, the text inside with its quotes doubled. */
const FORMULA_TEXT = /^="(?:[^"]|"")*"$/s;

/** A record as csv-parse hands it over, with the bytes it had parsed by then. */
interface ParsedRecord {
  record: string[];
  bytes: number;
}

/**
 * csv-parse, loaded when a file is read (not when kx starts), collecting its records into
 * `found`. Each record's end is read from the parser's running count as it hands the record
 * over: its `info` option would build two objects per record to say the same.
 */
async function createParser(delimiter: string, bom: boolean, found: ParsedRecord[]) {
  const { parse } = await import('csv-parse');
  const parser = parse({
    delimiter,
    bom,
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
  return parser;
}

/**
 * Whether a record that ends where the read ended (at `position`, `pending` the bytes since
 * the record before it) may be unfinished: it ends without a line break, in a file that has
 * gone on since it was opened.
 */
function mayBeUnfinished(
  path: string,
  opened: FileState | undefined,
  pending: Buffer,
  position: number,
): boolean {
  return (
    opened !== undefined &&
    pending.at(-1) !== 0x0a &&
    pending.at(-1) !== 0x0d &&
    (stillOpened(path, opened)?.size ?? 0) > position
  );
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
