import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assetSources,
  etlCheckpoints,
  etlRuns,
  quotes,
  rawCsv,
  rawCsvFiles,
  rejectedRecords,
} from '../../src/db/schema.js';
import { ingestUntilCommitted, repoRoot, runKx } from '../helpers/cli.js';
import { makeSnapshotCsv } from '../helpers/csv-gen.js';
import { createTestDatabase, serverUrl, withOpen, type TestDatabase } from '../helpers/db.js';
import { snapshotState } from '../helpers/state.js';
import { adminQuery } from '../helpers/template.js';

const sample = join(repoRoot, 'fixtures/sample.csv');

let database: TestDatabase;
let work: string;
beforeEach(async () => {
  database = await createTestDatabase();
  work = mkdtempSync(join(tmpdir(), 'kx-csv-'));
});
afterEach(async () => {
  await database.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('kx ingest --source csv', () => {
  it('loads the sample snapshot with exact values and records the run', async () => {
    const result = await runKx(
      ['ingest', '--source', 'csv', '--file', sample, '--json'],
      database.env,
    );
    expect(result.stderr).not.toContain('Error');
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(run).toMatchObject({
      status: 'succeeded',
      fetched: 250,
      loaded: 250,
      unchanged: 0,
      rejected: 0,
    });

    await withOpen(database, async ({ db }) => {
      const [btc] = await db.select().from(quotes).where(eq(quotes.sourceId, 'bitcoin'));
      expect(btc).toMatchObject({
        priceUsd: '96114.08481738689',
        marketCapUsd: '1903746811536',
        maxSupply: '21000000',
        rank: 1,
        percentChange24h: '-0.15059',
      });
      expect(btc!.observedAt.toISOString()).toBe('2025-02-09T17:44:04.143Z');
      const [xrp] = await db.select().from(quotes).where(eq(quotes.sourceId, 'ripple'));
      expect(xrp!.percentChange24h).toBe('-0.00006'); // written -6.0e-05 in the file
      const [stale] = await db
        .select()
        .from(assetSources)
        .where(eq(assetSources.sourceId, 'resolv-wstusr'));
      expect(stale).toMatchObject({ symbol: 'WSTUSR', percentChange24h: null });
      const [stored] = await db.select().from(etlRuns);
      expect(stored!.mapping).toMatchObject({ delimiter: ',' });
      expect(JSON.stringify(stored!.mapping)).toContain('"field":"price_usd"');
      // The raw record is the file's line, byte for byte, and its header is stored once.
      const lines = readFileSync(sample, 'utf8').split('\n');
      const [raw] = await db.select().from(rawCsv).where(eq(rawCsv.sourceId, 'bitcoin'));
      expect(raw!.line.toString('utf8')).toBe(lines[1]);
      expect(raw!.lineNumber).toBe(2);
      const files = await db.select().from(rawCsvFiles);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ id: raw!.fileId, path: sample, delimiter: ',' });
      expect(files[0]!.header!.toString('utf8')).toBe(lines[0]);
      expect(files[0]!.columns).toEqual(lines[0]!.split(','));
    });
  });

  it('prints a human summary on stdout and keeps logs on stderr', async () => {
    const file = join(work, 'coins.csv');
    copyFileSync(sample, file);
    const result = await runKx(['ingest', '--source', 'csv', '--file', file], database.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^csv run #1 succeeded: 250 read, 250 loaded, 0 unchanged, 0 rejected in [\d.]+ s \([\d,]+ records\/s\)\n$/,
    );
    // Run again, it says why it read nothing.
    const again = await runKx(['ingest', '--source', 'csv', '--file', file], database.env);
    expect(again.stdout).toMatch(
      /^csv run #2 succeeded: 0 read, 0 loaded, 0 unchanged, 0 rejected in [\d.]+ s \(0 records\/s\)\n {2}nothing appended since run #1 read the file to line 251 \(--full-refresh reads it all again\)\n$/,
    );
    // One that fails on an appended line does not say nothing was appended.
    appendFileSync(file, 'broken,brk,"Broken\n');
    const failed = await runKx(['ingest', '--source', 'csv', '--file', file], database.env);
    expect(failed.code).toBe(4);
    expect(failed.stdout).toMatch(
      /^csv run #3 failed: 0 read[^\n]*\n {2}read on from where run #1 read the file to line 251\n$/,
    );
  });

  it('reads only appended lines, nothing from an unchanged file, and no duplicates from a rewritten one', async () => {
    const file = join(work, 'coins.csv');
    writeFileSync(file, makeSnapshotCsv(300));
    const ingest = async () => {
      const r = await runKx(['ingest', '--source', 'csv', '--file', file, '--json'], {
        ...database.env,
        KX_BATCH_SIZE: '64',
      });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const first = await ingest();
    expect(first).toMatchObject({ fetched: 300, loaded: 300 });
    expect(first).not.toHaveProperty('continues');

    // Each run that reads on names the run whose checkpoint it read on from, and its line.
    const unchanged = await ingest();
    expect(unchanged).toMatchObject({ fetched: 0, loaded: 0 });
    expect(unchanged.continues).toEqual({ run_id: 1, after_line: 301 });

    appendFileSync(file, makeSnapshotCsv(25, { startAt: 300 }));
    const appended = await ingest();
    expect(appended).toMatchObject({ fetched: 25, loaded: 25, unchanged: 0 });
    expect(appended.continues).toEqual({ run_id: 1, after_line: 301 }); // run #2 moved nothing

    // Rewritten: same rows in another order plus 5 new ones → only the 5 are new.
    const [header, ...rows] = makeSnapshotCsv(330).trim().split('\n');
    writeFileSync(file, `${[header, ...rows.reverse()].join('\n')}\n`);
    const rewritten = await ingest();
    expect(rewritten).toMatchObject({ fetched: 330, loaded: 5, unchanged: 325 });
    expect(rewritten).not.toHaveProperty('continues');

    await withOpen(database, async (handle) => {
      const state = await snapshotState(handle);
      expect(state.quotes).toHaveLength(330);
      expect(state.rawRows).toBe(330);
      expect(state.rawDistinct).toBe(330);
      const [checkpoint] = await handle.db.select().from(etlCheckpoints);
      expect(checkpoint!.cursor).toMatchObject({ line: 331 });
      expect(checkpoint!.records).toBe(330); // read again from the top: counted afresh
    });
  });

  it('a last line without a line break is read again, whole, when the file goes on from it', async () => {
    const file = join(work, 'live.csv');
    // a file still being written: its last line is cut short in the middle of the price
    writeFileSync(file, 'date,symbol,price\n2024-01-05,BTC,42000.5\n2024-01-06,BTC,4300');
    const ingest = async () => {
      const r = await runKx(['ingest', '--source', 'csv', '--file', file, '--json'], database.env);
      expect(r.code, r.stderr).toBe(0);
      return { ...(JSON.parse(r.stdout) as Record<string, number>), stderr: r.stderr };
    };
    expect(await ingest()).toMatchObject({ fetched: 2, loaded: 2 });
    expect(await ingest()).toMatchObject({ fetched: 0, loaded: 0 }); // unchanged: nothing read
    appendFileSync(file, '1.5\n2024-01-07,BTC,44000');
    const continued = await ingest();
    // `1.5` was read as a record of its own, and the cut price stayed
    expect(continued).toMatchObject({ fetched: 2, loaded: 2, rejected: 0 });
    // it read on from line 2, before the cut line
    expect(continued).toMatchObject({ continues: { run_id: 1, after_line: 2 } });
    expect(continued.stderr).toContain('its last line (3) had no line break');
    // ended first, as a tool that appends whole lines does: the last line is not read again
    appendFileSync(file, '\n2024-01-08,BTC,45000\n');
    expect(await ingest()).toMatchObject({ fetched: 1, loaded: 1 });
    await withOpen(database, async ({ db }) => {
      const rows = await db
        .select()
        .from(quotes)
        .where(eq(quotes.sourceId, 'btc'))
        .orderBy(quotes.observedAt);
      expect(rows.map((q) => [q.observedAt.toISOString().slice(0, 10), q.priceUsd])).toEqual([
        ['2024-01-05', '42000.5'],
        ['2024-01-06', '43001.5'],
        ['2024-01-07', '44000'],
        ['2024-01-08', '45000'],
      ]);
    });
  });

  it('a file written again in place while it is read: exit 4, and the next ingest reads it whole', async () => {
    const file = join(work, 'export.csv');
    writeFileSync(file, makeSnapshotCsv(30_000));
    const env = { ...database.env, KX_BATCH_SIZE: '500' };
    const args = ['ingest', '--source', 'csv', '--file', file];
    // as a script's to_csv does: truncate, then write the new export
    const r = await ingestUntilCommitted(args, env, 1000, () =>
      writeFileSync(file, makeSnapshotCsv(200)),
    );
    expect(r.actedAt).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(
      /export\.csv was cut to \d+ bytes \(kx had read \d+\) while kx read it: a program is writing it in place/,
    );
    const committed = await withOpen(
      database,
      async ({ db }) => (await db.select().from(quotes)).length,
    );
    expect(committed).toBeGreaterThanOrEqual(r.actedAt);
    expect(committed).toBeLessThan(30_000);

    const again = await runKx([...args, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      'was rewritten since the last run; reading it again from the start',
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ fetched: 200, rejected: 0 });
  });

  it('a resume stopped at its second run still reports the first it finished', async () => {
    // Two failed runs; the resume's injected failure (after 180 records of a run) lands in
    // the second, after the first's last 150. Its output named the failed run alone: a
    // script saw no run resumed.
    const env = { ...database.env, KX_BATCH_SIZE: '50' };
    const files = [250, 300].map((count, i) => {
      const file = join(work, `part-${i}.csv`);
      const header = makeSnapshotCsv(0);
      writeFileSync(file, header + makeSnapshotCsv(count, { startAt: 1 + i * 1000 }));
      return file;
    });
    for (const file of files) {
      const failed = await runKx(['ingest', '--source', 'csv', '--file', file], {
        ...env,
        FAIL_AFTER_N_RECORDS: '100',
      });
      expect(failed.code, failed.stderr).toBe(5);
    }
    const stopped = await runKx(['resume', '--json'], { ...env, FAIL_AFTER_N_RECORDS: '180' });
    expect(stopped.code, stopped.stderr).toBe(5);
    expect(JSON.parse(stopped.stdout)).toMatchObject({
      run_id: 2,
      status: 'failed',
      error: { code: 'injected', exit_code: 5 },
      resumed: [{ run_id: 1, status: 'succeeded', fetched: 150, loaded: 150 }],
    });
    // In text: run #2's last 20 records, then a third failed run stopped again
    const third = await runKx(
      ['ingest', '--source', 'csv', '--file', files[0]!, '--full-refresh'],
      {
        ...env,
        FAIL_AFTER_N_RECORDS: '100',
      },
    );
    expect(third.code, third.stderr).toBe(5);
    const again = await runKx(['resume'], { ...env, FAIL_AFTER_N_RECORDS: '100' });
    expect(again.code, again.stderr).toBe(5);
    expect(again.stdout).toMatch(/^csv resumed #2 succeeded: 20 read[^\n]*\ncsv resumed #3 failed/);
    const done = await runKx(['resume', '--json'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject([{ run_id: 3, status: 'succeeded' }]);
    const stored = await withOpen(
      database,
      async ({ db }) => (await db.select().from(quotes)).length,
    );
    expect(stored).toBe(550);
  });

  it('a file moved away before its run resumes: exit 4 saying where kx got to in it', async () => {
    const file = join(work, 'moved.csv');
    const away = join(work, 'elsewhere.csv');
    writeFileSync(file, makeSnapshotCsv(300));
    const env = { ...database.env, KX_BATCH_SIZE: '50' };
    const failed = await runKx(['ingest', '--source', 'csv', '--file', file], {
      ...env,
      FAIL_AFTER_N_RECORDS: '100',
    });
    expect(failed.code, failed.stderr).toBe(5);
    renameSync(file, away);
    const missing = await runKx(['resume'], env);
    expect(missing.code, missing.stderr).toBe(4);
    expect(missing.stderr).toContain(
      'moved.csv: file not found; kx read it to line 101 before: put it back at this path',
    );
    renameSync(away, file);
    const resumed = await runKx(['resume', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    // the 200 rows after the checkpoint: every row once
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ status: 'succeeded', loaded: 200 }]);
    const stored = await withOpen(
      database,
      async ({ db }) => (await db.select().from(quotes)).length,
    );
    expect(stored).toBe(300);
  });

  it('re-reads a touched but unchanged snapshot without new quotes (file time is the observation time)', async () => {
    const file = join(work, 'no-dates.csv');
    writeFileSync(file, 'symbol,name,price\nBTC,Bitcoin,100\nETH,Ethereum,10\n');
    expect((await runKx(['ingest', '--source', 'csv', '--file', file], database.env)).code).toBe(0);
    writeFileSync(file, 'symbol,name,price\nBTC,Bitcoin,100\nETH,Ethereum,10\n'); // new mtime, same bytes
    const again = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--full-refresh', '--json'],
      database.env,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ fetched: 2, loaded: 0, unchanged: 2 });
    writeFileSync(file, 'symbol,name,price\nBTC,Bitcoin,101\nETH,Ethereum,10\n');
    const changed = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--json'],
      database.env,
    );
    expect(JSON.parse(changed.stdout)).toMatchObject({ fetched: 2, loaded: 1, unchanged: 1 });
    await withOpen(database, async ({ db }) => {
      expect(await db.select().from(quotes)).toHaveLength(3);
      const [btc] = await db.select().from(assetSources).where(eq(assetSources.symbol, 'BTC'));
      expect(btc!.priceUsd).toBe('101');
    });
  });

  it('maps a single-asset history file with --symbol and --map', async () => {
    const file = join(repoRoot, 'fixtures/csv/upstream/coingecko_export_btc-usd-max.csv');
    const refused = await runKx(['ingest', '--source', 'csv', '--file', file], database.env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('--symbol SYM');
    const result = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--symbol', 'btc', '--json'],
      database.env,
    );
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as { fetched: number; loaded: number; rejected: number };
    expect(run).toMatchObject({ fetched: 3776, loaded: 3776, rejected: 0 });
    await withOpen(database, async ({ db }) => {
      const [latest] = await db.select().from(assetSources);
      expect(latest).toMatchObject({ symbol: 'BTC', sourceId: 'btc' });
      expect(latest!.observedAt.toISOString()).toBe('2023-08-31T00:00:00.000Z');
      const [first] = await db.select().from(quotes).orderBy(quotes.observedAt).limit(1);
      expect(first).toMatchObject({ priceUsd: '135.3' });
    });
  });

  it('quarantines bad rows with their line and reason and loads the good ones', async () => {
    const file = join(repoRoot, 'fixtures/csv/peers/Utkarsh3042__crypto_data_dirty.csv');
    const result = await runKx(['ingest', '--source', 'csv', '--file', file, '--json'], {
      ...database.env,
      KX_MAX_REJECT_RATIO: '1',
    });
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as { fetched: number; loaded: number; rejected: number };
    expect(run.fetched).toBe(30);
    expect(run.loaded + run.rejected).toBe(30);
    expect(run.rejected).toBeGreaterThanOrEqual(12);
    await withOpen(database, async (handle) => {
      const reasons = await handle.db.select().from(rejectedRecords);
      const byLine = new Map(reasons.map((r) => [r.locator.line, r.reason]));
      expect(byLine.get(10)).toBe('price_usd: must not be negative');
      expect(byLine.get(9)).toBe('symbol: symbol has characters no ticker uses');
      expect(byLine.get(7)).toBe('symbol: missing symbol');
      expect([...byLine.values()]).toContain('observed_at: not a date: "invalid_date"');
      // Rows of `null`s and of blanks are days without a price, not quotes.
      expect(byLine.get(19)).toBe('price_usd: no price ("null")');
      expect(byLine.get(20)).toBe('price_usd: no price ("")');
      for (const r of reasons) expect(JSON.parse(r.raw)).toHaveProperty('symbol');
    });
  });

  it('fails with exit 4 when the rejected share is above KX_MAX_REJECT_RATIO, keeping what was committed', async () => {
    const file = join(work, 'half-bad.csv');
    writeFileSync(file, makeSnapshotCsv(40, { badEvery: 2 }));
    const result = await runKx(['ingest', '--source', 'csv', '--file', file, '--json'], {
      ...database.env,
      KX_MAX_REJECT_RATIO: '0.25',
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      '20 of 40 records rejected (50.0%), above KX_MAX_REJECT_RATIO=0.25; ' +
        'most of them (20) on price_usd, e.g. price_usd: not a number: "not-a-price"',
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'failed', loaded: 20, rejected: 20 });
    await withOpen(database, async ({ db }) => {
      expect(await db.select().from(quotes)).toHaveLength(20);
      const [run] = await db.select().from(etlRuns);
      expect(run).toMatchObject({ status: 'failed', errorCode: 'input', resumable: false });
    });
    const resume = await runKx(['resume'], database.env);
    expect(resume.stdout).toContain('nothing to resume');
  });

  it('a corrected --map reads the file again and replaces what the wrong one loaded', async () => {
    const file = join(repoRoot, 'fixtures/csv/wild/investing_com_bitcoin_historical_data_mdy.csv');
    const ingest = (...map: string[]) =>
      runKx(
        ['ingest', '--source', 'csv', '--file', file, '--symbol', 'BTC', '--json', ...map],
        database.env,
      );
    const priceOn = (day: string) =>
      withOpen(database, async ({ db }) => {
        const [q] = await db
          .select()
          .from(quotes)
          .where(eq(quotes.observedAt, new Date(`${day}T00:00:00Z`)));
        return q?.priceUsd;
      });
    // Line 2: `3/24/2024,"67,211.90","64,036.50",…` (Price, then Open).
    const wrong = await ingest('--map', 'Price=', '--map', 'Open=price_usd');
    expect(JSON.parse(wrong.stdout)).toMatchObject({ status: 'succeeded', loaded: 40 });
    expect(await priceOn('2024-03-24')).toBe('64036.5');
    const fixed = await ingest();
    expect(fixed.stderr).toContain(
      'was last read with other --map, --symbol, --date-format or --decimal flags',
    );
    expect(JSON.parse(fixed.stdout)).toMatchObject({ fetched: 40, loaded: 40, unchanged: 0 });
    expect(await priceOn('2024-03-24')).toBe('67211.9');
    const again = await ingest();
    expect(JSON.parse(again.stdout)).toMatchObject({ fetched: 0, loaded: 0 });
  });

  it('a Spanish export (decimal commas, DD.MM.YYYY, Fecha/Último) loads the same quotes as the English one', async () => {
    const wild = join(repoRoot, 'fixtures/csv/wild');
    const quotesOf = async (file: string) => {
      const other = await createTestDatabase();
      try {
        const r = await runKx(
          ['ingest', '--source', 'csv', '--file', join(wild, file), '--symbol', 'BTC', '--json'],
          other.env,
        );
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ loaded: 40, rejected: 0 });
        return await withOpen(other, async ({ db }) =>
          (await db.select().from(quotes).orderBy(quotes.observedAt)).map((q) => ({
            at: q.observedAt.toISOString(),
            price: q.priceUsd,
            volume: q.volume24hUsd,
          })),
        );
      } finally {
        await other.drop();
      }
    };
    const spanish = await quotesOf('investing_com_bitcoin_datos_historicos_es.csv');
    // Line 2: `"24.03.2024","67.211,90",…`; line 41: `"14.02.2024","51.782,40",…`.
    expect(spanish.at(-1)).toEqual({
      at: '2024-03-24T00:00:00.000Z',
      price: '67211.9',
      volume: null,
    });
    expect(spanish[0]).toMatchObject({ at: '2024-02-14T00:00:00.000Z', price: '51782.4' });
    expect(spanish).toEqual(await quotesOf('investing_com_bitcoin_historical_data_mdy.csv'));
  });

  it('numbers that read both ways are refused naming --decimal; with it they load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kx-decimal-'));
    try {
      const file = join(dir, 'closes.csv');
      // Every price is `N,NNN`: a few thousand dollars, or a little over one.
      writeFileSync(file, 'date,close\n2024-03-01,"2,450"\n2024-03-02,"2,400"\n');
      const args = ['ingest', '--source', 'csv', '--file', file, '--symbol', 'ETH', '--json'];
      const refused = await runKx(args, database.env);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(
        '"2,450" in column "close" on line 2 could be either, and no number in the file settles it',
      );
      expect(refused.stderr).toContain('pass --decimal . (1,234.5) or --decimal , (1.234,5)');
      const comma = await runKx([...args, '--decimal', ','], database.env);
      expect(comma.code, comma.stderr).toBe(0);
      const prices = () =>
        withOpen(database, async ({ db }) =>
          (await db.select().from(quotes).orderBy(quotes.observedAt)).map((q) => q.priceUsd),
        );
      expect(await prices()).toEqual(['2.45', '2.4']);
      const point = await runKx([...args, '--decimal', '.'], database.env);
      expect(point.stderr).toContain('reading it again from the start');
      expect(JSON.parse(point.stdout)).toMatchObject({ loaded: 2 });
      expect(await prices()).toEqual(['2450', '2400']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a header-less Binance kline dump is refused naming --columns; with it, ms and µs times load', async () => {
    const file = join(repoRoot, 'fixtures/csv/wild/binance_btcusdt_1d_klines_headerless.csv');
    const args = ['ingest', '--source', 'csv', '--file', file, '--symbol', 'BTC', '--json'];
    const refused = await runKx(args, database.env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(':1: no header row: the first line ("1704067200000,42283.58');
    expect(refused.stderr).toContain('--columns binance-kline');
    const loaded = await runKx([...args, '--columns', 'binance-kline'], database.env);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(JSON.parse(loaded.stdout)).toMatchObject({ fetched: 2, loaded: 2, rejected: 0 });
    expect(loaded.stderr).toContain('column "volume_base" counts coins');
    const written = await withOpen(database, async ({ db }) =>
      (await db.select().from(quotes).orderBy(quotes.observedAt)).map((q) => [
        q.observedAt.toISOString(),
        q.priceUsd,
      ]),
    );
    // Line 1 `1704067200000,…,44179.55,…` (close, ms); line 2 `1735689600000000,…,94591.79,…` (µs).
    expect(written).toEqual([
      ['2024-01-01T00:00:00.000Z', '44179.55'],
      ['2025-01-01T00:00:00.000Z', '94591.79'],
    ]);
    const again = await runKx([...args, '--columns', 'binance-kline'], database.env);
    expect(JSON.parse(again.stdout)).toMatchObject({ fetched: 0, loaded: 0 });
    // One name short: every close would be read from the column before it.
    const short = await runKx(
      [...args, '--columns', 'open_time,open,high,low,close,volume_base'],
      database.env,
    );
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('kx: --columns names 6 columns, but line 1 of');
    expect(short.stderr).toContain('has 12 ("1704067200000,42283.58');
    const bad = await runKx([...args, '--columns', 'open_time'], database.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--columns expects a comma-separated name for every column');
  });

  it('a time of day in a column of its own joins the date: hours stay apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kx-time-'));
    try {
      const file = join(dir, 'hourly.csv');
      writeFileSync(
        file,
        'Date,Time,Close\n2024-03-24,07:00,67211.9\n2024-03-24,8:00 PM,67300.1\n2024-03-25,,67400\n',
      );
      const r = await runKx(
        ['ingest', '--source', 'csv', '--file', file, '--symbol', 'BTC', '--json'],
        database.env,
      );
      expect(r.code, r.stderr).toBe(0);
      const written = await withOpen(database, async ({ db }) =>
        (await db.select().from(quotes).orderBy(quotes.observedAt)).map((q) => [
          q.observedAt.toISOString(),
          q.priceUsd,
        ]),
      );
      expect(written).toEqual([
        ['2024-03-24T07:00:00.000Z', '67211.9'],
        ['2024-03-24T20:00:00.000Z', '67300.1'],
        ['2024-03-25T00:00:00.000Z', '67400'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--dry-run says how it read each column: field, unit, date order, decimal mark', async () => {
    const file = join(repoRoot, 'fixtures/csv/wild/investing_com_bitcoin_datos_historicos_es.csv');
    const r = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--symbol', 'BTC', '--dry-run'],
      database.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'dry run: 40 read, 40 valid, 0 rejected',
      '  "Fecha" → observed_at, dates read day-first (synonym 0.9)',
      '  "Último" → price_usd, US dollars (synonym 0.9)',
      '  every row is BTC (--symbol)',
      '  numbers with a decimal comma (1.234,5), cells split by ","',
      '  not used: "Apertura", "Máximo", "Mínimo", "Vol.", "% var."',
      '',
    ]);
  });

  it('--dry-run says how it reads a symbol column of names and tickers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kx-named-'));
    try {
      const file = join(dir, 'coins.csv');
      writeFileSync(file, 'Coin,Price\nBitcoin BTC,42283.58\nEthereum ETH,2352.04\n');
      utimesSync(file, new Date('2024-01-05T12:00:00Z'), new Date('2024-01-05T12:00:00Z'));
      const r = await runKx(
        ['ingest', '--source', 'csv', '--file', file, '--map', 'Coin=symbol', '--dry-run'],
        database.env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')).toContain(
        '  symbols are names and tickers ("Bitcoin BTC"): each row is its ticker',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--dry-run says a column was read from its markets, and which way they are written', async () => {
    const file = join(repoRoot, 'fixtures/csv/wild/poloniex_return_ticker_2018_pandas_index.csv');
    const r = await runKx(['ingest', '--source', 'csv', '--file', file, '--dry-run'], database.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 6)).toEqual([
      'dry run: 19 read, 10 valid, 9 rejected',
      '  "" → symbol (read from its markets)',
      '  "id" → source_id (synonym 1)',
      '  "last" → price_usd, US dollars (synonym 0.9)',
      '  "baseVolume" → volume_24h_usd, US dollars (read from its markets)',
      '  symbols are trading pairs priced in US dollars, written quote first ("USDT_BTC"): ' +
        'each row is its base coin',
    ]);
  });

  it('--dry-run validates and maps without writing', async () => {
    const result = await runKx(
      ['ingest', '--source', 'csv', '--file', sample, '--dry-run', '--json'],
      database.env,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      dry_run: true,
      fetched: 250,
      valid: 250,
      rejected: 0,
    });
    await withOpen(database, async ({ db }) => {
      expect(await db.select().from(etlRuns)).toHaveLength(0);
    });
  });
});

describe.skipIf(!serverUrl)('kx ingest on a server with a statement_timeout for its users', () => {
  it("loads batches whose statements take longer than the server's timeout", async () => {
    // 60,000 rows in one batch: landing them takes longer than the timeout on any machine
    const lines = ['date,symbol,price'];
    for (let c = 0; c < 60; c++)
      for (let d = 0; d < 1000; d++)
        lines.push(
          `${new Date(Date.UTC(2022, 0, 1 + d)).toISOString().slice(0, 10)},C${c},${c + 1}.5`,
        );
    const file = join(work, 'history.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const name = new URL(database.env.DATABASE_URL!).pathname.slice(1);
    await adminQuery(serverUrl!, `alter database ${name} set statement_timeout = '400ms'`);
    const r = await runKx(['ingest', '--source', 'csv', '--file', file, '--json'], {
      ...database.env,
      KX_BATCH_SIZE: '60000',
    });
    // was exit 1: "canceling statement due to statement timeout (SQLSTATE 57014)"
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ fetched: 60_000, loaded: 60_000 });
  });
});
