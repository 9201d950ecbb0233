import { Hono, type Context } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { findDatabaseError, toKxError } from '../core/errors.js';
import { errorResponse, statusOf } from './errors.js';
import type { AppDeps, AppEnv } from './env.js';
import { createDataRoutes } from './routes/data.js';
import { createDocRoutes } from './routes/docs.js';
import { createRunRoutes } from './routes/runs.js';
import { createSystemRoutes } from './routes/system.js';
import { createUiRoutes, isUiPath } from './routes/ui.js';

export type { AppDeps, AppEnv } from './env.js';

/** Requests carry a body only by mistake (every route is GET): a small cap is plenty. */
const MAX_BODY_BYTES = 16 * 1024;
/** An incoming X-Request-Id longer than this is replaced (it is echoed and logged). */
const MAX_REQUEST_ID = 128;

/** The HTTP API over the unified data. Builds routes; never listens (see serve.ts). */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  // An incoming X-Request-Id of letters, digits, `_`, `-` and `=` is kept, else a UUID.
  app.use(requestId({ limitLength: MAX_REQUEST_ID }));
  app.use(async (c, next) => {
    c.set('startedAt', Date.now());
    const started = performance.now();
    await next();
    deps.metrics.observe(
      c.req.routePath,
      c.req.method,
      c.res.status,
      (performance.now() - started) / 1000,
    );
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        errorResponse(c, 413, 'payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`),
    }),
  );
  // nosniff, no framing, no referrer leaks: the API and its pages are read, never embedded.
  app.use(secureHeaders());
  if (deps.token) {
    const denied = (status: 401 | 400, code: string, message: string) => ({
      wwwAuthenticateHeader: 'Bearer',
      message: (c: Context<AppEnv>) => errorResponse(c, status, code, message),
    });
    const wrong = denied(
      401,
      'unauthorized',
      'missing or wrong bearer token (Authorization: Bearer <KX_API_TOKEN>)',
    );
    const auth = bearerAuth<AppEnv>({
      token: deps.token,
      noAuthenticationHeader: wrong,
      invalidToken: wrong,
      invalidAuthenticationHeader: denied(
        400,
        'bad_request',
        'Authorization: expected `Bearer <token>`',
      ),
    });
    // /health answers probes without the token (with less detail: see routes/system.ts); the
    // dashboard's shell and files hold no data (its script sends the token the user gives).
    app.use((c, next) =>
      c.req.path === '/health' || isUiPath(c.req.path) ? next() : auth(c, next),
    );
  }
  const specs = [];
  for (const { routes, specs: declared } of [
    createDataRoutes(deps),
    createRunRoutes(deps),
    createSystemRoutes(deps),
    createUiRoutes(deps),
  ]) {
    app.route('/', routes);
    specs.push(...declared);
  }
  app.route('/', createDocRoutes(deps, specs));
  app.notFound((c) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && hasGetRoute(app, c.req.path)) {
      c.header('Allow', 'GET, HEAD');
      return errorResponse(
        c,
        405,
        'method_not_allowed',
        `${c.req.method} ${c.req.path}: this route answers GET and HEAD only`,
      );
    }
    // `/data/`, as a URL typed by hand often ends: the route without its slash is the one meant
    const bare = c.req.path.replace(/\/+$/, '');
    const meant = bare !== '' && bare !== c.req.path && hasGetRoute(app, bare);
    return errorResponse(
      c,
      404,
      'not_found',
      `no route ${c.req.method} ${c.req.path}${meant ? ` (without the trailing slash: ${bare})` : ''}`,
    );
  });
  app.onError((thrown, c) => {
    if (thrown instanceof HTTPException) return thrown.getResponse(); // bearer auth's answer
    if (findDatabaseError(thrown)?.code === '57014')
      return errorResponse(
        c,
        503,
        'timeout',
        'the query ran longer than the server allows (KX_API_STATEMENT_TIMEOUT_MS); narrow it, or try again',
      );
    const error = toKxError(thrown);
    if (statusOf(error) === 400) return errorResponse(c, 400, 'bad_request', error.message);
    if (statusOf(error) === 503)
      return errorResponse(c, 503, 'unavailable', 'the database is unavailable');
    deps.logError?.(error);
    return errorResponse(c, 500, 'internal', 'internal error; see the server log');
  });
  return app;
}

/** Whether a GET route matches `path` (`/runs/:id` matches `/runs/7`). */
function hasGetRoute(app: Hono<AppEnv>, path: string): boolean {
  return app.routes.some(
    (route) =>
      route.method === 'GET' &&
      new RegExp(
        `^${route.path.replace(/[.+?^${}()|[\]\\*]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}$`,
      ).test(path),
  );
}
