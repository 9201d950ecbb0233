/**
 * What PostgreSQL's column types accept, checked before a value reaches a statement (DESIGN §3,
 * invariant 6): a record that breaks one is rejected with a reason, never sent to fail a batch.
 */

/** `int4` columns (rank). */
export const INT4_MAX = 2_147_483_647;

/**
 * Bounds for `numeric` market values. PostgreSQL takes 131,072 digits before the point, but no
 * price, cap, volume or supply needs 40 (the largest real supplies are about 1e30), and a
 * 100,000-digit number is an error, not a value. 60 places after the point keep the smallest
 * real prices (about 1e-18) exact.
 */
export const MAX_INTEGER_DIGITS = 40;
export const MAX_FRACTION_DIGITS = 60;

/** Market data lives in this window: the Unix epoch to 2100. Year 0 or 9999 is a broken value. */
export const EARLIEST = Date.UTC(1970, 0, 1);
export const LATEST = Date.UTC(2100, 0, 1);

/**
 * Why PostgreSQL would refuse `text` as a text value, or null: a NUL character (no text type
 * stores one) or a lone UTF-16 surrogate (not valid UTF-8 once encoded).
 */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character, which PostgreSQL text cannot hold';
  if (LONE_SURROGATE.test(text)) return 'is not valid Unicode (a lone surrogate)';
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a canonical decimal string (`toDecimal`'s output) is out of bounds, or null. */
export function decimalProblem(decimal: string): string | null {
  const [whole = '', fraction = ''] = decimal.replace(/^-/, '').split('.');
  if (whole.length > MAX_INTEGER_DIGITS)
    return `has ${whole.length} digits before the point (at most ${MAX_INTEGER_DIGITS})`;
  if (fraction.length > MAX_FRACTION_DIGITS)
    return `has ${fraction.length} digits after the point (at most ${MAX_FRACTION_DIGITS})`;
  return null;
}

/** Why an instant is outside market data's window, or null. */
export function instantProblem(date: Date): string | null {
  const time = date.getTime();
  if (Number.isNaN(time)) return 'is not a date';
  if (time < EARLIEST || time >= LATEST)
    return `${date.toISOString()} is outside 1970-01-01 to 2100-01-01`;
  return null;
}

/**
 * Why a JSON text would be refused by `jsonb`, or null: `\u0000` (jsonb cannot store it) or an
 * escaped lone surrogate. JSON.stringify escapes exactly these; a backslash-escaped backslash
 * before `u0000` is text, not an escape, hence the count of backslashes.
 */
export function jsonTextProblem(json: string): string | null {
  if (!json.includes('\\u')) return null;
  if (NUL_ESCAPE.test(json)) return 'holds a NUL character (\\u0000), which jsonb cannot store';
  if (LONE_SURROGATE_ESCAPE.test(json)) return 'holds a lone surrogate, which is not valid Unicode';
  return null;
}
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
const LONE_SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

/** A JSON text made storable: the escapes jsonb refuses become U+FFFD, the replacement character. */
export function toStorableJsonText(json: string): string {
  return json
    .replace(new RegExp(NUL_ESCAPE.source, 'g'), (m) => `${m.slice(0, -6)}\\ufffd`)
    .replace(new RegExp(LONE_SURROGATE_ESCAPE.source, 'gi'), (m) => `${m.slice(0, -6)}\\ufffd`);
}

/** Text made storable: NUL and lone surrogates become U+FFFD, the replacement character. */
export function toStorableText(text: string): string {
  return textProblem(text)
    ? text.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATE_ALL, '\ufffd')
    : text;
}
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');
