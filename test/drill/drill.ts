/**
 * Failure drills: run the real `kx` against the fake upstream (or a generated CSV), break
 * each round at a random moment, `kx resume` until done, and compare the unified state with
 * a clean run. Exits non-zero on any mismatch.
 *
 *   npm run drill -- --source all --rounds 3
 *   KX_TEST_DATABASE_URL=postgres://… npm run drill -- --source csv --rounds 5   # on a server
 *   npm run drill -- --poison      # also hide values the database refuses at random positions
 *   KX_TEST_DATABASE_URL=postgres://… npm run drill -- --concurrent --rounds 20   # concurrent.ts
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { LosslessNumber } from 'lossless-json';
import postgres from 'postgres';
import { collect, runKxBinary, startKx } from '../helpers/cli.js';
import { writeSnapshotCsv } from '../helpers/csv-gen.js';
import { createTestDatabase, serverUrl, withOpen, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, upstreamEnv, type FakeUpstream } from '../helpers/fake-upstream.js';
import { snapshotState } from '../helpers/state.js';
import { rejectedRecords } from '../../src/db/schema.js';

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: 'all' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    poison: { type: 'boolean', default: false },
    concurrent: { type: 'boolean', default: false },
  },
});
const SOURCES = ['csv', 'coingecko', 'coinpaprika'] as const;
type Source = (typeof SOURCES)[number];
const sources: Source[] = values.source === 'all' ? [...SOURCES] : [values.source as Source];
if (!sources.every((s) => SOURCES.includes(s))) {
  console.error(`--source must be one of ${SOURCES.join(', ')}, all`);
  process.exit(2);
}
const rounds = Number(values.rounds);
let seed = Number(values.seed);
/** A small deterministic generator: `--seed` replays a drill. */
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};

/** Sizes large enough that a kill lands mid-run, small enough for a quick drill. */
const SIZES = { csv: 20_000, coingecko: 3_000, coinpaprika: 20_000 };
const BATCH = '500';
/**
 * KX_DRILL_RESTART: a command that restarts the PostgreSQL server (`.ci/run` uses
 * `pg_ctlcluster 15 main restart -m fast`). With it, rounds on a server also stop the whole
 * server mid-run and start it again.
 */
const restartCommand = process.env.KX_DRILL_RESTART;
type Mode = 'sigkill' | 'fail-after' | 'db-drop' | 'db-restart';
const modes: Mode[] = serverUrl
  ? ['sigkill', 'fail-after', 'db-drop', ...(restartCommand ? (['db-restart'] as const) : [])]
  : ['sigkill', 'fail-after'];

/**
 * --poison: values of each class PostgreSQL refuses (DESIGN §3, invariant 6), by source, at
 * positions drawn once per source; every run of the source, clean or broken, carries them.
 */
type Item = Record<string, unknown>;
const API_POISONS: ((item: Item) => Item)[] = [
  (i) => ({ ...i, name: 'Poison\u0000Coin' }),
  (i) => ({
    ...i,
    rank: new LosslessNumber('99999999999'),
    market_cap_rank: new LosslessNumber('99999999999'),
  }),
  (i) => ({
    ...i,
    current_price: new LosslessNumber('1e400'),
    quotes: { USD: { price: new LosslessNumber('1e400') } },
  }),
  (i) => ({ ...i, last_updated: '0000-01-01T00:00:00Z' }),
];
/** CSV cells of helpers/csv-gen.ts rows: 2 name, 3 rank, 4 price, 11 last_updated. */
const CSV_POISONS: ((cells: string[]) => void)[] = [
  (c) => (c[2] = 'Poison\u0000Coin'),
  (c) => (c[3] = '99999999999'),
  (c) => (c[4] = '1e400'),
  (c) => (c[11] = '0000-01-01'),
  (c) => (c[11] = '2025-02-30'),
];
const POISON_COUNT = 12;
/** What identifies each poisoned record in rejected_records: its source id, or its CSV line. */
const poisonedKeys = new Set<string>();
const poisonAt: Partial<Record<Source, Map<number, number>>> = {};
/** The first and the last record, and the rest drawn at random: position -> poison class. */
function drawPoisons(source: Source): Map<number, number> {
  const total = SIZES[source];
  const classes = source === 'csv' ? CSV_POISONS.length : API_POISONS.length;
  const at = new Map([
    [0, 0],
    [total - 1, 1],
  ]);
  while (at.size < POISON_COUNT) at.set(random(total), at.size % classes);
  return at;
}

function poisonCsv(file: string, at: Map<number, number>): void {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  for (const [row, k] of at) {
    poisonedKeys.add(`line ${row + 2}`);
    const cells = lines[row]!.split(',');
    CSV_POISONS[k]!(cells);
    lines[row] = cells.join(',');
  }
  writeFileSync(file, `${[header, ...lines].join('\n')}\n`);
}

async function setup(source: Source, work: string) {
  const database = await createTestDatabase();
  const fake = await startFakeUpstream({
    coingeckoCoins: SIZES.coingecko,
    paprikaTickers: SIZES.coinpaprika,
  });
  const poisons = poisonAt[source];
  if (poisons && source !== 'csv') {
    fake.transform(source === 'coingecko' ? 'markets' : 'tickers', (item, index) => {
      const k = poisons.get(index);
      if (k === undefined) return item;
      poisonedKeys.add(String(item.id));
      return API_POISONS[k]!(item);
    });
  }
  const file = join(work, 'drill.csv');
  const env = {
    ...database.env,
    ...upstreamEnv(fake),
    KX_BATCH_SIZE: BATCH,
    KX_LOG_LEVEL: 'debug',
  };
  const args = ['ingest', '--source', source, ...(source === 'csv' ? ['--file', file] : [])];
  return { database, fake, env, args, file };
}

async function close(parts: { database: TestDatabase; fake: FakeUpstream }) {
  await parts.fake.close();
  await parts.database.drop();
}

/** Breaks one run; returns what was done, for the report line. */
async function breakRun(
  mode: Mode,
  args: string[],
  env: Record<string, string>,
  total: number,
): Promise<string> {
  if (mode === 'fail-after') {
    const n = 1 + random(total - 1);
    const r = await runKxBinary(args, { ...env, FAIL_AFTER_N_RECORDS: String(n) });
    if (r.code !== 5)
      throw new Error(`FAIL_AFTER_N_RECORDS=${n} exited ${r.code}: ${r.stderr.slice(-300)}`);
    return `FAIL_AFTER_N_RECORDS=${n}`;
  }
  const child = startKx(args, env);
  const done = collect(child);
  const after = 1 + random(Math.max(1, Math.floor(total / Number(BATCH)) - 1)); // batches committed before the break
  let action = 'ran to the end before the break';
  let restarted: Promise<void> = Promise.resolve();
  child.stderr!.on('data', (chunk: Buffer) => {
    const committed = [...chunk.toString().matchAll(/committed (\d+) records/g)].map((m) =>
      Number(m[1]),
    );
    if (action.startsWith('ran') && committed.some((c) => c >= after * Number(BATCH))) {
      if (mode === 'sigkill') {
        child.kill('SIGKILL');
        action = `SIGKILL after ${committed.at(-1)} records`;
      } else if (mode === 'db-restart') {
        action = `server restarted after ${committed.at(-1)} records`;
        // Frozen while the server restarts: a run that ends first would prove nothing.
        child.kill('SIGSTOP');
        restarted = restartServer().finally(() => child.kill('SIGCONT'));
      } else {
        action = `connection dropped after ${committed.at(-1)} records`;
        void dropConnections(env.DATABASE_URL!);
      }
    }
  });
  const result = await done;
  await restarted;
  if (mode === 'db-restart' && action.startsWith('server') && result.code !== 8)
    throw new Error(
      `kx exited ${result.code} when the server went away, not 8: ${result.stderr.slice(-300)}`,
    );
  return action;
}

/** Runs KX_DRILL_RESTART and waits until the server accepts connections again. */
async function restartServer(): Promise<void> {
  execSync(restartCommand!, { stdio: 'ignore' });
  for (let i = 0; i < 60; i++) {
    const sql = postgres(serverUrl!, { max: 1, onnotice: () => undefined, connect_timeout: 2 });
    try {
      await sql`select 1`;
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await sql.end({ timeout: 1 }).catch(() => undefined);
    }
  }
  throw new Error('the server did not come back within 30 s');
}

/** Terminates every connection of the drill database: a lost database, as kx sees it. */
async function dropConnections(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(serverUrl!, { max: 1, onnotice: () => undefined });
  await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
  await admin.end();
}

async function resumeUntilDone(env: Record<string, string>): Promise<number> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const r = await runKxBinary(['resume'], env);
    if (r.code === 0) return attempt;
  }
  throw new Error('kx resume did not finish in 5 attempts');
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'kx-drill-'));
  let failures = 0;
  let count = 0;
  try {
    for (const source of sources) {
      if (values.poison) poisonAt[source] = drawPoisons(source);
      poisonedKeys.clear();
      const clean = await setup(source, work);
      if (source === 'csv') writeSnapshotCsv(clean.file, SIZES.csv, { badEvery: 97 });
      const poisons = poisonAt[source];
      if (source === 'csv' && poisons) poisonCsv(clean.file, poisons);
      const started = Date.now();
      const ok = await runKxBinary(clean.args, clean.env);
      if (ok.code !== 0) throw new Error(`clean ${source} run failed: ${ok.stderr.slice(-300)}`);
      const expected = await withOpen(clean.database, snapshotState);
      if (poisons) {
        // Every poison is quarantined with a reason, and the run ended in bounded time.
        const seconds = (Date.now() - started) / 1000;
        const rejected = await withOpen(clean.database, ({ db }) =>
          db.select().from(rejectedRecords),
        );
        const keys = new Set(
          rejected.flatMap((r) => [r.sourceId, `line ${(r.locator as { line?: number }).line}`]),
        );
        const missing = [...poisonedKeys].filter((k) => !keys.has(k));
        const fine = missing.length === 0 && seconds < 300;
        count++;
        if (!fine) failures++;
        console.log(
          `${source} clean run with ${poisons.size} poisons: ${poisons.size - missing.length} quarantined${missing.length ? ` (missing: ${missing.join(', ')})` : ''}, ${seconds.toFixed(1)} s: ${fine ? 'OK' : 'MISMATCH'}`,
        );
      }
      await close(clean);
      for (let round = 1; round <= rounds; round++) {
        const mode = modes[(round - 1) % modes.length]!;
        const drill = await setup(source, work);
        const started = Date.now();
        try {
          const action = await breakRun(mode, drill.args, drill.env, SIZES[source]);
          const attempts = await resumeUntilDone(drill.env);
          const actual = await withOpen(drill.database, snapshotState);
          const same = isDeepStrictEqual(actual, expected);
          if (!same) failures++;
          console.log(
            `${source} round ${round}: ${action}; resumed in ${attempts} attempt(s); ${actual.quotes.length} quotes, ${actual.rawRows} raw rows: ${same ? 'OK, equal to a clean run' : 'MISMATCH'} (${Date.now() - started} ms)`,
          );
        } catch (error) {
          failures++;
          console.log(`${source} round ${round}: ERROR ${(error as Error).message}`);
        } finally {
          count++;
          await close(drill);
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(
    `drill with --seed ${values.seed} on ${serverUrl ? 'a PostgreSQL server' : 'PGlite'}`,
  );
  console.log(`drill: ${count - failures} passed, ${failures} failed`);
  process.exitCode = failures > 0 ? 1 : 0;
}

if (values.concurrent) {
  const { concurrentDrill } = await import('./concurrent.js');
  process.exitCode = await concurrentDrill(rounds, random);
  console.log(`drill with --seed ${values.seed}`);
} else await main();
