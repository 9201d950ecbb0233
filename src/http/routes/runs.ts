import { Hono } from 'hono';
import { compareRuns, getRunDetail, getRunList } from '../../queries/run-history.js';
import type { AppDeps, AppEnv } from '../app.js';
import { errorResponse } from '../errors.js';
import {
  CompareQuerySchema,
  createRunsQuerySchema,
  EmptyQuerySchema,
  parseId,
  parseQuery,
} from '../params.js';

export function createRunRoutes(deps: AppDeps) {
  const RunsQuery = createRunsQuerySchema(deps.sources);
  const meta = (c: { get(key: 'requestId'): string; get(key: 'startedAt'): number }) => ({
    request_id: c.get('requestId'),
    api_latency_ms: Date.now() - c.get('startedAt'),
  });
  return new Hono<AppEnv>()
    .get('/runs', async (c) => {
      const query = parseQuery(c, RunsQuery);
      return c.json({
        data: await getRunList(deps.handle, { limit: query.limit, source: query.source }),
        meta: meta(c),
      });
    })
    .get('/runs/compare', async (c) => {
      const query = parseQuery(c, CompareQuerySchema);
      const comparison = await compareRuns(deps.handle, query.a, query.b);
      if (!comparison)
        return errorResponse(c, 404, 'not_found', `run ${query.a} or ${query.b} does not exist`);
      return c.json({ data: comparison, meta: meta(c) });
    })
    .get('/runs/:id', async (c) => {
      parseQuery(c, EmptyQuerySchema);
      const run = await getRunDetail(deps.handle, parseId(c.req.param('id')));
      if (!run)
        return errorResponse(c, 404, 'not_found', `run ${c.req.param('id')} does not exist`);
      return c.json({ data: run, meta: meta(c) });
    });
}
