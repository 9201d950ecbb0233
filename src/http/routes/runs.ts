import { Hono } from 'hono';
import { decodeCursor, encodeCursor } from '../../queries/cursor.js';
import { exportRejected } from '../../queries/export.js';
import { listRejected, rejectedToJson, runExists } from '../../queries/rejected.js';
import { compareRuns, getRunDetail, getRunList } from '../../queries/run-history.js';
import type { AppDeps, AppEnv } from '../env.js';
import { errorResponse } from '../errors.js';
import { exportFormatOf, streamExport } from '../export.js';
import { respond, respondWithDataText } from '../respond.js';
import { defineRoute } from '../route-spec.js';
import {
  ComparisonSchema,
  RejectedPageSchema,
  RunDetailSchema,
  RunListSchema,
} from '../schemas.js';
import {
  CompareQuerySchema,
  createRunsQuerySchema,
  EmptyQuerySchema,
  parseId,
  parseQuery,
  RejectedQuerySchema,
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
    rejected: defineRoute({
      path: '/runs/:id/rejected',
      operationId: 'listRunRejected',
      summary: "A run's rejected records: where each was, which field, why, and the record",
      query: RejectedQuerySchema,
      response: RejectedPageSchema,
      auth: true,
      exports: true,
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
    })
    .get(specs.rejected.path, async (c) => {
      const query = parseQuery(c, RejectedQuerySchema);
      const runId = parseId(c.req.param('id'));
      if (!(await runExists(deps.handle.db, runId)))
        return errorResponse(c, 404, 'not_found', `run ${c.req.param('id')} does not exist`);
      const format = exportFormatOf(c, query.format);
      if (format)
        return streamExport(
          c,
          `run-${runId}-rejected`,
          exportRejected(deps.handle.db, { runId }),
          format,
        );
      const after =
        query.cursor === undefined
          ? undefined
          : Number(decodeCursor(query.cursor, 1, ([id]) => /^\d{1,15}$/.test(id!))[0]);
      const rows = await listRejected(deps.handle.db, {
        runId,
        afterId: after,
        limit: query.limit + 1,
      });
      const data = rows.slice(0, query.limit);
      const hasMore = rows.length > query.limit;
      return respondWithDataText(c, `[${data.map(rejectedToJson).join(',')}]`, {
        pagination: {
          mode: 'cursor',
          limit: query.limit,
          next_cursor: hasMore ? encodeCursor([String(data.at(-1)!.id)]) : null,
          has_more: hasMore,
        },
      });
    });
  return { routes, specs: Object.values(specs) };
}
