import { describe, expect, it } from 'vitest';
import { useCsvFiles } from '../helpers/csv-files.js';

/**
 * Logs of one's transactions, Bitstamp's: an amount of coins, what it was worth (`Value`) and
 * the price paid (`Rate`). The price is the rate, and a row's coin is the amount's.
 */
describe('a log of transactions (Bitstamp)', () => {
  const files = useCsvFiles('kx-transactions-');
  // The header of Bitstamp's transaction export, and a line of one as a public converter to
  // BitcoinTax's format quotes it in its source.
  const header = 'Type,Datetime,Account,Amount,Value,Rate,Fee,Sub Type\n';
  const xrp =
    'Market,"Apr. 05, 2017, 04:14 AM",Main Account,752.42380800 XRP,29.34 USD,0.03899 USD,,Sell\n';

  const pricesOf = (sourceId: string) => files.pricesOf(sourceId);

  it("loads the rate as the price at the row's time, never the value", async () => {
    const deposit = 'Deposit,"Apr. 04, 2017, 09:00 PM",Main Account,100.00 USD,,,,\n';
    const run = await files.ingest('bitstamp-xrp.csv', header + deposit + xrp, { symbol: 'XRP' });
    // The deposit has no rate: no price, so it is rejected rather than loaded as one.
    expect(run).toMatchObject({ status: 'succeeded', loaded: 1, rejected: 1 });
    expect(await pricesOf('xrp')).toEqual([
      { at: new Date('2017-04-05T04:14:00Z'), price: '0.03899' },
    ]);
  });

  it('of several coins, read as one by --symbol, is refused naming a row of another', async () => {
    const btc =
      'Market,"Apr. 06, 2017, 10:15 AM",Main Account,0.50000000 BTC,"561.00 USD","1,122.00 USD",1.40 USD,Buy\n';
    await expect(
      files.ingest('bitstamp-two.csv', header + btc + xrp, { symbol: 'BTC' }),
    ).rejects.toThrow(
      /bitstamp-two\.csv: --symbol BTC reads every row as BTC, but column "Amount" counts XRP on line 3 \("752\.42380800 XRP"\)/,
    );
    expect(await pricesOf('btc')).toEqual([]);
  });

  it('rejects a row past the sample whose amount counts another coin than --symbol', async () => {
    // was loaded: BTC's rate as XRP's price, the look-ahead having read the first 1,000 rows
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const minute = String(i % 60).padStart(2, '0');
      const hour = String(Math.floor(i / 60) % 12 || 12).padStart(2, '0');
      const day = String(6 + Math.floor(i / 720)).padStart(2, '0');
      return `Market,"Apr. ${day}, 2017, ${hour}:${minute} AM",Main Account,10.00000000 XRP,0.40 USD,0.04 USD,,Buy\n`;
    });
    const btc =
      'Market,"Apr. 09, 2017, 10:15 AM",Main Account,0.50000000 BTC,"561.00 USD","1,122.00 USD",1.40 USD,Buy\n';
    const run = await files.ingest('bitstamp-late.csv', header + rows.join('') + btc, {
      symbol: 'XRP',
    });
    expect(run).toMatchObject({ fetched: 1001, rejected: 1 });
    expect(await files.reasonsOf(run)).toEqual([
      "price_usd: the row's amount counts BTC, not --symbol XRP",
    ]);
  });

  it("in Bitstamp's newer layout: the rate's own currency column, the amount's coin column", async () => {
    const newer =
      'ID,Account,Type,Subtype,Datetime,Amount,Amount currency,Value,Value currency,Rate,Rate currency,Fee,Fee currency,Order ID\n' +
      '270187012,Main Account,Market,Buy,2023-03-14T09:20:11Z,0.01000000,BTC,246.52,USD,24652.00,USD,0.74,USD,1602301239713792\n' +
      '270187014,Main Account,Market,Sell,2023-03-15T10:00:00Z,0.50000000,ETH,850.00,USD,1700.00,USD,2.13,USD,1602301239713793\n';
    await expect(files.ingest('newer.csv', newer, { symbol: 'BTC' })).rejects.toThrow(
      /--symbol BTC reads every row as BTC, but column "Amount" counts ETH on line 3 \("0\.50000000 ETH"\)/,
    );
    const run = await files.ingest('newer.csv', newer, { map: ['Amount currency=symbol'] });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2 });
    expect((await pricesOf('btc')).map((q) => q.price)).toEqual(['24652']);
    expect((await pricesOf('eth')).map((q) => q.price)).toEqual(['1700']);
    // A rate in euros is not a dollar price: its trade is rejected, the dollar ones load.
    const euros = newer.replace('1700.00,USD', '1700.00,EUR');
    const mixed = await files.ingest('euros.csv', euros, { map: ['Amount currency=symbol'] });
    expect(mixed).toMatchObject({ status: 'succeeded', loaded: 0, unchanged: 1, rejected: 1 });
    expect(await files.reasonsOf(mixed)).toEqual([
      "Rate currency: the row's prices are in EUR, not US dollars",
    ]);
    // Every rate in euros: the file is refused.
    const allEuros = euros.replace('24652.00,USD', '24652.00,EUR');
    await expect(
      files.ingest('all-euros.csv', allEuros, { map: ['Amount currency=symbol'] }),
    ).rejects.toThrow(/column "Rate currency" says the prices are in EUR, not US dollars/);
  });

  it('a value that names its currency beside an amount is its worth too, never the price', async () => {
    // `Value (USD)` and `USD Value` beside `Amount` loaded each holding's worth as the price
    for (const worth of ['Value (USD)', 'USD Value']) {
      const text = `Date,Asset,Amount (BTC),${worth}\n2024-01-05,BTC,0.5,21500.25\n`;
      await expect(files.ingest('holdings.csv', text)).rejects.toThrow(
        /: no column holds a price: "Amount \(BTC\)" is an amount of coins, so this is a history of transactions or holdings, whose worths are not prices/,
      );
    }
  });

  it("Koinly's, the Crypto.com app's and CoinTracking's exports hold no price, and are refused saying so", async () => {
    // Refused first for want of a symbol column: mapping one, a user met the missing price.
    const koinly =
      'Date,Sent Amount,Sent Currency,Received Amount,Received Currency,Fee Amount,Fee Currency,' +
      'Net Worth Amount,Net Worth Currency,Label,Description,TxHash\n' +
      '2024-01-05 14:03 UTC,105.24,USD,0.00234,BTC,1.99,USD,103.25,USD,,,\n';
    await expect(files.ingest('koinly.csv', koinly)).rejects.toThrow(
      /koinly\.csv: no column holds a price: "Sent Amount" and "Received Amount" are amounts of coins, .+ kx loads prices of coins: load a price history\. If a column is each row's price in US dollars after all, name it with --map 'COLUMN=price_usd'$/,
    );
    const app =
      'Timestamp (UTC),Transaction Description,Currency,Amount,To Currency,To Amount,' +
      'Native Currency,Native Amount,Native Amount (in USD),Transaction Kind,Transaction Hash\n' +
      '2024-01-05 14:03:11,Buy BTC,BTC,0.00234,,,USD,105.24,105.24,viban_purchase,\n';
    await expect(files.ingest('crypto_transactions_record.csv', app)).rejects.toThrow(
      /: no column holds a price: "Amount" and "To Amount" are amounts of coins/,
    );
    // CoinTracking's trade table: was refused for want of a symbol column, naming --map
    const coinTracking =
      '"Type","Buy","Cur.","Sell","Cur.","Fee","Cur.","Exchange","Group","Comment","Date"\n' +
      '"Trade","0.5","BTC","21500.00","USD","10.75","USD","Coinbase","","","01.03.2023 14:22:10"\n';
    await expect(files.ingest('CoinTracking_Trade_Table.csv', coinTracking)).rejects.toThrow(
      /: no column holds a price: "Buy" and "Sell" are amounts of coins, so this is a history of transactions/,
    );
  });

  it('a value without an amount beside it is still a price (a series of values)', async () => {
    // named as a price: a bare value may be any series (csv-pairs.test.ts)
    const run = await files.ingest('btc_prices.csv', 'date,value\n2024-01-01,42000.5\n', {
      symbol: 'BTC',
    });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 1 });
    expect((await pricesOf('btc')).map((q) => q.price)).toContain('42000.5');
  });
});

/**
 * Poloniex's trade history names the market traded `Market` (`XRP/USDT`), a word Kaggle's
 * crypto-markets file uses for the market cap. In a trade log it is the coin's market.
 */
describe("a trade history's market column (Poloniex)", () => {
  const files = useCsvFiles('kx-poloniex-');
  // The header of Poloniex's export and lines of one, as public converters quote them.
  const header =
    'Date,Market,Category,Type,Price,Amount,Total,Fee,Order Number,Base Total Less Fee,Quote Total Less Fee\n';
  const usdt =
    '2017-04-13 20:25:08,XRP/USDT,Exchange,Sell,0.03599000,1579.40523900,56.84279455,0.15%,39761950375,56.75753036,-1579.40523900\n' +
    '2017-04-14 16:55:20,XRP/USDT,Exchange,Buy,0.03400120,1669.28021200,56.75753034,0.15%,39818390878,-56.75753034,1666.77629169\n';

  it("is the pair whose base is each row's coin, priced in the pair's quote", async () => {
    // was every row rejected: "market_cap_usd: not a number"
    const run = await files.ingest('polo-usdt.csv', header + usdt);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect((await files.pricesOf('xrp')).map((q) => q.price)).toEqual(['0.03599', '0.0340012']);
  });

  it('priced in bitcoin refuses the file, naming the market', async () => {
    const btc =
      '2017-01-04 21:56:14,ARDR/BTC,Exchange,Buy,0.00008953,1116.94404110,0.09999999,0.15%,8445168555,-0.09999999,1115.26862503\n';
    await expect(files.ingest('polo-btc.csv', header + btc)).rejects.toThrow(
      /trading pairs priced in BTC, not US dollars \("ARDR\/BTC" on line 2\)/,
    );
  });

  it('outside a trade log is still a market cap (Kaggle)', async () => {
    const kaggle =
      'slug,symbol,name,date,close,market\nbitcoin,BTC,Bitcoin,2013-04-28,134.21,1500520000\n';
    const run = await files.ingest('kaggle.csv', kaggle);
    const { columns } = run.mapping as { columns: unknown[] };
    expect(columns).toContainEqual({
      header: 'market',
      field: 'market_cap_usd',
      confidence: 0.85,
      how: 'synonym',
    });
  });
});

describe('a trade log without a time column', () => {
  const files = useCsvFiles('kx-trade-times-');

  it("is refused: each trade's price is at its time, not the file's", async () => {
    // was loaded at the file's time: a trade of 2024 as today's price
    const text =
      'when,orderId,symbol,side,price,size,funds,fee\n' +
      '2024-01-05 10:02:11,65979c1b8b7d2b0007a3f1e2,BTC-USDT,buy,44123.5,0.0015,66.18525,0.066\n';
    await expect(files.ingest('trades.csv', text)).rejects.toThrow(
      /trades\.csv: a log of trades .* and no column maps to observed_at .*--map 'COLUMN=observed_at'/,
    );
    const run = await files.ingest('trades.csv', text, { map: ['when=observed_at'] });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 1 });
    expect(await files.pricesOf('btc')).toEqual([
      { at: new Date('2024-01-05T10:02:11Z'), price: '44123.5' },
    ]);
  });
});
