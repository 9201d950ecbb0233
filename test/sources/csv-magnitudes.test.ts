import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { quotes } from '../../src/db/schema.js';
import { useCsvFiles } from '../helpers/csv-files.js';

describe('a header that names a magnitude', () => {
  const files = useCsvFiles('kx-magnitude-');

  it('multiplies its numbers, digit by digit', async () => {
    // The headers a script over CoinGecko's API writes for people to read.
    const run = await files.ingest(
      'readable.csv',
      'Symbol,Name,Current Price ($),Market Cap (B),Volume (in millions),Total Supply (M)\n' +
        'BTC,Bitcoin,42000.5,820.54,31245.7,19.6\n' +
        'SHIB,Shiba Inu,0.00000987,5.81,120.000001,589264.88\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0, warnings: [] });
    const rows = await files.db.db
      .select({
        id: quotes.sourceId,
        price: quotes.priceUsd,
        cap: quotes.marketCapUsd,
        volume: quotes.volume24hUsd,
        supply: quotes.totalSupply,
      })
      .from(quotes)
      .where(eq(quotes.runId, run.runId))
      .orderBy(quotes.sourceId);
    expect(rows).toEqual([
      {
        id: 'btc-bitcoin',
        price: '42000.5',
        cap: '820540000000',
        volume: '31245700000',
        supply: '19600000',
      },
      {
        id: 'shib-shibainu',
        price: '0.00000987',
        cap: '5810000000',
        volume: '120000001',
        supply: '589264880000',
      },
    ]);
  });
});
