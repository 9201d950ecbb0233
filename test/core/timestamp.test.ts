import { describe, expect, it } from 'vitest';
import {
  dateOrdersOf,
  parseDateFormat,
  toTimestamp,
  zoneOfHeader,
  type DateOrder,
} from '../../src/core/timestamp.js';

const iso = (input: string) => {
  const r = toTimestamp(input);
  return r.ok ? r.value?.toISOString() : `error: ${r.reason}`;
};

describe('toTimestamp', () => {
  it.each([
    ['2025-02-09T17:44:04.143Z', '2025-02-09T17:44:04.143Z'],
    ['2024-01-01T10:00:00+00:00', '2024-01-01T10:00:00.000Z'],
    ['2024-01-01T23:30:00-05:00', '2024-01-02T04:30:00.000Z'],
    ['2024-01-01 10:00:00', '2024-01-01T10:00:00.000Z'],
    ['2013-04-28 00:00:00 UTC', '2013-04-28T00:00:00.000Z'],
    ['2024-06-30', '2024-06-30T00:00:00.000Z'],
    ['1512549554', '2017-12-06T08:39:14.000Z'],
    ['1680134400000', '2023-03-30T00:00:00.000Z'],
    ['1575032004.0', '2019-11-29T12:53:24.000Z'],
    // Binance spot klines: milliseconds until 2025, microseconds since.
    ['1735689600000', '2025-01-01T00:00:00.000Z'],
    ['1735689600000000', '2025-01-01T00:00:00.000Z'],
    ['1735689600123456', '2025-01-01T00:00:00.123Z'],
    ['1735689600123456789', '2025-01-01T00:00:00.123Z'],
    ['01-05-13', '2013-05-01T00:00:00.000Z'],
    ['25-12-2024 14:30:00', '2024-12-25T14:30:00.000Z'],
    ['Jan 14, 2020', '2020-01-14T00:00:00.000Z'],
    ['Apr 09, 2020', '2020-04-09T00:00:00.000Z'],
    ['January 14 2020', '2020-01-14T00:00:00.000Z'],
    ['Sept 3, 2021 13:05', '2021-09-03T13:05:00.000Z'],
    ['24-Apr-19', '2019-04-24T00:00:00.000Z'],
    ['14 jan 2020', '2020-01-14T00:00:00.000Z'],
    // CryptoDataDownload's hourly files; a 12-hour clock after any date form.
    ['2019-09-17 07-PM', '2019-09-17T19:00:00.000Z'],
    ['2020-04-11 07-AM', '2020-04-11T07:00:00.000Z'],
    ['2020-04-11 12-AM', '2020-04-11T00:00:00.000Z'],
    ['2020-04-11 12-PM', '2020-04-11T12:00:00.000Z'],
    ['25-12-2024 7:30 PM', '2024-12-25T19:30:00.000Z'],
    ['Jan 14, 2020 12:05:09 am', '2020-01-14T00:05:09.000Z'],
    // Bitstamp's transactions, Django's default format: a comma before the time.
    ['Apr. 05, 2017, 04:14 PM', '2017-04-05T16:14:00.000Z'],
    ['Jan. 5, 2021, 9:15 a.m.', '2021-01-05T09:15:00.000Z'],
    ['5 Jan. 2021, 09:15', '2021-01-05T09:15:00.000Z'],
    // Unpadded, year first: Excel in Chinese and Japanese locales, scripts' f-strings.
    ['2024-1-5', '2024-01-05T00:00:00.000Z'],
    ['2024/1/15 9:05', '2024-01-15T09:05:00.000Z'],
    ['2024.12.5 23:59:07', '2024-12-05T23:59:07.000Z'],
    // Seconds with a fraction after any numeric date: Dukascopy's `Gmt time`, .NET's exports.
    ['25.12.2024 00:00:00.000', '2024-12-25T00:00:00.000Z'],
    ['25.12.2024 10:20:30.4567', '2024-12-25T10:20:30.456Z'],
    ['2024/1/5 9:05:07.25', '2024-01-05T09:05:07.250Z'],
    // A zone after the time, as PostgreSQL writes timestamptz (`+02`), HTTP and JavaScript
    // write dates, or a script appends `UTC+8`: the moment it names.
    ['2024-01-01 00:00:00+02', '2023-12-31T22:00:00.000Z'],
    ['2024-01-01 00:00:00.123+05:30', '2023-12-31T18:30:00.123Z'],
    ['2024-01-01 00:00:00 +0200', '2023-12-31T22:00:00.000Z'],
    ['2024-01-01T00:00:00-0500', '2024-01-01T05:00:00.000Z'],
    ['2024-01-01 00:00:00 UTC+8', '2023-12-31T16:00:00.000Z'],
    ['2024-01-01 00:00:00 GMT-2', '2024-01-01T02:00:00.000Z'],
    ['25-12-2024 7:30 PM +01:00', '2024-12-25T18:30:00.000Z'],
    ['Mon, 01 Jan 2024 00:00:00 GMT', '2024-01-01T00:00:00.000Z'],
    [
      'Mon Jan 01 2024 02:00:00 GMT+0200 (Central European Standard Time)',
      '2024-01-01T00:00:00.000Z',
    ],
    ['Monday, January 1, 2024', '2024-01-01T00:00:00.000Z'],
    // the day as an ordinal, as people write it, and dashes between a month's name and numbers
    ['January 5th, 2024', '2024-01-05T00:00:00.000Z'],
    ['Aug 22nd 2023 10:00', '2023-08-22T10:00:00.000Z'],
    ['1st March 2024', '2024-03-01T00:00:00.000Z'],
    ['Jan-05-2024', '2024-01-05T00:00:00.000Z'],
    // Go's `time.Time`: the offset, then the zone's abbreviation (and `time.Now()`'s monotonic clock)
    ['2024-01-05 12:30:00 +0000 UTC', '2024-01-05T12:30:00.000Z'],
    ['2024-01-05 12:30:00.123456 -0500 EST m=+0.000123', '2024-01-05T17:30:00.123Z'],
    ['20240101', '2024-01-01T00:00:00.000Z'],
    // …and with its time: 12 digits were unix milliseconds of 1976
    ['202401051230', '2024-01-05T12:30:00.000Z'],
    ['20240105123059', '2024-01-05T12:30:59.000Z'],
    ['20240105 12:30:00', '2024-01-05T12:30:00.000Z'],
    ['20240105T123000Z', '2024-01-05T12:30:00.000Z'],
    // a spreadsheet's date cell saved as a number
    ['45296', '2024-01-05T00:00:00.000Z'],
    ['45296.75', '2024-01-05T18:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each([
    'invalid_date',
    '2024-02-30',
    '31-02-2024',
    '2024-13-01',
    'yesterday',
    'Feb 30, 2020',
    'Foo 1, 2020',
    'Ja 1, 2020',
    '2020-04-11 13-PM',
    '2020-04-11 00-AM',
    '2024/2/30',
    '2024-1-5 24:00',
    '2024-01-05 12:60',
    '25.12.2024 10:20:60.5',
    '25.12.2024 10:20:30.',
    '17356896001', // 11 digits: no unit puts it within decades of now
    '17356896000000',
    // a zone by an abbreviation that names several (EST is also Australia's), an offset no
    // zone has, a compact date that is no day
    '2024-01-01 00:00:00 EST',
    '2024-01-01 00:00:00 UTC EST',
    'Mon-05-2024',
    '2024-01-01 00:00:00 +15',
    '2024-01-01 00:00:00+02:60',
    '20241301',
    '12345', // a serial before 1970
    '73051', // and after 2100
  ])('%s is refused', (input) => {
    expect(iso(input)).toMatch(/^error: not a date/);
  });

  it('an empty cell is missing', () => {
    expect(toTimestamp('  ')).toEqual({ ok: true, value: null });
  });

  it.each<[string, DateOrder, string]>([
    ['05/12/2025', 'day-first', '2025-12-05T00:00:00.000Z'],
    ['05/12/2025', 'month-first', '2025-05-12T00:00:00.000Z'],
    ['3/9/2024', 'month-first', '2024-03-09T00:00:00.000Z'],
    ['3/24/2024', 'month-first', '2024-03-24T00:00:00.000Z'],
    ['24.04.19 7:05', 'day-first', '2019-04-24T07:05:00.000Z'],
    ['2026/01/07', 'month-first', '2026-01-07T00:00:00.000Z'],
    ['2026.01.07 09:30:00', 'day-first', '2026-01-07T09:30:00.000Z'],
    ['24/01/05', 'year-first', '2024-01-05T00:00:00.000Z'],
    ['24-01-05 13:45', 'year-first', '2024-01-05T13:45:00.000Z'],
  ])('%s read %s → %s', (input, order, expected) => {
    const r = toTimestamp(input, order);
    expect(r.ok && r.value?.toISOString()).toBe(expected);
  });

  it.each<[string, DateOrder]>([
    ['3/24/2024', 'day-first'], // no month 24: refused, never rolled over
    ['24/3/2024', 'month-first'],
    ['2026/13/01', 'day-first'],
    ['12/12/2024 25:00', 'day-first'],
    ['05/01/2024', 'year-first'], // a four-digit year is last
    ['5/01/24', 'year-first'],
    ['24.01.05', 'year-first'], // with dots, Europe's day first
  ])('%s read %s is not a date', (input, order) => {
    expect(toTimestamp(input, order)).toMatchObject({ ok: false });
  });
});

describe('a zone a column names', () => {
  it('is assumed for a time without its own, not for a unix time or one with a zone', () => {
    const at = (input: string) => {
      const r = toTimestamp(input, 'day-first', 480);
      return r.ok ? r.value?.toISOString() : r.reason;
    };
    expect(at('2024-01-05 08:00')).toBe('2024-01-05T00:00:00.000Z');
    expect(at('2024-01-05')).toBe('2024-01-04T16:00:00.000Z');
    expect(at('2024-01-05 08:00 UTC')).toBe('2024-01-05T08:00:00.000Z');
    expect(at('2024-01-05T08:00:00Z')).toBe('2024-01-05T08:00:00.000Z');
    expect(at('2024-01-05 08:00-05')).toBe('2024-01-05T13:00:00.000Z');
    expect(at('1704441600')).toBe('2024-01-05T08:00:00.000Z');
  });

  it.each([
    ['Date(UTC)', { header: 'Date', offsetMinutes: 0 }],
    ['Time (UTC+8)', { header: 'Time', offsetMinutes: 480 }],
    ['Datum (GMT+1)', { header: 'Datum', offsetMinutes: 60 }],
    ['Open time (UTC-05:30)', { header: 'Open time', offsetMinutes: -330 }],
    ['timestamp_gmt', { header: 'timestamp', offsetMinutes: 0 }],
    ['Date (KST)', { header: 'Date', offsetMinutes: 540 }],
    ['candle_date_time_kst', { header: 'candle_date_time', offsetMinutes: 540 }],
    ['Time (EDT)', { header: 'Time', offsetMinutes: -240 }],
    ['Date (CST)', null],
    ['KST', null],
    ['Date', null],
    ['UTC', null],
    ['Time (UTC+15)', null],
  ])('%s names %j', (header, zone) => {
    expect(zoneOfHeader(header)).toEqual(zone);
  });
});

describe('the order of NN/NN/YYYY dates', () => {
  it.each<[string, DateOrder[] | undefined]>([
    ['25/12/2025', ['day-first']],
    ['12/25/2025', ['month-first']],
    ['3/24/2024 10:00', ['month-first']],
    ['3/24/2024 7:30 PM', ['month-first']],
    ['05-12-2025 17:43:10', ['day-first', 'month-first']],
    ['12.12.12', ['day-first', 'month-first']],
    ['12-12-12', ['day-first', 'month-first', 'year-first']],
    // a two-digit year first (Japan's short date), and none before 2009
    ['24/01/05', ['year-first']],
    ['05/01/24', ['day-first', 'month-first']],
    ['15-03-21', ['day-first', 'year-first']],
    ['15.03.21', ['day-first']],
    ['21-04-01', ['year-first']],
    ['01-04-21', ['day-first', 'month-first']],
    ['05/01/2008', ['day-first', 'month-first']],
    ['31/31/2025', []],
    ['2025-12-05', undefined],
    ['1712000000', undefined],
  ])('%s reads %j', (input, orders) => {
    expect(dateOrdersOf(input)).toEqual(orders);
  });

  it.each([
    ['DD/MM/YYYY', 'day-first'],
    ['dd.mm.yy', 'day-first'],
    ['MM/DD/YYYY', 'month-first'],
    ['mm-dd-yyyy hh:mm', 'month-first'],
    ['YY/MM/DD', 'year-first'],
    ['yy-mm-dd hh:mm', 'year-first'],
    ['YYYY-MM-DD', undefined],
    ['DD/DD/YYYY', undefined],
    ['US', undefined],
  ])('--date-format %s is %s', (format, order) => {
    expect(parseDateFormat(format)).toBe(order);
  });
});
