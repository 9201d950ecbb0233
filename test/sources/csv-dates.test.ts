import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { quotes } from '../../src/db/schema.js';
import { useCsvFiles } from '../helpers/csv-files.js';

describe('dates with a two-digit year', () => {
  const files = useCsvFiles('kx-short-dates-');

  async function daysOf(runId: number): Promise<string[]> {
    const rows = await files.db.db
      .select({ at: quotes.observedAt })
      .from(quotes)
      .where(eq(quotes.runId, runId))
      .orderBy(quotes.observedAt);
    return rows.map((r) => r.at.toISOString().slice(0, 10));
  }

  it('load year-first when no other reading is after 2009, and wait for a day that settles it', async () => {
    // Japan's short date: `24/01/05` was read day-first as 24 January 2005
    const japan = await files.ingest(
      'jp.csv',
      'date,symbol,price\n24/01/05,BTC,42000\n24/01/06,BTC,43000\n',
    );
    expect(await daysOf(japan.runId)).toEqual(['2024-01-05', '2024-01-06']);
    // `15-03-21` is 15 March 2021 or 21 March 2015 until `01-04-21` says day-first
    const ambiguous = 'date,symbol,price\n15-03-21,ETH,1800\n16-03-21,ETH,1810\n';
    await expect(files.ingest('eth.csv', ambiguous)).rejects.toThrow(
      /could be day-first or year-first \("15-03-21" on line 2.*--date-format DD\/MM\/YYYY or --date-format YY\/MM\/DD/,
    );
    const dayFirst = await files.ingest('eth.csv', `${ambiguous}01-04-21,ETH,1900\n`);
    expect(await daysOf(dayFirst.runId)).toEqual(['2021-03-15', '2021-03-16', '2021-04-01']);
    const said = await files.ingest('btc-2015.csv', 'date,symbol,price\n15-03-21,BTC,260\n', {
      dateFormat: 'YY-MM-DD',
    });
    expect(await daysOf(said.runId)).toEqual(['2015-03-21']);
  });
});

describe('times with a fraction of a second after a day-first date', () => {
  const files = useCsvFiles('kx-fraction-dates-');

  it("load Dukascopy's candles at their hours", async () => {
    // `05.01.2024 00:00:00.000` was "not a date": every row rejected, the run failed
    const text =
      'Gmt time,Open,High,Low,Close,Volume\n' +
      '12.01.2024 23:00:00.000,46100.1,46200,46000,46150.5,11.2\n' +
      '13.01.2024 00:00:00.000,46150.5,46300,46100,46250.25,9.8\n' +
      '13.01.2024 01:00:00.500,46250.25,46400,46200,46380,7.1\n';
    const run = await files.ingest('BTCUSD_Candlestick_1_Hour_BID.csv', text, { symbol: 'BTC' });
    expect(run).toMatchObject({ loaded: 3, rejected: 0 });
    expect(await files.pricesOf('btc')).toEqual([
      { at: new Date('2024-01-12T23:00:00Z'), price: '46150.5' },
      { at: new Date('2024-01-13T00:00:00Z'), price: '46250.25' },
      { at: new Date('2024-01-13T01:00:00.500Z'), price: '46380' },
    ]);
  });
});

describe('dates written without separators, and times before any coin', () => {
  const files = useCsvFiles('kx-compact-dates-');

  it('read a date and time in digits as such, and reject a time before 2009', async () => {
    // `202401051230` was read as unix milliseconds: a price of 31 May 1976
    const text =
      'time,symbol,price\n202401051230,BTC,44120\n20240105 123100,BTC,44121\n' +
      '0,BTC,44122\n1970-01-01T00:00:00Z,BTC,44123\n';
    const run = await files.ingest('digits.csv', text);
    expect(run).toMatchObject({ loaded: 2, rejected: 2 });
    expect(await files.pricesOf('btc')).toEqual([
      { at: new Date('2024-01-05T12:30:00Z'), price: '44120' },
      { at: new Date('2024-01-05T12:31:00Z'), price: '44121' },
    ]);
    expect(await files.reasonsOf(run)).toEqual([
      expect.stringMatching(/^observed_at: (0|not a date)/),
      "observed_at: 1970-01-01T00:00:00.000Z is before any coin had a price (Bitcoin's first block is of 2009-01-03): a placeholder, or a time read wrongly?",
    ]);
  });

  it("refuses a file without times whose own time is before 2009, as npm's packages set it", async () => {
    // was every row rejected, a run failed on the reject ratio; loaded before, a price of 1985
    const text = 'symbol,name,price\nBTC,Bitcoin,96114.08\nETH,Ethereum,2657.76\n';
    const packed = new Date('1985-10-26T08:15:00Z');
    await expect(files.ingest('snapshot.csv', text, {}, packed)).rejects.toThrow(
      /snapshot\.csv: no column maps to observed_at, .* that is 1985-10-26T08:15:00\.000Z, before any coin had a price .*--map 'COLUMN=observed_at'.*touch -d/,
    );
    const touched = new Date('2025-02-09T17:44:00Z');
    const run = await files.ingest('snapshot.csv', text, {}, touched);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2 });
    expect(await files.pricesOf('btc-bitcoin')).toEqual([{ at: touched, price: '96114.08' }]);
  });
});
