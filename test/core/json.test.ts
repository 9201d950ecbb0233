import { stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseExactJson, toJsonText, toSnakeKeys } from '../../src/core/json.js';

describe('toJsonText', () => {
  it('writes a record of strings exactly as lossless-json does (payload hashes stay stable)', () => {
    const records = [
      { id: 'bitcoin', name: 'Bitcoin', price: '96114.08481738689' },
      { 'quo"te': 'back\\slash', tab: '\t', nl: 'a\nb', ctl: '\u0001', ls: '\u2028', emoji: '😀' },
      { lone: '\ud800', empty: '' },
      {},
    ];
    for (const record of records) expect(toJsonText(record)).toBe(stringify(record));
  });

  it('keeps exponent numbers and integers above 2^53 as received', () => {
    const text = '{"a":4.2e+17,"b":12345678901234567890123,"c":[1.50,"x"],"d":{"e":null}}';
    expect(toJsonText(parseExactJson(text))).toBe(text);
  });
});

describe('toSnakeKeys', () => {
  it('turns camelCase keys to snake_case, deeply, and nothing else', () => {
    const when = new Date('2026-01-02T03:04:05Z');
    expect(
      toSnakeKeys({
        runId: 1,
        lastRun: { startedAt: when, durationMs: 5, already_snake: true },
        runs: [{ recordsPerSecond: 2 }],
        columns: [{ header: 'Volume USD', field: 'volume_24h_usd' }],
        'Volume USD': 'a CSV header stays',
        priceUSD: 'not camelCase: stays',
      }),
    ).toEqual({
      run_id: 1,
      last_run: { started_at: when, duration_ms: 5, already_snake: true },
      runs: [{ records_per_second: 2 }],
      columns: [{ header: 'Volume USD', field: 'volume_24h_usd' }],
      'Volume USD': 'a CSV header stays',
      priceUSD: 'not camelCase: stays',
    });
  });

  it('keeps key order, and gives back what has nothing to change without copying it', () => {
    const changed = toSnakeKeys({
      a: 1,
      lastRun: { durationMs: 2 },
      f: [{ g: 3 }, { runId: 4 }],
      j: 5,
    });
    expect(JSON.stringify(changed)).toBe(
      '{"a":1,"last_run":{"duration_ms":2},"f":[{"g":3},{"run_id":4}],"j":5}',
    );
    const rows = [{ source: 'csv', observed_at: '2025-01-01T00:00:00.000Z', price_usd: '1' }];
    expect(toSnakeKeys(rows)).toBe(rows);
    const page = { data: rows, pagination: { next_cursor: null } };
    expect(toSnakeKeys(page)).toBe(page);
    const mixed = { data: rows, nextCursor: null };
    expect((toSnakeKeys(mixed) as { data: unknown }).data).toBe(rows);
  });
});
