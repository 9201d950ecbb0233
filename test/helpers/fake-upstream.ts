import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LosslessNumber, parse, stringify } from 'lossless-json';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/upstream/${name}`, import.meta.url), 'utf8');
type Item = Record<string, unknown>;

/**
 * Real recorded payloads, parsed so that every number keeps its exact text: the 2025 CoinGecko
 * markets page (250 coins) plus the 2022 coins not on it (baby-doge-coin with 4.2e+17 supplies…).
 */
function loadCoingeckoItems(): Item[] {
  const recent = parse(fixture('coingecko_markets_page1.json')) as Item[];
  const older = parse(fixture('coingecko_markets_2022-01-29_page1_per250.json')) as Item[];
  const ids = new Set(recent.map((i) => i.id));
  return [...recent, ...older.filter((i) => !ids.has(i.id))];
}

/** The stitched real tickers (full, legacy 2020, free plan), then tickers built from the real coins list. */
function loadPaprikaTemplate() {
  const real = parse(fixture('coinpaprika_tickers_stitched_real_samples.json')) as Item[];
  const ids = new Set(real.map((t) => t.id));
  return {
    real,
    shape: parse(fixture('coinpaprika_ticker_btc-bitcoin_2022-01-30T18-34Z.json')) as Item,
    // Not the real tickers' coins again: /tickers has one ticker per coin, and a built one
    // would give bitcoin another price at the time the real one was observed.
    coins: (JSON.parse(fixture('coinpaprika_coins_2021-12-31.json')) as Item[]).filter(
      (c) => c.is_active && Number(c.rank) > 0 && !ids.has(c.id),
    ),
  };
}

export interface Fault {
  /** HTTP status to answer (with `body`), or 200 with a broken body. */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this long. */
  delayMs?: number;
  /** Cut the real body in half (a dropped connection mid-body). */
  truncate?: boolean;
}

export interface UpstreamRequest {
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface FakeUpstreamOptions {
  /** CoinGecko universe size; recorded coins repeat with `-2`, `-3`… ids beyond the recorded 401. */
  coingeckoCoins?: number;
  /** CoinPaprika array size; the first 3 are the recorded tickers. `all`: one per active coin of the coins list. */
  paprikaTickers?: number | 'all';
  /** Required auth, if any: the request must carry this header with this value, or gets 401. */
  coingeckoAuth?: { header: string; value: string };
  paprikaAuth?: { header: string; value: string };
}

export interface FakeUpstream {
  coingeckoUrl: string;
  paprikaUrl: string;
  requests: UpstreamRequest[];
  /** Faults answered, in order, to the next requests whose path ends with `route` (and page, if given). */
  fault(route: 'markets' | 'tickers', fault: Fault, page?: number): void;
  /** Changes served items from now on (a schema change, a moved price). */
  transform(route: 'markets' | 'tickers', fn: (item: Item, index: number) => Item): void;
  /** Calls `listener` after each request is recorded in `requests`. */
  onRequest(listener: () => void): void;
  coingeckoItems(): Item[];
  paprikaItems(): Item[];
  close(): Promise<void>;
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const cgBase = loadCoingeckoItems();
  const cgItems = Array.from({ length: options.coingeckoCoins ?? cgBase.length }, (_, i) => {
    const base = cgBase[i % cgBase.length]!;
    const round = Math.floor(i / cgBase.length);
    return round === 0
      ? base
      : {
          ...base,
          id: `${String(base.id)}-${round + 1}`,
          name: `${String(base.name)} ${round + 1}`,
        };
  });
  const paprika = loadPaprikaTemplate();
  const count =
    options.paprikaTickers === 'all'
      ? paprika.real.length + paprika.coins.length
      : (options.paprikaTickers ?? paprika.real.length);
  const tickers = Array.from({ length: count }, (_, i) =>
    i < paprika.real.length ? paprika.real[i]! : toTicker(paprika.shape, paprika.coins, i),
  );
  const faults: { route: string; page?: number; fault: Fault }[] = [];
  const transforms: Record<string, ((item: Item, index: number) => Item)[]> = {
    markets: [],
    tickers: [],
  };
  const requests: UpstreamRequest[] = [];
  const served = (route: 'markets' | 'tickers', items: Item[]) =>
    items.map((item, i) => transforms[route]!.reduce((it, fn) => fn(it, i), item));
  // Transforms are pure, so the served markets list (and its id order) is built once per set
  // of transforms, not per page: at 1,000 pages that was seconds of upstream CPU per page.
  let markets: { transforms: number; items: Item[]; byId?: Item[] } | null = null;
  const marketsItems = (order: string | undefined): Item[] => {
    if (markets?.transforms !== transforms.markets!.length)
      markets = { transforms: transforms.markets!.length, items: served('markets', cgItems) };
    if (order !== 'id_asc') return markets.items;
    markets.byId ??= [...markets.items].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    return markets.byId;
  };

  const listeners: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, query, headers: req.headers, at: Date.now() });
    for (const listener of listeners) listener();
    const route = url.pathname.endsWith('/coins/markets')
      ? 'markets'
      : url.pathname.endsWith('/tickers')
        ? 'tickers'
        : null;
    const auth = route === 'markets' ? options.coingeckoAuth : options.paprikaAuth;
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body);
    };
    if (!route) return send(404, '{"error":"Not Found"}');
    if (auth && req.headers[auth.header] !== auth.value)
      return send(401, '{"status":{"error_code":401,"error_message":"Invalid API key"}}');
    const page = Number(query.page ?? 1);
    const at = faults.findIndex(
      (f) => f.route === route && (f.page === undefined || f.page === page),
    );
    const fault = at >= 0 ? faults.splice(at, 1)[0]!.fault : null;
    const body =
      route === 'markets'
        ? marketsPage(marketsItems(query.order), query)
        : stringify(served('tickers', tickers))!;
    const answer = () => {
      if (fault?.status) return send(fault.status, fault.body ?? '', fault.headers);
      if (fault?.truncate) return send(200, body.slice(0, Math.floor(body.length / 2)));
      send(200, body, fault?.headers);
    };
    if (fault?.delayMs) setTimeout(answer, fault.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    coingeckoUrl: `http://127.0.0.1:${port}/api/v3`,
    paprikaUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    fault: (route, fault, page) =>
      faults.push({ route, fault, ...(page === undefined ? {} : { page }) }),
    transform: (route, fn) => transforms[route]!.push(fn),
    onRequest: (listener) => listeners.push(listener),
    coingeckoItems: () => served('markets', cgItems),
    paprikaItems: () => served('tickers', tickers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `/coins/markets` paging as observed: offset (page-1)·per_page, per_page clamped to 250. */
function marketsPage(items: Item[], query: Record<string, string>): string {
  const perPage = Math.min(250, Math.max(1, Number(query.per_page ?? 100)));
  const page = Math.max(1, Number(query.page ?? 1));
  return stringify(items.slice((page - 1) * perPage, page * perPage))!;
}

/** A ticker in the real full shape for a real coin of the coins list, with deterministic numbers. */
function toTicker(shape: Item, coins: Item[], i: number): Item {
  const coin = coins[(i - 3) % coins.length]!;
  const round = Math.floor((i - 3) / coins.length);
  const n = (text: string) => new LosslessNumber(text);
  const quotes = shape.quotes as { USD: Item };
  return {
    ...shape,
    id: round === 0 ? coin.id : `${String(coin.id)}-${round + 1}`,
    name: coin.name,
    symbol: coin.symbol,
    rank: n(String(coin.rank)),
    circulating_supply: n(String(1_000_000 + i)),
    total_supply: n(String(2_000_000 + i)),
    max_supply: i % 3 === 0 ? n('0') : n(String(3_000_000 + i)),
    quotes: {
      USD: {
        ...quotes.USD,
        price: n(`${(i % 997) + 1}.${String(i).padStart(6, '0')}`),
        market_cap: n(String(1_000_000_000 + i * 7)),
      },
    },
  };
}

/** The environment that points a kx child at the fake upstream, without rate limits and with quick retries. */
export function upstreamEnv(fake: FakeUpstream): Record<string, string> {
  return {
    KX_COINGECKO_BASE_URL: fake.coingeckoUrl,
    KX_COINPAPRIKA_BASE_URL: fake.paprikaUrl,
    KX_COINGECKO_RATE_LIMIT: '0',
    KX_COINPAPRIKA_RATE_LIMIT: '0',
    KX_HTTP_RETRY_BASE_MS: '20',
    KX_HTTP_MAX_RETRIES: '3',
  };
}

/**
 * From now on the fake upstream serves bitcoin observed at `at` (ISO 8601, whole seconds, UTC)
 * with these exact prices: CoinGecko's `bitcoin` and CoinPaprika's `btc-bitcoin`.
 */
export function moveBitcoin(
  fake: FakeUpstream,
  at: string,
  prices: { coingecko: string; coinpaprika: string },
): void {
  fake.transform('markets', (item) =>
    item.id === 'bitcoin'
      ? {
          ...item,
          current_price: new LosslessNumber(prices.coingecko),
          last_updated: at.replace('Z', '.000Z'),
        }
      : item,
  );
  // The stitched tickers have bitcoin twice (2022 and 2025): both become one ticker at `at`,
  // as /tickers, one ticker per coin, would give it.
  const btc = fake.paprikaItems().find((item) => item.id === 'btc-bitcoin')!;
  const quotes = btc.quotes as { USD: Record<string, unknown> };
  const moved = {
    ...btc,
    last_updated: at,
    quotes: { USD: { ...quotes.USD, price: new LosslessNumber(prices.coinpaprika) } },
  };
  fake.transform('tickers', (item) => (item.id === 'btc-bitcoin' ? moved : item));
}
