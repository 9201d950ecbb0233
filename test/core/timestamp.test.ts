import { describe, expect, it } from 'vitest';
import { toTimestamp } from '../../src/core/timestamp.js';

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
    ['01-05-13', '2013-05-01T00:00:00.000Z'],
    ['25-12-2024 14:30:00', '2024-12-25T14:30:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each(['invalid_date', '2024-02-30', '31-02-2024', '2024-13-01', 'yesterday'])(
    '%s is refused',
    (input) => {
      expect(iso(input)).toMatch(/^error: not a date/);
    },
  );

  it('an empty cell is missing', () => {
    expect(toTimestamp('  ')).toEqual({ ok: true, value: null });
  });
});
