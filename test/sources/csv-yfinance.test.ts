import { describe, expect, it } from 'vitest';
import { useCsvFiles } from '../helpers/csv-files.js';

/** yfinance's `yf.download(…).to_csv()`: fields, tickers and the index's name on three lines. */
const download = (ticker: string, index = 'Date') =>
  `Price,Close,High,Low,Open,Volume\nTicker,${Array(5).fill(ticker).join(',')}\n${index},,,,,\n`;

describe("yfinance's download saved as CSV", () => {
  const files = useCsvFiles('kx-yfinance-');

  it("loads as its ticker's coin, the ticker and index lines skipped", async () => {
    // `Price` (the index column) was the price: every row, the dates too, rejected as no number
    const text =
      download('BTC-USD') +
      '2024-01-01,44167.33203125,44184.0703125,42196.85546875,42280.234375,18426978443\n' +
      '2024-01-02,44957.96875,45899.70703125,44176.94921875,44187.140625,39335274536\n';
    const run = await files.ingest('btc.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', fetched: 2, loaded: 2, rejected: 0 });
    expect(run.mapping).toMatchObject({ symbol: 'BTC', ticker: 'BTC-USD' });
    expect(await files.pricesOf('btc')).toEqual([
      { at: new Date('2024-01-01T00:00:00Z'), price: '44167.33203125' },
      { at: new Date('2024-01-02T00:00:00Z'), price: '44957.96875' },
    ]);
  });

  it('of hours loads each at its time', async () => {
    const text =
      download('ETH-USD', 'Datetime') +
      '2024-01-01 00:00:00+00:00,2281.47,2290.1,2270.3,2282.0,0\n' +
      '2024-01-01 01:00:00+00:00,2290.12,2295.0,2280.0,2281.47,0\n';
    const run = await files.ingest('eth-1h.csv', text, { symbol: 'ETH' });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2 });
    expect((await files.pricesOf('eth')).map((q) => q.at.toISOString())).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-01-01T01:00:00.000Z',
    ]);
  });

  it('of several tickers, another currency, or another coin than --symbol is refused', async () => {
    const row = '2024-01-01,1,1,1,1,1\n';
    const two = download('BTC-USD').replace(/BTC-USD,BTC-USD$/m, 'ETH-USD,ETH-USD');
    await expect(files.ingest('two.csv', two + row)).rejects.toThrow(
      /yfinance's download of 2 tickers \(BTC-USD, ETH-USD\) holds a column per coin and field; download one ticker at a time/,
    );
    await expect(files.ingest('eur.csv', download('BTC-EUR') + row)).rejects.toThrow(
      /ticker BTC-EUR \(line 2\) is priced in EUR, not US dollars: download BTC-USD$/,
    );
    await expect(
      files.ingest('sol.csv', download('SOL-USD') + row, { symbol: 'BTC' }),
    ).rejects.toThrow(
      /yfinance's ticker SOL-USD \(line 2\) says they are SOL's prices; pass --symbol SOL$/,
    );
  });
});
