/**
 * Exact decimal parsing for market numbers. Values stay strings from input to `numeric`
 * so that `4.2e+17` or an integer above 2^53 never passes through a JS double.
 */

import { currencySign, toCurrency, USD_QUOTES } from './currency.js';

export type DecimalResult = { ok: true; value: string | null } | { ok: false; reason: string };

/**
 * Cells that say a value is missing: `NaN` is how pandas and numpy write one (`<NA>` for its
 * nullable types), a dash how sites show one (`—`), a lone `.` how FRED, SAS and Stata do, `\N`
 * how MySQL's and PostgreSQL's dumps do, `undefined` how a JavaScript template writes a field an
 * object lacks, and Excel writes its errors (`#N/A`, `#DIV/0!`) where a formula had none (and
 * Bloomberg's add-in its `#N/A N/A`, `#N/A Field Not Applicable`: see `isMissing`).
 */
const MISSING = new Set(['', '-', '--', 'n/a', 'na', 'n.a.', 'null', 'none', 'nil', '?', 'nan'])
  .add('<na>')
  .add('\\n')
  .add('undefined')
  .add('(null)')
  .add('.')
  .add('—')
  .add('–')
  .add('#n/a')
  .add('#value!')
  .add('#div/0!')
  .add('#ref!')
  .add('#num!')
  .add('#name?')
  .add('#null!');
const SUFFIX: Record<string, number> = {
  k: 3,
  thousand: 3,
  m: 6,
  mm: 6,
  mn: 6,
  mln: 6,
  million: 6,
  b: 9,
  bn: 9,
  bln: 9,
  billion: 9,
  t: 12,
  tn: 12,
  trillion: 12,
  // German abbreviations (`12,5 Mio.`, `2,5 Mrd.`); their Billion is a million millions
  tsd: 3,
  mio: 6,
  mrd: 9,
  bio: 12,
};
const PLAIN = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
/** A number with nothing around it, no grouping and no exponent: `42000.5`, `-3`. */
const SIMPLE = /^[+-]?\d+(?:\.\d+)?$/;
const MAX_EXPONENT = 1000;
/** `1,234,567.8` (a decimal point) and `1.234.567,8` (a decimal comma): thousands grouped. */
const GROUPED: Record<DecimalMark, RegExp> = {
  '.': /^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?$/,
  ',': /^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d*)?$/,
};
/** Spaces that group thousands (`44 157,0`; French and Russian exports use no-break ones). */
const SPACE_GROUPED = /^[+-]?[1-9]\d{0,2}([ \u00a0\u202f]\d{3})+([.,]\d*)?$/;
/** Apostrophes that group thousands before a decimal point: Switzerland's `1'234.56`. */
const APOSTROPHE_GROUPED = /^[+-]?[1-9]\d{0,2}(['\u2019]\d{3})+(\.\d*)?$/;
/** India's lakh and crore grouping before a decimal point: `1,23,456.78`. */
const INDIAN_GROUPED = /^[+-]?[1-9]\d?(,\d{2})*,\d{3}(\.\d*)?$/;

/** The dollar's codes and its stablecoins', lowercase, longest first: what a cell may say. */
const DOLLAR_CODES = [...USD_QUOTES]
  .map((c) => c.toLowerCase())
  .sort((a, b) => b.length - a.length)
  .join('|');
const DOLLAR_FIRST = new RegExp(`^([+-]?)\\s*(?:us\\$|\\$|(?:${DOLLAR_CODES})(?=[\\s\\d]))\\s*`);
const DOLLAR_AFTER = new RegExp(`(?:(?<![a-z])\\s*(?:${DOLLAR_CODES})|\\s*(?:us\\$|\\$|%))$`);

/** The character between a number's whole part and its fraction: `1234.5` or `1234,5`. */
export type DecimalMark = '.' | ',';

/** Whether a cell says its value is missing (`MISSING`, or an `#N/A` with Bloomberg's reason). */
function isMissing(input: string): boolean {
  const cell = input.trim().toLowerCase();
  return MISSING.has(cell) || cell.startsWith('#n/a ');
}

/**
 * Parses `1234.5`, `6.0e-05`, `4.2e+17`, `$87,000`, `4800 USD`, `$1.7T`, `600B`, `2.08%` into a
 * canonical decimal string, and negatives written `−2.5` (U+2212), `-$5`, `(2.50)` or `▼2.5%`;
 * with a decimal comma, `1.004,0`, `44 157,0`, `10,36M` and `12,5 Mio.`; Switzerland's `1'234.5`
 * and India's `1,23,456.78`. Empty and `N/A`-style cells are
 * `null`, as is `NaN`. `inf`, text and amounts in another currency (`€1,234.5`) are errors.
 */
export function toDecimal(input: string, mark: DecimalMark = '.'): DecimalResult {
  if (isMissing(input)) return { ok: true, value: null };
  const bare = bareNumber(input);
  const shift = bare.shift;
  let text = bare.text;
  const group = mark === '.' ? ',' : '.';
  if (GROUPED[mark].test(text) || (mark === '.' && INDIAN_GROUPED.test(text)))
    text = text.replaceAll(group, '');
  if (mark === ',') {
    if (text.includes('.')) return notANumber(input); // a point where only a comma may be
    text = text.replace(',', '.');
  }
  const match = PLAIN.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return notANumber(input);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  // Expanding `1e999999999` would build a billion-digit string; no market value needs this.
  if (Math.abs(Number(exponent)) > MAX_EXPONENT)
    return { ok: false, reason: `out of range: ${JSON.stringify(input.slice(0, 40))}` };
  return { ok: true, value: shiftDecimal(sign, whole, fraction, Number(exponent) + shift) };
}

/**
 * The number of a cell without what is around it: a currency sign or code, a percent sign,
 * a magnitude suffix (its power of ten is `shift`), and spaces that group thousands.
 */
function bareNumber(input: string): { text: string; shift: number } {
  const trimmed = input.trim();
  if (SIMPLE.test(trimmed)) return { text: trimmed, shift: 0 }; // most cells: nothing around
  let text = trimmed
    .toLowerCase()
    .replaceAll('\u2212', '-') // the minus sign of typeset pages
    .replace(/^\((.*)\)$/, '-$1') // an accounting negative: (2.50)
    .replace(/^▲\s*/, '+')
    .replace(/^▼\s*/, '-')
    .replace(DOLLAR_FIRST, '$1') // $5, -$5, US$ 5, USD 5, USDT 5
    .replace(DOLLAR_AFTER, '') // 5 USD, 5 USDT, 5$, 5%: a whole code, so `5 BUSD` is no `5 B`
    .trim();
  let shift = 0;
  const suffix =
    /^(.*\d)\s*(k|thousand|mm|mn|mln|million|m|bn|bln|billion|b|tn|trillion|t|tsd|mio|mrd|bio)\.?$/.exec(
      text,
    );
  if (suffix) {
    text = suffix[1] ?? '';
    shift = SUFFIX[suffix[2] ?? ''] ?? 0;
  }
  if (SPACE_GROUPED.test(text)) text = text.replace(/[ \u00a0\u202f]/g, '');
  else if (APOSTROPHE_GROUPED.test(text)) text = text.replace(/['\u2019]/g, '');
  return { text, shift };
}

function notANumber(input: string): DecimalResult {
  const currency = otherCurrency(input);
  if (currency)
    return {
      ok: false,
      reason: `${JSON.stringify(input.slice(0, 40))} is in ${currency}, not US dollars`,
    };
  return { ok: false, reason: `not a number: ${JSON.stringify(input.slice(0, 40))}` };
}

/** The currency a number that is not dollars is written in (`€1,234.5`, `1.234,5 EUR`), if any. */
function otherCurrency(input: string): string | undefined {
  const text = input.trim();
  const sign = currencySign(text);
  if (sign) return sign.usd ? undefined : sign.code;
  const written = /\d\s*([a-z]{3,5})$/i.exec(text)?.[1];
  const currency = written === undefined ? null : toCurrency(written);
  return currency && !currency.usd ? currency.code : undefined;
}

/**
 * Which decimal mark a cell shows, if it shows one: `0.5`, `1,234.5`, `1,234,567` only fit a
 * decimal point; `0,5`, `1.234,5`, `1.234.567` only a decimal comma. `1,234` and `1.004` fit
 * both (a thousand and more, or a little over one): `either`. Undefined for a cell that is not
 * a number or has no mark at all (`1234`, `abc`).
 */
export function decimalMarkOf(input: string): DecimalMark | 'either' | undefined {
  const { text } = bareNumber(input);
  if (!/^[+-]?\d+([.,]\d+)*$/.test(text)) return undefined;
  const marks = text.replace(/[^.,]/g, '');
  if (marks === '') return undefined;
  const last = marks.at(-1) as DecimalMark;
  const other: DecimalMark = last === '.' ? ',' : '.';
  if (marks.includes(other)) {
    // Both: the last one is the decimal mark, if the others group thousands before it.
    return GROUPED[last].test(text) ? last : undefined;
  }
  if (marks.length > 1) return GROUPED[other].test(text) ? other : undefined; // `1.234.567`
  const [whole = '', fraction = ''] = text.replace(/^[+-]/, '').split(last);
  // One mark: a group of three after a whole part of 1-3 digits not starting with 0 reads
  // either way; anything else only as a decimal mark.
  if (fraction.length === 3 && whole.length <= 3 && !whole.startsWith('0')) return 'either';
  return last;
}

/** A canonical decimal (`toDecimal`'s value) times 10^`exponent`: `1.5` and 6 → `1500000`. */
export function scaleDecimal(value: string, exponent: number): string {
  if (exponent === 0) return value;
  const negative = value.startsWith('-');
  const [whole = '', fraction = ''] = (negative ? value.slice(1) : value).split('.');
  return shiftDecimal(negative ? '-' : '', whole, fraction, exponent);
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
