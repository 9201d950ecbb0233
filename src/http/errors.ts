import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { KxError } from '../core/errors.js';

/** The JSON error body of every non-2xx answer: `{ error: { code, message } }`. Never a stack. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
) {
  return c.json({ error: { code, message }, meta: { request_id: c.get('requestId') } }, status);
}

/** KxError codes as HTTP statuses: bad input is the client's (400), a locked or lost database is 503. */
export function statusOf(error: KxError): ContentfulStatusCode {
  switch (error.code) {
    case 'usage':
    case 'input':
      return 400;
    case 'locked':
    case 'unavailable':
      return 503;
    default:
      return 500;
  }
}
