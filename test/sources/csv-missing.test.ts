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

  it('include a market cap, a supply or a rank of 0, as the APIs write one unknown', async () => {
    const text =
      'symbol,name,price,market_cap,circulating_supply,max_supply,volume_24h,rank\n' +
      'BTC,Bitcoin,43000,0,0.00,0,0,0\n' +
      'ETH,Ethereum,2300,276000000000,120000000,,10,2\n';
    const run = await files.ingest('zeros.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    const listings = await files.db.db
      .select({
        id: assetSources.sourceId,
        cap: assetSources.marketCapUsd,
        supply: assetSources.circulatingSupply,
        max: assetSources.maxSupply,
        volume: assetSources.volume24hUsd,
        rank: assetSources.rank,
      })
      .from(assetSources)
      .where(eq(assetSources.runId, run.runId))
      .orderBy(asc(assetSources.sourceId));
    // a volume of 0 is a day without trades, a value; a rank of 0, a coin not ranked
    expect(listings).toEqual([
      { id: 'btc-bitcoin', cap: null, supply: null, max: null, volume: '0', rank: null },
      {
        id: 'eth-ethereum',
        cap: '276000000000',
        supply: '120000000',
        max: null,
        volume: '10',
        rank: 2,
      },
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

describe("pandas' numbers for columns saved without names", () => {
  const files = useCsvFiles('kx-numbered-');
  // `pd.DataFrame(client.get_klines(symbol="BTCUSDT", interval="1d")).to_csv(path)`: the
  // index first and unnamed, then Binance's twelve fields as 0 … 11 (was refused as a file
  // without a header, and --columns binance-kline then counted 13 columns)
  const klines =
    ',0,1,2,3,4,5,6,7,8,9,10,11\n' +
    '0,1704067200000,42283.58000000,44184.10000000,42180.77000000,44179.55000000,27174.29903000,1704153599999,1168997444.53000000,1079360,13846.76826000,595853327.04760000,0\n' +
    '1,1704153600000,44179.55000000,45879.63000000,44148.34000000,44946.91000000,65146.40661000,1704239999999,2924012345.12000000,2102231,32617.82452000,1465123456.65000000,0\n';

  it("read Binance's klines by the names --columns binance-kline gives them", async () => {
    for (const [name, text] of [
      ['btcusdt_klines.csv', klines],
      ['btcusdt_klines_noindex.csv', klines.replace(/^\d*,/gm, '')],
    ]) {
      const run = await files.ingest(name!, text!, { symbol: 'BTC' });
      expect(run, name).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
      expect(await files.quotesIn(run)).toMatchObject([
        { at: new Date('2024-01-01T00:00:00Z'), price: '44179.55', volume: null },
        { at: new Date('2024-01-02T00:00:00Z'), price: '44946.91', volume: null },
      ]);
      expect(run.warnings.join('\n')).toContain(
        "the header is pandas' numbers of Binance's klines' columns",
      );
    }
  });

  it('of a list of [time, price] pairs: the refusal names the --map that reads them', async () => {
    // `pd.DataFrame(chart["prices"]).to_csv(path)` of CoinGecko's market_chart
    const prices = ',0,1\n0,1704067200000,42283.58\n1,1704153600000,44179.55\n';
    await expect(files.ingest('btc_prices.csv', prices, { symbol: 'BTC' })).rejects.toThrow(
      /no column maps to price_usd \(columns: "", "0", "1"\).*--map '0=observed_at' --map '1=price_usd'$/,
    );
    const run = await files.ingest('btc_prices.csv', prices, {
      symbol: 'BTC',
      map: ['0=observed_at', '1=price_usd'],
    });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2 });
    // a header-less file that starts at 1 is still data
    await expect(files.ingest('data.csv', '1,2,3\n4,5,6\n')).rejects.toThrow(/looks like data/);
  });
});

describe('a table on its side', () => {
  const files = useCsvFiles('kx-sideways-');

  it('is refused with the transpose that makes each coin a row, not a --map', async () => {
    // Fields down the first column, a coin per column (a sheet laid out for reading): it was
    // refused for want of a price column with --map 'COLUMN=price_usd', which no column is.
    const refused = files.ingest(
      'prices.csv',
      'symbol,BTC,ETH,SOL\nname,Bitcoin,Ethereum,Solana\nprice_usd,43000.5,2300,100\n',
    );
    await expect(refused).rejects.toMatchObject({ code: 'input' });
    await expect(refused).rejects.toThrow(
      /prices\.csv: no column maps to price_usd \(columns: "symbol", "BTC", "ETH", "SOL"\): the table is on its side, its fields down the first column \("name", "price_usd"\) and a coin in each other \("BTC", "ETH", "SOL"\); turn it so each coin is a row, for example with pandas in its folder: python3 -c "import pandas; pandas\.read_csv\('prices\.csv', index_col=0, dtype=str\)\.T\.to_csv\('prices\.converted\.csv', index_label='symbol'\)"$/,
    );
    // names for coins, semicolons, an empty first cell: the coins' column is named for them
    await expect(
      files.ingest('metrics.csv', ';Bitcoin;Ethereum\nPrice (USD);43000;2300\nSymbol;BTC;ETH\n'),
    ).rejects.toThrow(
      /no column maps to symbol .*: the table is on its side, .*read_csv\('metrics\.csv', index_col=0, dtype=str, sep=';'\)\.T\.to_csv\('metrics\.converted\.csv', index_label='name'\)"$/,
    );
    // what that command writes loads
    const run = await files.ingest(
      'metrics.converted.csv',
      'name,Price (USD),Symbol\nBitcoin,43000,BTC\nEthereum,2300,ETH\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
  });

  it('is not what a file missing only its price column is told', async () => {
    await expect(
      files.ingest('coins.csv', 'symbol,name\nBTC,Bitcoin\nETH,Ethereum\n'),
    ).rejects.toThrow(
      /no column maps to price_usd \(columns: "symbol", "name"\); name it with --map 'COLUMN=price_usd'/,
    );
  });
});
