/**
 * Durations as kx's flags take them: a whole number of seconds, minutes or hours (`30s`, `5m`,
 * `1h`), for `--schedule coingecko=30m` and `--lock-wait 5m`.
 */

/** Milliseconds per unit. */
export const DURATION_UNITS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `30s`, `5m`, `1h` → milliseconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)([smh])$/.exec(text);
  return m ? Number(m[1]) * DURATION_UNITS[m[2] as keyof typeof DURATION_UNITS] : null;
}

/** 90000 → `1m30s`: a duration as the flags write it, to the second. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts = [
    [Math.floor(s / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ] as const;
  return parts.map(([n, unit]) => (n > 0 ? `${n}${unit}` : '')).join('') || '0s';
}
