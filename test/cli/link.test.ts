import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleDatabase, runKx } from '../helpers/cli.js';
import type { TestDatabase } from '../helpers/db.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createSampleDatabase();
});
afterAll(() => database.drop());

describe('kx link / kx unlink', () => {
  it('pins a listing to an asset and detaches it again', async () => {
    const unlinked = await runKx(['unlink', 'csv:ethereum', '--json'], database.env);
    expect(unlinked.code, unlinked.stderr).toBe(0);
    const u = JSON.parse(unlinked.stdout) as { asset_id: number; previous_asset_id: number };
    expect(u.asset_id).not.toBe(u.previous_asset_id);
    const linked = await runKx(['link', 'csv:weth', String(u.asset_id)], database.env);
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stdout).toMatch(
      new RegExp(`^csv:weth linked to asset ${u.asset_id} \\(was \\d+\\)\\n$`),
    );
  });

  it.each([
    [['link', 'bitcoin', '1'], 'expected <source>:<id>'],
    [['link', 'kraken:btc', '1'], 'source one of coingecko, coinpaprika, csv'],
    [['link', 'csv:bitcoin', 'x1'], 'asset id must be a positive whole number'],
    [['link', 'csv:bitcoin', '99999999'], 'asset 99999999 does not exist'],
    [['unlink', 'csv:no-such-coin'], 'no listing csv:no-such-coin'],
  ])('%j is a usage error (exit 2): %s', async (args, message) => {
    const r = await runKx(args, database.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
