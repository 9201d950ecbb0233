import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { toSnakeKeys } from '../core/json.js';
import type { AppEnv } from './env.js';

/** Every answer's `meta`: the request id (also the `X-Request-Id` header) and time so far. */
export function metaOf(c: Context<AppEnv>) {
  return { request_id: c.get('requestId'), api_latency_ms: Date.now() - c.get('startedAt') };
}

/**
 * The body of every JSON answer: `{ data, …, meta }`, keys in snake_case whatever the read
 * model that built it writes (DESIGN §7), so a route cannot drift into camelCase.
 */
export function respond(
  c: Context<AppEnv>,
  body: { data: unknown },
  status: ContentfulStatusCode = 200,
) {
  return c.json({ ...(toSnakeKeys(body) as object), meta: metaOf(c) }, status);
}

/**
 * `respond` for a page whose `data` is JSON text already (rows whose stored payloads keep
 * their exact numbers): the rest of the body is built as `respond` builds it.
 */
export function respondWithDataText(
  c: Context<AppEnv>,
  data: string,
  rest: Record<string, unknown>,
) {
  const tail = JSON.stringify({ ...(toSnakeKeys(rest) as object), meta: metaOf(c) });
  return c.body(`{"data":${data},${tail.slice(1)}`, 200, { 'content-type': 'application/json' });
}
