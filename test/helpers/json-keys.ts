/** Every key of a JSON value that is not snake_case, with its path: `sources.0.lastRun`. */
export function keysNotSnakeCase(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysNotSnakeCase(v, `${path}${i}.`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(/^[a-z0-9]+(_[a-z0-9]+)*$/.test(key) ? [] : [`${path}${key}`]),
    ...keysNotSnakeCase(v, `${path}${key}.`),
  ]);
}
