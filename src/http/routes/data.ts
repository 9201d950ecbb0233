import { Hono } from 'hono';
import { KxError } from '../../core/errors.js';
import { listAssets } from '../../queries/asset-list.js';
import { assetExists, getAsset } from '../../queries/assets.js';
import { exportAssets, exportListings, exportQuotes } from '../../queries/export.js';
import { getListings } from '../../queries/listings.js';
import { exportFormatOf, streamExport } from '../export.js';
import type { AppDeps, AppEnv } from '../env.js';
import { errorResponse } from '../errors.js';
import { respond } from '../respond.js';
import {
  createAssetsQuerySchema,
  createDataQuerySchema,
  createDivergenceQuerySchema,
  createHistoryQuerySchema,
  EmptyQuerySchema,
  parseId,
  parseQuery,
} from '../params.js';
import { getDivergence, getHistory, historyWindow } from '../../queries/history.js';
import { defineRoute } from '../route-spec.js';
import {
  AssetPageSchema,
  AssetSchema,
  DivergenceSchema,
  HistorySchema,
  ListingPageSchema,
} from '../schemas.js';

/** A history's window from the query; `from` must come before `to`. */
function windowOf(query: { from?: Date | undefined; to?: Date | undefined }) {
  const window = historyWindow(query.from, query.to);
  if (window.from >= window.to) throw new KxError('usage', 'from: must be before to');
  return window;
}

export function createDataRoutes(deps: AppDeps) {
  const DataQuery = createDataQuerySchema(deps.sources);
  const HistoryQuery = createHistoryQuerySchema(deps.sources);
  const AssetsQuery = createAssetsQuerySchema(deps.sources);
  const DivergenceQuery = createDivergenceQuerySchema(deps.sources);
  const specs = {
    data: defineRoute({
      path: '/data',
      operationId: 'listListings',
      summary: 'Unified listings: filter, sort, cursor or page pagination',
      query: DataQuery,
      response: ListingPageSchema,
      auth: true,
      exports: true,
    }),
    assets: defineRoute({
      path: '/assets',
      operationId: 'listAssets',
      summary:
        'One row per coin across its sources: consensus price, spread between sources, market cap',
      query: AssetsQuery,
      response: AssetPageSchema,
      auth: true,
      exports: true,
    }),
    history: defineRoute({
      path: '/assets/:id/quotes',
      operationId: 'getAssetQuotes',
      summary:
        "One coin's history: its observations per source, or per UTC hour, day or week the open, high, low and close",
      query: HistoryQuery,
      response: HistorySchema,
      auth: true,
      exports: true,
    }),
    divergence: defineRoute({
      path: '/assets/:id/divergence',
      operationId: 'getAssetDivergence',
      summary:
        "Where a coin's sources disagree: per UTC hour, day or week the lowest and highest close and their distance",
      query: DivergenceQuery,
      response: DivergenceSchema,
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
      const filters = {
        source: query.source,
        symbol: query.symbol,
        assetId: query.asset_id,
        q: query.q,
        updatedSince: query.updated_since,
        sort: query.sort,
      };
      const format = exportFormatOf(c, query.format);
      if (format)
        return streamExport(c, 'listings', exportListings(deps.handle.db, filters), format);
      const result = await getListings(deps.handle.db, {
        ...filters,
        limit: query.limit,
        cursor: query.cursor,
        page: query.page,
      });
      return respond(c, result);
    })
    .get(specs.assets.path, async (c) => {
      const query = parseQuery(c, AssetsQuery);
      const filters = {
        q: query.q,
        symbol: query.symbol,
        source: query.source,
        minSources: query.min_sources,
        freshWithinSeconds: query.fresh_within,
        sort: query.sort,
      };
      const format = exportFormatOf(c, query.format);
      if (format) return streamExport(c, 'assets', exportAssets(deps.handle.db, filters), format);
      return respond(
        c,
        await listAssets(deps.handle.db, { ...filters, limit: query.limit, cursor: query.cursor }),
      );
    })
    .get(specs.history.path, async (c) => {
      const query = parseQuery(c, HistoryQuery);
      const id = parseId(c.req.param('id'));
      if (!(await assetExists(deps.handle.db, id)))
        return errorResponse(c, 404, 'not_found', `asset ${c.req.param('id')} does not exist`);
      const window = {
        assetId: id,
        ...windowOf(query),
        sources: query.source ?? [],
        interval: query.interval,
      };
      const format = exportFormatOf(c, query.format);
      if (format)
        return streamExport(c, `asset-${id}-quotes`, exportQuotes(deps.handle.db, window), format);
      return respond(
        c,
        await getHistory(deps.handle.db, { ...window, limit: query.limit, cursor: query.cursor }),
      );
    })
    .get(specs.divergence.path, async (c) => {
      const query = parseQuery(c, DivergenceQuery);
      const id = parseId(c.req.param('id'));
      if (!(await assetExists(deps.handle.db, id)))
        return errorResponse(c, 404, 'not_found', `asset ${c.req.param('id')} does not exist`);
      return respond(
        c,
        await getDivergence(deps.handle.db, {
          assetId: id,
          ...windowOf(query),
          sources: query.source ?? [],
          interval: query.interval,
          minSources: query.min_sources,
          order: query.order,
          limit: query.limit,
        }),
      );
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
