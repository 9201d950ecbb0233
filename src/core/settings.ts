import * as v from 'valibot';

/**
 * Settings read from the environment, as valibot schemas over the variable's text (unset and
 * empty arrive as undefined). Shared by the core settings (config.ts) and the ones each
 * source declares for itself.
 */
export type SettingSchema<T> = v.GenericSchema<string | undefined, T>;

/** One setting a source reads from its own variable, `KX_<SOURCE>_…`. */
export interface SettingSpec<T = unknown> {
  /** The environment variable: `KX_COINGECKO_API_KEY`. */
  env: string;
  /** What it does, in one line, for `--help`. */
  help: string;
  schema: SettingSchema<T>;
}

/** Trimmed text, or undefined. */
export const optionalText: SettingSchema<string | undefined> = v.optional(
  v.pipe(v.string(), v.trim()),
);

/**
 * An http:// or https:// URL, or undefined. `localhost:8080/api/v3` parses as a URL of the
 * scheme `localhost:`, which fetch then refuses on every retry as a network error: without a
 * scheme, the message gives the value with one.
 */
export const optionalUrl: SettingSchema<string | undefined> = v.optional(
  v.pipe(
    v.string(),
    v.trim(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const value = dataset.value;
      let protocol = '';
      try {
        protocol = new URL(value).protocol;
      } catch {
        // not a URL at all: said below
      }
      if (protocol === 'http:' || protocol === 'https:') return;
      const bare = /^[\w.-]+(:\d+)?(\/|$)/.test(value) && !/^[a-z][\w+.-]*:\/\//i.test(value);
      addIssue({
        message: bare
          ? `expected a URL with its scheme, such as http://${value}`
          : 'expected an http:// or https:// URL, such as http://127.0.0.1:8080/api/v3',
      });
    }),
  ),
);

/** A whole number within bounds; `fallback` when unset. */
export function integerSetting(fallback: number, min: number, max: number): SettingSchema<number> {
  const expected = `expected a whole number from ${min} to ${max}`;
  return v.pipe(
    v.optional(v.string(), String(fallback)),
    v.trim(),
    v.check((s) => /^\d+$/.test(s), expected),
    v.transform(Number),
    v.minValue(min, expected),
    v.maxValue(max, expected),
  );
}

/** A whole number within bounds, or undefined when unset. */
export function optionalInteger(min: number, max: number): SettingSchema<number | undefined> {
  return v.optional(integerSetting(0, min, max));
}
