/**
 * What a file given as CSV is when it is not one, told by its first bytes, as the fix to say: a
 * compressed or archived CSV to unpack, a spreadsheet to save as CSV, a columnar file or a
 * database to write out as CSV, a web page or a Git LFS pointer saved in the file's place.
 */
import { basename } from 'node:path';

/** The fix for a file of some format, given its path. */
type Fix = (path: string) => string;

/** A path as one shell word: as it is when nothing in it needs quoting, else single-quoted. */
export function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

/**
 * What a conversion run beside the file writes: its name with `.csv` for its extension, or
 * `.converted.csv` when it is named `.csv` already (the conversion must not overwrite it).
 */
function csvName(path: string): string {
  const name = basename(path);
  const stem = name.replace(/\.[^.]*$/, '');
  return /\.csv$/i.test(name) ? `${stem}.converted.csv` : `${stem}.csv`;
}

/**
 * A file's name as a quoted literal in a one-line command the user pastes (SQL or Python in
 * the shell's double quotes); a name with a character either would read otherwise is given as
 * `FILE` for the user to fill in.
 */
function literal(name: string): string {
  return /["'`$\\]/.test(name) ? "'FILE'" : `'${name}'`;
}

const unpack =
  (what: string, command: string): Fix =>
  (path) =>
    `${what}: unpack it first (${command} ${shellWord(path)}) and pass the .csv`;

const excel: Fix = (path) =>
  'an Excel workbook, not a CSV file: save it as "CSV UTF-8" in Excel, or convert it: ' +
  `libreoffice --headless --convert-to csv ${shellWord(path)}`;

/**
 * Formats by the magic bytes their specifications put at the start of a file. A zip is told
 * apart by its first entry's name (`zipKind`).
 */
const MAGIC: readonly [Buffer, Fix][] = [
  [Buffer.from([0x1f, 0x8b]), unpack('gzip-compressed', 'gunzip -k')],
  [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), unpack('xz-compressed', 'unxz -k')],
  [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), unpack('zstd-compressed', 'unzstd')],
  [
    Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
    (path) => `a 7-Zip archive: unpack it first (7z x ${shellWord(path)}) and pass the .csv inside`,
  ],
  [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), excel], // Excel 97-2003 (OLE)
  [
    Buffer.from('PAR1'),
    (path) =>
      'a Parquet file, not a CSV file: write it out as CSV first, for example with DuckDB in ' +
      `its folder: duckdb -c "COPY (SELECT * FROM ${literal(basename(path))}) TO ` +
      `${literal(csvName(path))} (HEADER)"`,
  ],
  [
    Buffer.from('ARROW1'),
    (path) =>
      'an Arrow (Feather) file, not a CSV file: write it out as CSV first, for example with ' +
      `pandas in its folder: python3 -c "import pandas; pandas.read_feather(` +
      `${literal(basename(path))}).to_csv(${literal(csvName(path))}, index=False)"`,
  ],
  [
    Buffer.from('SQLite format 3\u0000'),
    (path) =>
      'an SQLite database, not a CSV file: export a table as CSV first (sqlite3 ' +
      `${shellWord(path)} .tables lists them): sqlite3 -header -csv ${shellWord(path)} ` +
      `'SELECT * FROM TABLE' > ${shellWord(csvName(path))}`,
  ],
  [
    Buffer.from('%PDF-'),
    () =>
      'a PDF document, not a CSV file: download the data itself as CSV (the site\'s "Download" ' +
      'or "Export CSV"), not a page or report of it',
  ],
];

/**
 * What the file is, by its first bytes, when it is a format kx does not read as CSV: a
 * compressed or archived CSV (data.binance.vision ships each month as a zip, Tardis and Kaiko
 * as gzip), a spreadsheet, Parquet or Arrow (datasets of Kaggle and Hugging Face), SQLite, PDF.
 * Undefined for anything else.
 */
export function otherFormatOf(head: Buffer): Fix | undefined {
  const starts = (magic: Buffer) => head.subarray(0, magic.length).equals(magic);
  const known = MAGIC.find(([magic]) => starts(magic));
  if (known) return known[1];
  if (isBzip2(head)) return unpack('bzip2-compressed', 'bunzip2 -k');
  if (starts(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return zipKind(head);
  return undefined;
}

/** bzip2: `BZh`, the block size 1-9, then the first block's magic or the empty stream's end. */
function isBzip2(head: Buffer): boolean {
  const block = head.subarray(4, 10);
  return (
    head.subarray(0, 3).toString('latin1') === 'BZh' &&
    head[3]! >= 0x31 &&
    head[3]! <= 0x39 &&
    (block.equals(Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59])) ||
      block.equals(Buffer.from([0x17, 0x72, 0x45, 0x38, 0x50, 0x90])))
  );
}

/**
 * A zip: an Excel workbook (`[Content_Types].xml` and `xl/` parts), an OpenDocument
 * spreadsheet (its first entry, `mimetype`, says so), or an archive of files to unpack.
 */
function zipKind(head: Buffer): Fix {
  const names = head.toString('latin1');
  if (names.includes('[Content_Types].xml') || names.includes('xl/')) return excel;
  if (names.includes('mimetypeapplication/vnd.oasis.opendocument.spreadsheet'))
    return (path) =>
      'an OpenDocument spreadsheet, not a CSV file: save it as "Text CSV" in LibreOffice, or ' +
      `convert it: libreoffice --headless --convert-to csv ${shellWord(path)}`;
  return (path) =>
    `a zip archive: unpack it first (unzip ${shellWord(path)}) and pass the .csv inside`;
}

/**
 * Binary data other than the formats above, by its share of NUL bytes. Text has none, but one
 * stray NUL in a cell of a real export is a bad record to quarantine (DESIGN §3, invariant 6),
 * not a reason to refuse the whole file.
 */
export function looksBinary(head: Buffer): boolean {
  let nuls = 0;
  for (const byte of head) if (byte === 0) nuls++;
  return nuls > 1 && nuls > head.length / 1000;
}

/**
 * What was saved in the CSV's place, as the fix to say: a web page (a download link that
 * answered with its site's page, a login or an error; a GitHub page of the file rather than its
 * raw text) or Git LFS's pointer (a repository cloned without `git lfs`, whose large files stay
 * a three-line stub). Undefined for anything else.
 */
export function standInKind(text: string): string | undefined {
  if (/^\s*<(?:!doctype html|html[\s>]|head[\s>]|body[\s>])/i.test(text))
    return (
      'a web page (HTML), not a CSV file: the download saved the page that links to the data, ' +
      "a login or an error; download the file itself (on GitHub: the file's Raw link)"
    );
  if (text.startsWith('version https://git-lfs.github.com/spec/'))
    return 'a Git LFS pointer, not the file it stands for: fetch the file with git lfs pull';
  return undefined;
}

/**
 * What a JSON file given as CSV is, as the fix to say, or undefined when it does not start as
 * JSON does. A list of objects (an API's answer saved, a site's JSON export), one per line or
 * under a key (CoinMarketCap's `data`), becomes CSV with pandas' `json_normalize`, whose dotted
 * column names (`quote.USD.price`) kx reads; any other JSON holds no table to write out.
 */
export function jsonKind(text: string, path: string): string | undefined {
  const start = /^\s*([[{])\s*(\S)?/.exec(text);
  if (!start) return undefined;
  const name = literal(basename(path));
  const command = (rows: string) =>
    'write its list out as CSV first, for example with pandas in its folder: python3 -c ' +
    `"import json, pandas; pandas.json_normalize(${rows}).to_csv(${literal(csvName(path))}, ` +
    'index=False)"';
  const what = `looks like JSON, not CSV (starts with "${start[1]}")`;
  if (start[1] === '[') {
    if (start[2] === '{' || start[2] === undefined)
      return `${what}: a list of objects; ${command(`json.load(open(${name}))`)}`;
    return start[2] === '['
      ? `${what}: a list of lists, whose columns have no names; write it out as CSV with a ` +
          'header row first'
      : `${what}: a list of single values, not a table`;
  }
  // An object per line (NDJSON): each line closes the object the next one opens.
  if (/}\s*\r?\n\s*{/.test(text))
    return `${what}: an object per line; ${command(`[json.loads(l) for l in open(${name}) if l.strip()]`)}`;
  const list = /"([A-Za-z_]\w*)"\s*:\s*\[\s*{/.exec(text)?.[1];
  if (list)
    return `${what}: a list of objects under "${list}"; ${command(`json.load(open(${name}))['${list}']`)}`;
  return (
    `${what}: an object that holds no list of objects to load. kx reads CoinGecko and ` +
    'CoinPaprika from their APIs itself (kx ingest --source coingecko)'
  );
}

/**
 * What a file of markup given as CSV is, as the fix to say: a table saved as HTML (what sites'
 * "Export to Excel" write, named `.xls`, and Excel's own "Web Page"), an Excel 2003 XML
 * spreadsheet, or other XML. Undefined for anything else; a web page is `standInKind`'s.
 */
export function markupKind(text: string): string | undefined {
  const head = text.slice(0, 4096);
  const save = 'open it in Excel, LibreOffice or Google Sheets and save it as CSV (UTF-8)';
  if (/^\s*<table[\s>]/i.test(head) || /urn:schemas-microsoft-com:office:excel/i.test(head))
    return `an HTML table (as a site's "Export to Excel" writes one), not a CSV file: ${save}`;
  if (!/^\s*<\?xml[\s?]/i.test(head)) return undefined;
  if (/urn:schemas-microsoft-com:office:spreadsheet/i.test(head))
    return `an Excel 2003 XML spreadsheet, not a CSV file: ${save}`;
  return 'XML, not a CSV file: export the data as CSV instead';
}

/**
 * What a file with no delimiter in its first lines is, when its header and rows split alike
 * at spaces, as the fix to say: a table lined up with runs of spaces (`column -t`, a terminal,
 * a text report), which pandas' `read_fwf` reads by its columns' edges (empty cells and names
 * with a space included), or cells between single spaces, which no tool can tell from a name
 * with a space in it (`Bitcoin Cash`). Undefined otherwise: a file of one column stays one.
 */
export function spacedKind(lines: readonly string[], path: string): string | undefined {
  const [header, ...rows] = lines.slice(0, 21).map((line) => line.trim());
  if (header === undefined || rows.length === 0) return undefined;
  const alike = (gap: RegExp) => {
    const cells = header.split(gap).length;
    return (
      cells >= 2 && rows.filter((row) => row.split(gap).length === cells).length * 2 >= rows.length
    );
  };
  if (alike(/ {2,}/))
    return (
      'its columns are lined up with spaces (a table printed for reading), not separated by ' +
      'commas: write it out as CSV first, for example with pandas in its folder: python3 -c ' +
      `"import pandas; pandas.read_fwf(${literal(basename(path))}).to_csv(` +
      `${literal(csvName(path))}, index=False)"`
    );
  if (alike(/ +/))
    return (
      'its cells are separated by single spaces, which a name with a space in it (Bitcoin Cash) ' +
      'cannot be told apart from: export it with commas, tabs or semicolons between cells; if ' +
      `no cell holds a space: tr ' ' ',' < ${shellWord(path)} > ${shellWord(csvName(path))}`
    );
  return undefined;
}

/**
 * How to turn a table on its side (fields down its first column, a coin in each other) so each
 * coin is a row: pandas' transpose, every cell read as text so no price passes through a float,
 * the coins' column named `label`.
 */
export function sidewaysFix(path: string, delimiter: string, label: string): string {
  const sep = delimiter === ',' ? '' : `, sep=${delimiter === '\t' ? "'\\t'" : literal(delimiter)}`;
  return (
    'turn it so each coin is a row, for example with pandas in its folder: python3 -c ' +
    `"import pandas; pandas.read_csv(${literal(basename(path))}, index_col=0, dtype=str${sep})` +
    `.T.to_csv(${literal(csvName(path))}, index_label=${literal(label)})"`
  );
}
