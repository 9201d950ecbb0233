import * as v from 'valibot';
import { toTimestamp } from '../../core/timestamp.js';
import { toDecimal } from '../../core/decimal.js';
import { KxError } from '../../core/errors.js';
import type { Locator, SourceRecord } from '../../core/source.js';
import type { ListingCheck } from '../../core/unified.js';
import { isExactNumber, type ExactNumber } from '../../core/json.js';
import {
  optionalInteger,
  optionalText,
  optionalUrl,
  type SettingSpec,
} from '../../core/settings.js';

/** The settings every API source reads from its variables. Keys live here, never in run params. */
export interface ApiSettings {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  /** Calls per minute; unset = the service's published limit; 0 = no limit. */
  callsPerMinute: number | undefined;
  /** Upstream calls allowed per calendar month (UTC); unset = no budget. */
  monthlyCalls: number | undefined;
}

/** `KX_<PREFIX>_API_KEY`, `_BASE_URL`, `_RATE_LIMIT`, `_MONTHLY_CALLS`, described for `--help`. */
export function apiSettingSpecs(
  prefix: string,
  service: string,
): { [K in keyof ApiSettings]: SettingSpec<ApiSettings[K]> } {
  return {
    apiKey: { env: `${prefix}_API_KEY`, help: `${service} key`, schema: optionalText },
    baseUrl: { env: `${prefix}_BASE_URL`, help: `${service} API base URL`, schema: optionalUrl },
    callsPerMinute: {
      env: `${prefix}_RATE_LIMIT`,
      help: `${service} calls per minute; 0 = no limit`,
      schema: optionalInteger(0, 100_000),
    },
    monthlyCalls: {
      env: `${prefix}_MONTHLY_CALLS`,
      help: `${service} calls allowed per month (exit 7 past it)`,
      schema: optionalInteger(0, 1_000_000_000),
    },
  };
}

const exactNumber = v.union(
  [v.custom<ExactNumber>(isExactNumber, 'expected a number'), v.literal('')],
  'expected a number',
);

/**
 * A JSON number as parsed by `parseExactJson`, or null; the key must be there (a renamed field
 * is drift, not a silent null). CoinPaprika also sends "" for missing values.
 */
export const ExactNumberSchema = v.nullable(exactNumber);

/** The same, for fields a plan or an older record may leave out entirely. */
export const OptionalExactNumberSchema = v.nullish(exactNumber);

/** The exact decimal text of an upstream number (`6.0e-05` → `0.00006`), null when missing. */
export function toDecimalText(value: ExactNumber | '' | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const parsed = toDecimal(value.toString());
  return parsed.ok ? parsed.value : null;
}

/** A whole rank, or null; a rank of 0 (none) checkListing reads as null for every source. */
export function toRank(value: ExactNumber | '' | null | undefined): number | null {
  const text = toDecimalText(value);
  return text === null || !/^\d+$/.test(text) ? null : Number(text);
}

/** Milliseconds between calls for a calls-per-minute limit (0 = unlimited). */
export function toInterval(callsPerMinute: number): number {
  return callsPerMinute > 0 ? Math.ceil(60_000 / callsPerMinute) : 0;
}

/** The first valibot issue as `field: message`. */
export function toIssueReason(issues: readonly v.BaseIssue<unknown>[]): {
  reason: string;
  field?: string;
} {
  const issue = issues[0]!;
  const field = issue.path?.map((p) => String(p.key)).join('.');
  return field ? { reason: `${field}: ${issue.message}`, field } : { reason: issue.message };
}

/** Run parameters through their schema; a bad one is a usage error. */
export function parseWith<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw new KxError('usage', toIssueReason(result.issues).reason);
  return result.output;
}

/**
 * One upstream item as a record: the item itself is the payload (kept whatever its shape);
 * it is validated by `schema` and mapped by `toListing`, or rejected with the first issue.
 */
export function toApiRecord<S extends v.GenericSchema, P>(
  item: unknown,
  schema: S,
  where: { locator: Locator; position: P; endsUnit?: boolean },
  toListing: (parsed: v.InferOutput<S>) => ListingCheck,
): SourceRecord<P> {
  const payload = (item && typeof item === 'object' ? item : { value: item }) as Record<
    string,
    unknown
  >;
  const sourceId = typeof payload.id === 'string' && payload.id !== '' ? payload.id : null;
  const parsed = v.safeParse(schema, item);
  const result: ListingCheck = parsed.success
    ? toListing(parsed.output)
    : { ok: false, ...toIssueReason(parsed.issues) };
  return { ...where, sourceId, payload, result };
}

/** The source's own `last_updated`, or the fetch time when it sends none. */
export function toObservedAt(
  lastUpdated: string | null | undefined,
  fetchedAt: Date,
): Date | { ok: false; reason: string; field: string } {
  if (!lastUpdated) return fetchedAt;
  // The strict parser: `2025-02-30T00:00:00Z` is refused, not rolled over to 2 March.
  const parsed = toTimestamp(lastUpdated);
  if (!parsed.ok)
    return { ok: false, reason: `last_updated: ${parsed.reason}`, field: 'last_updated' };
  return parsed.value ?? fetchedAt;
}
