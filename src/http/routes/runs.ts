import { Hono } from 'hono';
import { compareRuns, getRunDetail, getRunList } from '../../queries/run-history.js';
import type { AppDeps, AppEnv } from '../env.js';
import { errorResponse } from '../errors.js';
import { respond } from '../respond.js';
import {
  CompareQuerySchema,
  createRunsQuerySchema,
  EmptyQuerySchema,
  parseId,
  parseQuery,
} from '../params.js';

export function createRunRoutes(deps: AppDeps) {
  const RunsQuery = createRunsQuerySchema(deps.sources);
  return new Hono<AppEnv>()
    .get('/runs', async (c) => {
      const query = parseQuery(c, RunsQuery);
      return respond(c, {
        data: await getRunList(deps.handle, { limit: query.limit, source: query.source }),
      });
    })
    .get('/runs/compare', async (c) => {
      const query = parseQuery(c, CompareQuerySchema);
      const comparison = await compareRuns(deps.handle, query.a, query.b);
      if (!comparison)
        return errorResponse(c, 404, 'not_found', `run ${query.a} or ${query.b} does not exist`);
      return respond(c, { data: comparison });
    })
    .get('/runs/:id', async (c) => {
      parseQuery(c, EmptyQuerySchema);
      const run = await getRunDetail(deps.handle, parseId(c.req.param('id')));
      if (!run)
        return errorResponse(c, 404, 'not_found', `run ${c.req.param('id')} does not exist`);
      return respond(c, { data: run });
    });
}
