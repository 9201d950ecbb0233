import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { selectRows } from '../../src/db/sql.js';
import { lockSymbols } from '../../src/identity/neighbourhood.js';
import { collect, startKx } from '../helpers/cli.js';
import { serverUrl, withOpen } from '../helpers/db.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { useUpstreamSetup } from '../helpers/upstream-setup.js';

const { setup } = useUpstreamSetup();

/** Advisory locks of the test database that a backend waits for. */
async function waitingForLocks(url: string): Promise<number> {
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await admin<{ n: number }[]>`
      select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and not l.granted and a.datname = current_database()`;
    return row!.n;
  } finally {
    await admin.end();
  }
}

/** Polls until `n` kx processes wait for an advisory lock; fails loudly if they never do. */
async function untilWaiting(url: string, n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await waitingForLocks(url)) >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${n} kx process(es) never waited for the identity lock of a symbol`);
}

/** #21: many workers, one database. Needs a server: PGlite is one process at a time. */
describe.skipIf(!serverUrl)('several workers on one PostgreSQL database', () => {
  it('workers deciding on the same symbol wait for each other, and the later one sees the earlier', async () => {
    const { database, env } = await setup({ coingeckoCoins: 250 });
    const dir = makeScratchDir('kx-concurrent-');
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'btc.csv');
    writeFileSync(
      file,
      'id,symbol,name,current_price,last_updated\nbitcoin,btc,Bitcoin,96114.08,2025-02-09T17:44:04Z\n',
    );

    // This transaction plays a third worker deciding on bitcoin's symbol.
    const handle = await database.open();
    let release!: () => void;
    const held = handle.db.transaction(async (tx) => {
      await lockSymbols(tx, ['BTC', 'btc']);
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      while (!release) await new Promise((resolve) => setTimeout(resolve, 10));
      const csv = collect(startKx(['ingest', '--source', 'csv', '--file', file], env));
      await untilWaiting(env.DATABASE_URL!, 1);
      const gecko = collect(startKx(['ingest', '--source', 'coingecko', '--max-pages', '1'], env));
      await untilWaiting(env.DATABASE_URL!, 2);
      release();
      await held;
      const [a, b] = await Promise.all([csv, gecko]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
    } finally {
      release?.();
      await held.catch(() => undefined);
      await handle.close();
    }

    // Whichever went first, the second saw it: the CSV id `bitcoin` joins CoinGecko's bitcoin.
    const listings = await withOpen(database, ({ db }) =>
      selectRows<{ source: string; asset_id: string; match_method: string }>(
        db,
        sql`select source, asset_id::text, match_method from asset_sources
            where (source, source_id) in (('csv', 'bitcoin'), ('coingecko', 'bitcoin'))`,
      ),
    );
    expect(listings).toHaveLength(2);
    expect(new Set(listings.map((r) => r.asset_id)).size).toBe(1);
    expect(listings.find((r) => r.source === 'csv')?.match_method).toBe('csv_id');
  });
});
