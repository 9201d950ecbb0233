import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';

/** Whether the request carries `Authorization: Bearer <token>`; always true without a token. */
export function isAuthorized(c: Context, token: string | undefined): boolean {
  if (!token) return true;
  // As hono/bearer-auth reads it: the scheme in any case, the token after spaces.
  const given = /^bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
