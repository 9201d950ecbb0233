import type { SettingSpec } from './settings.js';
import type { ListingCheck } from './unified.js';

/** Where a record came from inside its unit of extraction: `{ line }`, `{ page, index }`. */
export type Locator = Record<string, string | number>;

/** A source's own resumable position (CSV: path, byte offset, line, prefix sha256). */
export type Cursor = Record<string, unknown>;

/**
 * One record read from a source: its raw payload (landed as is in the source's `raw_*` table;
 * a file's record lands as its `line`, and its payload is what a rejection stores), the
 * unified listing it maps to or the reason it was rejected, and an opaque position the source
 * can turn into a checkpoint cursor.
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
   * The record as a line of a file, for a source whose raw table keeps lines (`raw_csv`): its
   * exact bytes are its raw payload, stored with the file version it was read from.
   */
  line?: RawLine;
  /**
   * The last record of a unit fetched over the network (a CoinGecko page). When the next unit
   * is slow to come, the batch commits here while it is fetched, so a crash loses at most the
   * unit in flight.
   */
  endsUnit?: boolean;
}

/** A record's exact bytes in its file, and where they are. */
export interface RawLine {
  file: FileVersion;
  /** 1-based line number where the record ends. */
  number: number;
  bytes: Buffer;
}

/**
 * What a file's lines are read with: stored once (`raw_csv_files`), not on every line. The
 * same object for every line read with it.
 */
export interface FileVersion {
  path: string;
  /** The header line's exact bytes; null when the columns were named by a flag. */
  header: Buffer | null;
  /** The names the cells are read by (the header's cells, or the flag's names). */
  columns: readonly string[];
  delimiter: string;
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
  /**
   * Set when reading starts where the stored cursor left off (a CSV file's appended lines), so
   * that what the stream holds is also what the runs before read: the last line of the input
   * the cursor covers. Absent when reading starts from the beginning.
   */
  continues?: { afterLine: number };
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
  /** A wait before the next upstream call begins (the rate limit, a retry's backoff). */
  onWait?: ((wait: UpstreamWait) => void) | undefined;
}

/** `retry 2 of 5` … `in 3.1 s` … ` after HTTP 503`: what a wait is, for a progress display. */
export interface UpstreamWait {
  /** What is waited for: `rate limit: next call`, `retry 2 of 5`. */
  what: string;
  /** Why, if there is more to say: `after HTTP 503`. */
  why?: string;
  ms: number;
}

/**
 * A source is a plain object: it reads and maps, it never touches the database.
 * The runner (src/pipeline) owns runs, checkpoints, transactions and counters.
 */
export interface Source<Params = Record<string, unknown>, P = unknown> {
  name: string;
  /** The `raw_*` table its payloads land in (declared in db/schema.ts, made by a migration). */
  rawTable: `raw_${string}`;
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

/** How the HTTP client of an API source retries and waits (KX_HTTP_*). */
export interface HttpSettings {
  timeoutMs: number;
  /** Retries after the first try (so maxRetries + 1 requests at most). */
  maxRetries: number;
  /** First backoff delay; doubles per retry, with jitter. */
  retryBaseMs: number;
  /** Upper bound for one wait, whatever Retry-After asks. */
  maxWaitMs: number;
  /** Upper bound for all waits of one request. */
  maxTotalWaitMs: number;
  /** The largest body read: past it, an answer is refused (it is no list of coins). */
  maxBodyBytes: number;
  /** The proxies of the environment (`https_proxy`, `http_proxy`, `no_proxy`); null: none. */
  proxy: HttpProxy | null;
}

export interface HttpProxy {
  http?: string;
  https?: string;
  /** Hosts reached directly, as `no_proxy` lists them. */
  noProxy?: string;
}

/** A `kx ingest` option of one source, and the run parameter it sets (its camelCase name). */
export interface SourceFlag {
  /** commander's form: `--file <path>`; the parameter is `file`, `--date-format` sets `dateFormat`. */
  flags: string;
  help: string;
  /** Given again, it adds to a list (`--map A=b --map C=d`). */
  repeatable?: boolean;
  /** What to do instead of giving it twice, said when it is (`--file`: a run reads one file). */
  once?: string;
  /** A whole number of 1 or more, checked as flags are parsed. */
  positiveInteger?: boolean;
}

/** What every source is made with, besides its own settings. */
export interface SharedSettings {
  http: HttpSettings;
  /** Where a source's warnings outside a run go (a retry, a Retry-After capped). */
  log: (message: string) => void;
}

/**
 * A source as the registry holds it: its name, the settings it reads from its own variables,
 * whether `kx serve --schedule` may run it, which setting is its monthly call budget, and how
 * to make it. Config, `--help`, `kx status`, `/stats` and the schedule come from here.
 */
export interface SourceEntry<S = Record<string, unknown>, N extends string = string> {
  name: N;
  settings: { [K in keyof S]: SettingSpec<S[K]> };
  /** An API can be run on an interval; a file cannot. */
  schedulable: boolean;
  /** The setting that caps its upstream calls per month, if it has one. */
  budget?: keyof S & string;
  /** Its `kx ingest` options; another source's option given with it is a usage error. */
  flags: SourceFlag[];
  /** How identity weighs its listings (see IdentityRole). */
  identity: IdentityRole;
  create(settings: S, shared: SharedSettings): Source<unknown, unknown>;
}

export function defineSourceEntry<S, N extends string>(
  entry: SourceEntry<S, N>,
): SourceEntry<S, N> {
  return entry;
}

/**
 * How identity (identity/rules.ts) weighs a source's listings. A `catalogue` (an API) lists
 * each coin once, under an id of its own, and its records' `slug` is comparable with other
 * catalogues' slugs. A `file` may list one coin many times (several files, several names),
 * and its records' `slug` is an explicit id column naming a catalogue listing by its id.
 */
export type IdentityRole = 'catalogue' | 'file';

/** Every source's identity role, from the registry; what identity resolution is given. */
export interface IdentityPolicy {
  /** Catalogue sources, most trusted first: an asset shows the symbol and name of the first. */
  catalogues: readonly string[];
}

/** The policy of a registry: its catalogues in registry order. */
export function identityPolicyOf(
  entries: readonly Pick<SourceEntry, 'name' | 'identity'>[],
): IdentityPolicy {
  return { catalogues: entries.filter((e) => e.identity === 'catalogue').map((e) => e.name) };
}
