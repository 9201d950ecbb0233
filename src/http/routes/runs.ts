import { Hono } from 'hono';
import { compareRuns, getRunDetail, getRunList } from '../../queries/run-history.js';
import type { AppDeps, AppEnv } from '../env.js';
import { errorResponse } from '../errors.js';
import { respond } from '../respond.js';
import { defineRoute } from '../route-spec.js';
import { ComparisonSchema, RunDetailSchema, RunListSchema } from '../schemas.js';
import {
  CompareQuerySchema,
  createRunsQuerySchema,
  EmptyQuerySchema,
  parseId,
  parseQuery,
} from '../params.js';

export function createRunRoutes(deps: AppDeps) {
  const RunsQuery = createRunsQuerySchema(deps.sources);
  const specs = {
    list: defineRoute({
      path: '/runs',
      operationId: 'listRuns',
      summary: 'Run history, newest first',
      query: RunsQuery,
      response: RunListSchema,
      auth: true,
    }),
    compare: defineRoute({
      path: '/runs/compare',
      operationId: 'compareRuns',
      summary: 'Anomalies between two runs of a source',
      query: CompareQuerySchema,
      response: ComparisonSchema,
      auth: true,
    }),
    detail: defineRoute({
      path: '/runs/:id',
      operationId: 'getRun',
      summary: 'One run with its attempts, errors and warnings',
      query: EmptyQuerySchema,
      response: RunDetailSchema,
      auth: true,
    }),
  };
  const routes = new Hono<AppEnv>()
    .get(specs.list.path, async (c) => {
      const query = parseQuery(c, RunsQuery);
      return respond(c, {
        data: await getRunList(deps.handle, { limit: query.limit, source: query.source }),
      });
    })
    .get(specs.compare.path, async (c) => {
      const query = parseQuery(c, CompareQuerySchema);
      const comparison = await compareRuns(deps.handle, query.a, query.b);
      if (!comparison)
        return errorResponse(c, 404, 'not_found', `run ${query.a} or ${query.b} does not exist`);
      return respond(c, { data: comparison });
    })
    .get(specs.detail.path, async (c) => {
      parseQuery(c, EmptyQuerySchema);
      const run = await getRunDetail(deps.handle, parseId(c.req.param('id')));
      if (!run)
        return errorResponse(c, 404, 'not_found', `run ${c.req.param('id')} does not exist`);
      return respond(c, { data: run });
    });
  return { routes, specs: Object.values(specs) };
}
