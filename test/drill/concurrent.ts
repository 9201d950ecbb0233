/**
 * Concurrent drill (#21): the three sources ingested at once into one PostgreSQL database, with
 * random batch sizes and, in some rounds, one worker killed with SIGKILL and resumed. The
 * unified state (assets, their grouping, listings, quotes, raw rows) must equal that of the
 * same ingests run one after the other. Exits non-zero on any difference.
 *
 *   KX_TEST_DATABASE_URL=postgres://… npm run drill -- --concurrent --rounds 20
 */
import { isDeepStrictEqual } from 'node:util';
import { collect, runKxBinary, sampleCsv, startKx } from '../helpers/cli.js';
import { createTestDatabase, serverUrl, withOpen, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, upstreamEnv, type FakeUpstream } from '../helpers/fake-upstream.js';
import { snapshotState } from '../helpers/state.js';

/** CoinGecko's 4 pages and CoinPaprika's 3,000 tickers share many coins with the sample CSV. */
const UPSTREAM = { coingeckoCoins: 1000, paprikaTickers: 3000 };
const INGESTS = {
  csv: ['ingest', '--source', 'csv', '--file', sampleCsv],
  coingecko: ['ingest', '--source', 'coingecko'],
  coinpaprika: ['ingest', '--source', 'coinpaprika'],
};
type Source = keyof typeof INGESTS;
const SOURCES = Object.keys(INGESTS) as Source[];

interface Stage {
  database: TestDatabase;
  fake: FakeUpstream;
  env: Record<string, string>;
}

async function stage(): Promise<Stage> {
  const database = await createTestDatabase();
  const fake = await startFakeUpstream(UPSTREAM);
  return { database, fake, env: { ...database.env, ...upstreamEnv(fake) } };
}

async function close({ database, fake }: Stage): Promise<void> {
  await fake.close();
  await database.drop();
}

async function ingest(env: Record<string, string>, source: Source): Promise<void> {
  const r = await runKxBinary(INGESTS[source], env);
  if (r.code !== 0) throw new Error(`kx ingest --source ${source} exited ${r.code}: ${r.stderr}`);
}

/**
 * Starts one worker; with `killAfter`, kills it with SIGKILL once it has committed that many
 * records (or lets it finish if it never gets there) and resumes it. Returns what happened.
 */
async function worker(
  env: Record<string, string>,
  source: Source,
  killAfter: number | null,
): Promise<string> {
  // A resume of every source takes each free source's lock for a moment: a worker that starts
  // just then waits for it instead of exiting 6.
  const child = startKx(INGESTS[source], { ...env, KX_LOG_LEVEL: 'debug', KX_LOCK_WAIT: '1m' });
  const done = collect(child);
  const seen = { killedAt: null as number | null };
  child.stderr!.on('data', (chunk: Buffer) => {
    for (const m of chunk.toString().matchAll(/committed (\d+) records/g)) {
      if (killAfter !== null && seen.killedAt === null && Number(m[1]) >= killAfter) {
        seen.killedAt = Number(m[1]);
        child.kill('SIGKILL');
      }
    }
  });
  const r = await done;
  if (seen.killedAt !== null && r.signal === 'SIGKILL') {
    // At once, while the other workers may still run: `kx resume` of every source passes
    // over those and finishes this one.
    const resumed = await runKxBinary(['resume'], env);
    if (resumed.code !== 0)
      throw new Error(`kx resume after the kill exited ${resumed.code}: ${resumed.stderr}`);
    return `${source} killed after ${seen.killedAt} and resumed`;
  }
  if (r.code !== 0) throw new Error(`${source} worker exited ${r.code}: ${r.stderr.slice(-400)}`);
  return `${source} done`;
}

export async function concurrentDrill(
  rounds: number,
  random: (n: number) => number,
): Promise<number> {
  if (!serverUrl) {
    console.error(
      'the concurrent drill needs a PostgreSQL server: set KX_TEST_DATABASE_URL (PGlite is one process)',
    );
    return 2;
  }
  const sequential = await stage();
  let expected: Awaited<ReturnType<typeof snapshotState>>;
  try {
    for (const source of SOURCES) await ingest(sequential.env, source);
    expected = await withOpen(sequential.database, snapshotState);
  } finally {
    await close(sequential);
  }
  console.log(
    `sequential: ${expected.assets.length} assets, ${expected.listings.length} listings, ${expected.quotes.length} quotes`,
  );

  let failures = 0;
  for (let round = 1; round <= rounds; round++) {
    const drill = await stage();
    const started = Date.now();
    try {
      const batch = String(25 + random(476));
      const victim = round % 2 === 0 ? SOURCES[random(SOURCES.length)]! : null;
      const env = { ...drill.env, KX_BATCH_SIZE: batch };
      const outcomes = await Promise.all(
        SOURCES.map((s) => worker(env, s, s === victim ? 1 + random(Number(batch) * 3) : null)),
      );
      const resumed = await runKxBinary(['resume'], drill.env);
      if (resumed.code !== 0)
        throw new Error(`kx resume exited ${resumed.code}: ${resumed.stderr}`);
      const actual = await withOpen(drill.database, snapshotState);
      const same = isDeepStrictEqual(actual, expected);
      if (!same) failures++;
      console.log(
        `round ${round}: batch ${batch}; ${outcomes.join(', ')}; ${same ? 'OK, equal to the sequential run' : `MISMATCH${describeDifference(expected, actual)}`} (${Date.now() - started} ms)`,
      );
    } catch (error) {
      failures++;
      console.log(`round ${round}: ERROR ${(error as Error).message}`);
    } finally {
      await close(drill);
    }
  }
  console.log(`concurrent drill: ${rounds - failures} passed, ${failures} failed`);
  return failures > 0 ? 1 : 0;
}

/** The first few groupings that differ, for the report line. */
function describeDifference(
  expected: Awaited<ReturnType<typeof snapshotState>>,
  actual: Awaited<ReturnType<typeof snapshotState>>,
): string {
  const missing = expected.groups.filter((g) => !actual.groups.includes(g));
  const extra = actual.groups.filter((g) => !expected.groups.includes(g));
  if (missing.length + extra.length === 0) {
    const parts = (Object.keys(expected) as (keyof typeof expected)[]).filter(
      (k) => !isDeepStrictEqual(expected[k], actual[k]),
    );
    const first = (k: keyof typeof expected) => {
      const [e, a] = [expected[k], actual[k]];
      if (!Array.isArray(e) || !Array.isArray(a))
        return `${k}: ${JSON.stringify(e)} vs ${JSON.stringify(a)}`;
      const i = e.findIndex((x, j) => !isDeepStrictEqual(x, a[j]));
      return `${k}[${i}]: ${JSON.stringify(e[i])} vs ${JSON.stringify(a[i])}`;
    };
    return ` (groupings equal; ${parts.map(first).join('; ')})`;
  }
  return ` (groups expected but not found: ${missing.slice(0, 3).join(' | ')}; found instead: ${extra.slice(0, 3).join(' | ')})`;
}
