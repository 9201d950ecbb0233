import { count, desc, eq, sql } from 'drizzle-orm';
import type { Db, DbHandle } from '../db/client.js';
import { assetSources, assets, etlCheckpoints, etlRuns, quotes } from '../db/schema.js';
import { currentMonth, getCallsThisMonth } from '../engine/budget.js';
import { sourceLockKey, type RunRow } from '../engine/runs.js';

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
  /** Sums over all runs. */
  records: { fetched: number; loaded: number; unchanged: number; rejected: number };
  /** Wall time of finished runs, first start to last finish. */
  durations: { lastMs: number | null; avgMs: number | null; maxMs: number | null };
  lastRun: RunSummary | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
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
  /** Upstream calls this calendar month (UTC), and the budget when one is set. */
  calls: { month: string; used: number; budget: number | null };
}

export interface Status {
  database: { driver: string; location: string };
  assets: number;
  /** How many assets are listed by 1, 2, 3… sources. */
  assetsBySourceCount: Record<string, number>;
  sources: SourceStatus[];
}

/** The read model behind `kx status`, `GET /stats` and `GET /metrics`. Read-only. */
export async function getStatus(
  handle: DbHandle,
  sourceNames: readonly string[],
  budgets: Record<string, number | undefined> = {},
): Promise<Status> {
  const { db } = handle;
  const [assetCount] = await db.select({ n: count() }).from(assets);
  const sources: SourceStatus[] = [];
  for (const source of sourceNames)
    sources.push(await getSourceStatus(handle, source, budgets[source]));
  const linked = await db
    .select({ sources: sql<number>`n`, assets: sql<number>`count(*)::int` })
    .from(
      db
        .select({ n: sql<number>`count(distinct ${assetSources.source})::int`.as('n') })
        .from(assetSources)
        .groupBy(assetSources.assetId)
        .as('per_asset'),
    )
    .groupBy(sql`n`)
    .orderBy(sql`n`);
  return {
    database: { driver: handle.driver, location: handle.location },
    assets: assetCount?.n ?? 0,
    assetsBySourceCount: Object.fromEntries(linked.map((r) => [String(r.sources), r.assets])),
    sources,
  };
}

async function getSourceStatus(
  handle: DbHandle,
  source: string,
  budget: number | undefined,
): Promise<SourceStatus> {
  const { db } = handle;
  const totals = await getRunTotals(db, source);
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
  return {
    source,
    runs: totals.runs,
    records: totals.records,
    durations: {
      lastMs: last?.finishedAt ? last.finishedAt.getTime() - last.startedAt.getTime() : null,
      avgMs: totals.avgMs,
      maxMs: totals.maxMs,
    },
    lastRun: last ? await toRunSummary(handle, last) : null,
    lastSuccessAt: totals.lastSuccessAt,
    lastFailureAt: totals.lastFailureAt,
    resumableRuns: resumable.map((r) => r.id),
    checkpoints: await getCheckpoints(db, source),
    ...(await countRows(db, source)),
    calls: {
      month: currentMonth(),
      used: await getCallsThisMonth(db, source),
      budget: budget ?? null,
    },
  };
}

/** A source's runs counted by status, their records summed, their durations and last outcomes. */
async function getRunTotals(
  db: Db,
  source: string,
): Promise<
  Pick<SourceStatus, 'runs' | 'records' | 'lastSuccessAt' | 'lastFailureAt'> & {
    avgMs: number | null;
    maxMs: number | null;
  }
> {
  const [totals] = await db
    .select({
      total: count(),
      succeeded: sql<number>`count(*) filter (where ${etlRuns.status} = 'succeeded')::int`,
      failed: sql<number>`count(*) filter (where ${etlRuns.status} = 'failed')::int`,
      running: sql<number>`count(*) filter (where ${etlRuns.status} = 'running')::int`,
      lastSuccessAt: sql<
        string | null
      >`max(${etlRuns.finishedAt}) filter (where ${etlRuns.status} = 'succeeded')`,
      lastFailureAt: sql<
        string | null
      >`max(${etlRuns.finishedAt}) filter (where ${etlRuns.status} = 'failed')`,
      fetched: sql<number>`coalesce(sum(${etlRuns.fetched}), 0)::int`,
      loaded: sql<number>`coalesce(sum(${etlRuns.loaded}), 0)::int`,
      unchanged: sql<number>`coalesce(sum(${etlRuns.unchanged}), 0)::int`,
      rejected: sql<number>`coalesce(sum(${etlRuns.rejected}), 0)::int`,
      avgMs: sql<
        number | null
      >`(avg(extract(epoch from ${etlRuns.finishedAt} - ${etlRuns.startedAt})) * 1000)::int`,
      maxMs: sql<
        number | null
      >`(max(extract(epoch from ${etlRuns.finishedAt} - ${etlRuns.startedAt})) * 1000)::int`,
    })
    .from(etlRuns)
    .where(eq(etlRuns.source, source));
  return {
    runs: {
      total: totals?.total ?? 0,
      succeeded: totals?.succeeded ?? 0,
      failed: totals?.failed ?? 0,
      running: totals?.running ?? 0,
    },
    records: {
      fetched: totals?.fetched ?? 0,
      loaded: totals?.loaded ?? 0,
      unchanged: totals?.unchanged ?? 0,
      rejected: totals?.rejected ?? 0,
    },
    avgMs: totals?.avgMs ?? null,
    maxMs: totals?.maxMs ?? null,
    lastSuccessAt: toIso(totals?.lastSuccessAt ?? null),
    lastFailureAt: toIso(totals?.lastFailureAt ?? null),
  };
}

/** A source's checkpoints, one per stream, in stream order. */
async function getCheckpoints(db: Db, source: string): Promise<SourceStatus['checkpoints']> {
  const checkpoints = await db
    .select()
    .from(etlCheckpoints)
    .where(eq(etlCheckpoints.source, source))
    .orderBy(etlCheckpoints.streamKey);
  return checkpoints.map((c) => ({
    stream: c.streamKey,
    runId: c.runId,
    records: c.records,
    updatedAt: c.updatedAt.toISOString(),
    cursor: c.cursor,
  }));
}

/** How many listings and quotes a source has. */
async function countRows(db: Db, source: string): Promise<{ listings: number; quotes: number }> {
  const [listings] = await db
    .select({ n: count() })
    .from(assetSources)
    .where(eq(assetSources.source, source));
  const [quoteCount] = await db
    .select({ n: count() })
    .from(quotes)
    .where(eq(quotes.source, source));
  return { listings: listings?.n ?? 0, quotes: quoteCount?.n ?? 0 };
}

/** A `running` run whose source lock is free has lost its process: it is shown as abandoned. */
export async function toRunSummary(handle: DbHandle, run: RunRow): Promise<RunSummary> {
  let status = run.status;
  if (status === 'running') {
    const release = await handle.tryLock(sourceLockKey(run.source));
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
