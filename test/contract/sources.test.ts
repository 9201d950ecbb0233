import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKxError } from '../../src/core/errors.js';
import type { Cursor, OpenContext, Source, SourceRecord } from '../../src/core/source.js';
import { rawTables } from '../../src/db/schema.js';
import { getFailedRun } from '../../src/engine/failed-run.js';
import { getRun } from '../../src/engine/runs.js';
import { resumeRun, withSourceLock } from '../../src/engine/runner.js';
import { sourceNames, type SourceName, type Sources } from '../../src/sources/index.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/db.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { createFakeSources, ingestWith, quietSettings } from '../helpers/ingest.js';
import { snapshotState } from '../helpers/state.js';

/**
 * The contract every registered source keeps, checked the same way for each: a new source
 * gets these tests by being in the registry and having a harness here (the record below
 * does not type-check without one).
 */
interface Harness {
  /** Parameters of a run that reads a few hundred records. */
  params: Record<string, unknown>;
  /** Parameters parseParams must refuse as a usage error; null for a source that takes none. */
  badParams: Record<string, unknown> | null;
}

const harnesses: Record<SourceName, Harness> = {
  coingecko: { params: { maxPages: 2 }, badParams: { maxPages: 0 } },
  coinpaprika: { params: {}, badParams: null },
  csv: {
    params: { file: join(repoRoot, 'fixtures/sample.csv'), map: [] },
    badParams: { map: [] },
  },
};

let fake: FakeUpstream;
let sources: Sources;
beforeAll(async () => {
  fake = await startFakeUpstream({ coingeckoCoins: 400, paprikaTickers: 300 });
  sources = createFakeSources(fake);
});
afterAll(() => fake.close());

/** An open context as the runner gives one, with the snapshot kept in memory. */
function contextFor(snapshot: { body: string | null }, resume: boolean): OpenContext {
  return {
    resume,
    fullRefresh: false,
    warn: () => undefined,
    snapshot: {
      get: () => Promise.resolve(snapshot.body),
      land: (body) => {
        snapshot.body = body;
        return Promise.resolve();
      },
    },
    spendCall: () => Promise.resolve(),
  };
}

/** What identifies a record's content: its listing id and its payload. */
const identity = (r: SourceRecord) => `${r.sourceId ?? ''} ${JSON.stringify(r.payload)}`;

async function readAll(
  source: Source<unknown, unknown>,
  params: unknown,
  cursor: Cursor | null,
  snapshot: { body: string | null },
) {
  const stream = await source.open(params, cursor, contextFor(snapshot, cursor !== null));
  const records: SourceRecord[] = [];
  /** Each record's checkpoint, taken as the runner takes them: in reading order. */
  const cursors: Cursor[] = [];
  for await (const record of stream.records) {
    records.push(record);
    cursors.push(stream.cursorAt(record.position));
  }
  return { records, cursors };
}

describe.each(sourceNames)('source %s', (name) => {
  const harness = harnesses[name];
  const source = () => sources[name];

  it('refuses bad parameters as a usage error, and takes good ones', () => {
    if (harness.badParams) expect(refusal(harness.badParams)).toBe('usage');
    expect(() => source().parseParams(harness.params)).not.toThrow();
    expect(source().name).toBe(name);
    expect(source().rawTable).toBe(`raw_${name}`);
    // Its table is declared where migrations are generated from.
    expect(Object.keys(rawTables)).toContain(source().rawTable);
  });

  function refusal(params: Record<string, unknown>) {
    const refused = (() => {
      try {
        source().parseParams(params);
        return null;
      } catch (error) {
        return error;
      }
    })();
    return isKxError(refused) ? refused.code : refused;
  }

  it('reads from no cursor: records with a locator, a result and a checkpoint that survives JSON', async () => {
    const params = source().parseParams(harness.params);
    const { records, cursors } = await readAll(source(), params, null, { body: null });
    expect(records.length).toBeGreaterThan(100);
    for (const [i, record] of records.entries()) {
      expect(Object.keys(record.locator).length).toBeGreaterThan(0);
      expect(typeof record.result.ok).toBe('boolean');
      expect(JSON.parse(JSON.stringify(cursors[i]))).toEqual(cursors[i]); // as etl_checkpoints keeps it
    }
  });

  it('resumed from a checkpoint at any record, reads exactly the records after it', async () => {
    const params = source().parseParams(harness.params);
    const snapshot = { body: null as string | null };
    const { records, cursors } = await readAll(source(), params, null, snapshot);
    const all = records.map(identity);
    const n = records.length;
    // The first and last records, a unit's edges (CoinGecko's page of 250), and points between.
    const at = [...new Set([0, 1, 248, 249, 250, Math.floor(n / 3), n - 2, n - 1])].filter(
      (k) => k >= 0 && k < n,
    );
    for (const k of at) {
      const cursor = JSON.parse(JSON.stringify(cursors[k])) as Cursor;
      const rest = await readAll(source(), params, cursor, snapshot);
      expect(rest.records.map(identity), `after record ${k}`).toEqual(all.slice(k + 1));
    }
  });

  it('FAIL_AFTER_N_RECORDS commits exactly N, and a resume ends equal to a clean run', async () => {
    const clean = await createTestDatabase();
    const broken = await createTestDatabase();
    const [cleanDb, brokenDb] = [await clean.open(), await broken.open()];
    try {
      await ingestWith(cleanDb, source(), harness.params);
      const n = 137; // inside a batch and, for CoinGecko, inside its first page
      const failed = await ingestWith(brokenDb, source(), harness.params, {
        ...quietSettings,
        batchSize: 50,
        failAfter: n,
      }).then(
        () => null,
        (error: unknown) => getFailedRun(error),
      );
      expect(failed).toMatchObject({ status: 'failed', loaded: n });
      const run = await getRun(brokenDb.db, failed!.runId);
      const resumed = await withSourceLock(brokenDb, name, () =>
        resumeRun(brokenDb, source(), run!, quietSettings),
      );
      expect(resumed.status).toBe('succeeded');
      expect(await snapshotState(brokenDb)).toEqual(await snapshotState(cleanDb));
    } finally {
      await cleanDb.close();
      await brokenDb.close();
      await clean.drop();
      await broken.drop();
    }
  });
});
