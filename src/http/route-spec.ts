import type * as v from 'valibot';

/**
 * What a route is, declared once beside its handler: the handler is registered at `path`,
 * and the OpenAPI document (routes/docs.ts) is built from these, so neither can drift.
 */
export interface RouteSpec {
  /** Hono's form: `/assets/:id`. */
  path: string;
  operationId: string;
  summary: string;
  /** The valibot schema that validates the query (`parseQuery`). */
  query: v.GenericSchema;
  /** The body of a 200: a JSON schema of the wire form, or another content type. */
  response: v.GenericSchema | `${string}/${string}`;
  /** Whether KX_API_TOKEN guards it (every route but /health). */
  auth: boolean;
  /** Whether it also streams every matching row as CSV or NDJSON (`format=`, `Accept`). */
  exports?: boolean;
}

/** Keeps the path's literal type, so that Hono types the handler's `c.req.param`. */
export function defineRoute<P extends string>(
  spec: RouteSpec & { path: P },
): RouteSpec & { path: P } {
  return spec;
}
