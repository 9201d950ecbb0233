import type { ListingCheck } from './unified.js';

/** Where a record came from inside its unit of extraction: `{ line }`, `{ page, index }`. */
export type Locator = Record<string, string | number>;

/** A source's own resumable position (CSV: path, byte offset, line, prefix sha256). */
export type Cursor = Record<string, unknown>;

/**
 * One record read from a source: its raw payload (landed as is in the source's `raw_*` table),
 * the unified listing it maps to or the reason it was rejected, and an opaque position the
 * source can turn into a checkpoint cursor.
 */
export interface SourceRecord<P = unknown> {
  locator: Locator;
  sourceId: string | null;
  payload: Record<string, unknown>;
  result: ListingCheck;
  position: P;
  /**
   * How the payload was read into `result` (a CSV's column mapping), when the source decides
   * that: it is part of the record's version, so the same bytes read another way (a corrected
   * `--map`) land again and replace what the old reading loaded.
   */
  readAs?: string;
  /**
   * The last record of a unit fetched over the network (a CoinGecko page). When the next unit
   * is slow to come, the batch commits here while it is fetched, so a crash loses at most the
   * unit in flight.
   */
  endsUnit?: boolean;
}

/** An open read of a source from a cursor. */
export interface SourceStream<P = unknown> {
  records: AsyncIterable<SourceRecord<P>>;
  /**
   * The cursor to store once every record up to and including `position` is committed. The
   * runner asks in reading order; a position before one already asked for need not work.
   */
  cursorAt(position: P): Cursor;
  /** What the run should remember: the header mapping, detected quirks, schema drift so far. */
  describe(): { mapping?: unknown; warnings: string[] };
  /** How far reading is once the record at `position` is read (for a progress display). */
  progressAt?(position: P): ReadProgress;
}

/**
 * How much of a source is read: bytes of a file, pages of a paged API, items of a snapshot
 * fetched whole; `total` when it is known.
 */
export interface ReadProgress {
  done: number;
  total?: number;
  unit: 'bytes' | 'pages' | 'items';
}

/** Where a source can keep a whole upstream response for the run (landed before normalizing). */
export interface SnapshotStore {
  /** The body landed by an earlier attempt of this run, or null. */
  get(): Promise<string | null>;
  /** Stores the body durably before any of its records is committed. */
  land(body: string): Promise<void>;
}

export interface OpenContext {
  /** true for `kx resume`: the stream must continue exactly where the cursor says or fail. */
  resume: boolean;
  /** `--full-refresh`: ignore the cursor and read everything again. */
  fullRefresh: boolean;
  warn(message: string): void;
  snapshot: SnapshotStore;
  /** Call before every upstream request (retries too): counts it, and throws when the call budget is spent. */
  spendCall(): Promise<void>;
  /** A stop request (SIGINT, SIGTERM): upstream requests and waits in flight are abandoned. */
  stop?: AbortSignal | undefined;
}

/**
 * A source is a plain object: it reads and maps, it never touches the database.
 * The runner (src/pipeline) owns runs, checkpoints, transactions and counters.
 */
export interface Source<Params = Record<string, unknown>, P = unknown> {
  name: string;
  /** The `raw_*` table its payloads land in. */
  rawTable: 'raw_csv' | 'raw_coingecko' | 'raw_coinpaprika';
  /** Validates the run parameters (from flags, or from the stored run on resume). */
  parseParams(input: Record<string, unknown>): Params;
  /** Names the stream a checkpoint belongs to (a CSV file's real path; `markets` for an API). */
  streamKey(params: Params): string;
  /**
   * `stream`: a new run continues from the last checkpoint of the stream (CSV: read only what
   * was appended). `run`: every run starts afresh and only a resume of the same run continues.
   */
  cursorScope: 'stream' | 'run';
  open(params: Params, cursor: Cursor | null, context: OpenContext): Promise<SourceStream<P>>;
}

export function defineSource<Params, P>(source: Source<Params, P>): Source<Params, P> {
  return source;
}
