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
  const text = stringify(value);
  if (text === undefined) throw new TypeError('value is not serializable as JSON');
  return text;
}

export type ExactNumber = LosslessNumber;

export function isExactNumber(value: unknown): value is LosslessNumber {
  return isLosslessNumber(value);
}
