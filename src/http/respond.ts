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
