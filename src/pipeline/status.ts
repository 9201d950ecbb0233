import { count, desc, eq, sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client.js';
import { assetSources, assets, etlCheckpoints, etlRuns, quotes } from '../db/schema.js';
import type { RunRow } from './runs.js';

export interface RunSummary {
  id: number;
  /** running | succeeded | failed, or `abandoned` for a running run whose process is gone. */
  status: string;
  trigger: string;
  attempts: number;
  resumable: boolean;
  fetched: number;
  loaded: number;
  unchanged: number;
  rejected: number;
  error: { code: string; message: string | null } | null;
  warnings: string[];
  params: Record<string, unknown>;
  startedAt: string;
  finishedAt: string | null;
}

export interface SourceStatus {
  source: string;
  runs: { total: number; succeeded: number; failed: number; running: number };
  lastRun: RunSummary | null;
  lastSuccessAt: string | null;
  resumableRuns: number[];
  checkpoints: {
    stream: string;
    runId: number;
    records: number;
    updatedAt: string;
    cursor: Record<string, unknown>;
  }[];
  listings: number;
  quotes: number;
}

export interface Status {
  database: { driver: string; location: string };
  assets: number;
  sources: SourceStatus[];
}

/** The read model behind `kx status` (and, later, `GET /stats`). Read-only. */
export async function getStatus(handle: DbHandle, sourceNames: readonly string[]): Promise<Status> {
  const { db } = handle;
  const [assetCount] = await db.select({ n: count() }).from(assets);
  const sources: SourceStatus[] = [];
  for (const source of sourceNames) sources.push(await getSourceStatus(handle, source));
  return {
    database: { driver: handle.driver, location: handle.location },
    assets: assetCount?.n ?? 0,
    sources,
  };
}

async function getSourceStatus(handle: DbHandle, source: string): Promise<SourceStatus> {
  const { db } = handle;
  const [totals] = await db
    .select({
      total: count(),
      succeeded: sql<number>`count(*) filter (where ${etlRuns.status} = 'succeeded')::int`,
      failed: sql<number>`count(*) filter (where ${etlRuns.status} = 'failed')::int`,
      running: sql<number>`count(*) filter (where ${etlRuns.status} = 'running')::int`,
      lastSuccessAt: sql<
        string | null
      >`max(${etlRuns.finishedAt}) filter (where ${etlRuns.status} = 'succeeded')`,
    })
    .from(etlRuns)
    .where(eq(etlRuns.source, source));
  const [last] = await db
    .select()
    .from(etlRuns)
    .where(eq(etlRuns.source, source))
    .orderBy(desc(etlRuns.id))
    .limit(1);
  const resumable = await db
    .select({ id: etlRuns.id })
    .from(etlRuns)
    .where(
      sql`${etlRuns.source} = ${source} and ${etlRuns.resumable} and ${etlRuns.status} = 'failed'`,
    )
    .orderBy(etlRuns.id);
  const checkpoints = await db
    .select()
    .from(etlCheckpoints)
    .where(eq(etlCheckpoints.source, source))
    .orderBy(etlCheckpoints.streamKey);
  const [listings] = await db
    .select({ n: count() })
    .from(assetSources)
    .where(eq(assetSources.source, source));
  const [quoteCount] = await db
    .select({ n: count() })
    .from(quotes)
    .where(eq(quotes.source, source));
  return {
    source,
    runs: {
      total: totals?.total ?? 0,
      succeeded: totals?.succeeded ?? 0,
      failed: totals?.failed ?? 0,
      running: totals?.running ?? 0,
    },
    lastRun: last ? await toRunSummary(handle, last) : null,
    lastSuccessAt: toIso(totals?.lastSuccessAt ?? null),
    resumableRuns: resumable.map((r) => r.id),
    checkpoints: checkpoints.map((c) => ({
      stream: c.streamKey,
      runId: c.runId,
      records: c.records,
      updatedAt: c.updatedAt.toISOString(),
      cursor: c.cursor,
    })),
    listings: listings?.n ?? 0,
    quotes: quoteCount?.n ?? 0,
  };
}

/** A `running` run whose source lock is free has lost its process: it is shown as abandoned. */
async function toRunSummary(handle: DbHandle, run: RunRow): Promise<RunSummary> {
  let status = run.status;
  if (status === 'running') {
    const release = await handle.tryLock(`kx:source:${run.source}`);
    if (release) {
      status = 'abandoned';
      await release();
    }
  }
  return {
    id: run.id,
    status,
    trigger: run.trigger,
    attempts: run.attempts,
    resumable: run.resumable || status === 'abandoned',
    fetched: run.fetched,
    loaded: run.loaded,
    unchanged: run.unchanged,
    rejected: run.rejected,
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage } : null,
    warnings: run.warnings,
    params: run.params,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

function toIso(value: string | Date | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
