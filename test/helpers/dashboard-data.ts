import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DbHandle } from '../../src/db/client.js';
import { repoRoot } from './cli.js';
import { moveBitcoin, type FakeUpstream } from './fake-upstream.js';
import { createFakeSources, ingestWith } from './ingest.js';

/**
 * What the dashboard's tests and screenshots look at: CoinGecko's own BTC export (2013–2023,
 * daily) as a CSV with its coin named, CoinGecko and CoinPaprika ingested on the last seven
 * days of it with BTC a little apart (and CoinPaprika 8% off on one day), a file with two
 * bad rows, and one CoinGecko run that failed on HTTP 500s. The export's last week is appended
 * to its file and read by a second run.
 */
export async function loadDashboardData(
  handle: DbHandle,
  fake: FakeUpstream,
  work: string,
): Promise<void> {
  const sources = createFakeSources(fake);
  const lines = readFileSync(
    join(repoRoot, 'fixtures/csv/upstream/coingecko_export_btc-usd-max.csv'),
    'utf8',
  )
    .trimEnd()
    .split('\n');
  const history = join(work, 'btc-history.csv');
  const rows = lines.slice(1).map((l) => `${l},BTC,Bitcoin`);
  // Its last week appended later, as a daily job adds to it: a run that reads on from the first.
  writeFileSync(history, `${[`${lines[0]},symbol,name`, ...rows.slice(0, -7)].join('\n')}\n`);
  await ingestWith(handle, sources.csv, { file: history, map: [] });
  appendFileSync(history, `${rows.slice(-7).join('\n')}\n`);
  await ingestWith(handle, sources.csv, { file: history, map: [] });
  const bad = join(work, 'two-bad-rows.csv');
  writeFileSync(
    bad,
    'symbol,name,price,date\nZZA,Zed A,1.5,2023-08-30\nZZB,Zed B,n/a,2023-08-30\nZZC,Zed C,2.5,2023-08-30\nZZD,Zed D,-4,2023-08-30\n',
  );
  await ingestWith(handle, sources.csv, { file: bad, map: [] });

  const closes = lines.slice(-7).map((l) => Number(l.split(',')[1]));
  for (const [i, close] of closes.entries()) {
    const day = `2023-08-${25 + i}`;
    const off = i === 3 ? 1.08 : 1.002;
    moveBitcoin(fake, `${day}T12:00:00Z`, {
      coingecko: (close * 0.999).toFixed(2),
      coinpaprika: (close * off).toFixed(2),
    });
    if (i === 5) {
      for (let f = 0; f < 3; f++) fake.fault('markets', { status: 500, body: 'upstream down' });
      await ingestWith(handle, sources.coingecko, {}).catch(() => undefined);
    }
    await ingestWith(handle, sources.coingecko, {});
    await ingestWith(handle, sources.coinpaprika, {});
  }
}
