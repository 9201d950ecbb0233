import { isLosslessNumber, parse, stringify, type LosslessNumber } from 'lossless-json';

/**
 * JSON whose numbers keep their exact text. Upstream bodies carry `4.2e+17` and integers above
 * 2^53; `JSON.parse` would round them through a double. Numbers come back as LosslessNumber
 * and are written back exactly by `toJsonText`; `jsonb` in Postgres stores them as `numeric`.
 */
export function parseExactJson(text: string): unknown {
  return parse(text);
}

/** Serializes any payload (plain or parsed by `parseExactJson`) with its numbers as they came. */
export function toJsonText(value: unknown): string {
  // A flat record of strings (every CSV row) holds no number to keep: JSON.stringify writes
  // the same text as lossless-json (which writes strings with it), several times faster.
  if (isStringRecord(value)) return JSON.stringify(value);
  const text = stringify(value);
  if (text === undefined) throw new TypeError('value is not serializable as JSON');
  return text;
}

export type ExactNumber = LosslessNumber;

export function isExactNumber(value: unknown): value is LosslessNumber {
  return isLosslessNumber(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const item of Object.values(value)) if (typeof item !== 'string') return false;
  return true;
}

/** `lastRun`, `durationMs` → `last_run`, `duration_ms`; keys of any other form stay as they are. */
const CAMEL_CASE = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+$/;

/**
 * A JSON value with the keys of its plain objects in snake_case, deeply: kx's one casing for
 * what it prints and serves. Arrays, dates and exact numbers keep their form; a key that is
 * not a camelCase name (a CSV header, `Volume USD`) is data and stays as written.
 */
export function toSnakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeKeys);
  if (value === null || typeof value !== 'object') return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      CAMEL_CASE.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key,
      toSnakeKeys(v),
    ]),
  );
}
