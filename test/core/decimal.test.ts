import { describe, expect, it } from 'vitest';
import { toDecimal } from '../../src/core/decimal.js';

describe('toDecimal', () => {
  it.each([
    ['1234.5', '1234.5'],
    ['-6.0e-05', '-0.00006'],
    ['9.0e-11', '0.00000000009'],
    ['4.2e+17', '420000000000000000'],
    ['1.932e-05', '0.00001932'],
    ['19822040.0', '19822040'],
    ['000.50', '0.5'],
    ['12345678901234567890123', '12345678901234567890123'],
    ['$87,000', '87000'],
    ['"$50,000.00"'.replaceAll('"', ''), '50000'],
    ['10,000', '10000'],
    ['4800 USD', '4800'],
    ['$1.7T', '1700000000000'],
    ['600B', '600000000000'],
    ['2.5k', '2500'],
    [' 42 ', '42'],
    ['-0.0', '0'],
  ])('%s is exactly %s', (input, expected) => {
    expect(toDecimal(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['', 'N/A', 'null', '-', '  '])('%j is missing (null)', (input) => {
    expect(toDecimal(input)).toEqual({ ok: true, value: null });
  });

  it.each([
    'NaN',
    'inf',
    '-Infinity',
    'INVALID_TEXT',
    'not_a_number',
    '1.2.3',
    '1,00',
    'e5',
    '12abc',
  ])('%j is refused', (input) => {
    const result = toDecimal(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('not a number');
  });
});
