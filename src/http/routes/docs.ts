import { toJsonSchema } from '@valibot/to-json-schema';
import { Hono } from 'hono';
import type * as v from 'valibot';
import type { AppDeps, AppEnv } from '../env.js';
import {
  CompareQuerySchema,
  createDataQuerySchema,
  createRunsQuerySchema,
  EmptyQuerySchema,
} from '../params.js';

interface RouteDoc {
  path: string;
  summary: string;
  query: v.GenericSchema;
  pathParams?: string[];
  auth: boolean;
}

/** The routes of the API, with the same valibot schemas that validate their queries. */
function routeDocs(deps: AppDeps): RouteDoc[] {
  return [
    {
      path: '/data',
      summary: 'Unified listings: filter, sort, cursor or page pagination',
      query: createDataQuerySchema(deps.sources),
      auth: true,
    },
    {
      path: '/assets/{id}',
      summary: 'One asset with its per-source listings and match provenance',
      query: EmptyQuerySchema,
      pathParams: ['id'],
      auth: true,
    },
    {
      path: '/health',
      summary:
        'Database reachability and latency, driver, last run per source (503 when the database is down)',
      query: EmptyQuerySchema,
      auth: false,
    },
    {
      path: '/stats',
      summary: 'Per source: runs, records, durations, last success and failure',
      query: EmptyQuerySchema,
      auth: true,
    },
    {
      path: '/runs',
      summary: 'Run history, newest first',
      query: createRunsQuerySchema(deps.sources),
      auth: true,
    },
    {
      path: '/runs/compare',
      summary: 'Anomalies between two runs of a source',
      query: CompareQuerySchema,
      auth: true,
    },
    {
      path: '/runs/{id}',
      summary: 'One run with its attempts, errors and warnings',
      query: EmptyQuerySchema,
      pathParams: ['id'],
      auth: true,
    },
    { path: '/metrics', summary: 'Prometheus metrics', query: EmptyQuerySchema, auth: true },
    { path: '/openapi.json', summary: 'This document', query: EmptyQuerySchema, auth: true },
    {
      path: '/docs',
      summary: 'Human-readable API documentation',
      query: EmptyQuerySchema,
      auth: true,
    },
  ];
}

interface JsonSchemaObject {
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
}

export function createOpenApi(deps: AppDeps) {
  const paths: Record<string, unknown> = {};
  for (const route of routeDocs(deps)) {
    const schema = toJsonSchema(route.query, { errorMode: 'ignore' }) as JsonSchemaObject;
    const parameters = [
      ...(route.pathParams ?? []).map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'integer', minimum: 1 },
      })),
      ...Object.entries(schema.properties ?? {}).map(([name, s]) => ({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        description: s.description,
        schema: { ...s, description: undefined },
      })),
    ];
    paths[route.path] = {
      get: {
        summary: route.summary,
        parameters,
        ...(route.auth ? {} : { security: [] }),
        responses: {
          200: { description: 'OK' },
          400: { description: 'A bad parameter: `{ error: { code, message } }` naming it' },
          ...(route.auth
            ? { 401: { description: 'Missing or wrong bearer token (when KX_API_TOKEN is set)' } }
            : {}),
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
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

export function createDocRoutes(deps: AppDeps) {
  const openapi = createOpenApi(deps);
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => c.json(openapi))
    .get('/docs', (c) => c.html(renderDocs(openapi)));
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
</head><body><h1>kx API ${esc(openapi.info.version)}</h1><p>${esc(openapi.info.description)} Errors are <code>{ "error": { "code", "message" } }</code>. With <code>KX_API_TOKEN</code> set, every route but <code>/health</code> needs <code>Authorization: Bearer &lt;token&gt;</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>${sections.join('')}</body></html>`;
}
