/**
 * A prepared batch written inside the run's transaction, set-based: staged by COPY, its raw
 * payloads landed once, its listings linked to assets, its quotes and listings upserted.
 */
import { sql, type SQL } from 'drizzle-orm';
import { toStorableText } from '../core/domain.js';
import type { FileVersion, IdentityPolicy, Source } from '../core/source.js';
import type { Tx } from '../db/client.js';
import { lastOf, QUOTE_SUMMARY } from '../db/quote-summary.js';
import { rawFileTables } from '../db/schema.js';
import { copyRows, selectRows } from '../db/sql.js';
import { resolveStaged } from '../identity/resolve.js';
import type { PreparedBatch } from './batch.js';

export interface BatchCounts {
  fetched: number;
  loaded: number;
  unchanged: number;
  rejected: number;
}

/**
 * Writes one batch inside the caller's transaction, set-based. The valid records are copied
 * once (COPY) into a transaction-local staging table, `kx_stage`; from there single
 * statements land the new raw payload versions (`kx_fresh` notes which staged records carry
 * one), record which listings the run saw, link listings to assets (identity/resolve.ts fills
 * `kx_links`), and upsert quotes and listings. A payload already stored for the same record
 * is unchanged: no raw row, no quote.
 */
export async function loadBatch(
  tx: Tx,
  source: string,
  rawTable: Source['rawTable'],
  runId: number,
  batch: PreparedBatch,
  identity: IdentityPolicy,
  driver: Driver,
): Promise<BatchCounts> {
  let loaded = 0;
  if (batch.staged.length + batch.rejected.length > 0) await configure(tx, driver);
  if (batch.staged.length > 0) {
    await stage(tx, batch.staged);
    loaded =
      rawTable in rawFileTables
        ? await landLines(tx, rawTable, runId, batch.files)
        : await landRaw(tx, rawTable, runId);
    await rememberSeen(tx, runId);
    if (loaded > 0) await normalize(tx, source, runId, identity);
  }
  if (batch.rejected.length > 0) await quarantine(tx, source, runId, batch.rejected);
  return {
    fetched: batch.size,
    loaded,
    unchanged: batch.staged.length - loaded,
    rejected: batch.rejected.length,
  };
}

/**
 * `kx_stage` columns, short because every statement below names them: o ordinal in the batch,
 * l locator, i source_id, p payload (JSON, or a line's bytes), h payload hash, f the line's
 * file version key, ln its line number, s symbol, n name, k name_key, g slug, r rank,
 * pu/mc/vo price, market cap, 24h volume, cs/ts/ms circulating, total, max supply, pc 24h
 * change, t observed_at.
 */
const STAGE_TYPES: Record<string, string> = { o: 'int', h: 'bytea', f: 'bytea', ln: 'int' };
const STAGE_COLUMNS = ['o', 'l', 'i', 'p', 'h', 'f', 'ln', 's', 'n', 'k', 'g', 'r']
  .concat(['pu', 'mc', 'vo', 'cs', 'ts', 'ms', 'pc', 't'])
  .map((c) => [c, STAGE_TYPES[c] ?? 'text'] as const);

/**
 * The staging tables' memory (temp_buffers) for each driver. PostgreSQL hands out every one of
 * a session's temporary buffers before it reuses any, and every batch drops its tables and
 * makes new ones, so a long run ends up holding all of them. On a server that is the
 * backend's memory; PGlite's are kx's own, in its WebAssembly heap, where 64 MB made a
 * 100,000-coin ingest peak at 402 MiB and 16 MB at 349 MiB, as fast (farm-bench, 4 pairs,
 * 0.965x wall). A batch of 10,000 rows stages a few MB; a bigger one spills to files.
 */
const STAGING_BUFFERS: Record<Driver, string> = { postgres: '64MB', pglite: '16MB' };
type Driver = 'postgres' | 'pglite';

/**
 * The settings of a batch's transaction, made before its first statement so that every one
 * runs under them, whether it stages the batch's rows or quarantines them.
 */
async function configure(tx: Tx, driver: Driver): Promise<void> {
  const buffers = STAGING_BUFFERS[driver];
  // Room to sort and hash a whole batch in memory instead of in temporary files; no JIT, whose
  // compile time (100+ ms a statement) outweighs these short statements, and which the
  // staging tables' missing statistics would otherwise trigger. temp_buffers (the staging
  // tables' memory) can only be raised for the session, before its first temporary table.
  // A server's statement_timeout and lock_timeout are for interactive sessions (and kx serve
  // sets one for its API reads): a batch's statements are not held to them, as pg_dump's are not.
  await tx.execute(sql`
    select set_config('work_mem', '64MB', true), set_config('jit', 'off', true),
      set_config('statement_timeout', '0', true), set_config('lock_timeout', '0', true),
      case when pg_size_bytes(current_setting('temp_buffers')) < pg_size_bytes(${buffers})
        then set_config('temp_buffers', ${buffers}, false) end`);
}

/**
 * Creates this transaction's work tables and copies the batch into `kx_stage`, one row per
 * valid record in batch order (`o`).
 */
async function stage(tx: Tx, lines: readonly string[]): Promise<void> {
  const columns = STAGE_COLUMNS.map(([c, type]) => `${c} ${type}`).join(', ');
  await tx.execute(sql.raw(`create temp table kx_stage (${columns}) on commit drop`));
  await tx.execute(sql`create temp table kx_fresh (o int, raw_id bigint) on commit drop`);
  await tx.execute(
    sql`create temp table kx_links (i text, asset_id bigint, m text, c real) on commit drop`,
  );
  await copyRows(
    tx,
    'kx_stage',
    STAGE_COLUMNS.map(([c]) => c),
    lines,
  );
}

/**
 * Inserts each new (source_id, payload) version once, in batch order, and notes in
 * `kx_fresh` which staged records carry one. Stored versions are skipped before their JSON
 * is even parsed, so an unchanged re-run costs an index probe per record (LATERAL ... LIMIT 1
 * keeps it a probe: an anti-join could hash the whole raw table). Returns how many
 * versions were new.
 */
async function landRaw(tx: Tx, rawTable: Source['rawTable'], runId: number): Promise<number> {
  return landNew(
    tx,
    rawTable,
    sql`(run_id, locator, source_id, payload, payload_hash)
        select ${runId}::bigint, s.l::jsonb, s.i, s.p::jsonb, s.h from kx_stage s`,
  );
}

/**
 * `landRaw` for a source whose records are lines: first the batch's file versions, each once
 * in `<raw table>_files`, then each new line version with its file version and line number.
 */
async function landLines(
  tx: Tx,
  rawTable: Source['rawTable'],
  runId: number,
  files: ReadonlyMap<string, FileVersion>,
): Promise<number> {
  if (files.size === 0) throw new Error(`${rawTable} keeps lines: its records need a line`);
  const versions = sql.identifier(`${rawTable}_files`);
  const rows = [...files].map(([key, file]) => ({
    key,
    path: toStorableText(file.path),
    header: file.header ? `\\x${file.header.toString('hex')}` : null,
    columns: file.columns.map(toStorableText),
    delimiter: file.delimiter,
  }));
  await tx.execute(sql`
    insert into ${versions} (key, path, header, columns, delimiter)
    select x.key::bytea, x.path, x.header::bytea,
      array(select jsonb_array_elements_text(x.columns)), x.delimiter
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(key text, path text, header text, columns jsonb, delimiter text)
    on conflict (key) do nothing`);
  return landNew(
    tx,
    rawTable,
    sql`(run_id, file_id, line_number, source_id, line, payload_hash)
        select ${runId}::bigint, v.id, s.ln, s.i, s.p::bytea, s.h
        from kx_stage s join ${versions} v on v.key = s.f`,
  );
}

/**
 * Inserts `rows` (columns and a select from `kx_stage s`) into the raw table, leaving out the
 * versions it has, and notes in `kx_fresh` which staged records the new rows are.
 */
async function landNew(tx: Tx, rawTable: Source['rawTable'], rows: SQL): Promise<number> {
  const raw = sql.identifier(rawTable);
  const [row] = await selectRows<{ loaded: number }>(
    tx,
    sql`
      with landed as (
        insert into ${raw} ${rows}
        left join lateral (
          select true as stored from ${raw} r
          where r.source_id = s.i and r.payload_hash = s.h limit 1
        ) r on true
        where r.stored is null
        order by s.o
        on conflict (source_id, payload_hash) do nothing
        returning id, source_id, payload_hash
      ), fresh as (
        insert into kx_fresh (o, raw_id)
        select s.o, landed.id from landed
        join kx_stage s on s.i = landed.source_id and s.h = landed.payload_hash
      )
      select count(*)::int as loaded from landed`,
  );
  return Number(row?.loaded ?? 0);
}

/**
 * Notes the listings this run saw unchanged; the changed ones are known by their raw rows,
 * which carry the run's id (run-history.ts reads both).
 */
async function rememberSeen(tx: Tx, runId: number): Promise<void> {
  await tx.execute(sql`
    insert into etl_run_listings (run_id, source_id)
    select distinct ${runId}::bigint, s.i from kx_stage s
    where not exists (select from kx_fresh f where f.o = s.o)
    on conflict do nothing`);
}

const VALUE_COLUMNS = sql.raw(
  'rank, price_usd, market_cap_usd, volume_24h_usd, circulating_supply, total_supply, max_supply, percent_change_24h',
);
const STAGED_VALUES = sql.raw(
  'x.r::int, x.pu::numeric, x.mc::numeric, x.vo::numeric, x.cs::numeric, x.ts::numeric, x.ms::numeric, x.pc::numeric',
);
const EXCLUDED_VALUES = sql.raw(
  ['rank', 'price_usd', 'market_cap_usd', 'volume_24h_usd', 'circulating_supply']
    .concat(['total_supply', 'max_supply', 'percent_change_24h', 'run_id', 'raw_id'])
    .map((c) => `${c} = excluded.${c}`)
    .join(', '),
);

/** Links the new versions to assets, then upserts their quotes and their listings. */
async function normalize(
  tx: Tx,
  source: string,
  runId: number,
  identity: IdentityPolicy,
): Promise<void> {
  await resolveStaged(tx, source, identity);
  // One row per conflict key per statement (Postgres refuses to update a row twice): later wins.
  await tx.execute(sql`
    insert into quotes (asset_id, source, source_id, observed_at, ${VALUE_COLUMNS}, run_id, raw_id)
    select k.asset_id, ${source}::text, x.i, x.t::timestamptz, ${STAGED_VALUES}, ${runId}::bigint,
      x.raw_id
    from (
      select distinct on (s.i, s.t) s.*, f.raw_id from kx_stage s join kx_fresh f using (o)
      order by s.i, s.t, s.o desc
    ) x join kx_links k on k.i = x.i
    order by x.o
    on conflict (source, source_id, observed_at) do update set ${EXCLUDED_VALUES}`);
  await refreshQuoteDays(
    tx,
    source,
    // the UTC day as staged: toISOString(), years 1970 to 2100 (core/domain.ts)
    sql`select s.i, s.t, left(s.t, 10) as d from kx_stage s join kx_fresh f using (o)
      join kx_links k on k.i = s.i`,
  );
  // The latest observation of each listing; an older one (a history file read out of order)
  // never overwrites a newer one. A stored listing's asset changes only through identity's moves.
  await tx.execute(sql`
    insert into asset_sources (source, source_id, asset_id, match_method, confidence, symbol, name,
      name_key, slug, ${VALUE_COLUMNS}, observed_at, payload_hash, run_id, raw_id)
    select ${source}::text, x.i, k.asset_id, k.m, k.c, x.s, x.n, x.k, x.g, ${STAGED_VALUES},
      x.t::timestamptz, x.h, ${runId}::bigint, x.raw_id
    from (
      select distinct on (s.i) s.*, f.raw_id from kx_stage s join kx_fresh f using (o)
      order by s.i, s.t::timestamptz desc, s.o desc
    ) x join kx_links k on k.i = x.i
    order by x.o
    on conflict (source, source_id) do update set ${EXCLUDED_VALUES},
      symbol = excluded.symbol, name = excluded.name,
      name_key = excluded.name_key, slug = excluded.slug, observed_at = excluded.observed_at,
      payload_hash = excluded.payload_hash, updated_at = now()
    where excluded.observed_at >= asset_sources.observed_at`);
}

/**
 * Brings `quote_days` up to date for the listing-days that `touched` wrote (rows of listing
 * `i`, time `t` and UTC day `d`, both as staged text): a day that now has more than one
 * observation gets its summary, the same for any number of batches, resumes or out-of-order
 * files. A day with one observation has none (its quote is its summary): a daily file pays a
 * read per listing and no bytes.
 */
async function refreshQuoteDays(tx: Tx, source: string, touched: SQL): Promise<void> {
  await tx.execute(sql`
    with touched as (${touched}),
    days as (
      select i, d::date as day, count(*) as n, min(t)::timestamptz as first from touched group by i, d
    ),
    -- the listing's latest observation before this batch (its listing row is written after)
    listings as materialized (
      select i, (select a.observed_at from asset_sources a where a.source = ${source}::text
        and a.source_id = x.i) as seen
      from (select distinct i from days) x
    ),
    -- Days that may now have more than one quote: another is in this batch, or came before it
    -- (then the listing's latest observation so far is that day or later). Most days of a
    -- daily file are neither. Rows staged twice count twice: a needless read, no more.
    candidates as (
      select d.i, d.day, d.first, l.seen from days d join listings l using (i)
      where d.n > 1 or l.seen >= d.day::timestamp at time zone 'UTC'
    )
    insert into quote_days (source, source_id, day, open, open_at, high, low, close, close_at,
      market_cap_usd, market_cap_at, volume_24h_usd, volume_at, observations)
    select ${source}::text, c.i, c.day,
      case when m.merge and r.open is not null then r.open else g.prices[1] end,
      case when m.merge and r.open is not null then r.open_at else g.open_at end,
      case when m.merge then greatest(r.high, g.high) else g.high end,
      case when m.merge then least(r.low, g.low) else g.low end,
      coalesce(${lastOf('g.prices')}, case when m.merge then r.close end),
      coalesce(g.close_at, case when m.merge then r.close_at end),
      coalesce(${lastOf('g.caps')}, case when m.merge then r.market_cap_usd end),
      coalesce(g.market_cap_at, case when m.merge then r.market_cap_at end),
      coalesce(${lastOf('g.volumes')}, case when m.merge then r.volume_24h_usd end),
      coalesce(g.volume_at, case when m.merge then r.volume_at end),
      g.n + case when m.merge then r.observations else 0 end
    from candidates c
    left join lateral (
      select * from quote_days r where r.source = ${source}::text and r.source_id = c.i and r.day = c.day
    ) r on true
    -- A summed-up day whose new quotes all come after every quote before them (a scheduled
    -- API run, a file appended to) merges those into its row; any other day is summed up
    -- again from all of its quotes (a correction, a file read out of order).
    cross join lateral (select r.day is not null and coalesce(c.first > c.seen, false) as merge) m
    -- one index range each (a lateral read, whatever the planner thinks of a table that grew
    -- since it was last analyzed: a join was planned as a merge over all of a source's quotes)
    cross join lateral (
      select ${QUOTE_SUMMARY}
      from quotes q
      where q.source = ${source}::text and q.source_id = c.i
        and q.observed_at >= case when m.merge then c.seen else c.day::timestamp at time zone 'UTC' end
        and q.observed_at < (c.day + 1)::timestamp at time zone 'UTC'
        and (not m.merge or q.observed_at > c.seen)
    ) g
    where m.merge or g.n > 1
    on conflict (source, source_id, day) do update set open = excluded.open,
      open_at = excluded.open_at, high = excluded.high, low = excluded.low, close = excluded.close,
      close_at = excluded.close_at, market_cap_usd = excluded.market_cap_usd,
      market_cap_at = excluded.market_cap_at, volume_24h_usd = excluded.volume_24h_usd,
      volume_at = excluded.volume_at, observations = excluded.observations`);
}

async function quarantine(
  tx: Tx,
  source: string,
  runId: number,
  rows: readonly string[],
): Promise<void> {
  await tx.execute(sql`
    insert into rejected_records (run_id, source, locator, source_id, raw, reason, field)
    select ${runId}::bigint, ${source}::text, l, i, p, reason, field
    from json_to_recordset(${`[${rows.join(',')}]`}::json)
      as x(o int, l jsonb, i text, p jsonb, reason text, field text)
    order by o`);
}
