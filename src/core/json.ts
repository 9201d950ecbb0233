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
 * not a camelCase name (a CSV header, `Volume USD`) is data and stays as written. A value
 * with nothing to change is returned as it is, not copied: most API rows are snake_case
 * already, and copying a 1,000-row page cost a seventh of its request.
 */
export function toSnakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let changed: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const snake = toSnakeKeys(item);
      if (snake !== item) (changed ??= value.slice() as unknown[])[i] = snake;
    });
    return changed ?? value;
  }
  if (value === null || typeof value !== 'object') return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let changed: [string, unknown][] | undefined;
  keys.forEach((key, i) => {
    const item = record[key];
    const snake = toSnakeKeys(item);
    const name = CAMEL_CASE.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
    if (!changed && (name !== key || snake !== item))
      changed = keys.slice(0, i).map((k) => [k, record[k]]);
    changed?.push([name, snake]);
  });
  return changed ? Object.fromEntries(changed) : value;
}
