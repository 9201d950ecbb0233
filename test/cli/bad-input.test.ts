import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlRuns } from '../../src/db/schema.js';
import { createSampleDatabase, repoRoot, runKx } from '../helpers/cli.js';
import { makeSnapshotCsv } from '../helpers/csv-gen.js';
import { withOpen, type TestDatabase } from '../helpers/db.js';
import { snapshotState } from '../helpers/state.js';

let database: TestDatabase;
let work: string;
let before: Awaited<ReturnType<typeof snapshotState>>;

const goodRows = makeSnapshotCsv(100);

/** `text` in a legacy encoding, as Excel saves "CSV" in that system's code page (glibc's iconv). */
const encoded = (text: string, encoding: string) =>
  execFileSync('iconv', ['-f', 'UTF-8', '-t', encoding], { input: text });

/** The start of a zip archive: one local file header, for a file named `name`, stored. */
function zipHead(name: string): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4); // version needed
  header.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([header, Buffer.from(name), Buffer.from(goodRows)]);
}

/** Each bad input: how to make it, and what the error must say. */
type BadInput = [string, (path: string) => void, RegExp];
const badInputs: BadInput[] = [
  ['a missing file', () => undefined, /missing\.csv: file not found/],
  ['a directory', (p) => mkdirSync(p), /: is a directory, not a CSV file/],
  ['an empty file', (p) => writeFileSync(p, ''), /: file is empty/],
  [
    'a header and no rows (an export that came out empty)',
    (p) => writeFileSync(p, goodRows.split('\n')[0] + '\r\n\r\n'),
    /: a header and no rows: nothing to load/,
  ],
  [
    'a binary file (a PNG)',
    (p) =>
      writeFileSync(
        p,
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48]),
      ),
    /binary data \(NUL bytes\), not a CSV file/,
  ],
  [
    'a gzip-compressed CSV',
    (p) => writeFileSync(p, gzipSync(goodRows)),
    /: gzip-compressed: unpack it first \(gunzip -k \S+\.csv\) and pass the \.csv/,
  ],
  [
    "a zip of a CSV (data.binance.vision's monthly files)",
    (p) => writeFileSync(p, zipHead('BTCUSDT-1d-2024-01.csv')),
    /: a zip archive: unpack it first \(unzip \S+\) and pass the \.csv inside/,
  ],
  [
    'an Excel workbook',
    (p) => writeFileSync(p, zipHead('[Content_Types].xml')),
    /: an Excel workbook, not a CSV file: save it as "CSV UTF-8" in Excel, or convert it: libreoffice --headless --convert-to csv \S+workbook\.csv$/m,
  ],
  [
    'a Parquet file (a dataset of Kaggle or Hugging Face)',
    (p) => writeFileSync(p, Buffer.concat([Buffer.from('PAR1'), Buffer.from([0x15, 0x04, 0, 0])])),
    /: a Parquet file, not a CSV file: write it out as CSV first, for example with DuckDB in its folder: duckdb -c "COPY \(SELECT \* FROM '\S+\.csv'\) TO '\S+\)\.converted\.csv' \(HEADER\)"$/m,
  ],
  [
    'an Excel 97-2003 workbook',
    (p) => writeFileSync(p, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])),
    /: an Excel workbook, not a CSV file/,
  ],
  [
    'UTF-16 text with a byte order mark',
    (p) =>
      writeFileSync(
        p,
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(goodRows, 'utf16le')]),
      ),
    /UTF-16 text, and kx reads CSV files as UTF-8: convert the file first, for example: iconv -f UTF-16 -t UTF-8/,
  ],
  [
    'UTF-16 text without one',
    (p) => writeFileSync(p, Buffer.from(goodRows.replaceAll(',', '\t'), 'utf16le')),
    /UTF-16 text, and kx reads CSV files as UTF-8/,
  ],
  [
    'JSON named .csv',
    (p) => writeFileSync(p, '[{"id":"bitcoin","price_usd":"9175.02"}]'),
    /looks like JSON, not CSV/,
  ],
  [
    "a web page saved in the file's place (a GitHub page of it, a login)",
    (p) => writeFileSync(p, '\n<!DOCTYPE html>\n<html lang="en">\n<head><title>prices.csv</title>'),
    /: a web page \(HTML\), not a CSV file: .+download the file itself \(on GitHub: the file's Raw link\)$/m,
  ],
  [
    'a Git LFS pointer (a repository cloned without git lfs)',
    (p) =>
      writeFileSync(
        p,
        'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22e' +
          'adbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n',
      ),
    /: a Git LFS pointer, not the file it stands for: fetch the file with git lfs pull$/m,
  ],
  ...(
    [
      // investing.com's Japanese, Chinese and Russian pages, and its Spanish one, saved by Excel
      ['CP932', 'Shift_JIS', '日付け,終値,始値,高値,安値,出来高,変化率 %', '2024年01月05日'],
      ['GB18030', 'GB18030', '日期,收盘,开盘,高,低,交易量,涨跌幅', '2024-01-05'],
      ['WINDOWS-1251', 'Windows-1251', 'Дата,Цена,Откр.,Макс.,Мин.,Объём,Изм. %', '05.01.2024'],
      [
        'WINDOWS-1252',
        'Windows-1252',
        'Fecha,Último,Apertura,Máximo,Mínimo,Vol.,% var.',
        '05.01.2024',
      ],
    ] as const
  ).map(([iconv, name, header, date]): BadInput => [
    `a ${name} export`,
    (p) => writeFileSync(p, encoded(`${header}\n${date},"42000,5",1,1,1,1,1\n`, iconv)),
    new RegExp(
      `: the header is not UTF-8 text: it reads as ${name} .*, "${header.split(',')[1]}", .*` +
        `convert the file first: iconv -f ${iconv} -t UTF-8 '\\S+' > '\\S+\\.utf8\\.csv'$`,
      'm',
    ),
  ]),
  [
    'no header',
    (p) => writeFileSync(p, '1,2,3\n4,5,6\n'),
    /:1: no header row: the first line \("1,2,3"\) looks like data/,
  ],
  [
    'a NUL byte in a header cell',
    (p) => writeFileSync(p, goodRows.replace(',', '\u0000,')),
    /:1: header cell 1 \("\w+\\u0000"\) holds a NUL byte, .+ remove the byte \(for example: tr -d '\\000' < \S+ > fixed\.csv\)/,
  ],
  [
    'cells in single quotes (Python\'s csv.writer with quotechar="\'")',
    (p) =>
      writeFileSync(
        p,
        "symbol,name,price\n'BTC','Bitcoin, the coin','43000'\n'ETH','Ether','2000'\n",
      ),
    /: its cells are enclosed in single quotes \('BTC'\).+Convert the file, for example: python3 -c 'import csv,sys; csv\.writer\(sys\.stdout\)\.writerows\(csv\.reader\(sys\.stdin, quotechar=chr\(39\)\)\)' < \S+ > converted\.csv$/m,
  ],
  [
    'prices in euros (a vs_currency column)',
    (p) => writeFileSync(p, 'id,symbol,price,vs_currency\nbitcoin,btc,40000,eur\n'),
    /: column "vs_currency" says the prices are in EUR, not US dollars \("eur" on line 2\).+pass --map 'vs_currency='$/m,
  ],
  [
    'only a header naming nothing useful',
    (p) => writeFileSync(p, 'a,b,c\n1,2,3\n'),
    /no column maps to symbol/,
  ],
  [
    'a row with a broken quote',
    (p) => writeFileSync(p, `${goodRows}bitcoin-x,btc,"Bitcoin,1,2\nmore,rows,here\n`),
    /:102: a quoted field is never closed \(broken quote\)/,
  ],
  [
    'an over-long field',
    (p) => writeFileSync(p, `${goodRows}bitcoin-y,btc,${'B'.repeat(2 * 1024 * 1024)},1,2\n`),
    /:102: a record is longer than 1048576 bytes/,
  ],
];

beforeAll(async () => {
  database = await createSampleDatabase();
  work = mkdtempSync(join(tmpdir(), 'kx-bad-'));
  before = await withOpen(database, snapshotState);
});
afterAll(async () => {
  await database.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('bad CSV input', () => {
  it.each(badInputs)(
    '%s: exit 4 with a message naming the file and what is wrong',
    async (name, make, message) => {
      const path = join(
        work,
        name.includes('missing') ? 'missing.csv' : `${name.replaceAll(' ', '-')}.csv`,
      );
      make(path);
      const r = await runKx(['ingest', '--source', 'csv', '--file', path], {
        ...database.env,
        KX_BATCH_SIZE: '40',
      });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(path);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    },
  );

  it.each([
    [
      'https://www.coingecko.com/price_charts/export/1/usd.csv',
      /file not found: kx reads files, not URLs; download it first, for example: curl -fLo usd\.csv 'https:\/\/www\.coingecko\.com\/price_charts\/export\/1\/usd\.csv'/,
    ],
    ['~/prices.csv', /file not found: "~" is your home folder only where the shell expands it/],
    ['-', /file not found: kx reads a file, not standard input; save the data to a file first/],
    [
      'data/*.csv',
      /file not found: a pattern is files only where the shell expands it, and a run reads one file: for f in/,
    ],
  ])('a --file of %s that is no file says why (exit 4)', async (file, message) => {
    const r = await runKx(['ingest', '--source', 'csv', '--file', file, '--dry-run'], {
      ...database.env,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(message);
  });

  it('a --file named in Latin-1 is said to be, not only not found', async () => {
    // `café.csv` from an old zip: its name's byte 0xE9 is no UTF-8, and Node.js gives kx the
    // argument with U+FFFD in its place. The file is there; "file not found" was all kx said.
    writeFileSync(Buffer.from(join(work, 'caf\xe9.csv'), 'latin1'), 'symbol,price\nBTC,1\n');
    const r = await runKx(['ingest', '--source', 'csv', '--file', join(work, 'caf\uFFFD.csv')], {
      ...database.env,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'caf\uFFFD.csv: file not found: its name is not valid UTF-8 (each byte that is not shows as \uFFFD), and kx cannot open a file by such a name; rename it to a UTF-8 name, for example with convmv -f latin1 -t utf8 --notest FILE, or mv',
    );
  });

  it('a --file that is a pipe (/dev/stdin, <(curl …)) is refused, not called empty', async () => {
    const pipe = join(work, 'prices.pipe');
    execFileSync('mkfifo', [pipe]);
    const r = await runKx(['ingest', '--source', 'csv', '--file', pipe, '--dry-run'], {
      ...database.env,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`${pipe}: a pipe or a device, not a file`);
    expect(r.stderr).toContain('save the data to a file first');
  });

  it('leaves what was committed before intact; a broken row keeps the rows before it', async () => {
    const after = await withOpen(database, snapshotState);
    const sampleQuotes = after.quotes.filter((q) =>
      before.quotes.some((b) => b.sourceId === q.sourceId),
    );
    expect(sampleQuotes).toEqual(before.quotes);
    // The broken-quote and over-long files each committed their 100 good rows in batches before failing.
    expect(after.quotes.length).toBe(before.quotes.length + 100);
    await withOpen(database, async ({ db }) => {
      const failed = (await db.select().from(etlRuns)).filter((r) => r.status === 'failed');
      expect(failed.every((r) => r.errorCode === 'input' && !r.resumable)).toBe(true);
    });
  });

  it('a usage error is exit 2', async () => {
    const noFile = await runKx(['ingest', '--source', 'csv'], database.env);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('--file PATH is required');
    const badSource = await runKx(['ingest', '--source', 'nope'], database.env);
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toContain("argument 'nope' is invalid");
    // commander kept the last of two and dropped the first without a word
    const sample = join(repoRoot, 'fixtures/sample.csv');
    const twice = await runKx(
      ['ingest', '--source', 'csv', '--file', sample, '--file', sample, '--dry-run'],
      database.env,
    );
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(
      '--file is given more than once; give it once (a run reads one file',
    );
    const twoSymbols = await runKx(
      ['ingest', '--source', 'csv', '--file', sample, '--symbol', 'BTC', '--symbol', 'ETH'],
      database.env,
    );
    expect(twoSymbols.code).toBe(2);
    expect(twoSymbols.stderr).toContain('--symbol is given more than once');
    const badMap = await runKx(
      ['ingest', '--source', 'csv', '--file', 'x.csv', '--map', 'a=b'],
      database.env,
    );
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toContain('unknown field "b"');
    const missingColumn = await runKx(
      ['ingest', '--source', 'csv', '--file', sample, '--map', 'Close=price_usd', '--dry-run'],
      database.env,
    );
    expect(missingColumn.code).toBe(2);
    expect(missingColumn.stderr).toContain(
      `--map names "close", which the file's header does not have; its columns are "id", "symbol"`,
    );
    const badFormat = await runKx(
      ['ingest', '--source', 'csv', '--file', sample, '--date-format', 'YYYY-MM-DD'],
      database.env,
    );
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--date-format must be DD/MM/YYYY, MM/DD/YYYY');
    const notCsv = await runKx(
      ['ingest', '--source', 'coingecko', '--date-format', 'DD/MM/YYYY'],
      database.env,
    );
    expect(notCsv.code).toBe(2);
    expect(notCsv.stderr).toContain('kx: --date-format is for --source csv only');
  });

  it('dates that could be day-first or month-first: exit 4 naming --date-format, nothing loaded', async () => {
    const file = join(repoRoot, 'fixtures/csv/peers/shashank4227__legacy_crypto_data.csv');
    const r = await runKx(['ingest', '--source', 'csv', '--file', file, '--dry-run'], database.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('could be day-first or month-first');
    expect(r.stderr).toContain('pass --date-format DD/MM/YYYY or --date-format MM/DD/YYYY');
    const fixed = await runKx(
      ['ingest', '--source', 'csv', '--file', file, '--date-format', 'DD-MM-YYYY', '--json'],
      database.env,
    );
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({
      status: 'succeeded',
      fetched: 50,
      rejected: 0,
    });
  });
});

describe('logs and migrations', () => {
  it('--log-format json writes one JSON object per line on stderr, data stays on stdout', async () => {
    const file = join(repoRoot, 'fixtures/csv/peers/kritirajsingh__coins_quirky.csv');
    const r = await runKx(
      ['--log-format', 'json', 'ingest', '--source', 'csv', '--file', file, '--json'],
      database.env,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; message: string; time: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('low confidence') as string,
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded' });
  });

  it('kx migrate applies migrations and says so', async () => {
    const r = await runKx(['migrate'], database.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('database is up to date\n');
  });
});

describe('kx --version', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const r = await runKx(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});
