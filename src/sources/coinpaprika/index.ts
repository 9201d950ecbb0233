import * as v from 'valibot';
import { KxError } from '../../core/errors.js';
import { parseExactJson, toJsonText } from '../../core/json.js';
import {
  defineSource,
  defineSourceEntry,
  type Cursor,
  type SharedSettings,
  type SourceRecord,
} from '../../core/source.js';
import { checkListing, type ListingCheck } from '../../core/unified.js';
import {
  ExactNumberSchema,
  OptionalExactNumberSchema,
  toDecimalText,
  toInterval,
  parseWith,
  toApiRecord,
  toObservedAt,
  toRank,
  apiSettingSpecs,
  type ApiSettings,
} from '../shared/api.js';
import { createDriftTracker } from '../shared/drift.js';
import { listOf } from '../shared/answers.js';
import { createHttpClient, runBound } from '../shared/http.js';

/** Free and pro hosts (CoinPaprika API docs); pro takes the key as `Authorization: <key>`, no "Bearer". */
const FREE_BASE_URL = 'https://api.coinpaprika.com/v1';
const PRO_BASE_URL = 'https://api-pro.coinpaprika.com/v1';
/** The free plan allows about 10 calls per second. */
const DEFAULT_CALLS_PER_MINUTE = 600;

const ParamsSchema = v.object({});
export type CoinpaprikaParams = v.InferOutput<typeof ParamsSchema>;

const UsdSchema = v.looseObject({
  price: ExactNumberSchema,
  volume_24h: ExactNumberSchema,
  market_cap: ExactNumberSchema,
  percent_change_24h: ExactNumberSchema,
});

/** The fields of a ticker kx reads; the free plan omits `circulating_supply`, legacy records the newer fields. */
const TickerSchema = v.looseObject({
  id: v.pipe(v.string(), v.minLength(1, 'missing id')),
  name: v.string('missing name'),
  symbol: v.string('missing symbol'),
  rank: ExactNumberSchema,
  circulating_supply: OptionalExactNumberSchema,
  total_supply: ExactNumberSchema,
  max_supply: ExactNumberSchema,
  last_updated: v.string('missing last_updated'),
  quotes: v.looseObject({ USD: UsdSchema }, 'missing quotes.USD'),
});

/** Documented ticker fields (openapi.yml `tick` and `quotes`). */
const EXPECTED = [
  'id',
  'name',
  'symbol',
  'rank',
  'total_supply',
  'max_supply',
  'beta_value',
  'last_updated',
  'quotes',
  'quotes.USD.price',
  'quotes.USD.volume_24h',
  'quotes.USD.market_cap',
  'quotes.USD.percent_change_24h',
];
/** Present on the paid plans or on newer records only. */
const OPTIONAL = [
  'circulating_supply',
  'first_data_at',
  'quotes.USD',
  /^quotes\.USD\.(volume_24h_change_24h|market_cap_change_24h|percent_change_\w+|ath_price|ath_date|percent_from_price_ath)$/,
];

interface Position {
  ordinal: number;
}

/** Resume point inside the landed snapshot: the last committed ordinal. */
interface CoinpaprikaCursor extends Cursor {
  ordinal: number;
}

/** CoinPaprika in the registry: `KX_COINPAPRIKA_*`, schedulable, with a call budget. */
export const coinpaprika = defineSourceEntry<ApiSettings, 'coinpaprika'>({
  name: 'coinpaprika',
  settings: apiSettingSpecs('KX_COINPAPRIKA', 'CoinPaprika'),
  identity: 'catalogue',
  schedulable: true,
  budget: 'monthlyCalls',
  flags: [],
  create: (own, shared) => createCoinpaprikaSource(own, shared),
});

export function createCoinpaprikaSource(own: ApiSettings, settings: SharedSettings) {
  const { apiKey, baseUrl, callsPerMinute } = own;
  return defineSource<CoinpaprikaParams, Position>({
    name: 'coinpaprika',
    rawTable: 'raw_coinpaprika',
    cursorScope: 'run',
    parseParams: (input) => parseWith(ParamsSchema, input),
    streamKey: () => 'tickers',
    async open(_params, stored, context) {
      // Land the whole array first: a resume normalizes this same snapshot, never a newer one.
      const landed = await context.snapshot.get();
      let tickers: unknown;
      if (landed !== null) {
        tickers = parseExactJson(landed);
      } else {
        const http = createHttpClient({
          ...settings.http,
          service: 'CoinPaprika',
          baseUrl: baseUrl ?? (apiKey ? PRO_BASE_URL : FREE_BASE_URL),
          headers: apiKey ? { authorization: apiKey } : {},
          minIntervalMs: toInterval(callsPerMinute ?? DEFAULT_CALLS_PER_MINUTE),
          authHint: 'KX_COINPAPRIKA_API_KEY and KX_COINPAPRIKA_BASE_URL',
          urlSetting: 'KX_COINPAPRIKA_BASE_URL',
          log: settings.log,
          ...runBound(context),
        });
        const response = await http.getJson('/tickers', { quotes: 'USD' });
        tickers = listOf('CoinPaprika', response);
        await context.snapshot.land(response.text);
      }
      if (!Array.isArray(tickers)) {
        throw new KxError('upstream', 'CoinPaprika: the landed /tickers snapshot is not an array', {
          retryable: true,
        });
      }
      const items: unknown[] = tickers;
      const drift = createDriftTracker(
        { service: 'coinpaprika', expected: EXPECTED, optional: OPTIONAL, nested: ['quotes.USD'] },
        (m) => context.warn(m),
      );
      const from = (stored as CoinpaprikaCursor | null)?.ordinal ?? -1;
      const fetchedAt = new Date();
      const conflicts = conflictingIds(items);

      async function* read(): AsyncGenerator<SourceRecord<Position>> {
        for (let ordinal = from + 1; ordinal < items.length; ordinal++) {
          const item = items[ordinal];
          if (item && typeof item === 'object')
            drift.observe(item as Record<string, unknown>, `ticker ${ordinal}`);
          const record = toRecord(item, ordinal, fetchedAt);
          const twins = conflicts.get(ordinal);
          yield twins ? { ...record, result: conflictOf(twins.id, twins.ordinals) } : record;
          if (ordinal % 1000 === 999) await Promise.resolve(); // let timers and signals run on huge arrays
        }
      }

      return {
        records: read(),
        cursorAt: (p: Position): CoinpaprikaCursor => ({ ordinal: p.ordinal }),
        progressAt: (p: Position) => ({
          done: p.ordinal + 1,
          total: items.length,
          unit: 'items' as const,
        }),
        describe: () => ({ mapping: { items: items.length }, warnings: drift.warnings() }),
      };
    },
  });
}

/**
 * The tickers whose id another ticker of the response carries at the same time (`last_updated`)
 * with different data, by ordinal: the id and all their ordinals. kx keeps one quote per
 * listing and time, and which of them is the coin's is unknowable: loading one would be a
 * guess, so none is loaded. Copies alike load once; one id at two times is two observations.
 */
function conflictingIds(
  items: readonly unknown[],
): Map<number, { id: string; ordinals: number[] }> {
  const byKey = new Map<string, { id: string; ordinals: number[] }>();
  items.forEach((item, ordinal) => {
    const { id, last_updated: at } = (item ?? {}) as { id?: unknown; last_updated?: unknown };
    if (typeof id !== 'string' || id === '') return;
    const key = `${id}\u0000${String(at)}`;
    const seen = byKey.get(key);
    if (seen) seen.ordinals.push(ordinal);
    else byKey.set(key, { id, ordinals: [ordinal] });
  });
  const conflicts = new Map<number, { id: string; ordinals: number[] }>();
  for (const twins of byKey.values()) {
    const { ordinals } = twins;
    if (ordinals.length > 1 && new Set(ordinals.map((o) => toJsonText(items[o]))).size > 1)
      for (const ordinal of ordinals) conflicts.set(ordinal, twins);
  }
  return conflicts;
}

function conflictOf(id: string, ordinals: readonly number[]): ListingCheck {
  const tickers = `${ordinals.slice(0, -1).join(', ')} and ${ordinals.at(-1)}`;
  const all = ordinals.length === 2 ? 'both' : 'all';
  return {
    ok: false,
    reason:
      `source_id: tickers ${tickers} of this response are ${all} ${JSON.stringify(id)} at one ` +
      'time, with different data: which one is right is unknown, so none is loaded',
    field: 'source_id',
  };
}

function toRecord(item: unknown, ordinal: number, fetchedAt: Date): SourceRecord<Position> {
  return toApiRecord(
    item,
    TickerSchema,
    { locator: { ordinal }, position: { ordinal } },
    (parsed) => toListing(parsed, fetchedAt),
  );
}

function toListing(t: v.InferOutput<typeof TickerSchema>, fetchedAt: Date): ListingCheck {
  const observedAt = toObservedAt(t.last_updated, fetchedAt);
  if (!(observedAt instanceof Date)) return observedAt;
  const usd = t.quotes.USD;
  return checkListing({
    sourceId: t.id,
    symbol: t.symbol.trim().toUpperCase(),
    name: t.name.trim() || null,
    slug: slugOf(t.id, t.symbol),
    rank: toRank(t.rank),
    priceUsd: toDecimalText(usd.price),
    marketCapUsd: toDecimalText(usd.market_cap),
    volume24hUsd: toDecimalText(usd.volume_24h),
    circulatingSupply: toDecimalText(t.circulating_supply),
    totalSupply: toDecimalText(t.total_supply),
    // CoinPaprika writes 0 for "no maximum": not known, as checkListing reads a 0
    maxSupply: toDecimalText(t.max_supply),
    percentChange24h: toDecimalText(usd.percent_change_24h),
    observedAt,
  });
}

/**
 * `btc-bitcoin` → `bitcoin`: CoinPaprika's ids are `<symbol>-<slug>`, and the slug is the one
 * CoinGecko uses as its id (identity's slug rule). An id of another form declares no slug.
 */
function slugOf(id: string, symbol: string): string | null {
  const prefix = `${symbol.trim().toLowerCase()}-`;
  return id.startsWith(prefix) && id.length > prefix.length ? id.slice(prefix.length) : null;
}
