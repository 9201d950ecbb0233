import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';

/** Whether the request carries `Authorization: Bearer <token>`; always true without a token. */
export function isAuthorized(c: Context, token: string | undefined): boolean {
  if (!token) return true;
  const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
