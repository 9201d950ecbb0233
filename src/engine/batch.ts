/**
 * Batches of records made ready to load, outside any transaction: the records read grouped
 * into batches (`toBatches`), each valid record a row of `kx_stage` in COPY text (its payload
 * or line, its hash, its listing), each rejected one a row of `rejected_records`.
 */
import crypto, { createHash } from 'node:crypto';
import { jsonTextProblem, toStorableJsonText, toStorableText } from '../core/domain.js';
import { toJsonText } from '../core/json.js';
import type { FileVersion, RawLine, SourceRecord } from '../core/source.js';
import { toNameKey, type UnifiedListing } from '../core/unified.js';
import { fromCopyField, toCopyField } from '../db/sql.js';

/** A batch turned into what loadBatch sends: no transaction needed, so it is built ahead. */
export interface PreparedBatch {
  size: number;
  /** `kx_stage` rows of the valid records, in COPY text format. */
  staged: string[];
  /** `rejected_records` rows as JSON objects. */
  rejected: string[];
  /** The file versions of the staged lines, by key (hex); empty for a source of JSON payloads. */
  files: Map<string, FileVersion>;
}

/** Empty batch: records are added one by one as they are read. */
export function newBatch(): PreparedBatch {
  return { size: 0, staged: [], rejected: [], files: new Map() };
}

/**
 * Serializes and hashes one record into `batch`, outside any transaction. Done as each record
 * is read, a batch holds only these rows, not the parsed records. A record read as a line
 * (`SourceRecord.line`) is staged as its bytes; its payload is serialized only to quarantine it.
 */
export function addToBatch(batch: PreparedBatch, record: SourceRecord): void {
  batch.size++;
  if (record.line && record.result.ok) {
    const key = fileKey(record.line.file);
    batch.files.set(key, record.line.file);
    batch.staged.push(
      toStageLine(batch.staged.length, record, record.result.listing, {
        payload: `\\x${record.line.bytes.toString('hex')}`,
        hash: lineHash(record.line, record.readAs),
        file: key,
        line: record.line.number,
      }),
    );
    return;
  }
  const text = toJsonText(record.payload);
  const payloadProblem = jsonTextProblem(text);
  if (record.result.ok && !payloadProblem) {
    const hash = toPayloadHash(record.readAs === undefined ? text : `${record.readAs}\n${text}`);
    batch.staged.push(
      toStageLine(batch.staged.length, record, record.result.listing, { payload: text, hash }),
    );
    return;
  }
  const rejection = record.result.ok
    ? { reason: `payload ${payloadProblem}`, field: null }
    : { reason: record.result.reason, field: record.result.field ?? null };
  addRejected(batch, { locator: record.locator, sourceId: record.sourceId, ...rejection }, text);
}

/** A `rejected_records` row; its payload is made storable (jsonb refuses `\u0000`). */
function addRejected(
  batch: PreparedBatch,
  record: { locator: unknown; sourceId: string | null; reason: string; field: string | null },
  payload: string,
): void {
  const row = JSON.stringify({
    o: batch.rejected.length,
    l: record.locator,
    i: record.sourceId === null ? null : toStorableText(record.sourceId),
    reason: toStorableText(record.reason),
    field: record.field,
  });
  batch.rejected.push(`${row.slice(0, -1)},"p":${toStorableJsonText(payload)}}`);
}

/**
 * The batch with the staged records at `refused` (index → the database's reason) moved to the
 * rejected rows: they are quarantined like records that failed validation.
 */
export function rejectStaged(batch: PreparedBatch, refused: Map<number, string>): PreparedBatch {
  const next: PreparedBatch = { ...batch, staged: [], rejected: [...batch.rejected] };
  batch.staged.forEach((line, index) => {
    const reason = refused.get(index);
    if (reason === undefined) {
      next.staged.push(line);
      return;
    }
    // The kx_stage columns o, l, i, p, h, f, ln (see STAGE_COLUMNS); a line's p is its bytes.
    const [, locator, sourceId, payload, , file, number] = line.split('\t', 7).map(fromCopyField);
    const record = {
      locator: file
        ? { file: batch.files.get(file)?.path ?? '', line: Number(number) }
        : (JSON.parse(locator ?? 'null') as unknown),
      sourceId: sourceId ?? null,
      field: null,
    };
    const json = file
      ? JSON.stringify({ line: Buffer.from(payload!.slice(2), 'hex').toString('utf8') })
      : (payload ?? 'null');
    addRejected(next, { ...record, reason: `the database refused it: ${reason}` }, json);
  });
  return next;
}

/**
 * A payload's hash: the first 128 bits of the sha256 of the payload as landed, preceded by
 * how it was read when the source says (`SourceRecord.readAs`): the identity of a record
 * version. In the form of bytea input.
 */
export function toPayloadHash(text: string): string {
  return toByteaText(sha256Hex(text));
}

/**
 * A line's hash: of how it was read, its file version's column names, and its bytes (each
 * byte one Latin-1 character of the hashed text, so any bytes hash as they are). One call per
 * line, without a Hash object: a third of the time of copying a hash of the prefix.
 */
function lineHash(line: RawLine, readAs: string | undefined): string {
  let byReading = linePrefixes.get(line.file);
  if (!byReading) linePrefixes.set(line.file, (byReading = new Map<string, string>()));
  let prefix = byReading.get(readAs ?? '');
  if (prefix === undefined) {
    prefix = `${readAs ?? ''}\n${JSON.stringify(line.file.columns)}\n`;
    byReading.set(readAs ?? '', prefix);
  }
  return toByteaText(sha256Hex(prefix + line.bytes.toString('latin1')));
}
const linePrefixes = new WeakMap<FileVersion, Map<string, string>>();

/** sha256 of text as UTF-8, in hex: one call where Node has `crypto.hash` (20.12 and later). */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex');

/** A file version's key in `raw_*_files`: the hash of its path, header, columns and delimiter. */
function fileKey(file: FileVersion): string {
  let key = fileKeys.get(file);
  if (key === undefined) {
    const what = [file.path, file.header?.toString('hex') ?? null, file.columns, file.delimiter];
    key = toByteaText(sha256Hex(JSON.stringify(what)));
    fileKeys.set(file, key);
  }
  return key;
}
const fileKeys = new WeakMap<FileVersion, string>();

/** The first 128 bits of a hex digest as bytea input (`\x…`). */
function toByteaText(hex: string): string {
  return `\\x${hex.slice(0, 32)}`;
}

/** What a record lands as: its payload and hash, and for a line, its file version and number. */
interface Landed {
  payload: string;
  hash: string;
  file?: string;
  line?: number;
}

/**
 * One `kx_stage` row. Values stay text (COPY's cheapest form) and are cast where a statement
 * needs them; `t` is `toISOString()`, so equal text is an equal instant.
 */
function toStageLine(o: number, record: SourceRecord, l: UnifiedListing, raw: Landed): string {
  const fields = [
    o,
    // A line's locator is its file version and number (f, ln): rejectStaged makes it again.
    raw.file === undefined ? toCopyField(JSON.stringify(record.locator)) : '\\N',
    toCopyField(l.sourceId),
    raw.file === undefined ? toCopyField(raw.payload) : toCopyBytea(raw.payload),
    toCopyBytea(raw.hash),
    raw.file === undefined ? '\\N' : toCopyBytea(raw.file),
    raw.line ?? '\\N',
  ];
  return [
    ...fields,
    ...[l.symbol, l.name, l.name ? toNameKey(l.name) || null : null, l.slug, l.rank]
      .concat([l.priceUsd, l.marketCapUsd, l.volume24hUsd, l.circulatingSupply])
      .concat([l.totalSupply, l.maxSupply, l.percentChange24h, l.observedAt.toISOString()])
      .map(toCopyField),
  ].join('\t');
}

/** bytea input (`\\x` and hex digits) as a COPY field: its one backslash doubled. */
function toCopyBytea(bytea: string): string {
  return `\\${bytea}`;
}

/**
 * Groups records into prepared batches, each with the position of its last record;
 * with a limit, the last batch ends exactly at the limit. After the end of a unit fetched over
 * the network (a CoinGecko page), a batch that would wait more than UNIT_WAIT_MS for the next
 * unit is handed over first: the pages in hand are committed while the next one is fetched,
 * so a crash or a kill loses at most the page in flight, and unthrottled fetches still fill
 * whole batches. Reading hands the event loop back every few dozen records, so that while it
 * runs ahead, the statements of the batch being committed are still sent the moment the
 * database answers.
 */
export async function* toBatches(
  records: AsyncIterable<SourceRecord>,
  size: number,
  limit: number | null,
  onRead?: (records: number, position: unknown) => void,
): AsyncGenerator<{ batch: PreparedBatch; last: unknown }> {
  const reader = records[Symbol.asyncIterator]();
  let batch = newBatch();
  let last: unknown;
  let taken = 0;
  let unitEnded = false;
  let fetching = false; // a batch is handed over while the next unit is still being fetched
  try {
    for (;;) {
      const next = reader.next();
      if (unitEnded && batch.size > 0 && (await isSlow(next, UNIT_WAIT_MS))) {
        fetching = true;
        yield { batch, last };
        fetching = false;
        batch = newBatch();
      }
      const step = await next;
      if (step.done) break;
      const record = step.value;
      addToBatch(batch, record);
      last = record.position;
      unitEnded = record.endsUnit === true;
      taken++;
      if (taken % YIELD_EVERY === 0) {
        onRead?.(taken, last);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (batch.size === size || taken === limit) {
        yield { batch, last };
        batch = newBatch();
        if (taken === limit) return;
      }
    }
  } catch (error) {
    // A read error (a broken row) still commits the good records before it, so the checkpoint
    // stops right at the problem.
    if (batch.size > 0) yield { batch, last };
    throw error;
  } finally {
    // Stops the source (closes the file); a fetch still in flight when the commit before it
    // failed is not waited for.
    const stopped = reader.return?.();
    if (fetching) void stopped?.catch(() => undefined);
    else await stopped;
  }
  if (batch.size > 0) yield { batch, last };
}

/** Whether `promise` is still pending after `ms` (its rejection is left to whoever awaits it). */
async function isSlow(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => false,
        () => false,
      ),
      slow,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a batch waits for the next network unit before it is committed without it. */
const UNIT_WAIT_MS = 200;

const YIELD_EVERY = 32;
