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

  it("reads a supply written with its coin, as CoinMarketCap's table shows it", async () => {
    // copied from the site's listing: every row was rejected as "in BTC, not US dollars"
    const run = await files.ingest(
      'cmc-table.csv',
      '#,Name,Symbol,Market Cap,Price,Circulating Supply,Volume(24h),% 1h,% 24h,% 7d\n' +
        '1,Bitcoin,BTC,"$1,914,301,488,402","$96,114.08","19,822,040 BTC","$24,051,291,224",0.05%,-0.30%,-1.25%\n' +
        '2,Ethereum,ETH,"$320,493,452,930","$2,657.76","120,586,349 ETH","$13,121,497,710",0.12%,0.74%,-3.49%\n' +
        '3,Shiba Inu,SHIB,"$9,426,122,021","$0.00001599","589.26T SHIB","$180,127,003",0.10%,-1.20%,2.11%\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 0 });
    const rows = await files.db.db
      .select({ id: quotes.sourceId, supply: quotes.circulatingSupply })
      .from(quotes)
      .where(eq(quotes.runId, run.runId))
      .orderBy(quotes.sourceId);
    expect(rows).toEqual([
      { id: 'btc-bitcoin', supply: '19822040' },
      { id: 'eth-ethereum', supply: '120586349' },
      { id: 'shib-shibainu', supply: '589260000000000' },
    ]);
    // another coin's count is no supply of this one
    const other = await files.ingest(
      'cmc-wrong-coin.csv',
      'Name,Symbol,Price,Circulating Supply\nBitcoin,BTC,96114.08,"19,822,040 ETH"\n' +
        'Ethereum,ETH,2657.76,"120,586,349 ETH"\n',
    );
    expect(other).toMatchObject({ loaded: 1, rejected: 1 });
    expect(await files.reasonsOf(other)).toEqual([
      'circulating_supply: "19,822,040 ETH" counts ETH, not BTC',
    ]);
  });
});
