import { afterEach, expect } from 'vitest';
import { runKx } from './cli.js';
import { createTestDatabase, withOpen, type TestDatabase } from './db.js';
import {
  startFakeUpstream,
  upstreamEnv,
  type FakeUpstream,
  type FakeUpstreamOptions,
} from './fake-upstream.js';
import { snapshotState } from './state.js';

type State = Awaited<ReturnType<typeof snapshotState>>;

/**
 * Clean states by source and fake-upstream options. The fake upstream serves the same data
 * for the same options, so one uninterrupted ingest serves every test that compares with it.
 */
const cleanStates = new Map<string, Promise<State>>();

/**
 * For a test file whose tests each need a fresh database and fake upstream: `setup` makes
 * both (closed after each test) and the env that points kx at them; `cleanState` is the
 * state of one uninterrupted ingest, for resumed runs to be compared with.
 */
export function useUpstreamSetup() {
  const opened: (FakeUpstream | TestDatabase)[] = [];
  afterEach(async () => {
    for (const thing of opened.splice(0)) await ('close' in thing ? thing.close() : thing.drop());
  });

  async function setup(options: FakeUpstreamOptions = {}) {
    const database = await createTestDatabase();
    const fake = await startFakeUpstream(options);
    opened.push(fake, database);
    return { database, fake, env: { ...database.env, ...upstreamEnv(fake) } };
  }

  function cleanState(source: string, options: FakeUpstreamOptions = {}): Promise<State> {
    const key = JSON.stringify([source, options]);
    let state = cleanStates.get(key);
    if (!state) {
      state = ingestClean(source, options);
      cleanStates.set(key, state);
      state.catch(() => cleanStates.delete(key)); // a failure is its test's, not the next one's
    }
    return state;
  }

  async function ingestClean(source: string, options: FakeUpstreamOptions): Promise<State> {
    const database = await createTestDatabase();
    const fake = await startFakeUpstream(options);
    try {
      const r = await runKx(['ingest', '--source', source], {
        ...database.env,
        ...upstreamEnv(fake),
      });
      expect(r.code, r.stderr).toBe(0);
      return await withOpen(database, snapshotState);
    } finally {
      await fake.close();
      await database.drop();
    }
  }

  /** A database that is dropped after the test, for tests that need no fake upstream. */
  async function database() {
    const created = await createTestDatabase();
    opened.push(created);
    return created;
  }

  return { setup, cleanState, database };
}

/** The CoinGecko markets pages the fake upstream was asked for, in order. */
export const pagesFetched = (fake: FakeUpstream) =>
  fake.requests.filter((q) => q.path.endsWith('/coins/markets')).map((q) => Number(q.query.page));
