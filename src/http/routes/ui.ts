import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../env.js';
import { EmptyQuerySchema } from '../params.js';
import { defineRoute } from '../route-spec.js';

/**
 * The dashboard at `/`: a static shell, its script and styles, and uPlot, all served by kx
 * itself from a versioned path (`/ui/<version>/…`): nothing is fetched from elsewhere, so it
 * works offline and behind a firewall. The shell holds no data; the script reads the JSON API
 * with the token the user gives (KX_API_TOKEN), so these files need none.
 */
const here = (name: string) => new URL(`../ui/${name}`, import.meta.url);
const uplot = (file: string) => createRequire(import.meta.url).resolve(`uplot/dist/${file}`);

const FILES: Record<string, { path: URL | string; type: string }> = {
  'app.js': { path: here('app.js'), type: 'text/javascript; charset=utf-8' },
  'app.css': { path: here('app.css'), type: 'text/css; charset=utf-8' },
  'uplot.js': { path: uplot('uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { path: uplot('uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** Only what kx serves: no inline script, no other origin. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Paths the dashboard serves without the token: the shell and its files hold no data. */
export function isUiPath(path: string): boolean {
  return path === '/' || path.startsWith('/ui/');
}

export function createUiRoutes(deps: Pick<AppDeps, 'version'>) {
  const specs = {
    shell: defineRoute({
      path: '/',
      operationId: 'getDashboard',
      summary:
        'The dashboard: sources, runs, assets and prices at a glance (no data in the page itself)',
      query: EmptyQuerySchema,
      response: 'text/html',
      auth: false,
    }),
    file: defineRoute({
      path: '/ui/:version/:file',
      operationId: 'getDashboardFile',
      summary:
        "The dashboard's script, styles and chart library (app.js, app.css, uplot.js, uplot.css)",
      query: EmptyQuerySchema,
      response: 'text/javascript',
      auth: false,
    }),
  };
  const version = encodeURIComponent(deps.version);
  const shell = readFileSync(here('index.html'), 'utf8').replaceAll('{{version}}', version);
  const files = new Map(
    Object.entries(FILES).map(([name, { path, type }]) => [
      name,
      { body: readFileSync(path), type },
    ]),
  );
  const routes = new Hono<AppEnv>()
    .get(specs.shell.path, (c) =>
      c.html(shell, 200, { 'content-security-policy': CSP, 'cache-control': 'no-cache' }),
    )
    .get(specs.file.path, (c) => {
      const file = files.get(c.req.param('file'));
      if (!file || c.req.param('version') !== deps.version) return c.notFound();
      return c.body(new Uint8Array(file.body), 200, {
        'content-type': file.type,
        // The version is in the path: a new kx serves new files under a new path.
        'cache-control': 'public, max-age=31536000, immutable',
      });
    });
  return { routes, specs: Object.values(specs) };
}
