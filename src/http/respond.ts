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
 * `respond` for a page whose rows carry JSON text under `key` (a record as its source gave
 * it), written into the answer as it is: `JSON.parse` would round its numbers (an integer
 * above 2^53, `4.2e+17`). Each text stands in as a placeholder with a NUL, which no stored
 * text holds (jsonb refuses it; kx stores U+FFFD for it in text), until the body is a string.
 */
export function respondWithJsonText<K extends string, R extends Record<K, string>>(
  c: Context<AppEnv>,
  body: { data: R[]; [rest: string]: unknown },
  key: K,
) {
  const texts: string[] = [];
  const data = body.data.map((row) => ({ ...row, [key]: `\u0000${texts.push(row[key]) - 1}` }));
  const json = JSON.stringify({
    ...(toSnakeKeys({ ...body, data }) as object),
    meta: metaOf(c),
  }).replace(/"\\u0000(\d+)"/g, (_, i: string) => texts[Number(i)]!);
  return c.body(json, 200, { 'content-type': 'application/json' });
}
