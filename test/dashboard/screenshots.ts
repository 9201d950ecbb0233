/**
 * `npm run screenshots`: PNGs of the dashboard's pages, in light and dark, into docs/, from
 * the same data the browser tests load (test/helpers/dashboard-data.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { selectRows } from '../../src/db/sql.js';
import { repoRoot, startServe } from '../helpers/cli.js';
import { launchChromium } from '../helpers/browser.js';
import { loadDashboardData } from '../helpers/dashboard-data.js';
import { createTestDatabase } from '../helpers/db.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';

const work = mkdtempSync(join(tmpdir(), 'kx-shots-'));
const fake = await startFakeUpstream();
const database = await createTestDatabase();
const handle = await database.open();
await loadDashboardData(handle, fake, work);
const [btc] = await selectRows<{ asset_id: number }>(
  handle.db,
  sql`select asset_id from asset_sources where source = 'coingecko' and source_id = 'bitcoin'`,
);
await handle.close();
const server = await startServe(database.env);
const browser = await launchChromium();
try {
  for (const [name, path, width] of [
    ['overview', '/#/', 1200],
    ['asset', `/#/assets/${btc!.asset_id}?interval=1d&range=30d`, 1200],
    ['assets', '/#/assets', 1200],
    ['overview-phone', '/#/', 375],
  ] as const) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: 'light' });
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector('main h1');
    await page.waitForLoadState('networkidle');
    await page.screenshot({
      path: join(repoRoot, `docs/dashboard-${name}.png`),
      fullPage: width < 500,
    });
    await page.close();
  }
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
  await server.done;
  await database.drop();
  await fake.close();
  rmSync(work, { recursive: true, force: true });
}
