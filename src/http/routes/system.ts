import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { getRunList } from '../../queries/run-history.js';
import { getStatus } from '../../queries/status.js';
import type { AppDeps, AppEnv } from '../env.js';
import { isAuthorized } from '../auth.js';
import { respond } from '../respond.js';
import { escape } from '../metrics.js';
import { EmptyQuerySchema, parseQuery } from '../params.js';

export function createSystemRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/health', async (c) => {
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
    .get('/stats', async (c) => {
      parseQuery(c, EmptyQuerySchema);
      const status = await getStatus(deps.handle, deps.sources, deps.budgets);
      return respond(c, { data: status });
    })
    .get('/metrics', async (c) => {
      parseQuery(c, EmptyQuerySchema);
      const status = await getStatus(deps.handle, deps.sources, deps.budgets);
      const lines = [
        '# HELP kx_runs_total ETL runs by source and status.',
        '# TYPE kx_runs_total gauge',
        ...status.sources.flatMap((s) =>
          (['succeeded', 'failed', 'running'] as const).map(
            (st) => `kx_runs_total{source="${escape(s.source)}",status="${st}"} ${s.runs[st]}`,
          ),
        ),
        '# HELP kx_records_total Records processed by all runs, by source and outcome.',
        '# TYPE kx_records_total counter',
        ...status.sources.flatMap((s) =>
          (['fetched', 'loaded', 'unchanged', 'rejected'] as const).map(
            (k) => `kx_records_total{source="${escape(s.source)}",outcome="${k}"} ${s.records[k]}`,
          ),
        ),
        '# HELP kx_run_duration_seconds Duration of finished runs (last, average, max).',
        '# TYPE kx_run_duration_seconds gauge',
        ...status.sources.flatMap((s) =>
          (['lastMs', 'avgMs', 'maxMs'] as const)
            .filter((k) => s.durations[k] !== null)
            .map(
              (k) =>
                `kx_run_duration_seconds{source="${escape(s.source)}",stat="${k.replace('Ms', '')}"} ${s.durations[k]! / 1000}`,
            ),
        ),
        '# HELP kx_listings Source listings currently held.',
        '# TYPE kx_listings gauge',
        ...status.sources.map((s) => `kx_listings{source="${escape(s.source)}"} ${s.listings}`),
        '# HELP kx_assets Canonical assets.',
        '# TYPE kx_assets gauge',
        `kx_assets ${status.assets}`,
        deps.metrics.render(),
      ];
      return c.text(`${lines.join('\n')}\n`, 200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      });
    });
}
