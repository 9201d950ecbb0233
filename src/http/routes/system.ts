import { toKxError } from '../../core/errors.js';
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { getRunList } from '../../queries/run-history.js';
import { getStatus } from '../../queries/status.js';
import type { AppDeps, AppEnv } from '../env.js';
import { isAuthorized } from '../auth.js';
import { respond } from '../respond.js';
import { EmptyQuerySchema, parseQuery } from '../params.js';
import { defineRoute } from '../route-spec.js';
import { HealthSchema, StatsSchema } from '../schemas.js';

export function createSystemRoutes(deps: AppDeps) {
  deps.metrics.watchRuns(() => getStatus(deps.handle, deps.sources, deps.budgets));
  const specs = {
    health: defineRoute({
      path: '/health',
      operationId: 'getHealth',
      summary:
        'Database reachability and latency, driver, last run per source (503 when the database is down)',
      query: EmptyQuerySchema,
      response: HealthSchema,
      auth: false,
    }),
    stats: defineRoute({
      path: '/stats',
      operationId: 'getStats',
      summary: 'Per source: runs, records, durations, last success and failure',
      query: EmptyQuerySchema,
      response: StatsSchema,
      auth: true,
    }),
    metrics: defineRoute({
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      query: EmptyQuerySchema,
      response: 'text/plain',
      auth: true,
    }),
  };
  const routes = new Hono<AppEnv>()
    .get(specs.health.path, async (c) => {
      parseQuery(c, EmptyQuerySchema);
      const started = performance.now();
      try {
        await deps.handle.db.execute(sql`select 1`);
        const latency = Math.round((performance.now() - started) * 100) / 100;
        // A probe without the token learns that kx and its database are up, nothing more.
        if (!isAuthorized(c, deps.token))
          return c.json({ status: 'ok', database: { reachable: true } });
        const lastRuns: Record<string, unknown> = {};
        for (const source of deps.sources) {
          const [run] = await getRunList(deps.handle, { limit: 1, source });
          lastRuns[source] = run
            ? {
                id: run.id,
                status: run.status,
                started_at: run.startedAt,
                finished_at: run.finishedAt,
              }
            : null;
        }
        return c.json({
          status: 'ok',
          database: { reachable: true, driver: deps.handle.driver, latency_ms: latency },
          last_runs: lastRuns,
          version: deps.version,
        });
      } catch {
        if (!isAuthorized(c, deps.token))
          return c.json({ status: 'unavailable', database: { reachable: false } }, 503);
        return c.json(
          {
            status: 'unavailable',
            database: { reachable: false, driver: deps.handle.driver },
            version: deps.version,
          },
          503,
        );
      }
    })
    .get(specs.stats.path, async (c) => {
      parseQuery(c, EmptyQuerySchema);
      const status = await getStatus(deps.handle, deps.sources, deps.budgets);
      const planned = deps.schedule?.() ?? {};
      const sources = status.sources.map((s) => ({ ...s, schedule: planned[s.source] ?? null }));
      return respond(c, { data: { ...status, sources } });
    })
    .get(specs.metrics.path, async (c) => {
      parseQuery(c, EmptyQuerySchema);
      const text = await deps.metrics.render();
      // A database that refused the read is a 503 here as on every route (DESIGN §7); a slow
      // one is not: its last figures are served.
      const failure = deps.metrics.failure();
      if (failure) throw toKxError(failure);
      return c.text(text, 200, { 'content-type': deps.metrics.contentType });
    });
  return { routes, specs: Object.values(specs) };
}
