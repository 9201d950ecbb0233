import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import { assetSources } from '../../src/db/schema.js';
import { linkListing, unlinkListing } from '../../src/identity/manual-links.js';
import { getStatus } from '../../src/queries/status.js';
import { sourceNames, type Sources } from '../../src/sources/index.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { createFakeSources, ingestWith, quietSettings } from '../helpers/ingest.js';
import { assertReferences } from '../helpers/state.js';

/**
 * Identity over the recorded data: the CoinGecko markets pages (401 coins), one CoinPaprika
 * ticker per active coin of the real coins list, and the CSV sample (CoinGecko ids).
 */
let fake: FakeUpstream;
let sources: Sources;
const opened: { database: TestDatabase; handle: DbHandle }[] = [];
const csvParams = { file: join(repoRoot, 'fixtures/sample.csv'), map: [] };

beforeAll(async () => {
  fake = await startFakeUpstream({ paprikaTickers: 'all' });
  sources = createFakeSources(fake);
});
afterAll(async () => {
  for (const { database, handle } of opened) {
    await handle.close();
    await database.drop();
  }
  await fake.close();
});

async function ingestAll(order: (keyof Sources)[], from: Sources = sources) {
  const database = await createTestDatabase();
  const handle = await database.open();
  opened.push({ database, handle });
  for (const name of order) {
    const params = name === 'csv' ? csvParams : {};
    await ingestWith(handle, from[name], params);
  }
  return handle;
}

/** listing key → the sorted keys of every listing on the same asset. */
async function groupsOf(handle: DbHandle) {
  await assertReferences(handle); // moves and orphan deletes leave no listing or quote behind
  const rows = await handle.db
    .select({
      source: assetSources.source,
      sourceId: assetSources.sourceId,
      assetId: assetSources.assetId,
    })
    .from(assetSources);
  const byAsset = new Map<number, string[]>();
  for (const r of rows)
    byAsset.set(r.assetId, [...(byAsset.get(r.assetId) ?? []), `${r.source}:${r.sourceId}`]);
  const groups = new Map<string, string[]>();
  for (const members of byAsset.values()) {
    const sorted = [...members].sort();
    for (const key of sorted) groups.set(key, sorted);
  }
  return groups;
}

/**
 * Precision and recall against the reference the source ids give: CoinPaprika `sym-slug` is
 * CoinGecko `slug` when `sym` is the CoinGecko symbol. A merged pair contradicts the reference
 * when either listing's reference partner is another listing.
 */
export async function measureIdentity(handle: DbHandle) {
  const rows = await handle.db.select().from(assetSources);
  const gecko = rows.filter((r) => r.source === 'coingecko');
  const paprika = new Map(
    rows.filter((r) => r.source === 'coinpaprika').map((r) => [r.sourceId, r]),
  );
  const partnerOfGecko = new Map<string, string>();
  for (const g of gecko) {
    const p = paprika.get(`${g.symbol.toLowerCase()}-${g.sourceId}`);
    if (p) partnerOfGecko.set(g.sourceId, p.sourceId);
  }
  const partnerOfPaprika = new Map([...partnerOfGecko].map(([g, p]) => [p, g]));
  let found = 0;
  for (const [g, p] of partnerOfGecko)
    if (gecko.find((r) => r.sourceId === g)!.assetId === paprika.get(p)!.assetId) found++;
  let merged = 0;
  let wrong = 0;
  for (const g of gecko) {
    for (const p of rows.filter((r) => r.source === 'coinpaprika' && r.assetId === g.assetId)) {
      merged++;
      const gPartner = partnerOfGecko.get(g.sourceId);
      const pPartner = partnerOfPaprika.get(p.sourceId);
      if ((gPartner && gPartner !== p.sourceId) || (pPartner && pPartner !== g.sourceId)) wrong++;
    }
  }
  return {
    reference: partnerOfGecko.size,
    found,
    recall: found / partnerOfGecko.size,
    merged,
    wrong,
    precision: merged === 0 ? 1 : (merged - wrong) / merged,
  };
}

describe('one coin, one asset, over the recorded data', () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await ingestAll(['coingecko', 'coinpaprika', 'csv']);
  });

  it('links the major coins to one asset across all three sources', async () => {
    const groups = await groupsOf(handle);
    for (const [gecko, paprika] of [
      ['bitcoin', 'btc-bitcoin'],
      ['ethereum', 'eth-ethereum'],
      ['tether', 'usdt-tether'],
      ['solana', 'sol-solana'],
      ['ripple', 'xrp-xrp'],
      ['cardano', 'ada-cardano'],
    ]) {
      expect(groups.get(`coingecko:${gecko}`), gecko).toEqual(
        [`coingecko:${gecko}`, `coinpaprika:${paprika}`, `csv:${gecko}`].sort(),
      );
    }
    const status = await getStatus(handle, sourceNames);
    expect(status.assetsBySourceCount['3']).toBeGreaterThanOrEqual(100);
  });

  it('keeps every weth, usdc and META listing apart', async () => {
    const rows = await handle.db.select().from(assetSources);
    for (const symbol of ['WETH', 'USDC', 'META']) {
      for (const source of ['coingecko', 'coinpaprika']) {
        const same = rows.filter((r) => r.symbol === symbol && r.source === source);
        expect(new Set(same.map((r) => r.assetId)).size, `${source} ${symbol}`).toBe(same.length);
      }
    }
    expect(rows.filter((r) => r.symbol === 'WETH' && r.source === 'coingecko')).toHaveLength(5);
  });

  it('reaches precision 100% and recall ≥ 95% against the source-id reference', async () => {
    const figures = await measureIdentity(handle);
    console.log(`identity: ${JSON.stringify(figures)}`);
    expect(figures.reference).toBeGreaterThan(100);
    expect(figures.precision).toBe(1);
    expect(figures.recall).toBeGreaterThanOrEqual(0.95);
  });

  it('gives the same grouping whichever source is ingested first', async () => {
    const expected = await groupsOf(handle);
    for (const order of [
      ['csv', 'coinpaprika', 'coingecko'],
      ['coinpaprika', 'csv', 'coingecko'],
    ] as (keyof Sources)[][]) {
      const other = await groupsOf(await ingestAll(order));
      expect(other, order.join(' → ')).toEqual(expected);
    }
  });

  it('manual link and unlink win over the rules and survive a full re-ingest', async () => {
    // The top 500 CoinPaprika coins by rank: the listings linked here, without 6,000 others.
    const top = await startFakeUpstream({ paprikaTickers: 500 });
    onTestFinished(() => top.close());
    const sources = createFakeSources(top);
    const h = await ingestAll(['coingecko', 'coinpaprika', 'csv'], sources);
    const before = await groupsOf(h);
    const ethAsset = (await h.db.select().from(assetSources)).find(
      (r) => r.source === 'coingecko' && r.sourceId === 'ethereum',
    )!.assetId;
    await linkListing(h.db, 'csv', 'staked-ether', ethAsset); // a person says: treat stETH as ETH
    await unlinkListing(h.db, 'coinpaprika', 'btc-bitcoin');
    for (const name of ['coingecko', 'coinpaprika', 'csv'] as const) {
      const params = name === 'csv' ? { ...csvParams } : {};
      await ingestWith(h, sources[name], params, { ...quietSettings, fullRefresh: true });
    }
    const after = await groupsOf(h);
    expect(after.get('csv:staked-ether')).toContain('coingecko:ethereum');
    expect(after.get('coinpaprika:btc-bitcoin')).toEqual(['coinpaprika:btc-bitcoin']);
    expect(after.get('coingecko:bitcoin')).toEqual(
      before.get('coingecko:bitcoin')!.filter((k) => k !== 'coinpaprika:btc-bitcoin'),
    );
    expect(before.get('coingecko:bitcoin')).toContain('coinpaprika:btc-bitcoin');
    expect(before.get('csv:staked-ether')).not.toContain('coingecko:ethereum');
  });
});
