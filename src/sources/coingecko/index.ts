import * as v from 'valibot';
import { KxError } from '../../core/errors.js';
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
  toDecimalText,
  toInterval,
  parseWith,
  toApiRecord,
  toObservedAt,
  toRank,
  apiSettingSpecs,
  type ApiSettings,
} from '../shared/api.js';
import { createDriftTracker, type DriftTracker } from '../shared/drift.js';
import { listOf } from '../shared/answers.js';
import { createHttpClient, runBound, type HttpClient } from '../shared/http.js';

/** `/coins/markets` serves at most 250 items per page (a larger per_page is clamped silently). */
export const COINGECKO_PAGE_SIZE = 250;

/**
 * A page whose coins are mostly those of the page before means the answer ignored `page`, as a
 * cache or proxy that drops the query string does: a full-universe run, which ends at the
 * first short page, would page on without end (and a top-N run load page 1 N times). Between
 * true pages at most a few coins move across the boundary while a run pages, so a short last
 * page of a few coins may be all repeats: 25 repeated coins, a tenth of a page, are the least
 * that stop the run. Returns the page's ids, to check the next page against.
 */
function checkNotRepeated(
  items: unknown[],
  previous: Set<unknown> | null,
  page: number,
  url: string,
): Set<unknown> {
  const ids = new Set(
    items.map((item) => (item && typeof item === 'object' ? (item as { id?: unknown }).id : null)),
  );
  ids.delete(null);
  ids.delete(undefined);
  if (previous && ids.size > 0) {
    let repeated = 0;
    for (const id of ids) if (previous.has(id)) repeated++;
    if (repeated * 2 >= ids.size && repeated >= COINGECKO_PAGE_SIZE / 10)
      throw new KxError(
        'upstream',
        `CoinGecko: page ${page} (${url}) holds ${repeated} of its ${ids.size} coins from page ` +
          `${page - 1}: the API answered without regard to the page number, as a cache or proxy ` +
          `that drops the query string does, and kx stops rather than page on without end; ` +
          `check KX_COINGECKO_BASE_URL`,
        { context: { url, page } },
      );
  }
  return ids;
}

/** Hosts and headers per plan (CoinGecko API docs, "Authentication"). */
const PLANS = {
  public: { baseUrl: 'https://api.coingecko.com/api/v3', header: null, callsPerMinute: 30 },
  demo: {
    baseUrl: 'https://api.coingecko.com/api/v3',
    header: 'x-cg-demo-api-key',
    callsPerMinute: 30,
  },
  pro: {
    baseUrl: 'https://pro-api.coingecko.com/api/v3',
    header: 'x-cg-pro-api-key',
    callsPerMinute: 500,
  },
} as const;

const ParamsSchema = v.object({
  maxPages: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1, '--max-pages must be at least 1')),
  ),
});
export type CoingeckoParams = v.InferOutput<typeof ParamsSchema>;

/** The fields of a markets item kx reads; everything else stays in the raw payload. */
const ItemSchema = v.looseObject({
  id: v.pipe(v.string(), v.minLength(1, 'missing id')),
  symbol: v.string('missing symbol'),
  name: v.string('missing name'),
  current_price: ExactNumberSchema,
  market_cap: ExactNumberSchema,
  market_cap_rank: ExactNumberSchema,
  total_volume: ExactNumberSchema,
  circulating_supply: ExactNumberSchema,
  total_supply: ExactNumberSchema,
  max_supply: ExactNumberSchema,
  price_change_percentage_24h: ExactNumberSchema,
  last_updated: v.nullable(v.string()),
});

/** The documented item (docs example of /coins/markets). */
const EXPECTED = [
  'id',
  'symbol',
  'name',
  'image',
  'current_price',
  'market_cap',
  'market_cap_rank',
  'fully_diluted_valuation',
  'total_volume',
  'high_24h',
  'low_24h',
  'price_change_24h',
  'price_change_percentage_24h',
  'market_cap_change_24h',
  'market_cap_change_percentage_24h',
  'circulating_supply',
  'total_supply',
  'max_supply',
  'ath',
  'ath_change_percentage',
  'ath_date',
  'atl',
  'atl_change_percentage',
  'atl_date',
  'roi',
  'last_updated',
];

interface Position {
  page: number;
  index: number;
  lastOfPage: boolean;
}

/** Resume point: `index` is the last committed item of `page`; `pageDone` once the page is complete. */
interface CoingeckoCursor extends Cursor {
  page: number;
  index: number;
  pageDone: boolean;
}

type PlanName = keyof typeof PLANS;

/** CoinGecko's own settings: the API ones and its plan (public, demo, pro). */
export type CoingeckoSettings = ApiSettings & { plan: PlanName | undefined };

/** CoinGecko in the registry: `KX_COINGECKO_*`, schedulable, with a call budget. */
export const coingecko = defineSourceEntry<CoingeckoSettings, 'coingecko'>({
  name: 'coingecko',
  settings: {
    ...apiSettingSpecs('KX_COINGECKO', 'CoinGecko'),
    plan: {
      env: 'KX_COINGECKO_PLAN',
      help: 'public, demo or pro (default: demo with a key, public without)',
      schema: v.optional(v.picklist(['public', 'demo', 'pro'], 'expected public, demo or pro')),
    },
  },
  identity: 'catalogue',
  schedulable: true,
  budget: 'monthlyCalls',
  flags: [
    {
      flags: '--max-pages <n>',
      help: 'stop after N pages of 250 coins, by market cap',
      positiveInteger: true,
    },
  ],
  create: (own, shared) => createCoingeckoSource(own, shared),
});

export function createCoingeckoSource(own: CoingeckoSettings, settings: SharedSettings) {
  const { apiKey, baseUrl, callsPerMinute } = own;
  const planName: PlanName = own.plan ?? (apiKey ? 'demo' : 'public');
  const plan = PLANS[planName];
  return defineSource<CoingeckoParams, Position>({
    name: 'coingecko',
    rawTable: 'raw_coingecko',
    cursorScope: 'run',
    parseParams: (input) => parseWith(ParamsSchema, input),
    streamKey: () => 'markets',
    open(params, stored, context) {
      const http = createHttpClient({
        ...settings.http,
        service: 'CoinGecko',
        baseUrl: baseUrl ?? plan.baseUrl,
        headers: apiKey && plan.header ? { [plan.header]: apiKey } : {},
        minIntervalMs: toInterval(callsPerMinute ?? plan.callsPerMinute),
        authHint: `KX_COINGECKO_API_KEY and KX_COINGECKO_PLAN (now ${planName}), and KX_COINGECKO_BASE_URL`,
        urlSetting: 'KX_COINGECKO_BASE_URL',
        log: settings.log,
        ...runBound(context),
      });
      const drift = createDriftTracker(
        {
          service: 'coingecko',
          expected: EXPECTED,
          optional: [/^price_change_percentage_\w+_in_currency$/],
        },
        (m) => context.warn(m),
      );
      const start = startOf(stored as CoingeckoCursor | null);
      // Top-N runs (--max-pages) follow market cap; a full-universe run pages by id, which stays stable while it runs.
      const order = params.maxPages ? 'market_cap_desc' : 'id_asc';

      return Promise.resolve({
        records: readPages(http, { start, order, maxPages: params.maxPages }, drift),
        cursorAt: (p: Position): CoingeckoCursor => ({
          page: p.page,
          index: p.index,
          pageDone: p.lastOfPage,
        }),
        progressAt: (p: Position) => ({
          done: p.page,
          ...(params.maxPages ? { total: params.maxPages } : {}),
          unit: 'pages' as const,
        }),
        describe: () => ({ mapping: { order, plan: planName }, warnings: drift.warnings() }),
      });
    },
  });
}

/** Where a run starts: the page after a finished one, or past the last record taken of one. */
function startOf(cursor: CoingeckoCursor | null): Start {
  if (!cursor) return { page: 1, skipThrough: -1 };
  return cursor.pageDone
    ? { page: cursor.page + 1, skipThrough: -1 }
    : { page: cursor.page, skipThrough: cursor.index };
}

/** A page to start at, and the index of its last record already committed (-1: none). */
interface Start {
  page: number;
  skipThrough: number;
}

/** The markets' pages from `start`, each item a record, until a short page or `maxPages`. */
async function* readPages(
  http: HttpClient,
  paging: { start: Start; order: string; maxPages: number | undefined },
  drift: DriftTracker,
): AsyncGenerator<SourceRecord<Position>> {
  const { start, order, maxPages } = paging;
  /** The ids of the page read before this one in this attempt. */
  let previous: Set<unknown> | null = null;
  for (let page = start.page; maxPages === undefined || page <= maxPages; page++) {
    const response = await http.getJson('/coins/markets', {
      vs_currency: 'usd',
      order,
      per_page: COINGECKO_PAGE_SIZE,
      page,
      precision: 'full',
    });
    // Past the first page an empty list is the end of the market.
    const items = listOf('CoinGecko', response, page > 1);
    previous = checkNotRepeated(items, previous, page, response.url);
    const fetchedAt = new Date();
    for (const [index, item] of items.entries()) {
      if (page === start.page && index <= start.skipThrough) continue;
      const record = toRecord(
        item,
        { page, index, lastOfPage: index === items.length - 1 },
        fetchedAt,
      );
      if (item && typeof item === 'object')
        drift.observe(item as Record<string, unknown>, `page ${page} item ${index}`);
      yield record;
    }
    if (items.length < COINGECKO_PAGE_SIZE) return;
  }
}

function toRecord(item: unknown, position: Position, fetchedAt: Date): SourceRecord<Position> {
  const locator = { page: position.page, index: position.index };
  const where = { locator, position, endsUnit: position.lastOfPage };
  return toApiRecord(item, ItemSchema, where, (parsed) => toListing(parsed, fetchedAt));
}

function toListing(item: v.InferOutput<typeof ItemSchema>, fetchedAt: Date): ListingCheck {
  const observedAt = toObservedAt(item.last_updated, fetchedAt);
  if (!(observedAt instanceof Date)) return observedAt;
  return checkListing({
    sourceId: item.id,
    symbol: item.symbol.trim().toUpperCase(),
    name: item.name.trim() || null,
    slug: item.id,
    rank: toRank(item.market_cap_rank),
    priceUsd: toDecimalText(item.current_price),
    marketCapUsd: toDecimalText(item.market_cap),
    volume24hUsd: toDecimalText(item.total_volume),
    circulatingSupply: toDecimalText(item.circulating_supply),
    totalSupply: toDecimalText(item.total_supply),
    maxSupply: toDecimalText(item.max_supply),
    percentChange24h: toDecimalText(item.price_change_percentage_24h),
    observedAt,
  });
}
