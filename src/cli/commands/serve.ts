import type { Hono } from 'hono';
import { KxError } from '../../core/errors.js';
import { kxVersion as version } from '../../core/version.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { createApp } from '../../http/app.js';
import { createHttpMetrics } from '../../http/metrics.js';
import { isLoopback, listen, type RunningServer } from '../../http/serve.js';
import { parseSchedule, startScheduler } from '../../engine/scheduler.js';
import { entries, sourceNames } from '../../sources/index.js';
import { createRunSettings } from '../run-settings.js';
import type { Context } from '../context.js';

export interface ServeOptions {
  host: string;
  port: number;
  allowUnauthenticated?: boolean;
  /** `coinpaprika=10m,coingecko=30m`: ingests run inside the server on these intervals. */
  schedule?: string;
}

/** What to do when the port cannot be had, by Node's error code. */
const LISTEN_FIXES: Record<string, (at: { host: string; port: number }) => string> = {
  EADDRINUSE: ({ port }) =>
    `another process listens on port ${port}: stop it, or serve on another port with --port`,
  EACCES: ({ port }) =>
    `ports below 1024 need privileges this user lacks: serve on --port 8000 (or another from 1024) and let a proxy forward port ${port}`,
  EADDRNOTAVAIL: ({ host }) =>
    `${host} is not an address of this machine: bind 127.0.0.1, or 0.0.0.0 for every interface (--host)`,
  ENOTFOUND: ({ host }) => `the host name ${host} does not resolve: give an address with --host`,
};

/** A bearer token shorter than this can be guessed; kx warns but serves. */
const MIN_TOKEN_LENGTH = 16;

/**
 * Serves the API until SIGTERM or SIGINT, then drains in-flight requests and returns.
 * On PGlite the server holds the data dir: ingests must run in another way (DATABASE_URL).
 */
export async function serveApi(ctx: Context, options: ServeOptions): Promise<void> {
  refuseUnauthenticated(ctx, options);
  const schedule = options.schedule
    ? parseSchedule(
        options.schedule,
        entries.filter((entry) => entry.schedulable).map((entry) => entry.name),
      )
    : [];
  await ctx.withDb('serve', async (handle) => {
    const token = ctx.config.apiToken;
    if (token && token.length < MIN_TOKEN_LENGTH)
      ctx.log.warn(
        `KX_API_TOKEN is ${token.length} characters; use at least ${MIN_TOKEN_LENGTH} (for example \`openssl rand -hex 32\`)`,
      );
    const reads = await openReads(ctx, handle);
    let scheduler: ReturnType<typeof startScheduler> | undefined;
    try {
      const app = createApp({
        handle: reads,
        sources: sourceNames,
        token: ctx.config.apiToken,
        budgets: ctx.callBudgets,
        metrics: createHttpMetrics(),
        version,
        logError: (error) => ctx.log.error(error),
        schedule: () => scheduler?.planned() ?? {},
      });
      const server = await listenOrExplain(app, options);
      ctx.log.info(
        `kx API listening on ${server.url} (${handle.driver}${ctx.config.apiToken ? ', bearer token required' : ''})`,
      );
      if (handle.driver === 'pglite') {
        ctx.log.info(
          'embedded database: `kx ingest` cannot run beside this server on the same data dir; use DATABASE_URL for both',
        );
      }
      scheduler =
        schedule.length > 0
          ? startScheduler({
              handle,
              entries: schedule,
              sources: ctx.sources,
              settings: (source) => createRunSettings(ctx, source, false),
              log: ctx.log,
            })
          : undefined;
      const signal = await untilStopped(ctx, scheduler !== undefined);
      await Promise.all([server.close(), scheduler?.stop(signal)]);
    } finally {
      // Also when listening fails: an open pool would keep the process alive.
      if (reads !== handle) await reads.close();
    }
    ctx.log.info('stopped');
  });
}

/** An API reachable beyond this machine needs a token, or the flag that says it does not. */
function refuseUnauthenticated(ctx: Context, options: ServeOptions): void {
  if (isLoopback(options.host) || ctx.config.apiToken || options.allowUnauthenticated) return;
  throw new KxError(
    'usage',
    `refusing to serve on ${options.host} without KX_API_TOKEN: anyone who can reach it could read the data. ` +
      'Set KX_API_TOKEN, bind 127.0.0.1, or pass --allow-unauthenticated',
  );
}

/**
 * The handle the API reads through. On a server, connections of their own, whose statements
 * are cancelled after KX_API_STATEMENT_TIMEOUT_MS: one expensive request cannot hold the
 * database. Scheduled ingests keep theirs, without a limit.
 */
async function openReads(ctx: Context, handle: DbHandle): Promise<DbHandle> {
  const reads =
    handle.driver === 'postgres'
      ? await createDb({
          databaseUrl: ctx.config.databaseUrl,
          dataDir: ctx.config.dataDir,
          command: 'serve',
          statementTimeoutMs: ctx.config.apiStatementTimeoutMs,
        })
      : handle;
  for (const warning of reads.warnings ?? []) ctx.log.warn(warning);
  return reads;
}

/** Listens, or says why the address cannot be had and what to do (LISTEN_FIXES). */
function listenOrExplain<E extends object>(
  app: Hono<E>,
  options: ServeOptions,
): Promise<RunningServer> {
  return listen(app, options).catch((error: NodeJS.ErrnoException) => {
    const why = LISTEN_FIXES[error.code ?? ''];
    throw new KxError(
      'usage',
      `cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}` +
        (why ? `; ${why(options)}` : ''),
    );
  });
}

/** Waits for SIGTERM or SIGINT, says what stopping does, and returns the signal's name. */
function untilStopped(ctx: Context, scheduled: boolean): Promise<string> {
  return new Promise<string>((resolve) => {
    const stop = (name: string) => {
      ctx.log.info(
        `${name}: finishing in-flight requests${scheduled ? '; scheduled runs stop at their next checkpoint' : ''}`,
      );
      resolve(name);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
