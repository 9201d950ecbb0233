import type { Source } from '../../src/core/source.js';
import type { DbHandle } from '../../src/db/client.js';
import {
  runIngest,
  withSourceLock,
  type RunResult,
  type RunSettings,
} from '../../src/engine/runner.js';
import { createSources, identityPolicy, type Sources } from '../../src/sources/index.js';
import type { FakeUpstream } from './fake-upstream.js';

/** Run settings for in-process ingests in tests: no injected failure, warnings dropped. */
export const quietSettings: RunSettings = {
  batchSize: 1000,
  failAfter: null,
  maxRejectRatio: 0.5,
  fullRefresh: false,
  identity: identityPolicy,
  warn: () => undefined,
};

/** The real sources, pointed at the fake upstream, without rate limits and with quick retries. */
export function createFakeSources(fake: FakeUpstream): Sources {
  return createSources(
    {
      coingecko: { plan: 'public', baseUrl: fake.coingeckoUrl, callsPerMinute: 0 },
      coinpaprika: { baseUrl: fake.paprikaUrl, callsPerMinute: 0 },
    },
    {
      http: {
        timeoutMs: 30_000,
        maxRetries: 2,
        retryBaseMs: 1,
        maxWaitMs: 10,
        maxTotalWaitMs: 100,
        maxBodyBytes: 256 * 1024 * 1024,
        proxy: null,
      },
      log: () => undefined,
    },
  );
}

/** One ingest in this process, under the source lock, as `kx ingest` runs it. */
export function ingestWith(
  handle: DbHandle,
  source: Source<unknown, unknown>,
  params: Record<string, unknown> = {},
  settings: RunSettings = quietSettings,
): Promise<RunResult> {
  return withSourceLock(handle, source.name, () =>
    runIngest(handle, source, source.parseParams(params), settings),
  );
}
