import { Hono } from 'hono';
import { getAsset } from '../../queries/assets.js';
import { getListings } from '../../queries/listings.js';
import type { AppDeps, AppEnv } from '../env.js';
import { errorResponse } from '../errors.js';
import { respond } from '../respond.js';
import { createDataQuerySchema, parseId, parseQuery } from '../params.js';
import { KxError } from '../../core/errors.js';

export function createDataRoutes(deps: AppDeps) {
  const DataQuery = createDataQuerySchema(deps.sources);
  return new Hono<AppEnv>()
    .get('/data', async (c) => {
      const query = parseQuery(c, DataQuery);
      if (query.cursor !== undefined && query.page !== undefined)
        throw new KxError('usage', 'cursor, page: give one of them, not both');
      const result = await getListings(deps.handle.db, {
        source: query.source,
        symbol: query.symbol,
        assetId: query.asset_id,
        q: query.q,
        updatedSince: query.updated_since,
        sort: query.sort,
        limit: query.limit,
        cursor: query.cursor,
        page: query.page,
      });
      return respond(c, result);
    })
    .get('/assets/:id', async (c) => {
      const asset = await getAsset(deps.handle.db, parseId(c.req.param('id')));
      if (!asset)
        return errorResponse(c, 404, 'not_found', `asset ${c.req.param('id')} does not exist`);
      return respond(c, { data: asset });
    });
}
