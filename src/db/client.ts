/**
 * The database kx writes to: the embedded PGlite in a data dir, or a PostgreSQL server when
 * DATABASE_URL is set, behind one handle.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { schema } from './schema.js';
import { createServerDb } from './server.js';
import type { LockWait } from './lock-wait.js';
import { createEmbeddedDb } from './embedded.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface DbOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Shown to a second process that finds the data dir busy. */
  command: string;
  /**
   * For short reads (the API), on a PostgreSQL server: cancels any statement that runs longer
   * (SQLSTATE 57014), and turns JIT compilation off. PGlite cannot interrupt a statement: it
   * runs in this process's one thread.
   */
  statementTimeoutMs?: number;
  /** Told what takes a moment before the database opens (making a new embedded one). */
  notice?: (message: string) => void;
  /** How long to wait for the embedded database's data dir while another kx has it. */
  lockWait?: LockWait;
}

/** A held lock; call to release. */
export type Release = () => Promise<void>;

export interface DbHandle {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** Where the data lives, safe to print (no password). */
  location: string;
  /**
   * Takes the per-source lock without waiting; null if another live process holds it.
   * Server: a session advisory lock, freed by Postgres when the holder's connection dies.
   * PGlite: the data-dir lock already makes this process the only one.
   */
  tryLock(key: string): Promise<Release | null>;
  /**
   * Throws `unavailable` (exit 8, resumable) when the embedded database's disk is nearly full,
   * before a write that could fill it (see PGLITE_MIN_FREE_BYTES). A server guards its own.
   */
  checkSpace(): void;
  /** What the caller should tell its user about the connection (a limit it could not set). */
  warnings?: string[];
  /** The driver's own client: migrations need the driver's own migrator. */
  raw: { kind: 'pglite'; client: PGlite } | { kind: 'postgres'; client: postgres.Sql };
  close(): Promise<void>;
}

export async function createDb(options: DbOptions): Promise<DbHandle> {
  return options.databaseUrl
    ? createServerDb(options.databaseUrl, options.statementTimeoutMs)
    : createEmbeddedDb(options);
}
