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
    expect(
      await files.db.db
        .select({ reason: rejectedRecords.reason })
        .from(rejectedRecords)
        .where(eq(rejectedRecords.runId, run.runId)),
    ).toEqual([{ reason: 'a repeated header line (files joined one after the other?)' }]);
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
});
