import { count, eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileVersion, SourceRecord } from '../../src/core/source.js';
import type { UnifiedListing } from '../../src/core/unified.js';
import type { DbHandle } from '../../src/db/client.js';
import {
  assetSources,
  etlRunListings,
  quotes,
  rawCsv,
  rejectedRecords,
} from '../../src/db/schema.js';
import { selectRows } from '../../src/db/sql.js';
import { addToBatch, newBatch } from '../../src/engine/batch.js';
import { loadBatch } from '../../src/engine/load.js';
import { createRun } from '../../src/engine/runs.js';
import { identityPolicy } from '../../src/sources/index.js';
import { useOpenedDatabase } from '../helpers/db.js';
import { assertReferences } from '../helpers/state.js';

const open = useOpenedDatabase(afterEach);

const file: FileVersion = {
  path: 'history.csv',
  header: Buffer.from('symbol,price,time'),
  columns: ['symbol', 'price', 'time'],
  delimiter: ',',
};

function record(line: number, price: string, observedAt: string): SourceRecord {
  const listing: UnifiedListing = {
    sourceId: 'btc-bitcoin',
    symbol: 'BTC',
    name: 'Bitcoin',
    slug: null,
    rank: 1,
    priceUsd: price,
    marketCapUsd: null,
    volume24hUsd: null,
    circulatingSupply: null,
    totalSupply: null,
    maxSupply: null,
    percentChange24h: null,
    observedAt: new Date(observedAt),
  };
  return {
    locator: { file: 'history.csv', line },
    sourceId: listing.sourceId,
    payload: { symbol: 'btc', price, time: observedAt },
    line: { file, number: line, bytes: Buffer.from(`btc,${price},${observedAt}`) },
    result: { ok: true, listing },
    position: line,
  };
}

const rejected: SourceRecord = {
  locator: { file: 'history.csv', line: 9 },
  sourceId: null,
  payload: { symbol: '', price: 'n/a' },
  result: { ok: false, reason: 'price_usd: not a number: "n/a"', field: 'price_usd' },
  position: 9,
};

async function load(handle: DbHandle, records: SourceRecord[]) {
  const run = await createRun(handle.db, { source: 'csv', streamKey: 'history.csv', params: {} });
  const batch = newBatch();
  for (const r of records) addToBatch(batch, r);
  const counts = await handle.db.transaction((tx) =>
    loadBatch(tx, 'csv', 'raw_csv', run.id, batch, identityPolicy, handle.driver),
  );
  return { run, counts };
}

describe('loadBatch', () => {
  it('lands each payload version once, keeps the newest observation, quarantines the rest', async () => {
    const handle = await open();
    // Newest first (a history file in reverse), an exact repeat, and a broken row.
    const records = [
      record(2, '96000.5', '2025-02-09T00:00:00Z'),
      record(3, '95000.25', '2025-02-08T00:00:00Z'),
      record(4, '96000.5', '2025-02-09T00:00:00Z'),
      rejected,
    ];
    const first = await load(handle, records);
    expect(first.counts).toEqual({ fetched: 4, loaded: 2, unchanged: 1, rejected: 1 });
    const { db } = handle;
    expect(await db.select({ n: count() }).from(rawCsv)).toEqual([{ n: 2 }]);
    const history = await db
      .select({ price: quotes.priceUsd, at: quotes.observedAt })
      .from(quotes)
      .orderBy(quotes.observedAt);
    expect(history.map((q) => q.price)).toEqual(['95000.25', '96000.5']);
    const [listing] = await db.select().from(assetSources);
    expect(listing).toMatchObject({ priceUsd: '96000.5', matchMethod: 'new' });
    expect(listing!.observedAt.toISOString()).toBe('2025-02-09T00:00:00.000Z');
    const [quarantined] = await db.select().from(rejectedRecords);
    expect(quarantined).toMatchObject({ field: 'price_usd', locator: { line: 9 } });
    // Every version was new: nothing to note as seen unchanged.
    expect(await db.select({ n: count() }).from(etlRunListings)).toEqual([{ n: 0 }]);

    const again = await load(handle, records);
    expect(again.counts).toEqual({ fetched: 4, loaded: 0, unchanged: 3, rejected: 1 });
    expect(await db.select({ n: count() }).from(quotes)).toEqual([{ n: 2 }]);
    expect(
      await db
        .select({ id: etlRunListings.sourceId })
        .from(etlRunListings)
        .where(eq(etlRunListings.runId, again.run.id)),
    ).toEqual([{ id: 'btc-bitcoin' }]);
    await assertReferences(handle);
  });

  it("stages in the driver's temporary buffers: PGlite's are kx's own memory", async () => {
    const handle = await open();
    const run = await createRun(handle.db, { source: 'csv', streamKey: 'history.csv', params: {} });
    const batch = newBatch();
    addToBatch(batch, record(2, '1', '2025-02-09T00:00:00Z'));
    const [setting] = await handle.db.transaction(async (tx) => {
      await loadBatch(tx, 'csv', 'raw_csv', run.id, batch, identityPolicy, handle.driver);
      return selectRows<{ buffers: string }>(
        tx,
        sql`select current_setting('temp_buffers') as buffers`,
      );
    });
    expect(setting?.buffers).toBe(handle.driver === 'pglite' ? '16MB' : '64MB');
  });

  it('assertReferences fails on a quote whose asset does not exist', async () => {
    const handle = await open();
    await load(handle, [record(2, '1', '2025-02-09T00:00:00Z')]);
    await handle.db.execute(sql`update quotes set asset_id = asset_id + 1000`);
    await expect(assertReferences(handle)).rejects.toThrow(/dangling references: 1 rows/);
  });
});
