import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quotes, rawCsv, rawCsvFiles, rejectedRecords } from '../../src/db/schema.js';
import { runKx } from '../helpers/cli.js';
import { createTestDatabase, withOpen, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase;
let work: string;
beforeEach(async () => {
  database = await createTestDatabase();
  work = mkdtempSync(join(tmpdir(), 'kx-raw-lines-'));
});
afterEach(async () => {
  await database.drop();
  rmSync(work, { recursive: true, force: true });
});

/**
 * A file with what real exports have: a byte order mark, CRLF line breaks, a blank line, a
 * quoted cell with a line break inside, a byte that is not UTF-8 (Latin-1 é) in a column kx
 * does not read, and no line break after the last row.
 */
const parts = [
  Buffer.from('\uFEFFid,symbol,name,current_price,last_updated,note'),
  Buffer.from('bitcoin,btc,Bitcoin,96000.5,2025-02-09T17:44:04Z,'),
  Buffer.from('\r\nethereum,eth,"Ether\r\neum",2600.25,2025-02-09T17:44:04Z,"a ""quoted"" note"'),
  Buffer.concat([
    Buffer.from('tether,usdt,Tether,1.0001,2025-02-09T17:44:04Z,caf'),
    Buffer.from([0xe9]),
  ]),
];

describe('raw CSV lines', () => {
  it('keep every record byte for byte, and the header once per file version', async () => {
    const file = join(work, 'export.csv');
    const bytes = Buffer.concat(
      parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('\r\n'), p])),
    );
    writeFileSync(file, bytes);
    const first = await runKx(['ingest', '--source', 'csv', '--file', file], database.env);
    expect(first.stderr).not.toContain('Error');
    expect(first.code).toBe(0);

    await withOpen(database, async ({ db }) => {
      const [version, ...others] = await db.select().from(rawCsvFiles);
      expect(others).toEqual([]);
      expect(version!.header).toEqual(parts[0]);
      expect(version!.columns).toEqual([
        'id',
        'symbol',
        'name',
        'current_price',
        'last_updated',
        'note',
      ]);
      const lines = await db.select().from(rawCsv).orderBy(asc(rawCsv.lineNumber));
      // The line each record ends on: the blank line and the line break in the quoted cell count.
      expect(lines.map((l) => l.lineNumber)).toEqual([2, 5, 6]);
      expect(lines.every((l) => l.fileId === version!.id)).toBe(true);
      // The header and the lines, joined by the file's line break, are the file again.
      const joined = [version!.header!, ...lines.map((l) => l.line)].flatMap((p, i) =>
        i === 0 ? [p] : [Buffer.from('\r\n'), p],
      );
      expect(Buffer.concat(joined).equals(bytes)).toBe(true);
      const prices = await db.select({ price: quotes.priceUsd }).from(quotes);
      expect(prices.map((q) => q.price).sort()).toEqual(['1.0001', '2600.25', '96000.5']);
    });

    // Rewritten with LF line breaks: a line is kept without its line break, so only the record
    // with line breaks inside (and the blank line before it) is other bytes, a new version.
    // Read again, nothing is new.
    const lf = Buffer.from(bytes.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
    writeFileSync(file, lf);
    const rewritten = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--json'],
      database.env,
    );
    expect(JSON.parse(rewritten.stdout)).toMatchObject({ loaded: 1, unchanged: 2 });
    const again = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--full-refresh', '--json'],
      database.env,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ loaded: 0, unchanged: 3 });
    await withOpen(database, async ({ db }) => {
      expect(await db.select().from(rawCsvFiles)).toHaveLength(1);
      const lines = await db.select().from(rawCsv);
      expect(lines).toHaveLength(4);
      expect(lines.map((l) => l.line.toString('latin1'))).toContain(
        '\nethereum,eth,"Ether\neum",2600.25,2025-02-09T17:44:04Z,"a ""quoted"" note"',
      );
    });
  });

  it('a Windows-1252 export: rows whose name is not UTF-8 are rejected, naming the fix', async () => {
    const file = join(work, 'latin.csv');
    const cp1252 = (text: string) => Buffer.from(text.replaceAll('€', '\x80'), 'latin1');
    writeFileSync(
      file,
      cp1252(
        'id,symbol,name,current_price,last_updated,Bemerkung €\n' +
          'bitcoin,btc,Bitcoin,96000.5,2025-02-09T17:44:04Z,\n' +
          'cafe,cafe,Café Coin,1.5,2025-02-09T17:44:04Z,\n' +
          'tether,usdt,Tether,1.0001,2025-02-09T17:44:04Z,café\n',
      ),
    );
    const run = await runKx(['ingest', '--source', 'csv', '--file', file, '--json'], database.env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ loaded: 2, rejected: 1 });
    expect(run.stderr).toMatch(/the header is not UTF-8 text .*iconv -f WINDOWS-1252 -t UTF-8/);
    await withOpen(database, async ({ db }) => {
      const rejected = await db.select().from(rejectedRecords);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ field: 'name', locator: { line: 3 } });
      expect(rejected[0]!.reason).toMatch(
        /^name: not UTF-8 text \(read as UTF-8 it would be "Caf\uFFFD Coin"\); .*iconv -f WINDOWS-1252/,
      );
      // The é outside the listing's cells is kept as its byte, and loads.
      const [tether] = await db.select().from(rawCsv).where(eq(rawCsv.sourceId, 'tether'));
      expect(tether!.line.subarray(-4)).toEqual(Buffer.from('caf\xe9', 'latin1'));
    });
  });
});
