import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { quotes } from '../../src/db/schema.js';
import { useCsvFiles } from '../helpers/csv-files.js';

describe('dates with a two-digit year', () => {
  const files = useCsvFiles('kx-short-dates-');

  async function daysOf(runId: number): Promise<string[]> {
    const rows = await files.db.db
      .select({ at: quotes.observedAt })
      .from(quotes)
      .where(eq(quotes.runId, runId))
      .orderBy(quotes.observedAt);
    return rows.map((r) => r.at.toISOString().slice(0, 10));
  }

  it('load year-first when no other reading is after 2009, and wait for a day that settles it', async () => {
    // Japan's short date: `24/01/05` was read day-first as 24 January 2005
    const japan = await files.ingest(
      'jp.csv',
      'date,symbol,price\n24/01/05,BTC,42000\n24/01/06,BTC,43000\n',
    );
    expect(await daysOf(japan.runId)).toEqual(['2024-01-05', '2024-01-06']);
    // `15-03-21` is 15 March 2021 or 21 March 2015 until `01-04-21` says day-first
    const ambiguous = 'date,symbol,price\n15-03-21,ETH,1800\n16-03-21,ETH,1810\n';
    await expect(files.ingest('eth.csv', ambiguous)).rejects.toThrow(
      /could be day-first or year-first \("15-03-21" on line 2.*--date-format DD\/MM\/YYYY or --date-format YY\/MM\/DD/,
    );
    const dayFirst = await files.ingest('eth.csv', `${ambiguous}01-04-21,ETH,1900\n`);
    expect(await daysOf(dayFirst.runId)).toEqual(['2021-03-15', '2021-03-16', '2021-04-01']);
    const said = await files.ingest('btc-2015.csv', 'date,symbol,price\n15-03-21,BTC,260\n', {
      dateFormat: 'YY-MM-DD',
    });
    expect(await daysOf(said.runId)).toEqual(['2015-03-21']);
  });
});
