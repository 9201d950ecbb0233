/**
 * Failure drills: run the real `kx` against the fake upstream (or a generated CSV), break
 * each round at a random moment, `kx resume` until done, and compare the unified state with
 * a clean run. Exits non-zero on any mismatch.
 *
 *   npm run drill -- --source all --rounds 3
 *   KX_TEST_DATABASE_URL=postgres://… npm run drill -- --source csv --rounds 5   # on a server
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import postgres from 'postgres';
import { collect, runKx, startKx } from '../helpers/cli.js';
import { writeSnapshotCsv } from '../helpers/csv-gen.js';
import { createTestDatabase, serverUrl, withOpen, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, upstreamEnv, type FakeUpstream } from '../helpers/fake-upstream.js';
import { snapshotState } from '../helpers/state.js';

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: 'all' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
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
const modes = serverUrl
  ? (['sigkill', 'fail-after', 'db-drop'] as const)
  : (['sigkill', 'fail-after'] as const);
type Mode = (typeof modes)[number];

async function setup(source: Source, work: string) {
  const database = await createTestDatabase();
  const fake = await startFakeUpstream({
    coingeckoCoins: SIZES.coingecko,
    paprikaTickers: SIZES.coinpaprika,
  });
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
    const r = await runKx(args, { ...env, FAIL_AFTER_N_RECORDS: String(n) });
    if (r.code !== 5)
      throw new Error(`FAIL_AFTER_N_RECORDS=${n} exited ${r.code}: ${r.stderr.slice(-300)}`);
    return `FAIL_AFTER_N_RECORDS=${n}`;
  }
  const child = startKx(args, env);
  const done = collect(child);
  const after = 1 + random(Math.max(1, Math.floor(total / Number(BATCH)) - 1)); // batches committed before the break
  let action = 'ran to the end before the break';
  child.stderr!.on('data', (chunk: Buffer) => {
    const committed = [...chunk.toString().matchAll(/committed (\d+) records/g)].map((m) =>
      Number(m[1]),
    );
    if (action.startsWith('ran') && committed.some((c) => c >= after * Number(BATCH))) {
      if (mode === 'sigkill') {
        child.kill('SIGKILL');
        action = `SIGKILL after ${committed.at(-1)} records`;
      } else {
        action = `connection dropped after ${committed.at(-1)} records`;
        void dropConnections(env.DATABASE_URL!);
      }
    }
  });
  await done;
  return action;
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
    const r = await runKx(['resume'], env);
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
      const clean = await setup(source, work);
      if (source === 'csv') writeSnapshotCsv(clean.file, SIZES.csv, { badEvery: 97 });
      const ok = await runKx(clean.args, clean.env);
      if (ok.code !== 0) throw new Error(`clean ${source} run failed: ${ok.stderr.slice(-300)}`);
      const expected = await withOpen(clean.database, snapshotState);
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

await main();
