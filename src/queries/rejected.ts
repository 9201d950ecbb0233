import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Locator } from '../core/source.js';
import type { Db } from '../db/client.js';
import { etlRuns, rejectedRecords } from '../db/schema.js';

/** A record validation or the database refused: where it was, why, and what it said. */
export interface RejectedRecord {
  id: number;
  run_id: number;
  source: string;
  locator: Locator;
  source_id: string | null;
  field: string | null;
  reason: string;
  /**
   * The record as its source gave it (a CSV row by its header's names, an API item), as JSON
   * text: its numbers stay exact (an integer above 2^53, `4.2e+17`).
   */
  record: string;
  rejected_at: string;
}

export interface RejectedQuery {
  runId?: number | undefined;
  source?: string | undefined;
  /** Keyset: the records after this id, oldest first. */
  afterId?: number | undefined;
  limit: number;
}

/** Whether run `id` exists: no rejected records of a missing run is not an empty answer. */
export async function runExists(db: Db, id: number): Promise<boolean> {
  const [run] = await db.select({ id: etlRuns.id }).from(etlRuns).where(eq(etlRuns.id, id));
  return run !== undefined;
}

/** Rejected records in the order they were rejected. */
export async function listRejected(db: Db, query: RejectedQuery): Promise<RejectedRecord[]> {
  const r = rejectedRecords;
  const rows = await db
    .select({
      id: r.id,
      runId: r.runId,
      source: r.source,
      locator: r.locator,
      sourceId: r.sourceId,
      field: r.field,
      reason: r.reason,
      record: sql<string>`${r.raw}::text`,
      createdAt: r.createdAt,
    })
    .from(r)
    .where(
      and(
        query.runId === undefined ? undefined : eq(r.runId, query.runId),
        query.source === undefined ? undefined : eq(r.source, query.source),
        query.afterId === undefined ? undefined : gt(r.id, query.afterId),
      ),
    )
    .orderBy(asc(r.id))
    .limit(query.limit);
  return rows.map((row) => ({
    id: row.id,
    run_id: row.runId,
    source: row.source,
    locator: row.locator,
    source_id: row.sourceId,
    field: row.field,
    reason: row.reason,
    record: row.record,
    rejected_at: row.createdAt.toISOString(),
  }));
}

/**
 * A rejected record as JSON, its `record` written as stored: `JSON.parse` and `stringify` would
 * round its numbers (an integer above 2^53, `4.2e+17`).
 */
export function rejectedToJson({ record, ...rest }: RejectedRecord): string {
  return `${JSON.stringify(rest).slice(0, -1)},"record":${record}}`;
}

/**
 * Where a record was, as a person looks for it: `prices.csv:14` for a file's line (an editor
 * opens it there), `page 2, index 17` for an API item.
 */
export function describeLocator(locator: Locator): string {
  const { file, line, ...rest } = locator;
  const where = Object.entries(rest).map(([key, value]) => `${key} ${value}`);
  if (file !== undefined) where.unshift(line === undefined ? String(file) : `${file}:${line}`);
  else if (line !== undefined) where.unshift(`line ${line}`);
  return where.join(', ');
}
