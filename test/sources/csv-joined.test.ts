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
