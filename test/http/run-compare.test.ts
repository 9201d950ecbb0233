import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { createApp } from '../../src/http/app.js';
import { createHttpMetrics } from '../../src/http/metrics.js';
import { ComparisonSchema } from '../../src/http/schemas.js';
import { csvSource } from '../../src/sources/csv/index.js';
import { sourceNames } from '../../src/sources/index.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ingestWith } from '../helpers/ingest.js';
import { makeScratchDir } from '../helpers/scratch.js';

/**
 * GET /runs/compare of runs of one CSV file: a run that read on from the last one's checkpoint
 * (appended lines, or none of a file unchanged since) is compared with what the file held as
 * of it, not with the few lines it read, so that cron re-running an unchanged file raises no
 * alarm and an append shows as coins that appeared.
 */
const [header, ...coins] = readFileSync(join(repoRoot, 'fixtures/sample.csv'), 'utf8')
  .trimEnd()
  .split('\n');
const idOf = (line: string) => line.split(',')[0]!;

let database: TestDatabase;
let handle: DbHandle;
let app: ReturnType<typeof createApp>;
let work: string;
let file: string;

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await database.open();
  app = createApp({ handle, sources: sourceNames, metrics: createHttpMetrics(), version: 'test' });
  work = makeScratchDir('kx-compare-');
  file = join(work, 'coins.csv');
});
afterAll(async () => {
  await handle.close();
  await database.drop();
  rmSync(work, { recursive: true, force: true });
});

const ingest = async () => (await ingestWith(handle, csvSource, { file, map: [] })).runId;

async function compare(a: number, b: number) {
  const response = await app.request(`http://127.0.0.1:8000/runs/compare?a=${a}&b=${b}`);
  expect(response.status).toBe(200);
  return v.parse(ComparisonSchema, await response.json()).data;
}
const kinds = (c: { anomalies: { kind: string }[] }) => c.anomalies.map((x) => x.kind).sort();

describe('GET /runs/compare of CSV runs', () => {
  it('takes a run that read on from a checkpoint with the runs before it', async () => {
    writeFileSync(file, [header, ...coins.slice(0, 100)].join('\n') + '\n');
    const first = await ingest();

    // The file unchanged: the run reads nothing, and nothing vanished.
    const again = await ingest();
    const unchanged = await compare(first, again);
    expect(unchanged.b).toMatchObject({
      fetched: 0,
      continues_run_id: first,
      stream: { runs: 2, first_run_id: first, fetched: 100, rejected: 0 },
    });
    expect(unchanged.a).toMatchObject({
      continues_run_id: null,
      stream: { runs: 1, first_run_id: first },
    });
    expect(unchanged.anomalies).toEqual([]);

    // 50 lines appended: those coins appeared, none vanished, the file holds more records.
    // The run that read nothing wrote no checkpoint: this one reads on from the first's.
    appendFileSync(file, coins.slice(100, 150).join('\n') + '\n');
    const appended = await ingest();
    const grown = await compare(again, appended);
    expect(grown.b).toMatchObject({
      fetched: 50,
      continues_run_id: first,
      stream: { runs: 2, first_run_id: first, fetched: 150 },
    });
    expect(kinds(grown)).toEqual(['coins_appeared']);
    expect(grown.anomalies[0]!.details).toMatchObject({
      count: 50,
      source_ids: coins.slice(100, 150).map(idOf).sort(),
    });

    // 10 more: a chain of three runs.
    appendFileSync(file, coins.slice(150, 160).join('\n') + '\n');
    const later = await ingest();
    expect((await compare(appended, later)).b).toMatchObject({
      continues_run_id: appended,
      stream: { runs: 3, first_run_id: first, fetched: 160 },
    });

    // Rewritten with its first 60 lines: read from the start, so 100 coins are gone.
    writeFileSync(file, [header, ...coins.slice(0, 60)].join('\n') + '\n');
    const rewritten = await ingest();
    const shrunk = await compare(later, rewritten);
    expect(shrunk.b).toMatchObject({
      fetched: 60,
      continues_run_id: null,
      stream: { runs: 1, first_run_id: rewritten, fetched: 60 },
    });
    expect(kinds(shrunk)).toEqual(['coins_vanished', 'record_count_drop']);
    const drop = shrunk.anomalies.find((x) => x.kind === 'record_count_drop')!;
    expect(drop.details).toEqual({ a: 160, b: 60 });
    expect(drop.message).toBe(
      `run ${rewritten} read 60 records, 63% fewer than run ${later} and the 2 runs it read on ` +
        `from, back to run ${first} (160)`,
    );
    expect(shrunk.anomalies.find((x) => x.kind === 'coins_vanished')!.details).toMatchObject({
      count: 100,
    });
    // Against the append: the one earlier run is named.
    const fromAppend = await compare(appended, rewritten);
    expect(fromAppend.anomalies.find((x) => x.kind === 'record_count_drop')!.message).toBe(
      `run ${rewritten} read 60 records, 60% fewer than run ${appended} and run ${first}, ` +
        `which it read on from (150)`,
    );
  });
});
