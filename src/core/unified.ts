import * as v from 'valibot';
import { decimalProblem, instantProblem, INT4_MAX, textProblem } from './domain.js';

/**
 * One listing of one coin by one source at one moment, in the unified schema (DESIGN §2).
 * Decimals are canonical decimal strings (see `toDecimal`), never JS numbers.
 */
export interface UnifiedListing {
  sourceId: string;
  symbol: string;
  name: string | null;
  /** An id or slug the source itself gives the coin, used by identity resolution. */
  slug: string | null;
  rank: number | null;
  priceUsd: string | null;
  marketCapUsd: string | null;
  volume24hUsd: string | null;
  circulatingSupply: string | null;
  totalSupply: string | null;
  maxSupply: string | null;
  percentChange24h: string | null;
  observedAt: Date;
}

/** A check whose issue is the problem a domain.ts function names, if any. */
const domainCheck = <T>(problemOf: (value: T) => string | null) =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    const problem = dataset.typed ? problemOf(dataset.value) : null;
    if (problem) addIssue({ message: problem });
  });

/** Text PostgreSQL stores: no NUL, valid Unicode. */
const storable = domainCheck(textProblem);

/** A decimal within numeric bounds a market value can have. */
const boundedDecimal = domainCheck(decimalProblem);

const decimal = v.nullable(v.pipe(v.string(), boundedDecimal));

const nonNegative = v.nullable(
  v.pipe(
    v.string(),
    v.check((s) => !s.startsWith('-'), 'must not be negative'),
    boundedDecimal,
  ),
);

/**
 * A price, a market cap or a supply of 0 says it is not known. CoinGecko writes a market cap
 * and a circulating supply of 0 for a coin whose supply it has not verified, CoinPaprika its
 * supplies and market cap of 0 for a coin whose supply it lacks, and 0 for "no maximum"; a
 * coin nobody trades has no price, not a price of nothing. Stored as 0 it would read as a value:
 * a coin's market cap across its sources (`/assets`) is the newest listing's that has one, and
 * its consensus price the median of theirs. The raw payload keeps the 0 as written.
 */
const unknownIfZero = v.pipe(
  nonNegative,
  v.transform((s) => (s !== null && /^0(?:\.0*)?$/.test(s) ? null : s)),
);

/** The checks every listing passes before it is loaded, whatever its source. */
export const UnifiedListingSchema = v.object({
  symbol: v.pipe(
    v.string(),
    v.minLength(1, 'missing symbol'),
    v.maxLength(32, 'symbol longer than 32 characters'),
    // Real tickers include `B@`, `$$$`, `XBT*`, `BSC-USD`; `!`, `#`, `©` and spaces are never part of one.
    v.regex(/^[\p{L}\p{N}$][\p{L}\p{N}._\-$+&@*]*$/u, 'symbol has characters no ticker uses'),
  ),
  name: v.nullable(
    v.pipe(v.string(), v.maxLength(200, 'name longer than 200 characters'), storable),
  ),
  // After the symbol and name: a file without an id column derives it from them, and what
  // is wrong is then theirs (a name of 100,000 characters, not an id too long).
  sourceId: v.pipe(
    v.string(),
    v.minLength(1, 'missing source id'),
    v.maxLength(200, 'source id too long'),
    storable,
  ),
  slug: v.nullable(
    v.pipe(v.string(), v.maxLength(200, 'slug longer than 200 characters'), storable),
  ),
  rank: v.nullable(
    v.pipe(
      v.number(),
      v.integer('rank must be an integer'),
      v.minValue(0, 'rank must not be negative'),
      v.maxValue(INT4_MAX, `must be at most ${INT4_MAX} (a PostgreSQL integer)`),
      // ranks start at 1: a rank of 0 is a coin not ranked (CoinPaprika's unranked coins)
      v.transform((rank) => (rank === 0 ? null : rank)),
    ),
  ),
  priceUsd: unknownIfZero,
  marketCapUsd: unknownIfZero,
  volume24hUsd: nonNegative,
  circulatingSupply: unknownIfZero,
  totalSupply: unknownIfZero,
  maxSupply: unknownIfZero,
  percentChange24h: decimal,
  observedAt: v.pipe(
    v.date('not a date'),
    domainCheck(instantProblem),
    domainCheck(futureProblem),
    domainCheck(pastProblem),
  ),
});

/** Bitcoin's first block, 2009-01-03: no coin had a price before it. */
export const FIRST_BLOCK = Date.UTC(2009, 0, 3);

/**
 * An observation of a coin's market is of a time a coin existed: one dated 1970 is a `0`
 * written for no time, and one of 1976 a time read wrongly (12-digit unix milliseconds).
 */
function pastProblem(date: Date): string | null {
  return date.getTime() < FIRST_BLOCK
    ? `${date.toISOString()} is before any coin had a price (Bitcoin's first block is of ` +
        '2009-01-03): a placeholder, or a time read wrongly?'
    : null;
}

/** How far past kx's clock an observation may be: a zone written wrong, a clock a little off. */
const FUTURE_SLACK_MS = 86_400_000;

/**
 * An observation is of a time past: a price dated after tomorrow is a forecast, a date read
 * wrongly or a broken upstream clock, and loaded it would be the listing's latest for years.
 */
function futureProblem(date: Date): string | null {
  return date.getTime() > Date.now() + FUTURE_SLACK_MS
    ? `${date.toISOString()} is in the future (a forecast, or a wrong date?)`
    : null;
}

export type ListingCheck =
  { ok: true; listing: UnifiedListing } | { ok: false; reason: string; field?: string };

/** The snake_case names users see (in `--map`, reasons and the database) for listing keys. */
const FIELD_NAMES: Record<string, string> = {
  sourceId: 'source_id',
  priceUsd: 'price_usd',
  marketCapUsd: 'market_cap_usd',
  volume24hUsd: 'volume_24h_usd',
  circulatingSupply: 'circulating_supply',
  totalSupply: 'total_supply',
  maxSupply: 'max_supply',
  percentChange24h: 'percent_change_24h',
  observedAt: 'observed_at',
};

/** Validates a listing; the first issue becomes the rejection reason, naming its field. */
export function checkListing(listing: UnifiedListing): ListingCheck {
  const result = v.safeParse(UnifiedListingSchema, listing);
  if (result.success) return { ok: true, listing: result.output };
  const issue = result.issues[0];
  const key = issue.path?.map((p) => String(p.key)).join('.');
  const field = key ? (FIELD_NAMES[key] ?? key) : undefined;
  return {
    ok: false,
    reason: field ? `${field}: ${issue.message}` : issue.message,
    ...(field ? { field } : {}),
  };
}

/** Folds case, diacritics, punctuation and whitespace: `"Carnival "` and `carnival` agree. */
export function toNameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}
