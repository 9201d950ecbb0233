/**
 * Schema drift of an upstream API: fields we have never seen, and documented fields that stop
 * arriving. Each is reported once per run, with where it was first seen.
 */
export interface DriftTracker {
  /** Checks one item (a plain object); `where` names it for the warning. */
  observe(item: Record<string, unknown>, where: string): void;
  warnings(): string[];
}

export interface DriftSpec {
  service: string;
  /** Documented fields we expect on every item. A nested object's fields are `parent.child`. */
  expected: readonly string[];
  /** Fields that may or may not be there (plan- or version-dependent); never warned about. */
  optional?: readonly (string | RegExp)[];
  /** Objects whose fields are checked too (`quotes.USD`). */
  nested?: readonly string[];
}

export function createDriftTracker(spec: DriftSpec, warn: (message: string) => void): DriftTracker {
  const expected = new Set(spec.expected);
  const known = (key: string) =>
    expected.has(key) ||
    (spec.optional ?? []).some((o) => (typeof o === 'string' ? o === key : o.test(key)));
  const reported = new Set<string>();
  const list: string[] = [];
  const report = (key: string, message: string) => {
    if (reported.has(key)) return;
    reported.add(key);
    list.push(message);
    warn(message);
  };
  return {
    observe(item, where) {
      const keys = flattenKeys(item, spec.nested ?? []);
      for (const key of keys) {
        if (!known(key))
          report(
            `+${key}`,
            `${spec.service}: unknown field ${JSON.stringify(key)} (first seen in ${where}); it is kept in the raw payload`,
          );
      }
      for (const key of expected) {
        if (!keys.has(key))
          report(
            `-${key}`,
            `${spec.service}: expected field "${key}" is missing (first in ${where})`,
          );
      }
    },
    warnings: () => [...list],
  };
}

function flattenKeys(item: Record<string, unknown>, nested: readonly string[]): Set<string> {
  const keys = new Set(Object.keys(item));
  for (const path of nested) {
    const value = path
      .split('.')
      .reduce<unknown>(
        (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
        item,
      );
    if (value && typeof value === 'object')
      for (const key of Object.keys(value)) keys.add(`${path}.${key}`);
  }
  return keys;
}
