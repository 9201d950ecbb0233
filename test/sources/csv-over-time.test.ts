import { describe, expect, it } from 'vitest';
import { quotes } from '../../src/db/schema.js';
import type { RunResult } from '../../src/engine/runner.js';
import { useCsvFiles } from '../helpers/csv-files.js';

/** Candles in dollars, CryptoDataDownload's columns, newest first: `times` as written. */
const candles = (times: string[]) =>
  'Date,Symbol,Open,High,Low,Close,Volume BTC,Volume USD\n' +
  times
    .map((t, i) => `${t},BTCUSD,${100 + i},${102 + i},${99 + i},${101 + i},1.5,${1000 * (i + 1)}`)
    .join('\n') +
  '\n';

/** A candle's volume is what traded in its interval; volume_24h_usd is a day's. */
describe("the volume of candles that are not a day's", () => {
  const files = useCsvFiles('kx-candle-volume-');
  const volumesOf = async (run: RunResult) =>
    (await files.quotesIn(run)).map((q) => [q.price, q.volume]);

  it('of hourly candles is left out of volume_24h_usd, with a warning', async () => {
    // CryptoDataDownload's hourly files: each row's `Volume USD` is that hour's, loaded as a
    // 24-hour volume it was about 24 times too small.
    const hours = ['2019-04-22 11-PM', '2019-04-22 10-PM', '2019-04-22 09-PM'];
    const run = await files.ingest('Coinbase_BTCUSD_1h.csv', candles(hours));
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 0 });
    expect(await volumesOf(run)).toEqual([
      ['103', null],
      ['102', null],
      ['101', null],
    ]);
    expect(run.warnings.join('\n')).toContain(
      `column "Volume USD" is each candle's volume, and a coin's candles are 1 hour apart, ` +
        `not a day: left out of volume_24h_usd (if it is a 24-hour volume, --map 'Volume USD=volume_24h_usd')`,
    );
  });

  it('of weekly candles is left out; of daily ones, gaps and all, is loaded', async () => {
    const weeks = await files.ingest(
      'weekly.csv',
      candles(['2024-01-15', '2024-01-08', '2024-01-01']),
    );
    expect(await volumesOf(weeks)).toEqual([
      ['103', null],
      ['102', null],
      ['101', null],
    ]);
    expect(weeks.warnings.join('\n')).toMatch(/candles are 7 days apart, not a day/);

    // a day missing is still a file of days
    const days = await files.ingest(
      'daily.csv',
      candles(['2024-02-05', '2024-02-04', '2024-02-02', '2024-02-01']),
    );
    expect(await volumesOf(days)).toEqual([
      ['104', '4000'],
      ['103', '3000'],
      ['102', '2000'],
      ['101', '1000'],
    ]);
    expect(days.warnings.join('\n')).not.toMatch(/each candle's volume/);
  });

  it('is loaded when --map names it or its header says 24 hours', async () => {
    const hours = ['2024-03-01 02:00', '2024-03-01 01:00'];
    const named = await files.ingest('mapped.csv', candles(hours), {
      map: ['Volume USD=volume_24h_usd'],
    });
    expect(await volumesOf(named)).toEqual([
      ['102', '2000'],
      ['101', '1000'],
    ]);
    const rolling = await files.ingest(
      'rolling.csv',
      candles(hours).replace('Volume USD', 'volume_24h_usd'),
    );
    expect(await volumesOf(rolling)).toEqual([
      ['102', '2000'],
      ['101', '1000'],
    ]);
  });

  it('stays left out when a failed run is resumed', async () => {
    const hours = Array.from({ length: 6 }, (_, i) => `2024-04-01 0${5 - i}:00`);
    const { resumed } = await files.failAndResume(
      'resumed.csv',
      candles(hours),
      {},
      { failAfter: 3, batchSize: 2 },
    );
    expect(resumed).toMatchObject({ status: 'succeeded' });
    expect((await volumesOf(resumed)).map(([, volume]) => volume)).toEqual(Array(6).fill(null));
  });
});

/** A rank "now" is the rank when the file was made, not on each day of a coin's history. */
describe('a rank column named for now', () => {
  const files = useCsvFiles('kx-rank-now-');
  const ranksOf = async (run: RunResult) => (await files.quotesIn(run)).map((q) => [q.id, q.rank]);
  // Kaggle's crypto-markets.csv (jessevent, 2018): fixtures/csv/upstream has its rows without
  // their dates; these are Bitcoin's first three, dated as the dataset dates them.
  const kaggle =
    'slug,symbol,name,date,ranknow,open,high,low,close,volume,market,close_ratio,spread\n' +
    'bitcoin,BTC,Bitcoin,2013-04-28,1,135.3,135.98,132.1,134.21,0,1500520000,0.5438,3.88\n' +
    'bitcoin,BTC,Bitcoin,2013-04-29,1,134.44,147.49,134,144.54,0,1491160000,0.7813,13.49\n' +
    'bitcoin,BTC,Bitcoin,2013-04-30,1,144,146.93,134.05,139,0,1597780000,0.3843,12.88\n' +
    'ethereum,ETH,Ethereum,2015-08-07,2,2.83,3.54,2.52,2.77,164329,0,0.2451,1.02\n';

  it('is left out of a history, with a warning', async () => {
    const run = await files.ingest('crypto-markets.csv', kaggle);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 4, rejected: 0 });
    expect(await ranksOf(run)).toEqual([
      ['bitcoin', null],
      ['bitcoin', null],
      ['bitcoin', null],
      ['ethereum', null],
    ]);
    expect(run.warnings.join('\n')).toContain(
      `column "ranknow" is each coin's rank when the file was made, written on every day of its ` +
        `history: left out of rank (if it is each row's rank, --map 'ranknow=rank')`,
    );
  });

  it('is loaded from a file of one time, or when --map names it', async () => {
    const today = kaggle
      .split('\n')
      .filter((line) => !line.includes('2013-04-29') && !line.includes('2013-04-30'))
      .join('\n');
    const snapshot = await files.ingest('today.csv', today.replaceAll('2015-08-07', '2013-04-28'));
    expect(await ranksOf(snapshot)).toEqual([
      ['bitcoin', 1],
      ['ethereum', 2],
    ]);
    expect(snapshot.warnings.join('\n')).not.toMatch(/ranknow/);
    // each quote with its rank: Bitcoin's first day as the snapshot stored it, unchanged
    const named = await files.ingest('named.csv', kaggle, { map: ['ranknow=rank'] });
    expect(named).toMatchObject({ status: 'succeeded', loaded: 3, unchanged: 1 });
    const all = await files.db.db.select({ rank: quotes.rank }).from(quotes);
    expect(all.map((q) => q.rank).sort()).toEqual([1, 1, 1, 2, 2]);
  });
});

/**
 * A 24-hour change written as a fraction (pandas' `pct_change()`) under a name that says
 * percent: a coin's days tell, since each day's change is its price's from the day before.
 */
describe('a change column of fractions', () => {
  const files = useCsvFiles('kx-fractions-');
  // Bitcoin's prices of 2021-01-01 to 2021-01-08 (fixtures/csv/upstream's CoinGecko export),
  // each day's change from the day before beside it, as a percent or as pandas writes it
  const prices = [29022.42, 29352.13, 32163.82, 33008.23, 31515.58, 34082.21, 36933.52, 39547.08];
  const days = (coin: string, percent: boolean) =>
    'date,symbol,price,pct_change_24h\n' +
    prices
      .map((price, i) => {
        const moved = i === 0 ? null : price / prices[i - 1]! - 1;
        const written = moved === null ? '' : (percent ? moved * 100 : moved).toFixed(6);
        return `2021-01-0${i + 1},${coin},${price},${written}`;
      })
      .join('\n') +
    '\n';
  const changesOf = async (run: RunResult) => (await files.quotesIn(run)).map((q) => q.change);

  it('is left out, with a warning (was stored a hundred times too small)', async () => {
    const run = await files.ingest('fractions.csv', days('BTC', false));
    expect(run).toMatchObject({ status: 'succeeded', loaded: 8, rejected: 0 });
    expect(await changesOf(run)).toEqual(Array(8).fill(null));
    expect(run.warnings.join('\n')).toContain(
      `column "pct_change_24h" holds fractions, not percents: each day's value is its price's ` +
        `change from the day before as a fraction (0.0213 for +2.13%)`,
    );
  });

  it('of percents is loaded, and --map keeps fractions as written', async () => {
    const percents = await files.ingest('percents.csv', days('ETH', true));
    expect((await changesOf(percents)).slice(0, 3)).toEqual([null, '1.136053', '9.579169']);
    expect(percents.warnings.join('\n')).not.toMatch(/fractions/);
    const said = await files.ingest('said.csv', days('SOL', false), {
      map: ['pct_change_24h=percent_change_24h'],
    });
    expect(said.warnings.join('\n')).not.toMatch(/fractions/);
    expect((await changesOf(said))[1]).toBe('0.011361');
  });
});
