import { describe, expect, it } from 'vitest';
import { clusterListings as cluster, keyOf, type Member } from '../../src/identity/rules.js';
import { identityPolicy } from '../../src/sources/index.js';

/** The registry's policy: CoinGecko and CoinPaprika are catalogues, CSV files are files. */
const clusterListings = (members: Member[]) => cluster(members, identityPolicy);

/** The slug each catalogue declares (see the sources' mapping tests). */
function slugOf(source: string, sourceId: string, symbol: string): string | null {
  if (source === 'coingecko') return sourceId;
  const prefix = `${symbol.toLowerCase()}-`;
  return source === 'coinpaprika' && sourceId.startsWith(prefix)
    ? sourceId.slice(prefix.length)
    : null;
}

const m = (
  source: string,
  sourceId: string,
  symbol: string,
  nameKey: string | null,
  slug: string | null = null,
  pinnedAssetId: number | null = null,
): Member => ({
  source,
  sourceId,
  symbol,
  nameKey,
  slug: slug ?? slugOf(source, sourceId, symbol),
  pinnedAssetId,
});

/** Clusters as sorted lists of member keys: comparable whatever the input order. */
function groups(members: Member[]): string[][] {
  return clusterListings(members)
    .map((c) => c.members.map(keyOf).sort())
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)]))
      yield [items[i]!, ...rest];
  }
}

describe('identity rules', () => {
  it('links CoinPaprika sym-slug to the CoinGecko id with the same symbol, and a CSV id to both', () => {
    expect(
      groups([
        m('coingecko', 'bitcoin', 'BTC', 'bitcoin'),
        m('coinpaprika', 'btc-bitcoin', 'BTC', 'bitcoin'),
        m('csv', 'x', 'BTC', null, 'bitcoin'),
      ]),
    ).toEqual([['coingecko:bitcoin', 'coinpaprika:btc-bitcoin', 'csv:x']]);
    // A slug match needs the same symbol.
    expect(
      groups([m('coingecko', 'bitcoin', 'BTC', 'a'), m('coinpaprika', 'btc-bitcoin', 'XBT', 'b')]),
    ).toHaveLength(2);
  });

  it('never merges on symbol alone: five weth and twelve META stay apart', () => {
    const weth = [
      'weth',
      'binance-peg-weth',
      'l2-standard-bridged-weth-base',
      'arbitrum-bridged-weth-arbitrum-one',
      'polygon-pos-bridged-weth-polygon-pos',
    ];
    expect(
      groups(weth.map((id) => m('coingecko', id, 'WETH', id.replaceAll('-', '')))),
    ).toHaveLength(5);
    const metas = Array.from({ length: 12 }, (_, i) =>
      m('coinpaprika', `meta-meta-${i}`, 'META', `metaproject${i}`),
    );
    expect(groups(metas)).toHaveLength(12);
  });

  it('an ambiguous name (two listings of one API source) merges nothing', () => {
    const listings = [
      m('coingecko', 'usd-coin', 'USDC', 'usdcoin'),
      m('coingecko', 'bridged-usdc', 'USDC', 'usdcoin'),
      m('coinpaprika', 'usdc-usdc-other', 'USDC', 'usdcoin'),
    ];
    expect(groups(listings)).toHaveLength(3);
  });

  it('merges by name across sources when unambiguous; CSV files may share an asset', () => {
    const listings = [
      m('coingecko', 'binancecoin', 'BNB', 'bnb'),
      m('coinpaprika', 'bnb-binance-coin', 'BNB', 'bnb'),
      m('csv', 'bnb-bnb', 'BNB', 'bnb'),
      m('csv', 'binancecoin', 'BNB', 'bnb', 'binancecoin'),
    ];
    expect(groups(listings)).toEqual([
      ['coingecko:binancecoin', 'coinpaprika:bnb-binance-coin', 'csv:binancecoin', 'csv:bnb-bnb'],
    ]);
    const method = clusterListings(listings)[0]!.methods;
    expect(method.get('csv:binancecoin')).toBe('csv_id');
    expect(method.get('coinpaprika:bnb-binance-coin')).toBe('symbol_name');
  });

  it('a pinned listing follows its pin and no rule', () => {
    const listings = [
      m('coingecko', 'bitcoin', 'BTC', 'bitcoin'),
      m('coinpaprika', 'btc-bitcoin', 'BTC', 'bitcoin', null, 77),
    ];
    const clusters = clusterListings(listings);
    expect(clusters).toHaveLength(2);
    expect(
      clusters.find((c) => c.pinnedAssetId === 77)!.methods.get('coinpaprika:btc-bitcoin'),
    ).toBe('manual');
  });

  it('names no source: a fourth catalogue joins by slug and never lists a coin twice', () => {
    const policy = { catalogues: ['coingecko', 'coinpaprika', 'coincap'] };
    const listings = [
      m('coingecko', 'bitcoin', 'BTC', 'bitcoin'),
      m('coincap', 'bitcoin-cc', 'BTC', 'bitcoin', 'bitcoin'),
      m('coincap', 'bitcoin-2', 'BTC', 'bitcoin2', 'bitcoin'),
      m('ledger', 'row-1', 'BTC', null, 'bitcoin-cc'),
    ];
    const clusters = cluster(listings, policy);
    const grouped = (cs: typeof clusters) =>
      cs.map((c) => c.members.map((x) => `${keyOf(x)} ${c.methods.get(keyOf(x))}`).sort()).sort();
    // The slug joins the new catalogue to CoinGecko; the file names a coincap listing by id;
    // and coincap never lists a coin twice, so its two bitcoins stay on two assets.
    expect(grouped(clusters)).toEqual([
      ['coincap:bitcoin-2 slug', 'coingecko:bitcoin slug'],
      ['coincap:bitcoin-cc csv_id', 'ledger:row-1 csv_id'],
    ]);
    // Declared a file instead, coincap may list a coin twice, and its slug is an id column.
    expect(grouped(cluster(listings, { catalogues: ['coingecko'] }))).toEqual([
      ['coincap:bitcoin-2 csv_id', 'coincap:bitcoin-cc csv_id', 'coingecko:bitcoin csv_id'],
      ['ledger:row-1 new'],
    ]);
  });

  it('gives the same clusters for every input order', () => {
    const listings = [
      m('coingecko', 'tether', 'USDT', 'tether'),
      m('coingecko', 'bridged-usdt', 'USDT', 'bridgedusdt'),
      m('coinpaprika', 'usdt-tether', 'USDT', 'tether'),
      m('coinpaprika', 'usdt-bridged-usdt', 'USDT', 'bridgedusdt'),
      m('csv', 'usdt-tether', 'USDT', 'tether'),
      m('csv', 'tether', 'USDT', 'tetherusd', 'tether'),
    ];
    const expected = groups(listings);
    expect(expected).toHaveLength(2);
    for (const order of permutations(listings)) expect(groups(order)).toEqual(expected);
  });
});
