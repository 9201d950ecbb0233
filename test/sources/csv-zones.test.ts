import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { quotes } from '../../src/db/schema.js';
import { mapHeader } from '../../src/sources/csv/mapping.js';
import { useCsvFiles } from '../helpers/csv-files.js';

describe('a time column whose header names its zone', () => {
  const files = useCsvFiles('kx-zones-');

  /** A run's quotes as [observed_at, price], in time order. */
  async function timesOf(runId: number): Promise<[string, string | null][]> {
    const rows = await files.db.db
      .select({ at: quotes.observedAt, price: quotes.priceUsd })
      .from(quotes)
      .where(eq(quotes.runId, runId))
      .orderBy(quotes.observedAt);
    return rows.map((r) => [r.at.toISOString(), r.price]);
  }

  it('is read as the time column, its zone kept for the times that name none', () => {
    const zones = (headers: string[]) =>
      mapHeader(headers, new Map())
        .columns.filter((c) => c.field === 'observed_at')
        .map((c) => [c.header, c.zoneMinutes ?? 0]);
    // Binance's trade history: `Date(UTC)` was no time column, so rows took the file's mtime
    expect(zones(['Date(UTC)', 'Pair', 'Side', 'Price'])).toEqual([['Date(UTC)', 0]]);
    expect(zones(['Time (UTC+8)', 'Symbol', 'Close'])).toEqual([['Time (UTC+8)', 480]]);
    expect(zones(['Open time (UTC-05:30)', 'Symbol', 'Close'])).toEqual([
      ['Open time (UTC-05:30)', -330],
    ]);
    expect(zones(['timestamp_gmt', 'Symbol', 'Close'])).toEqual([['timestamp_gmt', 0]]);
  });

  it("by its abbreviation is read at that zone's offset; one kx cannot place is refused", async () => {
    // `Date (KST)` was no time column: a file of one row per coin took the file's own time
    const run = await files.ingest(
      'kst.csv',
      'Date (KST),Symbol,Close\n2024-01-05 09:00:00,BTC,44000\n2024-01-05 09:00:00,ETH,2350\n',
    );
    expect((await timesOf(run.runId)).sort()).toEqual([
      ['2024-01-05T00:00:00.000Z', '2350'],
      ['2024-01-05T00:00:00.000Z', '44000'],
    ]);
    const zones = (header: string) =>
      mapHeader([header, 'Close'], new Map()).columns.find((c) => c.field === 'observed_at')
        ?.zoneMinutes;
    // as scripts over Korean exchanges name it, and the two ends of Europe's and America's
    expect(zones('datetime_kst')).toBe(540);
    expect(zones('Date (CET)')).toBe(60);
    expect(zones('Date (EDT)')).toBe(-240);
    // a form, not a zone
    const iso = await files.ingest('iso.csv', 'Date (ISO),Symbol,Close\n2024-01-05,BTC,44001\n');
    expect(await timesOf(iso.runId)).toEqual([['2024-01-05T00:00:00.000Z', '44001']]);
    // China's or America's Central? India's, Israel's or Ireland's? New York's or Sydney's?
    for (const header of ['Date (CST)', 'Time (IST)', 'Date (EST)', 'Date (BST)'])
      await expect(
        files.ingest('cst.csv', `${header},Symbol,Close\n2024-01-05 09:00:00,BTC,44000\n`),
        header,
      ).rejects.toThrow(
        new RegExp(
          `column "${header.replace(/[()]/g, '\\$&')}" names its times' zone [A-Z]+, which kx cannot place .*Name the offset in the header instead`,
        ),
      );
  });

  it('shifts local times to UTC, but not unix times or times with their own zone', async () => {
    const run = await files.ingest(
      'utc8.csv',
      'Time (UTC+8),Symbol,Close\n' +
        '2024-01-05 08:00:00,BTC,44000\n' + // 00:00 UTC
        '2024-01-05 18:30:00+00:00,BTC,44100\n' + // its own zone
        '1704430800,BTC,44200\n', // 2024-01-05T05:00:00Z whatever the header says
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 0 });
    expect(await timesOf(run.runId)).toEqual([
      ['2024-01-05T00:00:00.000Z', '44000'],
      ['2024-01-05T05:00:00.000Z', '44200'],
      ['2024-01-05T18:30:00.000Z', '44100'],
    ]);
    expect((run.mapping as { columns: unknown[] }).columns).toContainEqual(
      expect.objectContaining({ header: 'Time (UTC+8)', zone: 'UTC+08:00' }),
    );
  });

  it('in a time-of-day column of its own is read with it', async () => {
    // the hours of a day stay apart, and both are eight hours ahead of UTC
    const run = await files.ingest(
      'date-time-utc8.csv',
      'Date,Time (UTC+8),Symbol,Close\n2024-01-05,08:00,BTC,44000\n2024-01-05,09:30,BTC,44100\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(await timesOf(run.runId)).toEqual([
      ['2024-01-05T00:00:00.000Z', '44000'],
      ['2024-01-05T01:30:00.000Z', '44100'],
    ]);
  });

  it('of unix times beside a date is the instant itself (was no date: `2024-01-05 1704416400`)', async () => {
    const run = await files.ingest(
      'date-unix.csv',
      'date,time,symbol,price\n2024-01-05,1704416400,BTC,44000\n2024-01-05,1704450600000,BTC,44100\n' +
        '2024-01-06,1704499200.0,BTC,44200\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 0 });
    expect(await timesOf(run.runId)).toEqual([
      ['2024-01-05T01:00:00.000Z', '44000'],
      ['2024-01-05T10:30:00.000Z', '44100'],
      ['2024-01-06T00:00:00.000Z', '44200'],
    ]);
  });

  it('of hours as numbers is the start of each hour (was no date: `2024-01-05 7`)', async () => {
    const run = await files.ingest(
      'date-hour.csv',
      'Date,Hour,Symbol,Close\n2024-01-05,0,BTC,44000\n2024-01-05,7,BTC,44100\n' +
        '2024-01-05,23,BTC,44200\n2024-01-06,0930,BTC,44300\n2024-01-06,24,BTC,44400\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 4, rejected: 1 });
    expect(await timesOf(run.runId)).toEqual([
      ['2024-01-05T00:00:00.000Z', '44000'],
      ['2024-01-05T07:00:00.000Z', '44100'],
      ['2024-01-05T23:00:00.000Z', '44200'],
      ['2024-01-06T09:30:00.000Z', '44300'],
    ]);
    expect(await files.reasonsOf(run)).toEqual([
      expect.stringMatching(/^observed_at: not a date: "2024-01-06 24"/),
    ]);
  });
});
