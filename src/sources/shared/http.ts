import type { $Fetch } from 'ofetch';
import { KxError, redactPassword } from '../../core/errors.js';
import type { HttpProxy, HttpSettings, OpenContext, UpstreamWait } from '../../core/source.js';
import { answerOf, networkFailure, type JsonResponse, type Outcome } from './answers.js';

/** One API's client: the shared HTTP settings (KX_HTTP_*) and what is its own. */
export interface HttpClientOptions extends HttpSettings {
  /** Names the service in errors: "CoinGecko". */
  service: string;
  baseUrl: string;
  /** Auth headers. Never logged, never part of an error. */
  headers: Record<string, string>;
  /** Minimum spacing between request starts (the rate limit); 0 = none. */
  minIntervalMs: number;
  /** What to check when the service answers 401/403/404. */
  authHint: string;
  /** The setting that points the client elsewhere (KX_COINGECKO_BASE_URL), for network errors. */
  urlSetting: string;
  /** Called before every request, retries included (counts calls against a budget; may throw). */
  beforeRequest?: () => Promise<void>;
  log?: (message: string) => void;
  /** For tests: time passes in `sleep`. */
  sleep?: (ms: number) => Promise<void>;
  /** Aborts the request or wait in flight; the call then throws `interrupted`. */
  stop?: AbortSignal | undefined;
  /** Told of each wait before a call: the rate limit's, a retry's. */
  onWait?: ((wait: UpstreamWait) => void) | undefined;
}

/**
 * The fetch to call through: Node's own, or, when the environment names a proxy, undici's
 * through it. Node's fetch ignores `https_proxy` (Node 22 and 24 read it only under
 * NODE_USE_ENV_PROXY=1, Node 20 never), so a machine that reaches the internet only through
 * its proxy got "getaddrinfo ENOTFOUND api.coingecko.com" while curl worked. undici, the fetch
 * inside Node, applies `no_proxy` as curl does.
 */
async function fetcherFor(proxy: HttpProxy | null): Promise<$Fetch> {
  const { createFetch, ofetch } = await import('ofetch');
  if (!proxy) return ofetch;
  for (const [name, value] of [
    ['https_proxy', proxy.https],
    ['http_proxy', proxy.http],
  ] as const) {
    if (value === undefined) continue;
    let protocol = '';
    try {
      protocol = new URL(value).protocol;
    } catch {
      // not a URL: said below
    }
    if (protocol !== 'http:' && protocol !== 'https:')
      throw new KxError(
        'usage',
        `${name} (or ${name.toUpperCase()}) is not a proxy's URL, such as ` +
          `http://proxy.example:3128: fix it, or unset it to call the APIs directly`,
      );
  }
  const undici = await import('undici');
  const dispatcher = new undici.EnvHttpProxyAgent({
    ...(proxy.http ? { httpProxy: proxy.http } : {}),
    ...(proxy.https ? { httpsProxy: proxy.https } : {}),
    ...(proxy.noProxy ? { noProxy: proxy.noProxy } : {}),
  });
  return createFetch({
    fetch: ((
      input: Parameters<typeof undici.fetch>[0],
      init?: Parameters<typeof undici.fetch>[1],
    ) => undici.fetch(input, { ...init, dispatcher })) as unknown as typeof fetch,
  });
}

/**
 * What a run's open context gives every upstream call: the call budget, counted before each
 * request, and the stop request that abandons a request or wait in flight.
 */
export function runBound(
  context: OpenContext,
): Pick<HttpClientOptions, 'beforeRequest' | 'stop' | 'onWait'> {
  return { beforeRequest: () => context.spendCall(), stop: context.stop, onWait: context.onWait };
}

/** A client made by `createHttpClient`. */
export type HttpClient = ReturnType<typeof createHttpClient>;

/** A GET-JSON client with timeouts, bounded retries with backoff, Retry-After and a rate limit. */
export function createHttpClient(options: HttpClientOptions) {
  const { stop } = options;
  let fetcher: Promise<$Fetch> | undefined;
  /** The proxy set for `url`'s scheme, for a network error's hint (no_proxy aside). */
  const proxyHint = (url: string) => {
    const [name, proxy] = url.startsWith('https:')
      ? ['https_proxy', options.proxy?.https]
      : ['http_proxy', options.proxy?.http];
    return proxy ? `, the proxy (${name}=${redactPassword(proxy)})` : '';
  };
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, stop));
  let nextStart = 0;

  async function throttle(): Promise<void> {
    const wait = nextStart - Date.now();
    nextStart = Math.max(Date.now(), nextStart) + options.minIntervalMs;
    if (wait > 0) {
      options.onWait?.({ what: 'rate limit: next call', ms: wait });
      await sleep(wait);
    }
  }

  async function getJson(
    path: string,
    query: Record<string, string | number> = {},
  ): Promise<JsonResponse> {
    const search = new URLSearchParams(
      Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
    );
    const url = `${options.baseUrl.replace(/\/$/, '')}${path}${search.size > 0 ? `?${search.toString()}` : ''}`;
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      await throttle();
      throwIfStopped(url);
      await options.beforeRequest?.();
      const outcome = await fetchOnce(url);
      throwIfStopped(url);
      if (outcome.ok) return outcome.response;
      const delay = outcome.retryAfterMs ?? backoff(attempt);
      if (
        !outcome.retryable ||
        attempt >= options.maxRetries ||
        waited + delay > options.maxTotalWaitMs
      ) {
        const tries = attempt + 1;
        const gaveUp = `gave up after ${tries} ${tries === 1 ? 'try' : 'tries'}`;
        throw new KxError(
          'upstream',
          !outcome.retryable
            ? outcome.message
            : outcome.status === null
              ? `${outcome.message} (${gaveUp}); check this machine's network and DNS${proxyHint(url)}, and ${options.urlSetting} if it is set`
              : `${outcome.message} (${gaveUp})`,
          { context: { url, status: outcome.status, tries }, retryable: outcome.retryable },
        );
      }
      options.log?.(
        `${outcome.message}; retrying in ${delay} ms (retry ${attempt + 1} of ${options.maxRetries})`,
      );
      waited += delay;
      options.onWait?.({
        what: `retry ${attempt + 1} of ${options.maxRetries}`,
        why: outcome.status ? `after HTTP ${outcome.status}` : 'after a network error',
        ms: delay,
      });
      await sleep(delay);
    }
  }

  function throwIfStopped(url: string): void {
    if (!stop?.aborted) return;
    const signal = typeof stop.reason === 'string' ? stop.reason : 'a stop request';
    throw new KxError(
      'interrupted',
      `stopped by ${signal} while waiting on ${url}; \`kx resume\` continues from the last checkpoint`,
      { retryable: true, context: { signal, url } },
    );
  }

  /** Full jitter between half and all of base·2^attempt, capped. */
  function backoff(attempt: number): number {
    const ceiling = Math.min(options.maxWaitMs, options.retryBaseMs * 2 ** attempt);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  async function fetchOnce(url: string): Promise<Outcome> {
    let response;
    /** The body as text, or null past `maxBodyBytes`. */
    let read: string | null;
    // Loaded on the first request, not with the source: `kx --help` needs no HTTP client.
    const { FetchError } = await import('ofetch');
    fetcher ??= fetcherFor(options.proxy);
    const $fetch = await fetcher; // a proxy that is no URL is a usage error, not a retry
    // One signal for the timeout and a stop request: ofetch drops its own timeout when it is
    // given a signal. The timeout covers the body too.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    const onStop = () => controller.abort();
    stop?.addEventListener('abort', onStop, { once: true });
    try {
      response = await $fetch.raw(url, {
        headers: { accept: 'application/json', ...options.headers },
        responseType: 'stream',
        retry: 0,
        signal: controller.signal,
        ignoreResponseError: true,
      });
      read = await readText(response._data, options.maxBodyBytes);
      if (read === null) controller.abort();
    } catch (error) {
      return networkFailure(
        error instanceof FetchError && error.cause ? error.cause : error,
        url,
        options,
      );
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    }
    return answerOf(response, read, url, options);
  }

  return { getJson };
}

/**
 * A response body as text (UTF-8, a byte order mark dropped, as `Response.text()` reads it),
 * or null once it passes `maxBytes`: an answer that streams on without end would otherwise
 * fill memory until the timeout.
 */
async function readText(
  body: ReadableStream<Uint8Array> | null | undefined,
  maxBytes: number,
): Promise<string | null> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) return null; // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** `ms` of waiting that a stop request ends early (the caller then sees the stop). */
function abortableSleep(ms: number, stop: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    stop?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    }
  });
}
