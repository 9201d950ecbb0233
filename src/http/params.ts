import type { Context } from 'hono';
import * as v from 'valibot';
import { instantProblem, textProblem } from '../core/domain.js';
import { KxError } from '../core/errors.js';
import { ISO_INSTANT, toTimestamp } from '../core/timestamp.js';
import { CONSENSUS, INTERVALS } from '../queries/history.js';
import { ASSET_SORTS, type AssetSort } from '../queries/asset-list.js';
import { LISTING_SORTS, type ListingSort } from '../queries/listings.js';

/** A whole number in a query string, bounded; the text is checked before it becomes a number. */
function integer(name: string, min: number, max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^\d+$/, `${name} must be a whole number`),
    // past 16 digits Number() rounds (20 digits to 1e20): no such number is in range anyway
    v.check((digits) => digits.replace(/^0+/, '').length <= 16, `${name} must be at most ${max}`),
    v.transform(Number),
    v.minValue(min, `${name} must be at least ${min}`),
    v.maxValue(max, `${name} must be at most ${max}`),
  );
}

const text = (name: string, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, `${name} must not be empty`),
    v.maxLength(max, `${name} must be at most ${max} characters`),
    v.rawCheck(({ dataset, addIssue }) => {
      const problem = dataset.typed ? textProblem(dataset.value) : null;
      if (problem) addIssue({ message: `${name} ${problem}` });
    }),
  );

/** A real calendar date in market data's window (domain.ts), parsed strictly: no 30 February. */
const instantParam = (name: string) =>
  v.pipe(
    v.string(),
    v.regex(ISO_INSTANT, `${name} must be an ISO 8601 date or timestamp`),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const parsed = toTimestamp(dataset.value);
      const date = parsed.ok ? parsed.value : null;
      const problem = date ? instantProblem(date) : 'is not a real date';
      if (!date || problem) {
        addIssue({ message: `${name} ${problem}` });
        return NEVER;
      }
      return date;
    }),
  );

/** `sort`: a key of `sorts` (`-` for descending), missing values last, `fallback` by default. */
function sortParam<K extends string>(sorts: Record<K, unknown>, fallback: K, note = '') {
  const names = Object.keys(sorts) as K[];
  return v.optional(
    v.pipe(
      v.picklist(names, `sort must be one of ${names.join(', ')}`),
      v.description(
        `order; \`-\` for descending; missing values last; default \`${fallback}\`${note}`,
      ),
    ),
    fallback,
  );
}

/** `limit` and `cursor` of a keyset-paged list. */
const pageParams = {
  limit: v.optional(
    v.pipe(integer('limit', 1, 500), v.description('rows per page, 1–500, default 50')),
    '50',
  ),
  cursor: v.optional(
    v.pipe(
      text('cursor', 512),
      v.description('opaque keyset cursor: `pagination.next_cursor` of the previous page'),
    ),
  ),
};

const prefixParam = v.optional(
  v.pipe(text('q', 64), v.description('name or symbol prefix, case-insensitive')),
);
const symbolParam = v.optional(
  v.pipe(text('symbol', 32), v.description('exact symbol, case-insensitive')),
);

export function createDataQuerySchema(sources: readonly string[]) {
  return v.strictObject(
    {
      source: v.optional(
        v.pipe(
          v.picklist(sources, `source must be one of ${sources.join(', ')}`),
          v.description('only listings of this source'),
        ),
      ),
      symbol: symbolParam,
      asset_id: v.optional(
        v.pipe(
          integer('asset_id', 1, Number.MAX_SAFE_INTEGER),
          v.description('only listings of this asset'),
        ),
      ),
      q: prefixParam,
      updated_since: v.optional(
        v.pipe(
          instantParam('updated_since'),
          v.description('only listings observed at or after this time (ISO 8601)'),
        ),
      ),
      sort: sortParam<ListingSort>(LISTING_SORTS, 'id', ' (source, source_id)'),
      ...pageParams,
      page: v.optional(
        v.pipe(
          integer('page', 1, 1_000_000),
          v.description('1-based page number (instead of cursor)'),
        ),
      ),
      format: formatParam,
    },
    'unknown parameter',
  );
}

/** `format`: the JSON API (paged), or every matching row streamed as CSV or NDJSON. */
const formatParam = v.optional(
  v.pipe(
    v.picklist(['json', 'csv', 'ndjson'], 'format must be one of json, csv, ndjson'),
    v.description(
      '`json` (default: the paged API), or an export of every matching row streamed as `csv` or `ndjson` (also by `Accept: text/csv` or `application/x-ndjson`); an export takes no limit, cursor or page',
    ),
  ),
);

const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `90s`, `30m`, `1h`, `2d` → seconds, from 1 second to 366 days. */
const durationParam = (name: string) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,6}[smhd]$/, `${name} must be a duration such as 30m, 1h or 2d`),
    v.transform(
      (text) => Number(text.slice(0, -1)) * DURATION_UNITS[text.at(-1) as 's' | 'm' | 'h' | 'd'],
    ),
    v.minValue(1, `${name} must be at least 1s`),
    v.maxValue(366 * 86_400, `${name} must be at most 366d`),
  );

export function createAssetsQuerySchema(sources: readonly string[]) {
  return v.strictObject(
    {
      q: prefixParam,
      symbol: symbolParam,
      source: v.optional(
        v.pipe(
          v.picklist(sources, `source must be one of ${sources.join(', ')}`),
          v.description('only coins this source lists'),
        ),
      ),
      min_sources: v.optional(
        v.pipe(
          integer('min_sources', 1, sources.length),
          v.description('only coins listed by at least this many sources'),
        ),
      ),
      fresh_within: v.optional(
        v.pipe(
          durationParam('fresh_within'),
          v.description(
            "a listing's price counts toward the consensus if observed this close to the coin's newest observation (30m, 1h, 2d); default 1h",
          ),
        ),
        '1h',
      ),
      sort: sortParam<AssetSort>(ASSET_SORTS, '-market_cap_usd'),
      ...pageParams,
      format: formatParam,
    },
    'unknown parameter',
  );
}

export function createRunsQuerySchema(sources: readonly string[]) {
  return v.strictObject({
    limit: v.optional(
      v.pipe(integer('limit', 1, 500), v.description('runs to return, newest first, default 20')),
      '20',
    ),
    source: v.optional(
      v.pipe(
        v.picklist(sources, `source must be one of ${sources.join(', ')}`),
        v.description('only runs of this source'),
      ),
    ),
  });
}

export const RejectedQuerySchema = v.strictObject({
  ...pageParams,
  limit: v.optional(
    v.pipe(integer('limit', 1, 1000), v.description('records per page, 1–1000, default 100')),
    '100',
  ),
  format: formatParam,
});

export const CompareQuerySchema = v.strictObject({
  a: v.pipe(integer('a', 1, Number.MAX_SAFE_INTEGER), v.description('the earlier run id')),
  b: v.pipe(integer('b', 1, Number.MAX_SAFE_INTEGER), v.description('the later run id')),
});

/** `source=a,b`: one or more of `choices`, comma-separated. */
const sourceList = (choices: readonly string[], description: string) =>
  v.pipe(
    v.string(),
    v.check(
      (list) => list.split(',').every((s) => choices.includes(s)),
      `source must be one or more of ${choices.join(', ')}, separated by commas`,
    ),
    v.transform((list) => [...new Set(list.split(','))]),
    v.description(description),
  );

const timeWindow = {
  from: v.optional(
    v.pipe(
      instantParam('from'),
      v.description('from this time (ISO 8601); default 30 days before `to`'),
    ),
  ),
  to: v.optional(
    v.pipe(instantParam('to'), v.description('until this time, exclusive (ISO 8601); default now')),
  ),
};

export function createHistoryQuerySchema(sources: readonly string[]) {
  return v.pipe(
    v.strictObject({
      ...timeWindow,
      source: v.optional(
        sourceList(
          [...sources, CONSENSUS],
          `only these sources, comma-separated; default all. \`${CONSENSUS}\` (with an interval) adds the per-bucket median close across sources`,
        ),
      ),
      interval: v.optional(
        v.pipe(
          v.picklist(INTERVALS, `interval must be one of ${INTERVALS.join(', ')}`),
          v.description(
            'raw observations, or per source and UTC hour, day or week: open, high, low, close',
          ),
        ),
        'raw',
      ),
      limit: v.optional(
        v.pipe(integer('limit', 1, 5000), v.description('rows per page, 1–5000, default 1000')),
        '1000',
      ),
      cursor: v.optional(
        v.pipe(
          text('cursor', 512),
          v.description('raw rows: `pagination.next_cursor` of the previous page'),
        ),
      ),
      format: formatParam,
    }),
    v.check(
      (q) => !(q.interval === 'raw' && q.source?.includes(CONSENSUS)),
      `source: ${CONSENSUS} needs an interval (1h, 1d or 1w)`,
    ),
  );
}

export function createDivergenceQuerySchema(sources: readonly string[]) {
  const intervals = INTERVALS.filter((i) => i !== 'raw');
  return v.strictObject({
    ...timeWindow,
    source: v.optional(
      sourceList(sources, 'compare only these sources, comma-separated; default all'),
    ),
    interval: v.optional(
      v.pipe(
        v.picklist(intervals, `interval must be one of ${intervals.join(', ')}`),
        v.description('the UTC bucket whose closes are compared; default 1d'),
      ),
      '1d',
    ),
    min_sources: v.optional(
      v.pipe(
        integer('min_sources', 1, sources.length),
        v.description('only buckets with closes from at least this many sources; default 2'),
      ),
      '2',
    ),
    order: v.optional(
      v.pipe(
        v.picklist(['time', 'divergence'], 'order must be time or divergence'),
        v.description('`time` (default) or `divergence`: the largest disagreement first'),
      ),
      'time',
    ),
    limit: v.optional(
      v.pipe(integer('limit', 1, 5000), v.description('buckets, 1–5000, default 1000')),
      '1000',
    ),
  });
}

export const EmptyQuerySchema = v.strictObject({});

export const IdParamSchema = integer('id', 1, Number.MAX_SAFE_INTEGER);

/**
 * Validates the query string: each parameter at most once, no unknown parameter, every value
 * valid. Any failure is a 400 that names the parameter.
 */
export function parseQuery<S extends v.GenericSchema>(c: Context, schema: S): v.InferOutput<S> {
  const queries = c.req.queries();
  // No prototype: `__proto__=x` is a key like any other (an unknown parameter), not a setter.
  const single = Object.create(null) as Record<string, string>;
  for (const [key, values] of Object.entries(queries)) {
    if (values.length > 1)
      throw new KxError('usage', `${key}: given ${values.length} times; give it once`);
    single[key] = values[0] ?? '';
  }
  const result = v.safeParse(schema, single);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = issue.path?.map((p) => String(p.key)).join('.');
  if (issue.type === 'strict_object' && key)
    throw new KxError('usage', `${key}: unknown parameter`);
  const named = !key || issue.message.startsWith(`${key} `);
  throw new KxError('usage', named ? issue.message : `${key}: ${issue.message}`);
}

export function parseId(raw: string, name = 'id'): number {
  const result = v.safeParse(IdParamSchema, raw);
  if (result.success) return result.output;
  const tooBig = /^\d+$/.test(raw) && /[1-9]/.test(raw);
  throw new KxError(
    'usage',
    tooBig
      ? `${name}: must be at most ${Number.MAX_SAFE_INTEGER}`
      : `${name}: must be a positive whole number`,
  );
}
