import { describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { assetSources, quotes } from '../../src/db/schema.js';
import { useCsvFiles } from '../helpers/csv-files.js';

describe('the words scripts write for a value they did not have', () => {
  const files = useCsvFiles('kx-missing-words-');

  it('are missing in an amount, a name or a symbol; coins named NaN and NIL stay coins', async () => {
    // A JavaScript template writes `undefined`, Python's f-strings `None`, a MySQL dump `\N`:
    // `undefined` was a coin, `None` a name (the listing `doge-none`), `\N` a market cap
    // that rejected its row.
    const text =
      'symbol,name,price,market_cap\n' +
      'BTC,Bitcoin,43000,\\N\n' +
      'DOGE,None,0.1,undefined\n' +
      'ETH,N/A,2300,<NA>\n' +
      'undefined,undefined,1,\n' +
      'NAN,NanTrade,0.01,#N/A N/A\n' +
      'NIL,NIL,0.02,(null)\n';
    const run = await files.ingest('scripted.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 5, rejected: 1 });
    expect(await files.reasonsOf(run)).toEqual(['symbol: missing ("undefined")']);
    const listings = await files.db.db
      .select({
        id: assetSources.sourceId,
        name: assetSources.name,
        cap: assetSources.marketCapUsd,
      })
      .from(assetSources)
      .orderBy(asc(assetSources.sourceId));
    expect(listings).toEqual([
      { id: 'btc-bitcoin', name: 'Bitcoin', cap: null },
      { id: 'doge', name: null, cap: null },
      { id: 'eth', name: null, cap: null },
      { id: 'nan-nantrade', name: 'NanTrade', cap: null },
      { id: 'nil-nil', name: 'NIL', cap: null },
    ]);
  });

  it('leave no row of --symbol without its coin: a missing name is the one the first rows give', async () => {
    // a row without a name was a listing `sol` and an asset of its own beside `sol-solana`
    const text =
      'date,name,price\n2024-01-01,Solana,101.5\n2024-01-02,,102.5\n2024-01-03,None,103.5\n';
    const run = await files.ingest('solana-days.csv', text, { symbol: 'SOL' });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3 });
    const listings = await files.db.db
      .selectDistinct({ id: quotes.sourceId, asset: quotes.assetId })
      .from(quotes)
      .where(eq(quotes.runId, run.runId));
    expect(listings.map((l) => l.id)).toEqual(['sol-solana']);
  });

  it('say nothing against --symbol: a row whose symbol is `null` is that coin', async () => {
    // refused: "column "symbol" names another coin on line 3 ("null")"
    const text = 'date,symbol,price\n2024-01-01,BTC,42000\n2024-01-02,null,42100\n';
    const run = await files.ingest('btc.csv', text, { symbol: 'BTC' });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect((await files.pricesOf('btc')).map((q) => q.price)).toEqual(['42000', '42100']);
  });
});
