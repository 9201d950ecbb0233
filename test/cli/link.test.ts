import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleDatabase, runKx } from '../helpers/cli.js';
import type { TestDatabase } from '../helpers/db.js';
import { makeScratchDir } from '../helpers/scratch.js';

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

  it('an ingest that made a nameless listing an asset beside others of its symbol names kx link', async () => {
    const dir = makeScratchDir('kx-lone-');
    try {
      const history = join(dir, 'history.csv');
      writeFileSync(history, 'date,price\n2024-01-05,44000.1\n2024-01-06,44100.2\n');
      const listings = await runKx(['export', 'listings', '--format', 'json'], database.env);
      const bitcoin = (
        JSON.parse(listings.stdout) as { source_id: string; asset_id: number }[]
      ).find((l) => l.source_id === 'bitcoin')!.asset_id;

      const ingest = ['ingest', '--source', 'csv', '--file', history, '--symbol', 'BTC'];
      const first = await runKx(ingest, database.env);
      expect(first.code, first.stderr).toBe(0);
      const hint = new RegExp(
        `\\n {2}csv:btc \\(asset #(\\d+)\\) has the symbol of asset #${bitcoin} \\(csv:bitcoin, Bitcoin\\): (kx link csv:btc ${bitcoin})\\n`,
      ).exec(first.stderr);
      expect(hint, first.stderr).not.toBeNull();
      expect(Number(hint![1])).not.toBe(bitcoin);
      // Said once, when the asset is made: the next run of the listing is quiet.
      const again = await runKx([...ingest, '--full-refresh'], database.env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('kx link');

      const linked = await runKx(hint![2]!.split(' ').slice(1), database.env);
      expect(linked.stdout).toBe(`csv:btc linked to asset ${bitcoin} (was ${hint![1]})\n`);

      // A listing with a name links by it, and nothing is said.
      const named = join(dir, 'named.csv');
      writeFileSync(named, 'date,symbol,name,price\n2024-01-05,ETH,Ethereum,2300.5\n');
      const quiet = await runKx(['ingest', '--source', 'csv', '--file', named], database.env);
      expect(quiet.stdout, quiet.stderr).toContain('1 read, 1 loaded');
      expect(quiet.stderr).not.toContain('kx link');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
