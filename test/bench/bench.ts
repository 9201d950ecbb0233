/**
 * `npm run bench`: kx's speed and memory, each figure next to a baseline measured in the same
 * run on the same machine. Prints a markdown table. Needs a PostgreSQL server for the baseline
 * (`psql \copy`): KX_TEST_DATABASE_URL=postgres://user:pass@127.0.0.1:5432/postgres.
 *
 *   npm run bench -- --rows 1000000 --pages 1000 --tickers 50000 --seconds 10
 *   npm run bench -- --only api    # first, csv, history-csv, rejected-csv, api, concurrent, serve,
 *                                  # compare, history
 *   npm run bench -- --only history --coins 500   # 3 sources × 500 coins × a year of hours
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { collect, repoRoot, startKx, startServe } from '../helpers/cli.js';
import { createTestDatabase, serverUrl } from '../helpers/db.js';
import { startFakeUpstream, upstreamEnv } from '../helpers/fake-upstream.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    pages: { type: 'string', default: '1000' },
    tickers: { type: 'string', default: '50000' },
    seconds: { type: 'string', default: '10' },
    'skip-pglite': { type: 'boolean', default: false },
    coins: { type: 'string', default: '500' },
    // The CSV history shape: listings × observations each (1,000 × 1,000 = 1M rows).
    listings: { type: 'string', default: '1000' },
    observations: { type: 'string', default: '1000' },
    only: {
      type: 'string',
      default: 'first,csv,history-csv,rejected-csv,api,concurrent,serve,compare,history',
    },
  },
});
if (!serverUrl) {
  console.error(
    'npm run bench needs KX_TEST_DATABASE_URL (a PostgreSQL server for the psql \\copy baseline)',
  );
  process.exit(2);
}
const rows = Number(values.rows);
const work = mkdtempSync(join(tmpdir(), 'kx-bench-'));
const results: string[][] = [];
const record = (what: string, value: string, baseline: string, ratio: string, target: string) =>
  results.push([what, value, baseline, ratio, target]);

/** Rows shaped like the real sample, with distinct ids: deterministic, streamed to disk. */
async function writeCsv(path: string, count: number, startAt = 0, header = true): Promise<void> {
  const sample = readFileSync(new URL('../../fixtures/sample.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const out = createWriteStream(path, { flags: header ? 'w' : 'a' });
  if (header) out.write(`${sample[0]}\n`);
  for (let i = startAt; i < startAt + count; i++) {
    const cells = sample[1 + (i % (sample.length - 1))]!.split(',');
    cells[0] = `${cells[0]}-${i}`;
    cells[2] = `${cells[2]} ${i}`;
    if (!out.write(`${cells.join(',')}\n`))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/**
 * The history shape: `listings` coins × `observations` days each, a coin's days together, as
 * a per-coin history export concatenated (CoinGecko's columns, one id column).
 */
async function writeHistoryCsv(
  path: string,
  listings: number,
  observations: number,
  rejected = false,
) {
  const out = createWriteStream(path);
  out.write('date,id,symbol,name,price,market_cap,total_volume\n');
  const start = Date.UTC(2023, 0, 1);
  for (let c = 0; c < listings; c++) {
    for (let d = 0; d < observations; d++) {
      const date = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
      const price = (100 + c) * (1 + 0.3 * Math.sin(d / 17 + c));
      // With `rejected`, two rows in five have text for numbers: a Google Sheet saved while its
      // GOOGLEFINANCE cells said `Loading...`.
      const numbers =
        rejected && (c * observations + d) % 5 < 2
          ? 'Loading...,Loading...,Loading...'
          : `${price.toFixed(8)},${Math.round(price * 1e7)},${Math.round(price * 3e5)}`;
      const line = `${date},coin-${c},C${c},Coin ${c},${numbers}\n`;
      if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/**
 * Runs kx to completion: wall time and peak RSS (VmHWM, read while it runs). `asUser` runs
 * `node bin/kx.js` as a user would, without the test helpers' V8 flags.
 */
async function timeKx(args: string[], env: Record<string, string>, asUser = false) {
  const started = performance.now();
  const child = asUser
    ? spawn(process.execPath, [join(repoRoot, 'bin/kx.js'), ...args], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : startKx(args, env);
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited
    }
  }, 50);
  const result = await collect(child);
  clearInterval(poll);
  if (result.code !== 0)
    throw new Error(`kx ${args.join(' ')} failed: ${result.stderr.slice(-500)}`);
  return {
    seconds: (performance.now() - started) / 1000,
    peakMb: peakKb / 1024,
    stdout: result.stdout,
  };
}

/** `psql \\copy` of `file` into a plain table of text columns, one per header cell. */
function timePsqlCopy(url: string, file: string): number {
  const start = Buffer.alloc(4096);
  const fd = openSync(file, 'r');
  readSync(fd, start, 0, start.length, 0);
  closeSync(fd);
  const header = start.toString('utf8').split('\n')[0]!.split(',');
  const columns = header.map((_, i) => `c${i} text`).join(', ');
  execFileSync('psql', [url, '-qc', `drop table if exists plain; create table plain (${columns})`]);
  const started = performance.now();
  execFileSync('psql', [url, '-qc', `\\copy plain from '${file}' csv header`]);
  const seconds = (performance.now() - started) / 1000;
  execFileSync('psql', [url, '-qc', 'drop table plain']);
  return seconds;
}

/** The tables a CSV ingest writes per record (its checkpoint and run rows are a few rows). */
const WRITTEN_TABLES = ['raw_csv_files', 'raw_csv', 'assets', 'asset_sources', 'quotes'];

/** Bytes on disk of all kx's tables with their indexes and TOAST, per loaded row. */
async function bytesPerRow(url: string, loaded: number): Promise<number> {
  const sql = postgres(url, { max: 1 });
  try {
    const [row] = await sql<{ bytes: string }[]>`
      select sum(pg_total_relation_size(c.oid))::text as bytes from pg_class c
      where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace`;
    return Number(row!.bytes) / loaded;
  } finally {
    await sql.end();
  }
}

/**
 * kx's own floor on this server: the rows an ingest wrote, copied out, then `\copy`-ed into an
 * empty, migrated kx schema, table after table, with its indexes. No parsing, validation,
 * identity or dedupe: only what PostgreSQL needs to store those rows.
 */
async function timeWriteFloor(filled: string): Promise<number> {
  const empty = await createTestDatabase();
  try {
    await (await empty.open()).close();
    const copies = WRITTEN_TABLES.map((t) => [t, join(work, `${t}.copy`)] as const);
    for (const [table, file] of copies)
      execFileSync('psql', [filled, '-qc', `\\copy ${table} to '${file}'`]);
    const started = performance.now();
    execFileSync('psql', [
      empty.env.DATABASE_URL!,
      '-q',
      ...copies.flatMap(([table, file]) => ['-c', `\\copy ${table} from '${file}'`]),
    ]);
    const seconds = (performance.now() - started) / 1000;
    for (const [, file] of copies) rmSync(file);
    return seconds;
  } finally {
    await empty.drop();
  }
}

const f = (n: number, digits = 2) => n.toFixed(digits);

/**
 * README's quick start on a fresh machine: the first `kx ingest` of the sample into an empty
 * data dir (PGlite prepared from the seed in the build), next to the same ingest once the
 * data dir exists.
 */
async function firstRunBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kx-bench-first-'));
  try {
    const env = { KX_DATA_DIR: join(dir, 'kx'), DATABASE_URL: '' };
    const sample = fileURLToPath(new URL('../../fixtures/sample.csv', import.meta.url));
    const first = await timeKx(['ingest', '--source', 'csv', '--file', sample], env, true);
    const copy = join(dir, 'copy.csv');
    copyFileSync(sample, copy);
    const ready = await timeKx(['ingest', '--source', 'csv', '--file', copy], env, true);
    record(
      'first `kx ingest` of fixtures/sample.csv, empty data dir (PGlite)',
      `${f(first.seconds)} s, peak RSS ${f(first.peakMb, 0)} MB`,
      `data dir ready ${f(ready.seconds)} s, ${f(ready.peakMb, 0)} MB`,
      `${f(first.seconds / ready.seconds, 1)}x`,
      '≤ 3 s, ≤ 300 MB',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A CSV file into a new database on the server: kx next to `psql \\copy` of the same file and
 * next to kx's own write floor, its peak memory and the bytes it stores per row. Returns the
 * database (for re-runs) and the run.
 */
async function loadCsv(
  file: string,
  count: number,
  shape: string,
  targets: { copy: string; floor: string; bytes: string },
) {
  const database = await createTestDatabase();
  const url = database.env.DATABASE_URL!;
  const copy = timePsqlCopy(url, file);
  const run = await timeKx(['ingest', '--source', 'csv', '--file', file], database.env);
  record(
    `CSV ingest, ${shape}, PostgreSQL`,
    `${f(run.seconds)} s, peak RSS ${f(run.peakMb, 0)} MB`,
    `psql \\copy ${f(copy)} s`,
    `${f(run.seconds / copy, 1)}x`,
    targets.copy,
  );
  const floor = await timeWriteFloor(url);
  record(
    'the same rows, `\\copy`-ed into an empty kx schema',
    `${f(floor)} s`,
    `psql \\copy ${f(copy)} s`,
    `${f(floor / copy, 1)}x (kx: ${f(run.seconds / floor, 1)}x this floor)`,
    targets.floor,
  );
  record(
    'bytes on disk per row (all kx tables and indexes)',
    `${f(await bytesPerRow(url, count), 0)} B`,
    `the file: ${f(statSync(file).size / count, 0)} B a row`,
    '',
    targets.bytes,
  );
  return { database, run };
}

/**
 * The same file on PGlite, in a data dir made beforehand (PGlite's initdb is a one-time cost
 * with its own memory peak). The ingest runs as a user runs it: without the test helpers'
 * --liftoff-only, which leaves PGlite's WebAssembly unoptimized (slower, and less memory).
 */
async function loadCsvOnPglite(file: string, shape: string, postgresSeconds: number) {
  if (values['skip-pglite']) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'kx-bench-pglite-'));
  try {
    const pglite = { KX_DATA_DIR: dataDir, DATABASE_URL: '' };
    await timeKx(['migrate'], pglite);
    const embedded = await timeKx(['ingest', '--source', 'csv', '--file', file], pglite, true);
    record(
      `CSV ingest, ${shape}, PGlite`,
      `${f(embedded.seconds)} s, peak RSS ${f(embedded.peakMb, 0)} MB`,
      `PostgreSQL ${f(postgresSeconds)} s`,
      `${f(embedded.seconds / postgresSeconds, 1)}x`,
      '≤ 400 MB',
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The universe shape: every row a coin of its own. Then re-runs over the unchanged file and
 * after appending 1%, and the peak memory at a tenth of the rows.
 */
async function csvBench(): Promise<void> {
  const file = join(work, 'bench.csv');
  await writeCsv(file, rows);
  const shape = `${rows} rows, a coin each`;
  const { database, run: first } = await loadCsv(file, rows, shape, {
    copy: '≤ 15x',
    floor: '≤ 1.3x',
    bytes: '',
  });
  const again = await timeKx(['ingest', '--source', 'csv', '--file', file], database.env);
  record(
    'second run, unchanged file',
    `${f(again.seconds)} s`,
    `first run ${f(first.seconds)} s`,
    `${f((again.seconds / first.seconds) * 100, 1)}%`,
    '≤ 10%',
  );
  await loadCsvOnPglite(file, shape, first.seconds);
  await writeCsv(file, Math.round(rows / 100), rows, false);
  const appended = await timeKx(['ingest', '--source', 'csv', '--file', file], database.env);
  record(
    'run after appending 1%',
    `${f(appended.seconds)} s`,
    `first run ${f(first.seconds)} s`,
    `${f((appended.seconds / first.seconds) * 100, 1)}%`,
    '≤ 5%',
  );
  await database.drop();

  const small = join(work, 'small.csv');
  await writeCsv(small, Math.round(rows / 10));
  const smallDb = await createTestDatabase();
  const tenth = await timeKx(['ingest', '--source', 'csv', '--file', small], smallDb.env);
  record(
    'peak RSS at 1/10 of the rows',
    `${f(tenth.peakMb, 0)} MB`,
    `full file ${f(first.peakMb, 0)} MB`,
    `${f(first.peakMb / tenth.peakMb, 2)}x`,
    'flat (≈ 1x), ≤ 300 MB',
  );
  await smallDb.drop();
}

/**
 * The history shape (#18): `--listings` coins × `--observations` days, the shape most files
 * have.
 */
async function historyCsvBench(): Promise<void> {
  const listings = Number(values.listings);
  const observations = Number(values.observations);
  const count = listings * observations;
  const file = join(work, 'history.csv');
  await writeHistoryCsv(file, listings, observations);
  const shape = `history shape: ${listings} listings × ${observations} observations`;
  const { database, run } = await loadCsv(file, count, shape, {
    copy: '≤ 6x',
    floor: '≤ 1.3x',
    bytes: '≤ 300 B',
  });
  await database.drop();
  await loadCsvOnPglite(file, shape, run.seconds);
  rmSync(file);
}

/**
 * A tenth of the history shape with two rows in five rejected (text for numbers), next to the
 * same file with every row valid: a rejected row should cost no more than a loaded one. Each
 * such row used to be matched against every header synonym (a repeated header line?).
 */
async function rejectedCsvBench(): Promise<void> {
  const listings = Math.max(1, Math.round(Number(values.listings) / 10));
  const observations = Number(values.observations);
  const times: number[] = [];
  for (const rejected of [false, true]) {
    const file = join(work, `history-${rejected ? 'rejected' : 'valid'}.csv`);
    await writeHistoryCsv(file, listings, observations, rejected);
    const database = await createTestDatabase();
    try {
      times.push(
        (await timeKx(['ingest', '--source', 'csv', '--file', file], database.env)).seconds,
      );
    } finally {
      await database.drop();
      rmSync(file);
    }
  }
  record(
    `CSV ingest, ${listings * observations} history rows, 40% rejected, PostgreSQL`,
    `${f(times[1]!)} s`,
    `every row valid: ${f(times[0]!)} s`,
    `${f(times[1]! / times[0]!, 2)}x`,
    '≤ 1x',
  );
}

async function apiBench(): Promise<void> {
  const pages = Number(values.pages);
  const tickers = Number(values.tickers);
  const fake = await startFakeUpstream({ coingeckoCoins: pages * 250, paprikaTickers: tickers });
  const env = {
    KX_COINGECKO_BASE_URL: fake.coingeckoUrl,
    KX_COINPAPRIKA_BASE_URL: fake.paprikaUrl,
    KX_COINGECKO_RATE_LIMIT: '0',
    KX_COINPAPRIKA_RATE_LIMIT: '0',
  };
  for (const [source, records, minimum] of [
    ['coingecko', pages * 250, pages + 1],
    ['coinpaprika', tickers, 1],
  ] as const) {
    const database = await createTestDatabase();
    fake.requests.length = 0;
    const run = await timeKx(['ingest', '--source', source], { ...database.env, ...env });
    record(
      `${source}, ${records} records via the fake upstream`,
      `${f(records / run.seconds, 0)} records/s`,
      `${fake.requests.length} requests`,
      '',
      `requests = ${minimum}`,
    );
    await database.drop();
  }
  await fake.close();
}

/**
 * #21: the three sources as three workers on one database, at once and then one after the
 * other, each on a fresh database. Identity is serialized per batch; the rest overlaps.
 */
async function concurrentBench(): Promise<void> {
  const csvRows = Math.round(rows / 10);
  const file = join(work, 'concurrent.csv');
  await writeCsv(file, csvRows);
  const coins = Math.min(Number(values.pages), 40) * 250;
  const tickers = Math.min(Number(values.tickers), 20_000);
  const fake = await startFakeUpstream({ coingeckoCoins: coins, paprikaTickers: tickers });
  const ingests = [
    ['ingest', '--source', 'csv', '--file', file],
    ['ingest', '--source', 'coingecko'],
    ['ingest', '--source', 'coinpaprika'],
  ];
  const timed = async (together: boolean) => {
    const database = await createTestDatabase();
    const env = { ...database.env, ...upstreamEnv(fake) };
    const started = performance.now();
    if (together) await Promise.all(ingests.map((args) => timeKx(args, env)));
    else for (const args of ingests) await timeKx(args, env);
    const seconds = (performance.now() - started) / 1000;
    await database.drop();
    return seconds;
  };
  const oneByOne = await timed(false);
  const atOnce = await timed(true);
  record(
    `3 workers at once: CSV ${csvRows} rows, CoinGecko ${coins}, CoinPaprika ${tickers}, PostgreSQL`,
    `${f(atOnce)} s`,
    `one after the other ${f(oneByOne)} s`,
    `${f(atOnce / oneByOne, 2)}x`,
    '< 1x',
  );
  await fake.close();
}

async function serveBench(): Promise<void> {
  const database = await createTestDatabase();
  const file = join(work, 'serve.csv');
  await writeCsv(file, rows);
  await timeKx(['ingest', '--source', 'csv', '--file', file], database.env);
  const { child, done, url } = await startServe(database.env);
  const sql = postgres(database.env.DATABASE_URL!, { max: 1 });
  const [deep] = await sql<
    { source: string; source_id: string }[]
  >`select source, source_id from asset_sources order by source, source_id offset ${Math.floor(rows * 0.9)} limit 1`;
  await sql.end();
  const cursor = Buffer.from(JSON.stringify(['id', '', deep!.source, deep!.source_id])).toString(
    'base64url',
  );
  const seconds = Number(values.seconds);
  const first = await load(`${url}/data?limit=50`, seconds);
  const deepest = await load(`${url}/data?limit=50&cursor=${cursor}`, seconds);
  record(
    'GET /data?limit=50, first page',
    `${f(first.rps, 0)} req/s`,
    `p50 ${f(first.p50)} ms`,
    `p99 ${f(first.p99)} ms`,
    '',
  );
  record(
    `GET /data?limit=50, cursor at 90% of ${rows}`,
    `${f(deepest.rps, 0)} req/s`,
    `p50 ${f(deepest.p50)} ms`,
    `p99 ${f(deepest.p99)} ms (${f(deepest.p99 / first.p99, 2)}x first page)`,
    'p99 ≤ 2x first page',
  );
  child.kill('SIGTERM');
  await done;
  await database.drop();
}

/**
 * `GET /runs/compare` on a database of 1,000 CoinPaprika runs of 1,000 coins each (1M quotes,
 * 1M raw rows), written with SQL: the comparison of the last two runs, under load, against the
 * first page of /data in the same database.
 */
async function compareBench(): Promise<void> {
  const database = await createTestDatabase();
  await timeKx(['migrate'], database.env); // the schema, as kx makes it
  const sql = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
  const runs = 1000;
  const coins = 1000;
  await sql.unsafe(`
    insert into etl_runs (source, status, trigger, stream_key, params, fetched, loaded, finished_at)
      select 'coinpaprika', 'succeeded', 'ingest', 'coinpaprika', '{}', ${coins}, ${coins}, now()
      from generate_series(1, ${runs});
    insert into assets (symbol, name) select 'C' || c, 'Coin ' || c from generate_series(1, ${coins}) c;
    insert into asset_sources (source, source_id, asset_id, match_method, confidence, symbol, name,
        price_usd, observed_at, payload_hash, run_id, raw_id)
      select 'coinpaprika', 'c' || c || '-coin', c, 'new', 1, 'C' || c, 'Coin ' || c, 1, now(), decode(md5(c::text), 'hex'), ${runs}, c
      from generate_series(1, ${coins}) c;
    insert into raw_coinpaprika (run_id, locator, source_id, payload, payload_hash)
      select r, jsonb_build_object('item', c), 'c' || c || '-coin', jsonb_build_object('price', r * c),
        decode(md5(r || '-' || c), 'hex')
      from generate_series(1, ${runs}) r, generate_series(1, ${coins}) c;
    insert into quotes (asset_id, source, source_id, observed_at, price_usd, run_id, raw_id)
      select c, 'coinpaprika', 'c' || c || '-coin', timestamptz '2025-01-01' + r * interval '10 minutes',
        -- every 100th coin doubles its price in the last run: anomalies to find
        case when r = ${runs} and c % 100 = 0 then 2 * c else c end, r, (r - 1) * ${coins} + c
      from generate_series(1, ${runs}) r, generate_series(1, ${coins}) c;
    analyze;`);
  await sql.end();
  const { child, done, url } = await startServe(database.env);
  const seconds = Number(values.seconds);
  const first = await load(`${url}/data?limit=50`, seconds);
  const compare = await load(`${url}/runs/compare?a=${runs - 1}&b=${runs}`, seconds);
  const body = (await (await fetch(`${url}/runs/compare?a=${runs - 1}&b=${runs}`)).json()) as {
    data: { anomalies: { kind: string }[] };
  };
  const moves = body.data.anomalies.filter((a) => a.kind === 'price_move').length;
  record(
    `GET /runs/compare, ${runs} runs, ${runs * coins} quotes (${moves} price moves found)`,
    `${f(compare.rps, 0)} req/s, p50 ${f(compare.p50)} ms, p99 ${f(compare.p99)} ms`,
    `/data first page: p50 ${f(first.p50)} ms, p99 ${f(first.p99)} ms`,
    `p99 ${f(compare.p99 / first.p99, 1)}x`,
    'p99 ≤ 1 s',
  );
  child.kill('SIGTERM');
  await done;
  await database.drop();
}

/**
 * The consumer side (#16) on 3 sources × `--coins` coins × one year of hourly quotes (13M rows
 * at 500 coins), written with SQL into kx's schema, plus one coin with a million minutely
 * quotes to export: a coin's daily and raw history, /assets and /data under load, and the
 * export's time to first byte and the server's memory while it streams.
 */
async function historyBench(): Promise<void> {
  const database = await createTestDatabase();
  await timeKx(['migrate'], database.env);
  const sql = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
  const coins = Number(values.coins);
  const sources = ['coingecko', 'coinpaprika', 'csv'];
  const big = coins + 1;
  const fill = performance.now();
  await sql.unsafe(`
    insert into etl_runs (source, status, trigger, stream_key, params, finished_at)
      values ('csv', 'succeeded', 'ingest', 'bench', '{}', now());
    insert into assets (symbol, name) select 'C' || c, 'Coin ' || c from generate_series(1, ${big}) c;
    insert into asset_sources (source, source_id, asset_id, match_method, confidence, symbol, name,
        rank, price_usd, market_cap_usd, observed_at, payload_hash, run_id, raw_id)
      select s, 'c' || c, c, 'slug', 0.98, 'C' || c, 'Coin ' || c, c, c * (1 + i * 0.001),
        c * 1000000, timestamptz '2025-12-31 23:00Z' - i * interval '1 minute', decode(md5(s || c), 'hex'), 1, c
      from generate_series(1, ${big}) c, unnest(array['${sources.join("','")}']) with ordinality u(s, i);
    insert into quotes (asset_id, source, source_id, observed_at, price_usd, market_cap_usd, run_id, raw_id)
      select c, s, 'c' || c, timestamptz '2025-01-01Z' + h * interval '1 hour',
        round((c * (1 + 0.1 * sin(h / 24.0)) * (1 + i * 0.001))::numeric, 8), c * 1000000, 1, h
      from generate_series(1, ${coins}) c, unnest(array['${sources.join("','")}']) with ordinality u(s, i),
        generate_series(0, 8759) h;
    insert into quotes (asset_id, source, source_id, observed_at, price_usd, run_id, raw_id)
      select ${big}, 'csv', 'c${big}', timestamptz '2024-01-01Z' + m * interval '1 minute', 100 + m % 977, 1, m
      from generate_series(0, 999999) m;`);
  // The daily summaries a loader would have written (the same statement as migration 0009's).
  const daysSql = readFileSync(join(repoRoot, 'drizzle/0009_quote_days.sql'), 'utf8')
    .split('--> statement-breakpoint')
    .find((part) => part.includes('INSERT INTO "quote_days"'))!;
  await sql.unsafe(daysSql);
  // What autovacuum does to an insert-only table soon after a load: index-only scans need it.
  // Then a checkpoint, so that the load's dirty pages are not written out while reads are timed.
  await sql.unsafe('vacuum analyze');
  await sql.unsafe('checkpoint');
  const filled = (performance.now() - fill) / 1000;
  const [count] = await sql<{ n: string }[]>`select count(*)::text as n from quotes`;
  const n = count!.n;
  await sql.end();
  const { child, done, url } = await startServe(database.env);
  const seconds = Number(values.seconds);
  const year = 'from=2025-01-01&to=2026-01-01';
  const coin = Math.min(7, coins);
  // One client at a time: the latency a user sees; 8 at once: what the server sustains.
  const data = await load(`${url}/data?limit=50`, seconds, 1);
  const measures = [
    [
      'GET /assets/:id/quotes?interval=1d, a year, 3 sources',
      `/assets/${coin}/quotes?${year}&interval=1d`,
      'p99 ≤ 50 ms',
    ],
    [
      'GET /assets/:id/quotes?interval=1d&source=…,consensus',
      `/assets/${coin}/quotes?${year}&interval=1d&source=coingecko,coinpaprika,csv,consensus`,
      '',
    ],
    [
      'GET /assets/:id/quotes (raw), first page of 1000',
      `/assets/${coin}/quotes?${year}`,
      'p99 ≤ 20 ms',
    ],
    ['GET /assets/:id/divergence, a year of days', `/assets/${coin}/divergence?${year}`, ''],
    ['GET /assets, first page of 50', '/assets', 'p99 ≤ 100 ms'],
  ] as const;
  for (const [what, path, target] of measures) {
    const m = await load(`${url}${path}`, seconds, 1);
    const busy = await load(`${url}${path}`, seconds);
    record(
      `${what} (${n} quotes)`,
      `p50 ${f(m.p50)} ms, p99 ${f(m.p99)} ms; ${f(busy.rps, 0)} req/s with 8 clients`,
      `/data first page: p50 ${f(data.p50)} ms, p99 ${f(data.p99)} ms`,
      `p99 ${f(m.p99 / data.p99, 1)}x`,
      target,
    );
  }
  // A million rows streamed as CSV: time to the first byte and to the last, and the server's
  // resident memory before and at its highest while it streams.
  const rss = () => {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0) / 1024;
  };
  const before = rss();
  let peak = before;
  const poll = setInterval(() => (peak = Math.max(peak, rss())), 50);
  const started = performance.now();
  const res = await fetch(`${url}/assets/${big}/quotes?from=2024-01-01&to=2026-01-01&format=csv`);
  let firstByte = 0;
  let lines = 0;
  for await (const chunk of res.body! as AsyncIterable<Uint8Array>) {
    if (!firstByte) firstByte = performance.now() - started;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  const total = (performance.now() - started) / 1000;
  clearInterval(poll);
  record(
    `export of ${lines - 1} quotes as CSV (/assets/:id/quotes?format=csv)`,
    `first byte ${f(firstByte)} ms, all in ${f(total, 1)} s (${f((lines - 1) / total, 0)} rows/s)`,
    `server RSS ${f(before, 0)} MB before`,
    `peak ${f(peak, 0)} MB (+${f(peak - before, 0)} MB)`,
    'first byte ≤ 100 ms, RSS flat',
  );
  record(`writing those ${n} quotes with SQL (setup, for scale)`, `${f(filled, 0)} s`, '', '', '');
  child.kill('SIGTERM');
  await done;
  await database.drop();
}

/** A closed-loop load generator on loopback: 8 concurrent clients (or `clients`) for a fixed duration. */
async function load(target: string, seconds: number, clients = 8) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const res = await fetch(target);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${target}: ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

const parts = new Set(values.only.split(','));
try {
  if (parts.has('first')) await firstRunBench();
  if (parts.has('csv')) await csvBench();
  if (parts.has('history-csv')) await historyCsvBench();
  if (parts.has('rejected-csv')) await rejectedCsvBench();
  if (parts.has('api')) await apiBench();
  if (parts.has('concurrent')) await concurrentBench();
  if (parts.has('serve')) await serveBench();
  if (parts.has('compare')) await compareBench();
  if (parts.has('history')) await historyBench();
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log('| measure | kx | baseline | ratio | target |\n|---|---|---|---|---|');
for (const row of results) console.log(`| ${row.join(' | ')} |`);
