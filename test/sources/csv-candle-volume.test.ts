import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { quotes } from '../../src/db/schema.js';
import { getFailedRun } from '../../src/engine/failed-run.js';
import { getRun } from '../../src/engine/runs.js';
import { resumeRun, withSourceLock, type RunResult } from '../../src/engine/runner.js';
import { csvSource } from '../../src/sources/csv/index.js';
import { useCsvFiles } from '../helpers/csv-files.js';
import { quietSettings } from '../helpers/ingest.js';

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
    (
      await files.db.db
        .select({ volume: quotes.volume24hUsd, price: quotes.priceUsd })
        .from(quotes)
        .where(eq(quotes.runId, run.runId))
        .orderBy(quotes.observedAt)
    ).map((q) => [q.price, q.volume]);

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
    const failed = await files
      .ingest('resumed.csv', candles(hours), {}, undefined, {
        ...quietSettings,
        batchSize: 2,
        failAfter: 3,
      })
      .then(
        () => null,
        (error: unknown) => getFailedRun(error),
      );
    expect(failed).toMatchObject({ status: 'failed' });
    const run = await getRun(files.db.db, failed!.runId);
    const resumed = await withSourceLock(files.db, 'csv', () =>
      resumeRun(files.db, csvSource, run!, quietSettings),
    );
    expect(resumed).toMatchObject({ status: 'succeeded' });
    expect((await volumesOf(resumed)).map(([, volume]) => volume)).toEqual(Array(6).fill(null));
  });
});
