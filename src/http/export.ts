import type { Context } from 'hono';
import { KxError } from '../core/errors.js';
import { CONTENT_TYPES, encode, type Export } from '../queries/export.js';
import type { AppEnv } from './env.js';

type StreamFormat = 'csv' | 'ndjson';

/**
 * Whether a list route answers an export, and in which format: `format=csv|ndjson`, else an
 * `Accept` of `text/csv` or `application/x-ndjson`; null for the paged JSON API. An export is
 * every matching row, so `limit`, `cursor` and `page` are refused with it rather than ignored.
 */
export function exportFormatOf(
  c: Context<AppEnv>,
  format: 'json' | 'csv' | 'ndjson' | undefined,
): StreamFormat | null {
  const accept = c.req.header('accept') ?? '';
  const chosen =
    format ??
    (/\btext\/csv\b/i.test(accept)
      ? 'csv'
      : /\bapplication\/(x-)?ndjson\b/i.test(accept)
        ? 'ndjson'
        : 'json');
  if (chosen === 'json') return null;
  for (const name of ['limit', 'cursor', 'page'])
    if (c.req.query(name) !== undefined)
      throw new KxError(
        'usage',
        `${name}: an export returns every matching row; leave ${name} out`,
      );
  return chosen;
}

/**
 * Streams an export as it is read from the database, a page at a time: the response starts
 * after the first page and memory stays flat. A failure after the first bytes aborts the
 * response (no terminating chunk), so a client never takes a cut file for a whole one.
 */
export function streamExport<R>(
  c: Context<AppEnv>,
  name: string,
  data: Export<R>,
  format: StreamFormat,
): Response {
  const chunks = encode(data, format);
  const bytes = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(bytes.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return c.body(body, 200, {
    'content-type': CONTENT_TYPES[format],
    'content-disposition': `attachment; filename="kx-${name}.${format}"`,
    'cache-control': 'no-store',
  });
}
