/**
 * Exact decimal parsing for market numbers. Values stay strings from input to `numeric`
 * so that `4.2e+17` or an integer above 2^53 never passes through a JS double.
 */

export type DecimalResult = { ok: true; value: string | null } | { ok: false; reason: string };

const MISSING = new Set(['', '-', '--', 'n/a', 'na', 'null', 'none', 'nil', '?']);
const SUFFIX: Record<string, number> = { k: 3, m: 6, b: 9, bn: 9, t: 12 };
const PLAIN = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
const MAX_EXPONENT = 1000;
const GROUPED = /^\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * Parses `1234.5`, `6.0e-05`, `4.2e+17`, `$87,000`, `4800 USD`, `$1.7T`, `600B` into a
 * canonical decimal string; empty and `N/A`-style cells are `null`. `NaN`, `inf` and text
 * are errors.
 */
export function toDecimal(input: string): DecimalResult {
  let text = input.trim().toLowerCase();
  if (MISSING.has(text)) return { ok: true, value: null };
  text = text
    .replace(/^\$\s*/, '')
    .replace(/\s*(usd|us\$|\$)$/, '')
    .trim();
  let shift = 0;
  const suffix = /^(.*\d)\s*(k|m|bn|b|t)$/.exec(text);
  if (suffix) {
    text = suffix[1] ?? '';
    shift = SUFFIX[suffix[2] ?? ''] ?? 0;
  }
  if (GROUPED.test(text)) text = text.replaceAll(',', '');
  const match = PLAIN.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    return { ok: false, reason: `not a number: ${JSON.stringify(input.slice(0, 40))}` };
  }
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  // Expanding `1e999999999` would build a billion-digit string; no market value needs this.
  if (Math.abs(Number(exponent)) > MAX_EXPONENT)
    return { ok: false, reason: `out of range: ${JSON.stringify(input.slice(0, 40))}` };
  return { ok: true, value: shiftDecimal(sign, whole, fraction, Number(exponent) + shift) };
}

/** Moves the decimal point of `whole.fraction` by `exponent` places, on digits only. */
function shiftDecimal(sign: string, whole: string, fraction: string, exponent: number): string {
  let digits = whole + fraction;
  let point = whole.length + exponent;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const fracPart = digits.slice(point).replace(/0+$/, '');
  const body = fracPart ? `${intPart}.${fracPart}` : intPart;
  return sign === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}
