import { describe, expect, it } from 'vitest';
import { decimalMarkOf, scaleDecimal, toDecimal } from '../../src/core/decimal.js';

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
    ['$33.2 billion', '33200000000'],
    ['$800 million', '800000000'],
    ['1.2 trillion', '1200000000000'],
    ['$5MM', '5000000'],
    ['4.1 mln', '4100000'],
    [' 42 ', '42'],
    ['-0.0', '0'],
    // negatives as typeset pages, Excel's currency and accounting formats and tickers write them
    ['\u22122.5%', '-2.5'],
    ['-$1,234.50', '-1234.5'],
    ['US$ 1,234.5', '1234.5'],
    ['(2.50)', '-2.5'],
    ['($1,234.50)', '-1234.5'],
    ['▼2.5%', '-2.5'],
    ['▲ 0.75%', '0.75'],
    // Swiss and Indian grouping, a dollar code in front
    ["1'234.56", '1234.56'],
    ['1’234’567.5', '1234567.5'],
    ['1,23,456.78', '123456.78'],
    ['12,34,56,789', '123456789'],
    ['USD 1,234.5', '1234.5'],
    // a stablecoin's code: was `42000 B` and `42000 T`, a billion and a trillion times too much
    ['42000 BUSD', '42000'],
    ['42000 TUSD', '42000'],
    ['42000 USDT', '42000'],
    ['USDC 0.9998', '0.9998'],
  ])('%s is exactly %s', (input, expected) => {
    expect(toDecimal(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    '',
    'N/A',
    'null',
    '-',
    '  ',
    'NaN',
    'nan',
    '—',
    '–',
    '#N/A',
    '#DIV/0!',
    '#VALUE!',
    '.',
    // pandas' nullable types, MySQL's and PostgreSQL's dumps, a JavaScript template, C's printf
    '<NA>',
    '\\N',
    'undefined',
    '(null)',
    // Bloomberg's Excel add-in
    '#N/A N/A',
    '#N/A Field Not Applicable',
  ])('%j is missing (null)', (input) => {
    expect(toDecimal(input)).toEqual({ ok: true, value: null });
  });

  it.each([
    '#N/Athing',
    'inf',
    '-Infinity',
    'INVALID_TEXT',
    'not_a_number',
    '1.2.3',
    '1,00',
    '0,123', // not a thousands group: a decimal comma, which needs --decimal ,
    'e5',
    '12abc',
    '--2.5',
    '-(2.5)',
    "1'23.5", // not a group of three
    '1,2,345.6', // neither grouping
    "1'234,5", // an apostrophe groups before a point only
  ])('%j is refused', (input) => {
    const result = toDecimal(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('not a number');
  });
});

describe('toDecimal with a decimal comma', () => {
  it.each([
    ['1.004,0', '1004'],
    ['67.211,90', '67211.9'],
    ['44 157,0', '44157'],
    ['44\u00a0157,0', '44157'],
    ['10,36M', '10360000'],
    ['65,59K', '65590'],
    ['-0,08%', '-0.08'],
    ['12,5 Mio.', '12500000'],
    ['2,5 Mrd.', '2500000000'],
    ['1,2 Bio', '1200000000000'],
    ['0,5', '0.5'],
    ['1,234', '1.234'],
    ['1.234.567', '1234567'],
    ['42', '42'],
  ])('%s is exactly %s', (input, expected) => {
    expect(toDecimal(input, ',')).toEqual({ ok: true, value: expected });
  });

  it.each(['1,234.56', '0.5', '1,2,3'])('%j is refused', (input) => {
    expect(toDecimal(input, ',').ok).toBe(false);
  });
});

describe('decimalMarkOf', () => {
  it.each([
    ['0.5', '.'],
    ['1,234.5', '.'],
    ['1,234,567', '.'],
    ['$87,000.00', '.'],
    ['2.08%', '.'],
    ['0,5', ','],
    ['1.234,5', ','],
    ['1.234.567', ','],
    ['-0,08%', ','],
    ['10,36M', ','],
    ['0,123', ','],
    ['1,234', 'either'],
    ['1.004', 'either'],
    ['$87,000', 'either'],
    ['1234', undefined],
    ['22.07.2019', undefined],
    ['bitcoin', undefined],
  ])('%j shows %s', (input, mark) => {
    expect(decimalMarkOf(input)).toBe(mark);
  });
});

describe('scaleDecimal', () => {
  it.each([
    ['820.5', 6, '820500000'],
    ['1.5', 9, '1500000000'],
    ['-0.25', 3, '-250'],
    ['0.000001', 6, '1'],
    ['12345678901234567890.123', 3, '12345678901234567890123'],
    ['7', 0, '7'],
    ['0', 12, '0'],
  ])('%s × 10^%i is %s, digit by digit', (value, exponent, expected) => {
    expect(scaleDecimal(value, exponent)).toBe(expected);
  });
});

describe('an amount in another currency', () => {
  it.each([
    ['€1,234.5', 'EUR'],
    ['1.234,5 €', 'EUR'],
    ['£87,000', 'GBP'],
    ['4800 EUR', 'EUR'],
    ['R$ 250.000', 'BRL'],
    ['0.05 BTC', 'BTC'],
    ['CA$ 1,234.5', 'CAD'], // the signs headers are read with
  ])('%s is refused as %s, not dollars', (input, code) => {
    expect(toDecimal(input)).toEqual({
      ok: false,
      reason: `${JSON.stringify(input)} is in ${code}, not US dollars`,
    });
  });
});
