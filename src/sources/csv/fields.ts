/**
 * The unified fields a CSV column can feed, `--map`'s names for them, and how a header is
 * matched to them: exactly or by edit distance against the names in synonyms.ts.
 */
import { KxError } from '../../core/errors.js';
import { toHeaderKey } from './header-keys.js';
import { SYNONYMS } from './synonyms.js';

/** A unified field a CSV column can feed (snake_case, as users write them in `--map`). */
export const CSV_FIELDS = [
  'source_id',
  'symbol',
  'name',
  'rank',
  'price_usd',
  'market_cap_usd',
  'volume_24h_usd',
  'circulating_supply',
  'total_supply',
  'max_supply',
  'percent_change_24h',
  'observed_at',
] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

/** Below this a fuzzy match is no match; below WARN_BELOW it is used with a warning. */
const FUZZY_FLOOR = 0.8;

export interface ColumnMapping {
  field: CsvField;
  header: string;
  /** 0-based column index. */
  index: number;
  confidence: number;
  how: 'synonym' | 'fuzzy' | 'override';
  /**
   * The power of ten the header says the numbers are in (`Market Cap (M)`: 6), when the
   * field is an amount (MAGNITUDE_FIELDS); absent for plain numbers.
   */
  scale?: number;
  /** `USD` when the header names the dollar (`Close (USD)`, `price_usd`, `Price ($)`). */
  currency?: 'USD';
  /**
   * For observed_at: the zone its header names (`Time (UTC+8)`: 480 minutes east of UTC), which
   * a time without its own zone is in; absent for UTC.
   */
  zoneMinutes?: number;
}

/** The fields whose numbers a magnitude in their header multiplies: amounts of dollars or coins. */
export const MAGNITUDE_FIELDS = new Set<CsvField>(
  CSV_FIELDS.filter((f) => f.endsWith('_usd') || f.endsWith('_supply')),
);

/** Parses repeated `--map header=field` flags; an empty field means "ignore this column". */
export function parseOverrides(pairs: readonly string[]): Map<string, CsvField | null> {
  const overrides = new Map<string, CsvField | null>();
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    if (at <= 0)
      throw new KxError('usage', `--map expects HEADER=FIELD, got ${JSON.stringify(pair)}`);
    const header = toHeaderKey(pair.slice(0, at));
    const field = pair.slice(at + 1).trim();
    if (field !== '' && !isCsvField(field)) {
      throw new KxError(
        'usage',
        `--map ${pair}: unknown field "${field}"; fields: ${CSV_FIELDS.join(', ')}`,
      );
    }
    overrides.set(header, field === '' ? null : field);
  }
  return overrides;
}

function isCsvField(name: string): name is CsvField {
  return (CSV_FIELDS as readonly string[]).includes(name);
}

/** Each field's synonyms as a list, made once. */
const SYNONYM_ENTRIES = Object.fromEntries(
  CSV_FIELDS.map((field) => [field, Object.entries(SYNONYMS[field])]),
) as Record<CsvField, [string, number][]>;

export function matchColumn(key: string, header: string, index: number): ColumnMapping[] {
  const found: ColumnMapping[] = [];
  for (const field of CSV_FIELDS) {
    let best = 0;
    let how: ColumnMapping['how'] = 'synonym';
    for (const [synonym, weight] of SYNONYM_ENTRIES[field]) {
      if (synonym === key) {
        if (weight > best) [best, how] = [weight, 'synonym'];
        continue;
      }
      // The edit distance is at least the difference in length: a synonym that could not
      // score enough even at that distance is not measured (a rejected row's cells are read
      // as a header to tell a repeated header line, so this runs per row, not per file).
      const longest = Math.max(key.length, synonym.length);
      const bound = (1 - Math.abs(key.length - synonym.length) / longest) * weight;
      if (bound < FUZZY_FLOOR || bound <= best) continue;
      const score = similarity(key, synonym) * weight;
      if (score >= FUZZY_FLOOR && score > best) [best, how] = [score, 'fuzzy'];
    }
    if (best > 0) found.push({ field, header, index, confidence: round2(best), how });
  }
  return found;
}

/** Normalized Levenshtein similarity in [0, 1]. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
