import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { etlRuns } from '../../src/db/schema.js';
import { useCsvFiles } from '../helpers/csv-files.js';

/** kx keeps one quote per coin and time: a file that gives a coin two at once. */
describe('a coin with two values at one time in one file', () => {
  const files = useCsvFiles('kx-same-time-');

  const pricesOf = (sourceId: string) => files.pricesOf(sourceId);

  it("of several exchanges' candles is refused before anything is written", async () => {
    // The canonical shape of candle collectors built on CCXT: each hour, every exchange's.
    // It loaded "6 read, 6 loaded" and kept one close an hour, whichever exchange came last.
    const candles =
      'exchange,symbol,timestamp,open,high,low,close,volume\n' +
      'binance,BTC/USDT,1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68108\n' +
      'kraken,BTC/USD,1704067200000,42270.1,42550.0,42250.3,42470.9,88.12\n' +
      'coinbase,BTC/USD,1704067200000,42288.46,42560.0,42262.35,42481.01,310.55\n' +
      'binance,BTC/USDT,1704070800000,42475.23,42775.00,42431.65,42613.56,1196.37856\n' +
      'kraken,BTC/USD,1704070800000,42470.9,42770.0,42430.1,42610.0,75.3\n';
    await expect(files.ingest('candles.csv', candles)).rejects.toThrow(
      /candles\.csv: lines 2 and 3 are both BTC \(btc\) at 2024-01-01T00:00:00\.000Z, with price_usd 42475\.23 and 42470\.9; column "exchange" tells them apart \("binance" and "kraken"\)\. kx keeps one quote per coin and time .*Load the rows of one "exchange" value/,
    );
    expect(await pricesOf('btc')).toEqual([]);

    // one exchange's rows load, each hour's close
    const binance = candles
      .split('\n')
      .filter((line, i) => i === 0 || line.startsWith('binance'))
      .join('\n');
    const run = await files.ingest('binance.csv', binance);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect((await pricesOf('btc')).map((q) => q.price)).toEqual(['42475.23', '42613.56']);
  });

  it('of two sources told apart by a column is refused, naming it', async () => {
    // shared/data/peers: Govind9825's coins, Legacy_System_A and _B side by side
    const run = files.ingest(
      'systems.csv',
      'Ticker,Price,MarketCap,Date,Source\n' +
        'XRP,887.35,375111759,2025-11-21,Legacy_System_A\n' +
        'ETH,8887.96,267367522,2025-11-25,Legacy_System_A\n' +
        'XRP,26278.39,924638065,2025-11-21,Legacy_System_B\n',
    );
    await expect(run).rejects.toThrow(
      /lines 2 and 4 are both XRP \(xrp\) at 2025-11-21T00:00:00\.000Z, with price_usd 887\.35 and 26278\.39; column "Source" tells them apart \("Legacy_System_A" and "Legacy_System_B"\)/,
    );
    expect(await pricesOf('xrp')).toEqual([]);
  });

  it('told apart by a second time column is refused, naming it as the time', async () => {
    // local times repeat an hour when clocks go back; the unix time beside them does not
    const run = files.ingest(
      'fall-back.csv',
      'unix,date,symbol,close\n' +
        '1699162200,2023-11-05 01:30:00,ETH,1890.5\n' +
        '1699165800,2023-11-05 01:30:00,ETH,1893.25\n',
    );
    await expect(run).rejects.toThrow(
      /column "unix" tells them apart \("1699162200" and "1699165800"\)\. .*If "unix" is when each line was observed, name it with --map 'unix=observed_at'/,
    );
    const mapped = await files.ingest(
      'fall-back-unix.csv',
      'unix,date,symbol,close\n' +
        '1699162200,2023-11-05 01:30:00,ETH,1890.5\n' +
        '1699165800,2023-11-05 01:30:00,ETH,1893.25\n',
      { map: ['unix=observed_at', 'date='] },
    );
    expect(mapped).toMatchObject({ status: 'succeeded', loaded: 2 });
    expect(await pricesOf('eth')).toEqual([
      { at: new Date('2023-11-05T05:30:00Z'), price: '1890.5' },
      { at: new Date('2023-11-05T06:30:00Z'), price: '1893.25' },
    ]);
  });

  it("of a trade log's two fills at one time loads, keeping the later", async () => {
    // Kraken's trades export: one order filled twice in the same instant, at two prices
    const header =
      '"txid","ordertxid","pair","time","type","ordertype","price","cost","fee","vol","margin","misc","ledgers"\n';
    const fill = (txid: string, time: string, price: string) =>
      `"${txid}","OQ4MBH-ABCDE-FGHIJK","XLTCZUSD","${time}","buy","limit","${price}","9.00000","0.02340","0.10000000","0.00000","",""\n`;
    const run = await files.ingest(
      'trades.csv',
      header +
        fill('TQ3KVR-ABCDE-FGHIJK', '2021-03-01 10:15:02.1234', '180.10000') +
        fill('TQ3KVR-ABCDF-FGHIJK', '2021-03-01 10:15:02.1234', '180.20000') +
        fill('TQ3KVR-ABCDG-FGHIJK', '2021-03-02 11:00:00.5678', '185.00000'),
    );
    expect(run).toMatchObject({ status: 'succeeded', rejected: 0 });
    expect((await pricesOf('ltc')).map((q) => q.price)).toEqual(['180.2', '185']);
    expect(run.warnings).toContain(
      'lines 2 and 3 are both LTC (ltc) at 2021-03-01T10:15:02.123Z, with price_usd 180.1 and 180.2: ' +
        "trades at one time, of which the later line's is kept",
    );
  });

  it('of two lines alike but for their values keeps the later, with a warning', async () => {
    const run = await files.ingest(
      'corrected.csv',
      'symbol,price,date\n' +
        'SOL,98.5,2024-01-01\n' +
        'SOL,98.5,2024-01-01\n' + // the same line again: nothing to say
        'SOL,99,2024-01-02\n' +
        'SOL,101.25,2024-01-01\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', rejected: 0 });
    expect(await pricesOf('sol')).toEqual([
      { at: new Date('2024-01-01T00:00:00Z'), price: '101.25' },
      { at: new Date('2024-01-02T00:00:00Z'), price: '99' },
    ]);
    const [stored] = await files.db.db
      .select({ warnings: etlRuns.warnings })
      .from(etlRuns)
      .where(eq(etlRuns.id, run.runId));
    expect(stored?.warnings).toContain(
      'lines 3 and 5 are both SOL (sol) at 2024-01-01T00:00:00.000Z, with price_usd 98.5 and 101.25, ' +
        "and alike but for their values: the later line's are kept, as a correction",
    );
  });

  it('in a file whose every line is at one time is refused, as in a file without times', async () => {
    // One time for every line makes the file a snapshot: a coin's second price in it is no
    // correction of the first but a value kx cannot choose over it.
    const snapshot =
      'symbol,price,volume,timestamp\n' +
      'BNB,594.52,578146.83,2025-12-12T18:39:05.494656\n' +
      'ETH,46969.69,546624.41,2025-12-12T18:39:05.494656\n' +
      'BNB,33212.4,428024.04,2025-12-12T18:39:05.494656\n';
    await expect(files.ingest('snapshot.csv', snapshot)).rejects.toThrow(
      /snapshot\.csv: lines 2 and 4 are both BNB \(bnb\) at 2025-12-12T18:39:05\.494Z, with price_usd 594\.52 and 33212\.4, and every line of the file is at that time\. A file of one time holds each coin once/,
    );
    expect(await pricesOf('bnb')).toEqual([]);
    // the same lines with a second time among them: the later line corrects the earlier
    const run = await files.ingest(
      'corrected-snapshot.csv',
      `${snapshot}ETH,47000,1,2025-12-12T18:40:00\n`,
    );
    expect(run).toMatchObject({ status: 'succeeded', rejected: 0 });
    expect((await pricesOf('bnb')).map((q) => q.price)).toEqual(['33212.4']);
  });

  it('in a file without times is the same quote when a line repeats another cell for cell', async () => {
    // A row pasted twice says nothing new: it loads once, as it does in a file with times. It
    // was refused as a history without its time column.
    const mtime = new Date('2025-03-01T12:00:00Z');
    const snapshot = 'symbol,name,price_usd\nBTC,Bitcoin,43000\nETH,Ethereum,2300\n';
    const run = await files.ingest('pasted.csv', `${snapshot}ETH , Ethereum,2300\n`, {}, mtime);
    expect(run).toMatchObject({ status: 'succeeded', rejected: 0 });
    expect(await pricesOf('eth-ethereum')).toEqual([{ at: mtime, price: '2300' }]);

    // one cell apart is a second value at the file's one time: refused, naming the first line
    await expect(
      files.ingest('history.csv', `${snapshot}ETH,Ethereum,2300\nETH,Ethereum,2301\n`, {}, mtime),
    ).rejects.toThrow(
      /history\.csv: lines 3 and 5 are both ETH \(eth-ethereum\) and no column maps to observed_at/,
    );
  });
});
