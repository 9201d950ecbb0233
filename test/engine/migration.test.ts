import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { etlRuns } from '../../src/db/schema.js';
import { repoRoot, runKx } from '../helpers/cli.js';
import { createTestDatabase, openKept, serverUrl, withOpen } from '../helpers/db.js';
import { adminQuery } from '../helpers/template.js';

let work: string | undefined;
afterEach(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  work = undefined;
});

/** drizzle/ as it was up to and including migration `last` (its journal cut there). */
function migrationsUpTo(last: string): string {
  work = mkdtempSync(join(tmpdir(), 'kx-migrations-'));
  cpSync(join(repoRoot, 'drizzle'), work, { recursive: true });
  const journalPath = join(work, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === last);
  expect(at).toBeGreaterThanOrEqual(0);
  journal.entries = journal.entries.slice(0, at + 1);
  writeFileSync(journalPath, JSON.stringify(journal));
  return work;
}

const sha256 = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

/** A database to migrate step by step: in memory on PGlite, or a new one on the server. */
interface Target {
  migrate(folder: string): Promise<void>;
  exec(statements: string): Promise<void>;
  query<T>(statement: string): Promise<T[]>;
  close(): Promise<void>;
}

function embedded(): Promise<Target> {
  const pg = new PGlite();
  const db = drizzle(pg);
  return Promise.resolve({
    migrate: (folder) => migrate(db, { migrationsFolder: folder }),
    exec: async (statements) => void (await pg.exec(statements)),
    query: async <T>(statement: string) => (await pg.query<T>(statement)).rows,
    close: () => pg.close(),
  });
}

async function server(url: string): Promise<Target> {
  const name = `kx_migration_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(url, `create database ${name}`);
  const at = new URL(url);
  at.pathname = `/${name}`;
  const client = postgres(at.toString(), { max: 1, onnotice: () => undefined });
  const db = drizzlePostgres(client);
  return {
    migrate: (folder) => migratePostgres(db, { migrationsFolder: folder }),
    exec: async (statements) => void (await client.unsafe(statements)),
    query: async <T>(statement: string) => [...(await client.unsafe(statement))] as T[],
    close: async () => {
      await client.end();
      await adminQuery(url, `drop database if exists ${name} with (force)`);
    },
  };
}

const url = serverUrl;
const targets: [string, () => Promise<Target>][] = [['PGlite', embedded]];
if (url) targets.push(['PostgreSQL', () => server(url)]);

describe.each(targets)(
  'migration 0008 (raw lines, 16-byte hashes, quotes keyed by listing and time), %s',
  (_, open) => {
    it('converts what an older kx stored', async () => {
      const pg = await open();
      try {
        await convertsOlderRows(pg);
      } finally {
        await pg.close();
      }
    });
  },
);

async function convertsOlderRows(pg: Target): Promise<void> {
  await pg.migrate(migrationsUpTo('0007_quotes_history_index'));
  await pg.exec(`
      insert into etl_runs (source, status, trigger, stream_key, params)
        values ('csv', 'succeeded', 'ingest', '/data/a.csv', '{}');
      insert into raw_csv (run_id, locator, source_id, payload, payload_sha256) values
        (1, '{"file": "/data/a.csv", "line": 2}', 'bitcoin',
          '{"id": "bitcoin", "name": "Bit \\"coin\\"", "price": "1,5"}', '${sha256(1)}'),
        (1, '{"file": "/data/a.csv", "line": 3}', 'ether',
          '{"id": "ether", "name": "Ether", "price": "2"}', '${sha256(2)}'),
        (1, '{"file": "/data/b.csv", "line": 7}', 'ether',
          '{"symbol": "ETH", "close": "3"}', '${sha256(3)}');
      insert into raw_coingecko (run_id, locator, source_id, payload, payload_sha256)
        values (1, '{"page": 1, "index": 0}', 'bitcoin', '{"id": "bitcoin"}', '${sha256(4)}');
      insert into assets (symbol, name) values ('BTC', 'Bitcoin');
      insert into asset_sources (source, source_id, asset_id, match_method, confidence, symbol,
          observed_at, payload_sha256, run_id, raw_id)
        values ('csv', 'bitcoin', 1, 'new', 1, 'BTC', now(), '${sha256(1)}', 1, 1);
      insert into quotes (asset_id, source, source_id, observed_at, price_usd, run_id, raw_id)
        values (1, 'csv', 'bitcoin', '2025-01-01Z', 1.5, 1, 1),
          (1, 'csv', 'bitcoin', '2025-01-02Z', 1.6, 1, 1);`);

  await pg.migrate(join(repoRoot, 'drizzle'));

  const files = await pg.query<{
    id: number;
    path: string;
    header: Uint8Array;
    columns: string[];
  }>('select id, path, header, columns from raw_csv_files order by path');
  expect(files.map((f) => [f.path, Buffer.from(f.header).toString(), f.columns])).toEqual([
    // jsonb had kept the keys shortest first: that order is the header's.
    ['/data/a.csv', 'id,name,price', ['id', 'name', 'price']],
    ['/data/b.csv', 'close,symbol', ['close', 'symbol']],
  ]);
  const lines = await pg.query<{
    file: string;
    line_number: number;
    line: Uint8Array;
    payload_hash: Uint8Array;
  }>(`select f.path as file, r.line_number, r.line, r.payload_hash
        from raw_csv r join raw_csv_files f on f.id = r.file_id order by r.id`);
  expect(
    lines.map((r) => [
      r.file,
      r.line_number,
      Buffer.from(r.line).toString(),
      Buffer.from(r.payload_hash).toString('hex'),
    ]),
  ).toEqual([
    ['/data/a.csv', 2, 'bitcoin,"Bit ""coin""","1,5"', sha256(1).slice(0, 32)],
    ['/data/a.csv', 3, 'ether,Ether,2', sha256(2).slice(0, 32)],
    ['/data/b.csv', 7, '3,ETH', sha256(3).slice(0, 32)],
  ]);
  const hashes = await pg.query<{ raw: Uint8Array; listing: Uint8Array }>(
    'select (select payload_hash from raw_coingecko) as raw, (select payload_hash from asset_sources) as listing',
  );
  expect(Buffer.from(hashes[0]!.raw).toString('hex')).toBe(sha256(4).slice(0, 32));
  expect(Buffer.from(hashes[0]!.listing).toString('hex')).toBe(sha256(1).slice(0, 32));
  // quotes keep their rows, now keyed by (source, source_id, observed_at).
  const quotes = await pg.query<{ n: number }>('select count(*)::int as n from quotes');
  expect(quotes[0]!.n).toBe(2);
  await expect(
    pg.exec(`insert into quotes (asset_id, source, source_id, observed_at, run_id, raw_id)
        values (1, 'csv', 'bitcoin', '2025-01-01Z', 1, 1)`),
  ).rejects.toThrow(/quotes_pkey/);
}

describe.each(targets)('migration 0009 (quote_days), %s', (_, open) => {
  it('sums up the days of more than one quote stored before it', async () => {
    const pg = await open();
    try {
      await pg.migrate(migrationsUpTo('0008_raw_lines'));
      await pg.exec(`
        insert into quotes (asset_id, source, source_id, observed_at, price_usd, market_cap_usd,
            volume_24h_usd, run_id, raw_id) values
          (1, 'csv', 'btc', '2025-01-01T23:00Z', 1.5, null, 7, 1, 1),
          (1, 'csv', 'btc', '2025-01-02T00:00Z', 2.50, 100, 8, 1, 1),
          (1, 'csv', 'btc', '2025-01-02T06:00Z', null, 90, null, 1, 1),
          (1, 'csv', 'btc', '2025-01-02T12:00Z', 0.75, null, 9, 1, 1),
          (1, 'coingecko', 'bitcoin', '2025-01-02T12:00Z', 3, 5, 5, 1, 1);`);
      await pg.migrate(join(repoRoot, 'drizzle'));
      const days = await pg.query<Record<string, string | number | null>>(
        `select source, source_id, day::text, open::text, to_char(open_at at time zone 'UTC', 'HH24:MI') as open_at,
           high::text, low::text, close::text, to_char(close_at at time zone 'UTC', 'HH24:MI') as close_at,
           market_cap_usd::text, to_char(market_cap_at at time zone 'UTC', 'HH24:MI') as market_cap_at,
           volume_24h_usd::text, to_char(volume_at at time zone 'UTC', 'HH24:MI') as volume_at, observations
         from quote_days`,
      );
      // 2025-01-01 and CoinGecko's day have one quote each: they are their own summary.
      expect(days).toEqual([
        {
          source: 'csv',
          source_id: 'btc',
          day: '2025-01-02',
          open: '2.50',
          open_at: '00:00',
          high: '2.50',
          low: '0.75',
          close: '0.75',
          close_at: '12:00',
          market_cap_usd: '90',
          market_cap_at: '06:00',
          volume_24h_usd: '9',
          volume_at: '12:00',
          observations: 3,
        },
      ]);
    } finally {
      await pg.close();
    }
  });
});

describe('a database a newer kx migrated', () => {
  it('is refused by this kx (exit 2) before it reads or writes, naming the fix', async () => {
    const database = await createTestDatabase();
    // opened without migrating, as kx itself would not open it
    const raw = () =>
      openKept({
        databaseUrl: database.env.DATABASE_URL,
        dataDir: database.env.KX_DATA_DIR ?? '',
        command: 'test',
      });
    try {
      const journal = JSON.parse(
        readFileSync(join(repoRoot, 'drizzle/meta/_journal.json'), 'utf8'),
      ) as { entries: { when: number }[] };
      const ahead = Math.max(...journal.entries.map((e) => e.when)) + 86_400_000;
      const handle = await raw();
      await handle.db.execute(
        sql`insert into drizzle.__drizzle_migrations (hash, created_at)
          values (${sha256(0xee)}, ${ahead})`,
      );
      await handle.close();
      for (const args of [
        ['status'],
        ['ingest', '--source', 'csv', '--file', join(repoRoot, 'fixtures/sample.csv')],
      ]) {
        const r = await runKx(args, database.env);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(
          `was migrated by a newer kx (its last migration is of ${new Date(ahead).toISOString()}`,
        );
        expect(r.stderr).toContain('upgrade kx here to the version the other workers run');
      }
      await expect(withOpen(database, () => Promise.resolve())).rejects.toThrow('newer kx');
      const after = await raw();
      expect(await after.db.select().from(etlRuns)).toEqual([]);
      await after.close();
    } finally {
      await database.drop();
    }
  });
});

/** A database another application uses, with `setup` run in it; env points kx at it. */
async function foreign(
  kind: string,
  setup: string,
): Promise<{
  env: Record<string, string>;
  query<T>(s: string): Promise<T[]>;
  close(): Promise<void>;
}> {
  if (kind === 'PGlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kx-foreign-'));
    const made = new PGlite(dir);
    await made.exec(setup);
    await made.close();
    const env = { KX_DATA_DIR: dir, DATABASE_URL: '' };
    return {
      env,
      query: async <T>(statement: string) => {
        const pg = new PGlite(dir);
        try {
          return (await pg.query<T>(statement)).rows;
        } finally {
          await pg.close();
        }
      },
      close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const target = await server(url!);
  await target.exec(setup);
  const name = (await target.query<{ db: string }>('select current_database() as db'))[0]!.db;
  const at = new URL(url!);
  at.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: at.toString() },
    query: (statement) => target.query(statement),
    close: () => target.close(),
  };
}

describe.each(targets)('a database another application uses, %s', (kind) => {
  const kxTables = "select count(*)::int as n from pg_tables where tablename = 'etl_runs'";

  it('with a table of a name kx uses: exit 2 naming the fix, its table left alone', async () => {
    const other = await foreign(
      kind,
      "create table assets (id serial primary key, owner text); insert into assets (owner) values ('alice');",
    );
    try {
      const r = await runKx(['status'], other.env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /already has what kx would make: relation "assets" already exists\. .*point DATABASE_URL at a database of kx's own/,
      );
      expect(await other.query('select id, owner from assets')).toEqual([
        { id: 1, owner: 'alice' },
      ]);
      expect(await other.query(kxTables)).toEqual([{ n: 0 }]);
    } finally {
      await other.close();
    }
  });

  it('made with drizzle, whose migrations kx would take for its own: exit 2', async () => {
    const other = await foreign(
      kind,
      `create schema drizzle;
       create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint);
       insert into drizzle.__drizzle_migrations (hash, created_at) values ('${sha256(0xaa)}', 1600000000000);`,
    );
    try {
      const r = await runKx(['status'], other.env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(
        "its drizzle.__drizzle_migrations records 1 migration, none of them kx's",
      );
      expect(await other.query(kxTables)).toEqual([{ n: 0 }]);
    } finally {
      await other.close();
    }
  });
});
