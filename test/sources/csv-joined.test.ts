import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { quotes, rejectedRecords } from '../../src/db/schema.js';
import { useCsvFiles } from '../helpers/csv-files.js';

/** Two exports joined with `cat`: the second's header is a line of the file. */
describe('files joined one after the other', () => {
  const files = useCsvFiles('kx-joined-');

  const first =
    'date,symbol,price,market_cap,volume\n2024-01-01,BTC,42000,820000000000,30000000000\n';

  async function capsOf(symbol: string) {
    return files.db.db
      .select({ at: quotes.observedAt, cap: quotes.marketCapUsd, volume: quotes.volume24hUsd })
      .from(quotes)
      .where(eq(quotes.sourceId, symbol))
      .orderBy(quotes.observedAt);
  }

  it('of one layout load, the repeated header rejected as what it is', async () => {
    const run = await files.ingest(
      'same.csv',
      first.replaceAll('BTC', 'ETH') +
        'Date,Symbol,Price,Market Cap,Volume\n2024-01-02,ETH,2400,290000000000,9000000000\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 1 });
    expect(await files.reasonsOf(run)).toEqual([
      'a repeated header line (files joined one after the other?)',
    ]);
  });

  it('of two layouts are refused at the second header, the rows before it kept', async () => {
    const refused = files.ingest(
      'two-layouts.csv',
      first +
        'date,symbol,price,volume,market_cap\n2024-01-02,BTC,43000,31000000000,830000000000\n',
    );
    await expect(refused).rejects.toThrow(
      /two-layouts\.csv:3: a second header line with other columns \("market_cap" is column 5 there, "market_cap" column 4 in the file's header\).*Split it at line 3/,
    );
    // 2 January's volume never loads as its market cap
    expect(await capsOf('btc')).toEqual([
      { at: new Date('2024-01-01T00:00:00Z'), cap: '820000000000', volume: '30000000000' },
    ]);
  });

  it('of two layouts whose header starts with Ticker are refused too, never skipped', async () => {
    // a header `Ticker,…` of words looked like yfinance's ticker line, skipped as decoration
    const text =
      'Ticker,Date,Price,Volume\nETH,2024-01-01,2300,9000000000\n' +
      'Ticker,Date,Volume,Price\nETH,2024-01-02,9100000000,2310\n';
    await expect(files.ingest('tickers.csv', text)).rejects.toThrow(
      /tickers\.csv:3: a second header line with other columns/,
    );
  });
});

/** Tables drawn as text: what people paste from a chat, a README or a database client. */
describe('a table drawn as text', () => {
  const files = useCsvFiles('kx-drawn-');

  it.each([
    [
      'Markdown',
      '| Symbol | Price | Date |\n|---|---:|---|\n| BTC | 42000.5 | 2024-01-01 |\n| ETH | 2300.1 | 2024-01-01 |\n',
    ],
    [
      'psql',
      ' symbol |  price  | observed_at\n--------+---------+------------------------\n' +
        ' BTC    | 42000.5 | 2024-01-01 00:00:00+00\n ETH    |  2300.1 | 2024-01-01 00:00:00+00\n(2 rows)\n\n',
    ],
    [
      'MySQL',
      '+--------+---------+------------+\n| symbol | price   | date       |\n+--------+---------+------------+\n' +
        '| BTC    | 42000.5 | 2024-01-01 |\n| ETH    |  2300.1 | 2024-01-01 |\n+--------+---------+------------+\n' +
        '2 rows in set (0.00 sec)\n',
    ],
  ])('by %s loads its rows; its rules and footer are no records', async (name, text) => {
    // the rules were rejected as rows without a price, and the footer too
    const run = await files.ingest(`${name}.txt`, text);
    expect(run).toMatchObject({ status: 'succeeded', fetched: 2, loaded: 2, rejected: 0 });
    const rows = await files.db.db
      .select({ id: quotes.sourceId, price: quotes.priceUsd, at: quotes.observedAt })
      .from(quotes)
      .where(eq(quotes.runId, run.runId))
      .orderBy(quotes.sourceId);
    expect(rows).toEqual([
      { id: 'btc', price: '42000.5', at: new Date('2024-01-01T00:00:00Z') },
      { id: 'eth', price: '2300.1', at: new Date('2024-01-01T00:00:00Z') },
    ]);
  });

  it('of pairs: the look-ahead that finds them skips the rule, as the read does', async () => {
    // the rule `---` was sampled as a symbol, no pair: every row was rejected as no ticker
    const text =
      '| date | symbol | price |\n|---|---|---|\n| 2024-01-01 | BTC/USD | 42000 |\n' +
      '| 2024-01-01 | ETH/USD | 2300 |\n';
    const run = await files.ingest('pairs.md', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(run.mapping).toMatchObject({ pairs: { example: 'BTC/USD' } });
  });
});

describe('rows of empty cells', () => {
  const files = useCsvFiles('kx-empty-rows-');

  it('are skipped as empty lines are, and a file of nothing else is refused', async () => {
    // Excel saves rows once used as `,,,`: each was rejected as no price, and two of them
    // beside one coin failed the run on the reject ratio
    const run = await files.ingest(
      'sheet.csv',
      'symbol,name,price,,\nBTC,Bitcoin,43000.5,,\n,,,,\n  \n , ,,,\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', fetched: 1, loaded: 1, rejected: 0 });
    await expect(files.ingest('blank.csv', 'symbol,name,price\n,,\n,,\n')).rejects.toThrow(
      /a header and no rows/,
    );
  });
});

/** Rows split into more cells than the header names: a delimiter inside an unquoted cell. */
describe('a row with more cells than the header', () => {
  const files = useCsvFiles('kx-overflow-');

  it('is rejected when a cell past the header holds something; empty ones are no harm', async () => {
    const run = await files.ingest(
      'unquoted.csv',
      'date,symbol,price,volume\n' +
        // `42,000.50` unquoted: the price loaded as 42 and the volume as 000.50
        '2024-01-05,BTC,42,000.50,1000\n' +
        // a spreadsheet's trailing delimiters
        '2024-01-06,BTC,43000.25,1100,,\n' +
        // and the Ctrl-Z a DOS-era tool ends the file with
        '\x1a',
    );
    expect(run).toMatchObject({ status: 'succeeded', fetched: 2, loaded: 1, rejected: 1 });
    const [rejected] = await files.db.db
      .select({ reason: rejectedRecords.reason, locator: rejectedRecords.locator })
      .from(rejectedRecords)
      .where(eq(rejectedRecords.runId, run.runId));
    expect(rejected?.reason).toBe(
      '5 cells where the header has 4: a cell with a "," in it and no quotes around it ' +
        '(a number such as 42,000.50?) splits in two and moves the cells after it; quote such ' +
        'cells, or write numbers without thousands separators',
    );
    expect(rejected?.locator).toMatchObject({ line: 2 });
    const rows = await files.db.db
      .select({ price: quotes.priceUsd, volume: quotes.volume24hUsd })
      .from(quotes)
      .where(eq(quotes.runId, run.runId));
    expect(rows).toEqual([{ price: '43000.25', volume: '1100' }]);
  });
});
