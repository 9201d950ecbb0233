import { desc, eq, sql } from 'drizzle-orm';
import { KxError } from '../core/errors.js';
import type { Db, DbHandle } from '../db/client.js';
import {
  etlRunAttempts,
  etlRunListings,
  etlRuns,
  quotes,
  rawTables,
  rejectedRecords,
} from '../db/schema.js';
import { anyBigint, selectRows } from '../db/sql.js';
import { getRun, type RunRow } from '../engine/runs.js';
import { toRunSummary, type RunSummary } from './status.js';

export interface RunDetail extends RunSummary {
  source: string;
  stream_key: string;
  mapping: unknown;
  attempts_detail: {
    attempt: number;
    trigger: string;
    status: string;
    records: number;
    error: { code: string; message: string | null } | null;
    started_at: string;
    finished_at: string | null;
  }[];
  /** The first rejected records, with where they were and why. */
  rejected_sample: {
    locator: Record<string, string | number>;
    source_id: string | null;
    field: string | null;
    reason: string;
  }[];
}

/** How many rejected records a run's detail shows. */
const REJECTED_SAMPLE = 20;

/** Latest runs first; the same summaries `kx status` shows. */
export async function getRunList(
  handle: DbHandle,
  options: { limit: number; source?: string | undefined },
): Promise<(RunSummary & { source: string; stream_key: string })[]> {
  const rows = await handle.db
    .select()
    .from(etlRuns)
    .where(options.source ? eq(etlRuns.source, options.source) : undefined)
    .orderBy(desc(etlRuns.id))
    .limit(options.limit);
  return Promise.all(
    rows.map(async (run) => ({
      source: run.source,
      stream_key: run.streamKey,
      ...(await toRunSummary(handle, run)),
    })),
  );
}

export async function getRunDetail(handle: DbHandle, id: number): Promise<RunDetail | undefined> {
  const run = await getRun(handle.db, id);
  if (!run) return undefined;
  const attempts = await handle.db
    .select()
    .from(etlRunAttempts)
    .where(eq(etlRunAttempts.runId, id))
    .orderBy(etlRunAttempts.attempt);
  const rejected = await handle.db
    .select({
      locator: rejectedRecords.locator,
      sourceId: rejectedRecords.sourceId,
      field: rejectedRecords.field,
      reason: rejectedRecords.reason,
    })
    .from(rejectedRecords)
    .where(eq(rejectedRecords.runId, id))
    .orderBy(rejectedRecords.id)
    .limit(REJECTED_SAMPLE);
  return {
    source: run.source,
    stream_key: run.streamKey,
    ...(await toRunSummary(handle, run)),
    mapping: run.mapping,
    attempts_detail: attempts.map((a) => ({
      attempt: a.attempt,
      trigger: a.trigger,
      status: a.status,
      records: a.records,
      error: a.errorCode ? { code: a.errorCode, message: a.errorMessage } : null,
      started_at: a.startedAt.toISOString(),
      finished_at: a.finishedAt?.toISOString() ?? null,
    })),
    rejected_sample: rejected.map((r) => ({
      locator: r.locator,
      source_id: r.sourceId,
      field: r.field,
      reason: r.reason,
    })),
  };
}

/** Thresholds of `compareRuns`: a drop of 10% of records, 5 points more rejects, a 50% price move. */
const RECORD_DROP = 0.1;
const REJECT_JUMP = 0.05;
const PRICE_MOVE = 0.5;

export interface Anomaly {
  kind:
    | 'record_count_drop'
    | 'rejected_share_jump'
    | 'coins_vanished'
    | 'coins_appeared'
    | 'price_move';
  message: string;
  details: Record<string, unknown>;
}

/**
 * A run as compared: what its stream held as of its end. A run that read its stream from the
 * start is that alone; one that read on from another run's checkpoint (a CSV file's appended
 * lines, or nothing of a file unchanged since) holds what that run and those before it read too.
 */
interface RunView {
  run: RunRow;
  /** The run, then the runs it read on from, newest first. */
  runs: number[];
  fetched: number;
  rejected: number;
}

/**
 * Anomalies from run `a` to run `b` of one source: fewer records, a higher rejected share,
 * coins seen by one run and not the other, and prices that moved by more than half, each run
 * taken with the runs it read on from. Undefined when either run does not exist.
 */
export async function compareRuns(handle: DbHandle, aId: number, bId: number) {
  const [a, b] = await Promise.all([getRun(handle.db, aId), getRun(handle.db, bId)]);
  if (!a || !b) return undefined;
  if (a.source !== b.source)
    throw new KxError(
      'usage',
      `runs ${aId} and ${bId} are of different sources (${a.source}, ${b.source})`,
    );
  const [va, vb] = await Promise.all([getRunView(handle.db, a), getRunView(handle.db, b)]);
  const anomalies = [
    ...compareCounts(va, vb),
    ...(await compareListings(handle.db, a.source, va.runs, vb.runs)),
    ...(await comparePrices(handle.db, a.source, aId, bId)),
  ];
  const summary = ({ run: r, runs, fetched, rejected }: RunView) => ({
    id: r.id,
    status: r.status,
    fetched: r.fetched,
    loaded: r.loaded,
    unchanged: r.unchanged,
    rejected: r.rejected,
    continues_run_id: r.continuesRunId,
    stream: { runs: runs.length, first_run_id: runs.at(-1)!, fetched, rejected },
  });
  return { source: a.source, a: summary(va), b: summary(vb), anomalies };
}

/** `run` and the runs it read on from, each run's checkpoint older than the one after it. */
async function getRunView(db: Db, run: RunRow): Promise<RunView> {
  const rows = await selectRows<{ id: string | number; fetched: number; rejected: number }>(
    db,
    sql`with recursive chain(id, continues, fetched, rejected) as (
          select ${etlRuns.id}, ${etlRuns.continuesRunId}, ${etlRuns.fetched}, ${etlRuns.rejected}
          from ${etlRuns} where ${etlRuns.id} = ${run.id}
          union all
          select r.id, r.continues_run_id, r.fetched, r.rejected
          from ${etlRuns} r join chain c on r.id = c.continues and r.id < c.id)
        select id, fetched, rejected from chain order by id desc`,
  );
  return {
    run,
    runs: rows.map((r) => Number(r.id)),
    fetched: rows.reduce((sum, r) => sum + Number(r.fetched), 0),
    rejected: rows.reduce((sum, r) => sum + Number(r.rejected), 0),
  };
}

/** "run 3", or with the runs it read on from, "run 9 and the 3 runs it read on from, back to 2". */
function runsOf(view: RunView): string {
  const [last, ...earlier] = view.runs;
  if (earlier.length === 0) return `run ${last}`;
  if (earlier.length === 1) return `run ${last} and run ${earlier[0]}, which it read on from`;
  return `run ${last} and the ${earlier.length} runs it read on from, back to run ${earlier.at(-1)}`;
}

/** Fewer records read, or a higher share of them rejected, as of run `b` than as of run `a`. */
function compareCounts(a: RunView, b: RunView): Anomaly[] {
  const anomalies: Anomaly[] = [];
  if (a.fetched > 0 && b.fetched < a.fetched * (1 - RECORD_DROP)) {
    anomalies.push({
      kind: 'record_count_drop',
      message: `${runsOf(b)} read ${b.fetched} records, ${Math.round((1 - b.fetched / a.fetched) * 100)}% fewer than ${runsOf(a)} (${a.fetched})`,
      details: { a: a.fetched, b: b.fetched },
    });
  }
  const share = (r: RunView) => (r.fetched > 0 ? r.rejected / r.fetched : 0);
  if (share(b) - share(a) > REJECT_JUMP) {
    anomalies.push({
      kind: 'rejected_share_jump',
      message: `rejected share rose from ${(share(a) * 100).toFixed(1)}% to ${(share(b) * 100).toFixed(1)}%`,
      details: { a: share(a), b: share(b) },
    });
  }
  return anomalies;
}

/**
 * Coins seen as of one run and not as of the other. A run saw the listings whose new payload
 * versions it landed (raw rows carry its id) and the unchanged ones it noted in
 * etl_run_listings; as of a run are those of the runs it read on from too.
 */
async function compareListings(
  db: Db,
  source: string,
  aRuns: number[],
  bRuns: number[],
): Promise<Anomaly[]> {
  const raw = rawTableOf(source);
  const [aId, bId] = [aRuns[0]!, bRuns[0]!];
  const seen = (runs: number[]) =>
    sql`select ${raw.sourceId} from ${raw} where ${anyBigint(raw.runId, runs)}
        union select ${etlRunListings.sourceId} from ${etlRunListings}
        where ${anyBigint(etlRunListings.runId, runs)}`;
  const membership = async (from: number[], notIn: number[]) => {
    const rows = await selectRows<{ source_id: string }>(
      db,
      sql`select source_id from ((${seen(from)}) except (${seen(notIn)})) d order by source_id`,
    );
    return rows.map((r) => r.source_id);
  };
  const anomalies: Anomaly[] = [];
  for (const [kind, ids] of [
    ['coins_vanished', await membership(aRuns, bRuns)],
    ['coins_appeared', await membership(bRuns, aRuns)],
  ] as const) {
    if (ids.length === 0) continue;
    const verb =
      kind === 'coins_vanished'
        ? `seen in run ${aId}, not in run ${bId}`
        : `seen in run ${bId}, not in run ${aId}`;
    anomalies.push({
      kind,
      message: `${ids.length} coins ${verb}`,
      details: { count: ids.length, source_ids: ids.slice(0, 100) },
    });
  }
  return anomalies;
}

/**
 * Coins whose price moved by more than PRICE_MOVE: each coin's latest price in run `b` against
 * its latest price as of run `a` (unchanged coins write no quote). The first 100 by source id.
 */
async function comparePrices(db: Db, source: string, aId: number, bId: number): Promise<Anomaly[]> {
  const raw = rawTableOf(source);
  const moves = await db
    .select({
      sourceId: sql<string>`qb.source_id`,
      from: sql<string>`qa.price_usd::text`,
      to: sql<string>`qb.price_usd::text`,
    })
    .from(
      // Run b's quotes are found through its raw rows (indexed by run), each then by its
      // listing's key, newest first: index probes that follow the run's size and stop at the
      // first quote of run b, never a scan of all quotes or of a listing's whole history.
      sql`(select distinct ${raw.sourceId} as source_id from ${raw} where ${raw.runId} = ${bId}) rb
      cross join lateral (
        select q.source_id, q.price_usd from ${quotes} q
        where q.source = ${source} and q.source_id = rb.source_id and q.run_id = ${bId}
        order by q.observed_at desc limit 1) qb
      cross join lateral (
        select q.price_usd from ${quotes} q
        where q.source = ${source} and q.source_id = qb.source_id and q.run_id <= ${aId}
        order by q.observed_at desc limit 1) qa`,
    )
    .where(
      sql`qa.price_usd > 0 and abs(qb.price_usd - qa.price_usd) / qa.price_usd > ${PRICE_MOVE}`,
    )
    .orderBy(sql`qb.source_id`)
    .limit(100);
  return moves.map((m) => ({
    kind: 'price_move',
    message: `${m.sourceId}: price ${m.from} → ${m.to}`,
    details: { source_id: m.sourceId, from: m.from, to: m.to },
  }));
}

/** The raw table of a source's payloads. */
function rawTableOf(source: string) {
  return rawTables[`raw_${source}` as keyof typeof rawTables];
}
