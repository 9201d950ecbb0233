import { Hono } from 'hono';
import { getAsset } from '../../queries/assets.js';
import { getListings } from '../../queries/listings.js';
import type { AppDeps, AppEnv } from '../env.js';
import { errorResponse } from '../errors.js';
import { respond } from '../respond.js';
import { createDataQuerySchema, EmptyQuerySchema, parseId, parseQuery } from '../params.js';
import { defineRoute } from '../route-spec.js';
import { AssetSchema, ListingPageSchema } from '../schemas.js';
import { KxError } from '../../core/errors.js';

export function createDataRoutes(deps: AppDeps) {
  const DataQuery = createDataQuerySchema(deps.sources);
  const specs = {
    data: defineRoute({
      path: '/data',
      operationId: 'listListings',
      summary: 'Unified listings: filter, sort, cursor or page pagination',
      query: DataQuery,
      response: ListingPageSchema,
      auth: true,
    }),
    asset: defineRoute({
      path: '/assets/:id',
      operationId: 'getAsset',
      summary: 'One asset with its per-source listings and match provenance',
      query: EmptyQuerySchema,
      response: AssetSchema,
      auth: true,
    }),
  };
  const routes = new Hono<AppEnv>()
    .get(specs.data.path, async (c) => {
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
    .get(specs.asset.path, async (c) => {
      parseQuery(c, specs.asset.query);
      const asset = await getAsset(deps.handle.db, parseId(c.req.param('id')));
      if (!asset)
        return errorResponse(c, 404, 'not_found', `asset ${c.req.param('id')} does not exist`);
      return respond(c, { data: asset });
    });
  return { routes, specs: Object.values(specs) };
}
