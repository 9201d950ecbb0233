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
});
