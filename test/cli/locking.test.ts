import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { etlRuns } from '../../src/db/schema.js';
import { repoRoot, runKx } from '../helpers/cli.js';
import { createTestDatabase, serverUrl, withOpen, type TestDatabase } from '../helpers/db.js';

const sample = join(repoRoot, 'fixtures/sample.csv');
let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.drop();
});

describe.skipIf(serverUrl)('embedded database (PGlite) is one process at a time', () => {
  const writeLock = (pid: number) => {
    const dir = database.env.KX_DATA_DIR!;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'kx.lock'),
      JSON.stringify({ pid, host: hostname(), command: 'serve', since: '2026-01-01T00:00:00Z' }),
    );
  };

  it('a second process gets exit 6 naming the holder and the fix', async () => {
    writeLock(process.pid); // this test process is alive: it plays the first kx
    const r = await runKx(['ingest', '--source', 'csv', '--file', sample], database.env);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`in use by pid ${process.pid} (kx serve`);
    expect(r.stderr).toContain('set DATABASE_URL');
  });

  it('a lock left by a dead process is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    writeLock(dead);
    const r = await runKx(['ingest', '--source', 'csv', '--file', sample], database.env);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe.skipIf(!serverUrl)('PostgreSQL server: a per-source advisory lock', () => {
  it('a concurrent run of the same source gets exit 6, and a live run is never marked abandoned', async () => {
    // This connection plays a live kx ingest of csv: it holds the lock and has a running run.
    const sql = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
    try {
      await withOpen(database, async ({ db }) => {
        await db.insert(etlRuns).values({
          source: 'csv',
          status: 'running',
          trigger: 'ingest',
          streamKey: sample,
          params: { file: sample },
        });
      });
      await sql`select pg_advisory_lock(hashtext('kx:source:csv'))`;
      const ingest = await runKx(['ingest', '--source', 'csv', '--file', sample], database.env);
      expect(ingest.code).toBe(6);
      expect(ingest.stderr).toContain('another kx process is running an ingest of csv');
      const resume = await runKx(['resume', '--source', 'csv'], database.env);
      expect(resume.code).toBe(6);
      const status = await runKx(['status', '--source', 'csv', '--json'], database.env);
      expect(JSON.parse(status.stdout)).toMatchObject({
        sources: [{ lastRun: { status: 'running' } }],
      });

      await sql`select pg_advisory_unlock(hashtext('kx:source:csv'))`; // the holder dies
      const after = await runKx(['status', '--source', 'csv', '--json'], database.env);
      expect(JSON.parse(after.stdout)).toMatchObject({
        sources: [{ lastRun: { status: 'abandoned', resumable: true } }],
      });
    } finally {
      await sql.end();
    }
  });
});
