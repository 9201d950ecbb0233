import { describe, expect, it } from 'vitest';
import { useCsvFiles } from '../helpers/csv-files.js';

describe("a rejected row's reason", () => {
  const files = useCsvFiles('kx-reasons-');

  // A file without an id column derives each row's id from its symbol and name: the id's
  // checks came first, and named a column the file does not have.
  it('names the symbol or name cell at fault, not the id derived from them', async () => {
    const text =
      'symbol,name,price\n' +
      'BTC,Bitcoin,43000\n' +
      'SOL,Solana,98\n' +
      'ADA,Cardano,0.5\n' +
      `XRP,${'X'.repeat(300)},0.6\n` +
      'E\u0000TH,Ethereum,2300\n';
    const run = await files.ingest('reasons.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 2 });
    expect(await files.reasonsOf(run)).toEqual([
      'name: name longer than 200 characters',
      'symbol: symbol has characters no ticker uses',
    ]);
  });

  // A spreadsheet's totals row under the coins: loaded, it was a coin TOTAL at the column's sum.
  it("rejects a spreadsheet's totals row, and loads a coin whose ticker only starts so", async () => {
    const text =
      'symbol,name,price,market_cap\n' +
      'BTC,Bitcoin,43000.5,850000000000\n' +
      'TOT,Totoro,0.01,1000\n' +
      'ETH,Ethereum,2300.1,280000000000\n' +
      'Total,,45300.61,1130000001000\n' +
      'Grand Total:,,45300.61,1130000001000\n' +
      'TOTAL,Total,45300.61,1130000001000\n';
    const run = await files.ingest('totals.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 3 });
    expect(await files.reasonsOf(run)).toEqual([
      `symbol: "Total" heads a spreadsheet's totals row, not a coin's`,
      `symbol: "Grand Total:" heads a spreadsheet's totals row, not a coin's`,
      `symbol: "TOTAL" heads a spreadsheet's totals row, not a coin's`,
    ]);
    expect((await files.pricesIn(run)).map((q) => q.price)).toEqual(['43000.5', '2300.1', '0.01']);
    // without a column of names too
    const bare = await files.ingest(
      'bare.csv',
      'symbol,price\nBTC,43000.5\nSOL,98\nsubtotal,43098.5\n',
    );
    expect(bare).toMatchObject({ loaded: 2, rejected: 1 });
  });

  // They were rows without a price: `price_usd: no price ("")`.
  it('names a note under the table as one; a row of a name alone stays without a price', async () => {
    const text =
      'symbol,name,price\n' +
      'BTC,Bitcoin,43000.5\n' +
      'ETH,Ethereum,2300.1\n' +
      'SOL,Solana,98\n' +
      'ADA,Cardano,0.5\n' +
      '\n' +
      'Source: CoinGecko, retrieved 2024-01-01\n' +
      'Data provided by CoinGecko,,\n' +
      '© 2024 Example Ltd\n' +
      'Bitcoin Cash ABC,,\n';
    const run = await files.ingest('notes.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', fetched: 8, rejected: 4 });
    const note = (text: string) => `a line of text (a note?), not a row of the table: "${text}"`;
    expect(await files.reasonsOf(run)).toEqual([
      note('Source: CoinGecko, retrieved 2024-01-01'),
      note('Data provided by CoinGecko'),
      note('© 2024 Example Ltd'),
      'price_usd: no price ("")',
    ]);
  });
});
