import { asc, eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSource, type FileVersion, type SourceRecord } from '../../src/core/source.js';
import type { UnifiedListing } from '../../src/core/unified.js';
import { copyRows } from '../../src/db/sql.js';
import { etlCheckpoints, quotes, rawCsv, rejectedRecords } from '../../src/db/schema.js';
import { useOpenedDatabase } from '../helpers/db.js';
import { ingestWith, quietSettings } from '../helpers/ingest.js';
import { assertReferences } from '../helpers/state.js';

const open = useOpenedDatabase(afterEach);

/**
 * Values that pass no validation on purpose (the records claim to be valid): each is refused
 * by PostgreSQL itself, so only the engine's bisection can keep them from failing the run.
 */
const POISONS: Record<number, Partial<UnifiedListing>> = {
  0: { rank: 99_999_999_999 }, // the first record: over int4
  400: { name: 'Poison\u0000Coin' }, // a NUL byte: refused inside the COPY itself
  401: { observedAt: new Date('0000-01-01T00:00:00Z') }, // year 0: out of timestamptz's range
  999: { percentChange24h: 'NaNx' }, // the last record: not a numeric
};

function listing(i: number): UnifiedListing {
  return {
    sourceId: `coin-${i}`,
    symbol: `C${i}`,
    name: `Coin ${i}`,
    slug: null,
    rank: i + 1,
    priceUsd: `${i}.5`,
    marketCapUsd: null,
    volume24hUsd: null,
    circulatingSupply: null,
    totalSupply: null,
    maxSupply: null,
    percentChange24h: '0.1',
    observedAt: new Date(Date.UTC(2025, 1, 9)),
    ...POISONS[i],
  };
}

/** The file version of the poisoned file's lines. */
const file: FileVersion = {
  path: 'poisoned.csv',
  header: Buffer.from('id,line'),
  columns: ['id', 'line'],
  delimiter: ',',
};

const poisoned = defineSource<Record<string, unknown>, number>({
  name: 'csv',
  rawTable: 'raw_csv',
  parseParams: (input) => input,
  streamKey: () => 'poisoned.csv',
  cursorScope: 'stream',
  open: (_params, cursor) => {
    const from = typeof cursor?.next === 'number' ? cursor.next : 0;
    async function* records(): AsyncGenerator<SourceRecord<number>> {
      for (let i = from; i < 1000; i++) {
        await Promise.resolve(); // a source reads asynchronously
        const l = listing(i);
        yield {
          locator: { file: 'poisoned.csv', line: i + 2 },
          sourceId: l.sourceId,
          payload: { id: l.sourceId, line: String(i + 2) }, // the poison is in the listing only
          line: { file, number: i + 2, bytes: Buffer.from(`${l.sourceId},${i + 2}`) },
          result: { ok: true, listing: l },
          position: i,
        };
      }
    }
    return Promise.resolve({
      records: records(),
      cursorAt: (position) => ({ next: position + 1 }),
      describe: () => ({ warnings: [] }),
    });
  },
});

describe('values the database refuses', () => {
  it('are found by bisection and quarantined with its reason; the rest of every batch commits', async () => {
    const handle = await open();
    const warnings: string[] = [];
    const settings = { ...quietSettings, batchSize: 300, warn: (m: string) => warnings.push(m) };
    const result = await ingestWith(handle, poisoned, {}, settings);
    expect(result).toMatchObject({ status: 'succeeded', fetched: 1000, loaded: 996, rejected: 4 });

    const rejected = await handle.db
      .select({
        locator: rejectedRecords.locator,
        reason: rejectedRecords.reason,
        raw: rejectedRecords.raw,
      })
      .from(rejectedRecords)
      .orderBy(asc(rejectedRecords.id));
    const byLine = Object.fromEntries(
      rejected.map((r) => [(r.locator as { line: number }).line - 2, r.reason]),
    );
    expect(
      Object.keys(byLine)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([0, 400, 401, 999]);
    expect(byLine[0]).toMatch(/^the database refused it: .*out of range for type integer/);
    expect(byLine[400]).toMatch(/^the database refused it: invalid byte sequence .*0x00/);
    expect(byLine[401]).toMatch(/^the database refused it: .*out of range/);
    expect(byLine[999]).toMatch(/^the database refused it: invalid input syntax for type numeric/);
    // A refused line is quarantined as its text.
    expect(rejected.map((r) => JSON.parse(r.raw) as unknown)).toContainEqual({
      line: 'coin-999,1001',
    });
    const [lines] = await handle.db.select({ n: sql<number>`count(*)::int` }).from(rawCsv);
    expect(lines!.n).toBe(996);
    // One warning per batch that held a poison: 0; 400 and 401 (found in one search); 999.
    expect(warnings.map((w) => w.split(' ')[0])).toEqual(['1', '2', '1']);

    const [stored] = await handle.db.select({ n: sql<number>`count(*)::int` }).from(quotes);
    expect(stored!.n).toBe(996);
    const [checkpoint] = await handle.db
      .select()
      .from(etlCheckpoints)
      .where(eq(etlCheckpoints.streamKey, 'poisoned.csv'));
    expect(checkpoint!.cursor).toEqual({ next: 1000 });
    await assertReferences(handle);

    // The stream continues from its checkpoint: a second run reads and adds nothing.
    const again = await ingestWith(handle, poisoned, {}, settings);
    expect(again).toMatchObject({ status: 'succeeded', fetched: 0, loaded: 0 });
  });

  it('a COPY the database refuses fails with its reason instead of waiting for ever', async () => {
    const handle = await open();
    for (const rows of [3, 50_000]) {
      const failing = handle.db.transaction(async (tx) => {
        await tx.execute(sql`create temp table t (a text, b int) on commit drop`);
        const lines = Array.from({ length: rows }, (_, i) => `ok\t${i}`);
        await copyRows(tx, 't', ['a', 'b'], [...lines, 'x\t99999999999']);
      });
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the COPY is still waiting after 20 s')), 20_000).unref(),
      );
      await expect(Promise.race([failing, timeout])).rejects.toMatchObject({
        message: expect.stringMatching(/out of range for type integer/) as string,
      });
      // The connection is usable again.
      await expect(handle.db.execute(sql`select 1`)).resolves.toBeDefined();
    }
  });
});
