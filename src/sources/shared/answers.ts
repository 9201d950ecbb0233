/**
 * What a request came to: an answer's JSON, or a failure that says what went wrong, where,
 * and whether another try may do (the status, a Retry-After, the body's first words).
 */
import { parseExactJson } from '../../core/json.js';
import { KxError, UNTRUSTED_CERTIFICATE } from '../../core/errors.js';
import type { HttpClientOptions } from './http.js';

export interface JsonResponse {
  url: string;
  status: number;
  /** Parsed with exact numbers (`parseExactJson`). */
  body: unknown;
  /** The body as received. */
  text: string;
}

/** A Retry-After of 0 still waits this long: an immediate retry only meets the same limit. */
const MIN_RETRY_AFTER_MS = 500;
const RETRYABLE = new Set([408, 425, 429]);

/** One request's outcome: the answer, or why there is none and whether to try again. */
export type Outcome =
  | { ok: true; response: JsonResponse }
  | {
      ok: false;
      retryable: boolean;
      message: string;
      status: number | null;
      retryAfterMs?: number;
    };

/** A request that got no answer: the refusal, or a retryable failure that says why. */
export function networkFailure(error: unknown, url: string, options: HttpClientOptions): Outcome {
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
export function answerOf(
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
