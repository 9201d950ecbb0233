import { createHash } from 'node:crypto';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrefixHasher, readCsvRows, type CsvRow } from '../../src/sources/csv/reader.js';
import { sniffCsv } from '../../src/sources/csv/sniff.js';

const work = mkdtempSync(join(tmpdir(), 'kx-reader-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function readAll(path: string, start = 0, lineBase = 0) {
  const hasher = await PrefixHasher.from(path, start);
  const rows: CsvRow[] = [];
  let error: unknown = null;
  try {
    for await (const row of readCsvRows({ path, start, lineBase, delimiter: ',', hasher }))
      rows.push(row);
  } catch (e) {
    error = e;
  }
  return { rows, error: error as Error | null, hasher };
}

describe('readCsvRows', () => {
  it('reports each record with the byte offset after it, and the prefix hash matches the file', async () => {
    const path = join(work, 'offsets.csv');
    writeFileSync(path, '\uFEFFa,b\r\n1,"x\ny"\r\n\r\n3,4\r\n5,6');
    const { rows, hasher } = await readAll(path);
    const bytes = readFileSync(path);
    expect(rows.map((r) => [r.fields, r.line])).toEqual([
      [['a', 'b'], 1],
      [['1', 'x\ny'], 3],
      [['3', '4'], 5],
      [['5', '6'], 6],
    ]);
    // BOM (3 bytes) + `a,b\r\n`; the quoted newline; a skipped blank line; no newline at the end.
    expect(rows.map((r) => r.end)).toEqual([8, 17, 24, 27]);
    expect(bytes.length).toBe(27);
    for (const row of rows.slice(0, 3)) {
      expect(hasher.digestAt(row.end)).toBe(
        createHash('sha256').update(bytes.subarray(0, row.end)).digest('hex'),
      );
    }
  });

  it('continues from a byte offset with absolute line numbers', async () => {
    const path = join(work, 'resume.csv');
    writeFileSync(path, 'a,b\n1,2\n3,4\n5,6\n');
    const { rows } = await readAll(path, 8, 2);
    expect(rows.map((r) => [r.fields, r.line, r.end])).toEqual([
      [['3', '4'], 3, 12],
      [['5', '6'], 4, 16],
    ]);
  });

  it('yields every good record of a chunk before a broken quote, then fails at the line it starts', async () => {
    const path = join(work, 'broken.csv');
    const good = Array.from({ length: 5000 }, (_, i) => `${i},x`).join('\n');
    writeFileSync(path, `a,b\n${good}\n5000,"never closed\n5001,y\n`);
    const { rows, error } = await readAll(path);
    expect(rows).toHaveLength(5001);
    expect(error?.message).toMatch(/broken\.csv:5002: a quoted field is never closed/);
  });
});

describe('a file written while it is read', () => {
  /** Reads `path` as kx does, calling `meanwhile` once the first row is in. */
  async function readWhile(path: string, meanwhile: () => void, start = 0) {
    const { opened } = await sniffCsv(path);
    const hasher = await PrefixHasher.from(path, start);
    let rows = 0;
    let last: CsvRow | null = null;
    let error: Error | null = null;
    try {
      for await (const row of readCsvRows({
        path,
        start,
        lineBase: 0,
        delimiter: ',',
        hasher,
        opened,
      })) {
        if (++rows === 1) meanwhile();
        last = row;
      }
    } catch (e) {
      error = e as Error;
    }
    return { rows, error, last };
  }
  const lines = (n: number, price: string) =>
    `date,symbol,price\n${Array.from({ length: n }, (_, i) => `2024-01-01T00:${i},BTC,${price}`).join('\n')}\n`;
  const later = new Date(Date.now() + 60_000);

  it('cut short in place (a script writing it again): an error naming the fix', async () => {
    const path = join(work, 'cut.csv');
    writeFileSync(path, lines(20_000, '42000.5'));
    const { rows, error } = await readWhile(path, () => writeFileSync(path, lines(100, '1')));
    expect(error?.message).toMatch(
      /cut\.csv was cut to \d+ bytes \(kx had read \d+\) while kx read it/,
    );
    expect(error?.message).toContain('run `kx ingest` again once the file is complete');
    expect(rows).toBeLessThan(20_001);
  });

  it('rewritten in place to the same length: an error at the end of the read', async () => {
    const path = join(work, 'same.csv');
    writeFileSync(path, lines(20_000, '42000.5'));
    const { error } = await readWhile(path, () => {
      writeFileSync(path, lines(20_000, '42000.6'));
      utimesSync(path, later, later);
    });
    expect(error?.message).toMatch(
      /same\.csv changed within the \d+ bytes kx had read while kx read it/,
    );
  });

  it('read from a checkpoint: only the bytes this read took are compared at its end', async () => {
    // A log a collector appends to while each run reads it: the run compares what it read,
    // not the whole file again. Bytes before the checkpoint are the next run's to check.
    const path = join(work, 'resumed.csv');
    const body = (first: string, second: string) =>
      lines(10_000, first) + lines(10_000, second).split('\n').slice(1).join('\n');
    writeFileSync(path, body('42000.5', '42000.5'));
    const start = Buffer.byteLength(lines(10_000, '42000.5'));
    const before = await readWhile(
      path,
      () => {
        writeFileSync(path, body('42000.6', '42000.5'));
        utimesSync(path, later, later);
      },
      start,
    );
    expect(before.error).toBeNull();
    expect(before.rows).toBe(10_000);
    const within = await readWhile(
      path,
      () => {
        writeFileSync(path, body('42000.6', '42000.7'));
        utimesSync(path, new Date(later.getTime() + 1000), new Date(later.getTime() + 1000));
      },
      start,
    );
    expect(within.error?.message).toMatch(/resumed\.csv changed within the \d+ bytes kx had read/);
  });

  it('a last line without a line break that the file goes on from is left for the next run', async () => {
    const path = join(work, 'mid-line.csv');
    // a writer mid-line: `4300` is the start of `43001.5`
    writeFileSync(path, 'date,symbol,price\n2024-01-05,BTC,42000.5\n2024-01-06,BTC,4300');
    const { rows, error, last } = await readWhile(path, () => appendFileSync(path, '1.5\n'));
    expect(error).toBeNull();
    expect(last?.fields).not.toEqual(['2024-01-06', 'BTC', '4300']);
    // read whole if the append came before the end of the read, or else left for the next run
    if (rows === 3) expect(last?.fields).toEqual(['2024-01-06', 'BTC', '43001.5']);
    else expect(last?.fields).toEqual(['2024-01-05', 'BTC', '42000.5']);
  });

  it('appended to (a download still coming in) or replaced by a rename: read without error', async () => {
    const path = join(work, 'grows.csv');
    writeFileSync(path, lines(20_000, '42000.5'));
    const grown = await readWhile(path, () => {
      appendFileSync(path, '2024-01-02T00:00,BTC,43000\n');
      utimesSync(path, later, later);
    });
    expect(grown.error).toBeNull();
    expect(grown.rows).toBeGreaterThanOrEqual(20_001);

    const swapped = await readWhile(path, () => {
      writeFileSync(`${path}.new`, lines(10, '1'));
      renameSync(`${path}.new`, path);
    });
    expect(swapped.error).toBeNull();
    expect(swapped.rows).toBe(grown.rows); // the file it opened, whole
    expect(swapped.last?.fields).toEqual(['2024-01-02T00:00', 'BTC', '43000']);
  });
});

describe('sniffCsv: lines above the header', () => {
  const header = 'Date,Symbol,Open,High,Low,Close,Volume BTC,Volume USDT';
  const rows = [
    '2024-03-24,BTCUSDT,64036.5,67587.8,63812.9,67211.9,65590.1,4326712345.5',
    '2024-03-23,BTCUSDT,63785.6,65972.4,63074.9,64037.8,35110.2,2260123456.1',
  ];
  it.each([
    ['no banner', [header, ...rows], 0],
    [
      "a one-cell banner (CryptoDataDownload's URL)",
      ['https://www.CryptoDataDownload.com', header, ...rows],
      1,
    ],
    [
      'a title and an "exported on" line of several cells',
      ['Bitcoin daily prices', 'Exported on,2024-03-25,by,example.com', header, ...rows],
      2,
    ],
    // It was the header: "no column maps to symbol (columns: "Bitcoin prices", …)"
    [
      'a title of as many cells as the header',
      ['Bitcoin prices, exported 2024-03-25,,,,,,', '', header, ...rows],
      1,
    ],
    [
      'a header that names no field over rows alike (a header kx cannot read)',
      ['Fecha,Símbolo,Apertura,Máx,Mín,Cierre,Vol,Vol2', ...rows],
      0,
    ],
    // Rows ending in an empty cell have one cell more than their header: no banner there.
    ['a header shorter than its rows', [header, ...rows.map((r) => `${r},`)], 0],
    // A row with an unquoted "," in a cell is a row, not the header: it is rejected as such.
    [
      'rows longer than a header that names fields',
      ['symbol,name,price_usd,date', 'BTC,Bitcoin,US$42,000.50,2024-01-01'],
      0,
    ],
  ])('%s', async (_, lines, banners) => {
    const path = join(work, 'banner.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    expect((await sniffCsv(path)).bannerLines).toBe(banners);
  });
});

describe('sniffCsv: a file of another format, refused with the fix', () => {
  const rows = 'symbol,price_usd\nBTC,43000\n';
  const bytes = (...parts: (number[] | string)[]) =>
    Buffer.concat(
      parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
    );
  /** A zip's first local file header for `name`, stored, followed by `content`. */
  const zipEntry = (name: string, content: string) => {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(Buffer.byteLength(name), 26);
    return Buffer.concat([header, Buffer.from(name + content, 'latin1')]);
  };
  // Each file's first bytes as its format's specification writes them, the rest its data.
  it.each([
    [
      'prices.csv.xz',
      bytes([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04], rows),
      /: xz-compressed: unpack it first \(unxz -k \S+prices\.csv\.xz\) and pass the \.csv$/,
    ],
    [
      'prices.csv.bz2',
      bytes('BZh91AY&SY', [0x4e, 0xec, 0xe8, 0x36]),
      /: bzip2-compressed: unpack it first \(bunzip2 -k \S+\.bz2\)/,
    ],
    [
      'empty.csv.bz2',
      bytes('BZh9', [0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0, 0, 0, 0]),
      /: bzip2-compressed/,
    ],
    [
      'prices.csv.zst',
      bytes([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58], rows),
      /: zstd-compressed: unpack it first \(unzstd \S+\.zst\)/,
    ],
    [
      'prices.7z',
      bytes([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04]),
      /: a 7-Zip archive: unpack it first \(7z x \S+\.7z\) and pass the \.csv inside$/,
    ],
    [
      'prices.parquet',
      bytes('PAR1', [0x15, 0x04, 0x15, 0x10, 0x15, 0x14, 0x4c, 0x15, 0x02, 0x15, 0x00, 0x12, 0, 0]),
      /: a Parquet file, not a CSV file: .+duckdb -c "COPY \(SELECT \* FROM 'prices\.parquet'\) TO 'prices\.csv' \(HEADER\)"$/,
    ],
    [
      'prices.feather',
      bytes('ARROW1', [0, 0, 0xff, 0xff, 0xff, 0xff]),
      /: an Arrow \(Feather\) file, not a CSV file: .+pandas\.read_feather\('prices\.feather'\)\.to_csv\('prices\.csv', index=False\)"$/,
    ],
    [
      'prices.db',
      bytes('SQLite format 3', [0, 0x10, 0, 1, 1, 0, 0x40, 0x20, 0x20]),
      /: an SQLite database, not a CSV file: .+sqlite3 -header -csv \S+prices\.db 'SELECT \* FROM TABLE' > prices\.csv$/,
    ],
    [
      'prices.pdf',
      bytes('%PDF-1.7\n%', [0xe2, 0xe3, 0xcf, 0xd3], '\n1 0 obj\n'),
      /: a PDF document, not a CSV file: download the data itself as CSV/,
    ],
    [
      'prices.ods',
      zipEntry('mimetype', 'application/vnd.oasis.opendocument.spreadsheetPK'),
      /: an OpenDocument spreadsheet, not a CSV file: .+libreoffice --headless --convert-to csv \S+prices\.ods$/,
    ],
    [
      "it's here.csv.gz",
      bytes([0x1f, 0x8b, 0x08, 0x00]),
      /: gzip-compressed: unpack it first \(gunzip -k '\S+it'\\''s here\.csv\.gz'\) and pass the \.csv$/,
    ],
    // markup: a site's "Export to Excel" (an HTML table named .xls), Excel's own HTML, XML
    [
      'export.xls',
      '<table border="1"><tr><th>Symbol</th><th>Price</th></tr><tr><td>BTC</td><td>43000.5</td></tr></table>\n',
      /: an HTML table \(as a site's "Export to Excel" writes one\), not a CSV file: open it in Excel, LibreOffice or Google Sheets and save it as CSV \(UTF-8\)$/,
    ],
    [
      'book.xls',
      '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">\n<body><table><tr><td>BTC</td></tr></table></body></html>\n',
      /: an HTML table .+ save it as CSV \(UTF-8\)$/,
    ],
    [
      'book.xml',
      '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">\n',
      /: an Excel 2003 XML spreadsheet, not a CSV file: open it in Excel/,
    ],
    ['feed.csv', '<?xml version="1.0" encoding="UTF-8"?>\n<rss></rss>\n', /: XML, not a CSV file/],
    // a table for reading: columns lined up with spaces, or cells between single spaces
    [
      'top.txt',
      'symbol  name          price\nBTC     Bitcoin       43000.5\nBCH     Bitcoin Cash    250.1\nETH     Ethereum       2300.1\n',
      /: its columns are lined up with spaces \(a table printed for reading\), not separated by commas: .+pandas\.read_fwf\('top\.txt'\)\.to_csv\('top\.csv', index=False\)"$/,
    ],
    [
      'top.csv',
      'symbol name price\nBTC Bitcoin 43000.5\nBCH Bitcoin Cash 250.1\nETH Ethereum 2300.1\n',
      /: its cells are separated by single spaces, .+ if no cell holds a space: tr ' ' ',' < \S+top\.csv > top\.converted\.csv$/,
    ],
    // JSON: a list of objects, one per line, or under a key, written out with json_normalize
    [
      'markets.json',
      '\uFEFF[\n  {"id": "bitcoin", "current_price": 43000.5, "roi": null}\n]\n',
      /: looks like JSON, not CSV \(starts with "\["\): a list of objects; .+python3 -c "import json, pandas; pandas\.json_normalize\(json\.load\(open\('markets\.json'\)\)\)\.to_csv\('markets\.csv', index=False\)"$/,
    ],
    [
      'tickers.csv',
      '{"symbol":"BTC","price":43000.5}\r\n{"symbol":"ETH","price":2300.1}\r\n',
      /: an object per line; .+json_normalize\(\[json\.loads\(l\) for l in open\('tickers\.csv'\) if l\.strip\(\)\]\)\.to_csv\('tickers\.converted\.csv', index=False\)"$/,
    ],
    [
      'latest.csv',
      '{"status": {"error_code": 0}, "data": [{"id": 1, "quote": {"USD": {"price": 43000.5}}}]}',
      /: a list of objects under "data"; .+json_normalize\(json\.load\(open\('latest\.csv'\)\)\['data'\]\)/,
    ],
    [
      'chart.csv',
      '{"prices": [[1704067200000, 42283.58]], "market_caps": [[1704067200000, 8.2e11]]}',
      /: an object that holds no list of objects to load\. kx reads CoinGecko and CoinPaprika from their APIs itself/,
    ],
    [
      'klines.csv',
      '[[1499040000000, "0.01634790", "0.80000000"]]',
      /: a list of lists, whose columns have no names; write it out as CSV with a header row first$/,
    ],
  ])('%s', async (name, content, message) => {
    const path = join(work, name);
    writeFileSync(path, content);
    const error = await sniffCsv(path).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(path);
    expect(error?.message).toMatch(message);
  });
});

describe('sniffCsv: a file of one column', () => {
  it('is read as one column when its rows do not split as its header does', async () => {
    const path = join(work, 'closes.csv');
    writeFileSync(path, 'Close Price\n43000.5\n43100.2\n');
    await expect(sniffCsv(path)).resolves.toMatchObject({ delimiter: ',', bannerLines: 0 });
  });
});
