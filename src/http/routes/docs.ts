import { toJsonSchema } from '@valibot/to-json-schema';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../env.js';
import { EmptyQuerySchema } from '../params.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { ErrorBodySchema } from '../schemas.js';

/** The documentation's own routes. */
export const docSpecs = [
  defineRoute({
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    query: EmptyQuerySchema,
    response: 'text/plain',
    auth: true,
  }),
  defineRoute({
    path: '/docs',
    operationId: 'getDocs',
    summary: 'Human-readable API documentation',
    query: EmptyQuerySchema,
    response: 'text/html',
    auth: true,
  }),
];

/** `/assets/:id` → `/assets/{id}`, and its path parameters. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  return { path: path.replace(/:(\w+)/g, '{$1}'), params };
}

const toSchema = (schema: Parameters<typeof toJsonSchema>[0]) =>
  toJsonSchema(schema, { errorMode: 'ignore' }) as Record<string, unknown>;

interface JsonSchemaObject {
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
}

/** The OpenAPI document of `specs`: every route as it is registered, with its schemas. */
export function createOpenApi(deps: Pick<AppDeps, 'version'>, specs: readonly RouteSpec[]) {
  const paths: Record<string, unknown> = {};
  const error = { 'application/json': { schema: toSchema(ErrorBodySchema) } };
  for (const route of specs) {
    const schema = toSchema(route.query) as JsonSchemaObject;
    const { path, params } = openApiPath(route.path);
    const parameters = [
      ...params.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: name === 'id' ? { type: 'integer', minimum: 1 } : { type: 'string' },
      })),
      ...Object.entries(schema.properties ?? {}).map(([name, s]) => ({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        description: s.description,
        schema: { ...s, description: undefined },
      })),
    ];
    const ok =
      typeof route.response === 'string'
        ? { [route.response]: { schema: { type: 'string' } } }
        : {
            'application/json': { schema: toSchema(route.response) },
            ...(route.exports
              ? {
                  'text/csv': {
                    schema: {
                      type: 'string',
                      description: 'every matching row, RFC 4180, a header line first',
                    },
                  },
                  'application/x-ndjson': {
                    schema: {
                      type: 'string',
                      description: 'every matching row, one JSON object per line',
                    },
                  },
                }
              : {}),
          };
    paths[path] = {
      get: {
        operationId: route.operationId,
        summary: route.summary,
        parameters,
        ...(route.auth ? {} : { security: [] }),
        responses: {
          200: { description: 'OK', content: ok },
          400: { description: 'A bad parameter, named', content: error },
          ...(route.auth
            ? {
                401: {
                  description: 'Missing or wrong bearer token (when KX_API_TOKEN is set)',
                  content: error,
                },
              }
            : {}),
          ...(params.length > 0 ? { 404: { description: 'No such item', content: error } } : {}),
          503: { description: 'The database is unavailable', content: error },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'kx API',
      version: deps.version,
      description: 'Unified crypto market data loaded by kx. Decimals are JSON strings.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Served, the document names the origin it was read from instead.
    servers: [{ url: 'http://127.0.0.1:8000', description: '`kx serve` on its default address' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

/** `/openapi.json` and `/docs`, over the specs of every route (theirs included). */
export function createDocRoutes(deps: AppDeps, specs: readonly RouteSpec[]) {
  const openapi = createOpenApi(deps, [...specs, ...docSpecs]);
  const [json, page] = docSpecs as [RouteSpec, RouteSpec];
  return new Hono<AppEnv>()
    .get(json.path, (c) =>
      c.json({
        ...openapi,
        servers: [{ url: new URL(c.req.url).origin, description: 'this kx serve' }],
      }),
    )
    .get(page.path, (c) => c.html(renderDocs(openapi)));
}

function renderDocs(openapi: ReturnType<typeof createOpenApi>): string {
  const esc = (s: string | number | undefined) =>
    String(s ?? '').replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const sections = Object.entries(openapi.paths).map(([path, spec]) => {
    const get = (
      spec as {
        get: {
          summary: string;
          parameters: {
            name: string;
            in: string;
            description?: string;
            schema: Record<string, unknown>;
          }[];
        };
      }
    ).get;
    const rows = get.parameters
      .map(
        (p) =>
          `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc(typeof p.schema.type === 'string' ? p.schema.type : undefined)}</td><td>${esc(p.description)}</td></tr>`,
      )
      .join('');
    return `<section><h2><code>GET ${esc(path)}</code></h2><p>${esc(get.summary)}</p>${rows ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>${rows}</table>` : ''}</section>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>kx API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}code{background:#f4f4f4}</style>
</head><body><h1>kx API ${esc(openapi.info.version)}</h1><p>${esc(openapi.info.description)} Errors are <code>{ "error": { "code", "message" } }</code>. With <code>KX_API_TOKEN</code> set, every route but <code>/health</code> needs <code>Authorization: Bearer &lt;token&gt;</code>. Machine-readable: <a href="openapi.json">/openapi.json</a>.</p>${sections.join('')}</body></html>`;
}
