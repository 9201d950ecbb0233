import type { $Fetch } from 'ofetch';
import { parseExactJson } from '../../core/json.js';
import { KxError, redactPassword, UNTRUSTED_CERTIFICATE } from '../../core/errors.js';
import type { HttpProxy, HttpSettings, OpenContext, UpstreamWait } from '../../core/source.js';

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

export interface JsonResponse {
  url: string;
  status: number;
  /** Parsed with exact numbers (`parseExactJson`). */
  body: unknown;
  /** The body as received. */
  text: string;
}

/**
 * What actually failed under fetch's "fetch failed": the socket's, DNS's or TLS's own error
 * (`getaddrinfo ENOTFOUND api.example`, `connect ECONNREFUSED 127.0.0.1:9`), at the end of
 * the chain of causes; of several addresses tried at once (an AggregateError), the first.
 */
function networkCause(error: unknown): { message: string; code?: string } {
  let e = error;
  for (let depth = 0; depth < 8; depth++) {
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    else if (e instanceof Error && e.cause !== undefined && e.cause !== e) e = e.cause;
    else break;
  }
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return {
    message: message || (typeof code === 'string' ? code : 'unknown error'),
    ...(typeof code === 'string' ? { code } : {}),
  };
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

/** A Retry-After of 0 still waits this long: an immediate retry only meets the same limit. */
const MIN_RETRY_AFTER_MS = 500;
const RETRYABLE = new Set([408, 425, 429]);

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

/** One request's outcome: the answer, or why there is none and whether to try again. */
type Outcome =
  | { ok: true; response: JsonResponse }
  | {
      ok: false;
      retryable: boolean;
      message: string;
      status: number | null;
      retryAfterMs?: number;
    };

/** A request that got no answer: the refusal, or a retryable failure that says why. */
function networkFailure(error: unknown, url: string, options: HttpClientOptions): Outcome {
  const cause = networkCause(error);
  // fetch refuses the ports of other protocols (6000, X11's; 10080; 5060, SIP's: the
  // WHATWG Fetch standard's list) before any connection, on every try.
  if (cause.message === 'bad port')
    throw new KxError(
      'usage',
      `${options.service}: ${url}: fetch, Node's HTTP client, refuses to call port ` +
        `${new URL(url).port} (the Fetch standard blocks the ports of other protocols, as ` +
        `browsers do); serve the API on another port and change ${options.urlSetting}`,
    );
  if (cause.code && UNTRUSTED_CERTIFICATE.test(cause.code))
    return {
      ok: false,
      retryable: false,
      status: null,
      message:
        `${options.service}: the TLS certificate of ${url} was refused: ${cause.message} ` +
        `(${cause.code}), and another try would meet the same. If a proxy on this network ` +
        `re-signs HTTPS, give Node its certificate authority: ` +
        `NODE_EXTRA_CA_CERTS=/path/to/proxy-ca.pem; otherwise check ${options.urlSetting}`,
    };
  const timedOut = /timeout|aborted/i.test(cause.message);
  const reason =
    cause.code && !cause.message.includes(cause.code)
      ? `${cause.message}, ${cause.code}`
      : cause.message;
  return {
    ok: false,
    retryable: true,
    status: null,
    message: `${options.service}: ${timedOut ? `no answer within ${options.timeoutMs} ms` : `network error (${reason})`} for ${url}`,
  };
}

/** What an answer was: its JSON, or a failure that says whether another try may do. */
function answerOf(
  response: { status: number; headers: Headers },
  read: string | null,
  url: string,
  options: HttpClientOptions,
): Outcome {
  const { status } = response;
  if (read === null) {
    const mb = Math.round(options.maxBodyBytes / 1024 / 1024);
    return {
      ok: false,
      retryable: false,
      status,
      message:
        `${options.service}: the answer from ${url} (HTTP ${status}) ran past ${mb} MB ` +
        `(KX_HTTP_MAX_BODY_MB), and kx stopped reading it: no list of coins is that large; ` +
        `check ${options.authHint}`,
    };
  }
  const text = read;
  const contentType = response.headers.get('content-type');
  const retryAfter = response.headers.get('retry-after');
  if (status >= 200 && status < 300) {
    let body: unknown;
    try {
      body = parseExactJson(text);
    } catch {
      // A cut-off body or an HTML page with 200: transient more often than not.
      return {
        ok: false,
        retryable: true,
        status,
        message: `${options.service}: ${status} from ${url} is not valid JSON (${describeBody(contentType, text)})`,
      };
    }
    const code = errorCodeIn(body);
    if (code === null) return { ok: true, response: { url, status, body, text } };
    // CoinGecko's error object, rate limit included, sent now and then with a 200: read as
    // the status it names, so a rate limit is waited out like a 429.
    return failed(code, `HTTP ${status} with error_code ${code}`);
  }
  return failed(status, `HTTP ${status}`);

  function failed(code: number, what: string): Outcome {
    const retryable = RETRYABLE.has(code) || code >= 500;
    const hint = [401, 403, 404].includes(code) ? `; check ${options.authHint}` : '';
    return {
      ok: false,
      retryable,
      status: code,
      message: `${options.service}: ${what} from ${url} (${describeBody(contentType, text)})${hint}`,
      ...(retryable ? toRetryAfter(retryAfter, options.maxWaitMs) : {}),
    };
  }
}

/** A Retry-After in seconds or as a date, as a wait between MIN_RETRY_AFTER_MS and `maxWaitMs`. */
function toRetryAfter(header: string | null, maxWaitMs: number): { retryAfterMs?: number } {
  if (header === null) return {};
  const seconds = /^\s*\d+(\.\d+)?\s*$/.test(header)
    ? Number(header) * 1000
    : Date.parse(header) - Date.now();
  if (Number.isNaN(seconds)) return {};
  return {
    retryAfterMs: Math.min(maxWaitMs, Math.max(MIN_RETRY_AFTER_MS, Math.round(seconds))),
  };
}

/**
 * The coins in a listing response, which must be a non-empty JSON array. A 200 with some other
 * body, or an empty first page (no coins at all, never a real market), is an upstream error
 * that quotes what came, rather than a run that succeeds with nothing loaded.
 */
export function listOf(service: string, response: JsonResponse, allowEmpty = false): unknown[] {
  const { body, url, text } = response;
  if (Array.isArray(body) && (allowEmpty || body.length > 0)) return body;
  throw new KxError(
    'upstream',
    `${service}: ${url} returned ${Array.isArray(body) ? 'an empty list' : describeBody('JSON', text)} where a list of coins was expected`,
    { context: { url, status: response.status }, retryable: true },
  );
}

/** The `error_code` of CoinGecko's error object, `{"status":{"error_code":429,…}}`, or null. */
function errorCodeIn(body: unknown): number | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const status: unknown = (body as { status?: unknown }).status;
  if (typeof status !== 'object' || status === null) return null;
  const code = Number((status as { error_code?: unknown }).error_code);
  return Number.isInteger(code) && code >= 400 && code <= 599 ? code : null;
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

/** A short, readable description of an error body: its type and a snippet (HTML tags removed). */
function describeBody(contentType: string | null, text: string): string {
  const type = (contentType ?? 'no content type').split(';')[0]!.trim();
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
  const plain = (
    title ??
    text
      .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
      .replace(/<[^>]+>/g, ' ')
  )
    .replace(/\s+/g, ' ')
    .trim()
    // A control character (a NUL, a terminal's escape sequence) is shown, not sent to the terminal.
    .replace(
      // eslint-disable-next-line no-control-regex -- control characters are what it finds
      /[\u0000-\u001f\u007f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  const snippet = plain.length > 120 ? `${plain.slice(0, 117)}...` : plain;
  return snippet ? `${type}: "${snippet}"` : `${type}, empty body`;
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
