import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assets, quotes, rejectedRecords } from '../../src/db/schema.js';
import { getFailedRun } from '../../src/engine/failed-run.js';
import type { RunResult } from '../../src/engine/runner.js';
import {
  isMarketOfKnownCoins,
  parsePair,
  readingOf,
  readMarket,
} from '../../src/sources/csv/pairs.js';
import { toBase } from '../../src/sources/csv/row-rejections.js';
import { repoRoot } from '../helpers/cli.js';
import { useCsvFiles } from '../helpers/csv-files.js';

describe('parsePair', () => {
  it('reads the markets exchanges name', () => {
    expect(parsePair('BTC/USD')).toEqual({ base: 'BTC', quote: 'USD', usd: true });
    expect(parsePair('btc-usd')).toEqual({ base: 'BTC', quote: 'USD', usd: true });
    expect(parsePair('ETH_USDT')).toEqual({ base: 'ETH', quote: 'USDT', usd: true });
    expect(parsePair('BTCUSDT')).toEqual({ base: 'BTC', quote: 'USDT', usd: true });
    expect(parsePair('SOLUSDC')).toEqual({ base: 'SOL', quote: 'USDC', usd: true });
    expect(parsePair('XBTUSD')).toEqual({ base: 'BTC', quote: 'USD', usd: true });
    expect(parsePair('BTCTUSD')).toEqual({ base: 'BTC', quote: 'TUSD', usd: true });
    expect(parsePair('BTCBUSD')).toEqual({ base: 'BTC', quote: 'BUSD', usd: true });
    expect(parsePair('USDTUSD')).toEqual({ base: 'USDT', quote: 'USD', usd: true });
    expect(parsePair('USDCUSDT')).toEqual({ base: 'USDC', quote: 'USDT', usd: true });
    expect(parsePair('BTC/EUR')).toEqual({ base: 'BTC', quote: 'EUR', usd: false });
    expect(parsePair('ETHBTC')).toEqual({ base: 'ETH', quote: 'BTC', usd: false });
    // Kraken's API names for its oldest markets
    expect(parsePair('XXBTZUSD')).toEqual({ base: 'BTC', quote: 'USD', usd: true });
    expect(parsePair('XETHZEUR')).toEqual({ base: 'ETH', quote: 'EUR', usd: false });
    expect(parsePair('XXDGZUSD')).toEqual({ base: 'DOGE', quote: 'USD', usd: true });
    // an exchange or a feed in front (TradingView, Polygon.io), and a colon as the separator
    expect(parsePair('BINANCE:BTCUSDT')).toEqual({ base: 'BTC', quote: 'USDT', usd: true });
    expect(parsePair('X:BTCUSD')).toEqual({ base: 'BTC', quote: 'USD', usd: true });
    expect(parsePair('COINBASE:ETH-USD')).toEqual({ base: 'ETH', quote: 'USD', usd: true });
    expect(parsePair('ETH:USDT')).toEqual({ base: 'ETH', quote: 'USDT', usd: true });
    // Bitfinex's API: a lowercase t, a colon after a longer code, Tether as UST (was coin `TBC`)
    expect(parsePair('tBTCUSD')).toEqual({ base: 'BTC', quote: 'USD', usd: true });
    expect(parsePair('tDOGE:USD')).toEqual({ base: 'DOGE', quote: 'USD', usd: true });
    expect(parsePair('tETHUST')).toEqual({ base: 'ETH', quote: 'USDT', usd: true });
    expect(parsePair('tBTCEUR')).toEqual({ base: 'BTC', quote: 'EUR', usd: false });
    // ccxt's swaps and futures: contracts, not spot markets
    expect(parsePair('BTC/USDT:USDT')).toEqual({
      base: 'BTC',
      quote: 'USDT',
      usd: true,
      contract: 'USDT',
    });
    expect(parsePair('BTC/USD:BTC-240329')).toMatchObject({ base: 'BTC', contract: 'BTC-240329' });
    // …and as the exchanges name them: swaps, futures by their expiry, options (were coins)
    for (const [name, base, quote] of [
      ['BTC-PERP', 'BTC', 'USD'], // FTX
      ['BTCUSD_PERP', 'BTC', 'USD'], // Binance's coin-margined
      ['BTC-PERPETUAL', 'BTC', 'USD'], // Deribit
      ['ETH-USDT-SWAP', 'ETH', 'USDT'], // OKX
      ['BINANCE:BTCUSDT.P', 'BTC', 'USDT'], // TradingView
      ['PI_XBTUSD', 'BTC', 'USD'], // Kraken's futures
      ['BTCUSDT_240329', 'BTC', 'USDT'],
      ['BTC-USD-240329', 'BTC', 'USD'],
      ['BTC-29MAR24', 'BTC', 'USD'],
      ['BTC-29MAR24-60000-C', 'BTC', 'USD'],
      ['ETH-USD-240329-3500-P', 'ETH', 'USD'],
    ])
      expect(parsePair(name!), name).toEqual({
        base,
        quote,
        usd: true,
        contract: name!.replace('BINANCE:', ''),
      });
    // Perpetual Protocol's token is a coin
    expect(parsePair('PERP-USD')).toEqual({ base: 'PERP', quote: 'USD', usd: true });
  });

  it('leaves tickers alone, those ending in a currency among them', () => {
    for (const ticker of [
      'BTC',
      'USDT',
      'TUSD',
      'BUSD',
      'WBTC',
      'FDUSD',
      'BSC-USD',
      'RENBTC',
      'ETH2',
      'TBTC',
      'tBTC',
    ])
      expect(parsePair(ticker), ticker).toBeNull();
    expect(parsePair('BTC/XYZ')).toBeNull(); // no currency kx knows
  });

  it('reads a column of markets quote first where some read only so (Upbit, Bittrex, Poloniex)', () => {
    expect(readingOf(['KRW-BTC', 'KRW-ETH'])).toEqual({ quoteFirst: true }); // won is no coin
    expect(readingOf(['BTC-LTC', 'USDT-BTC', 'ETH-LTC'])).toEqual({ quoteFirst: true });
    expect(readingOf(['USDT_BTC', 'BTC_ETH'])).toEqual({ quoteFirst: true });
    // one market that reads only base first settles it
    expect(readingOf(['ETH-BTC', 'BTC-USD'])).toEqual({ quoteFirst: false });
    expect(readingOf(['BTC-LTC', 'BTCUSDT'])).toEqual({ quoteFirst: false });
    expect(readingOf(['ETH-BTC'])).toEqual({ quoteFirst: false });
    expect(readMarket('USDT-BTC', true)).toEqual({ base: 'BTC', quote: 'USDT', usd: true });
    expect(readMarket('USDT-BTC', false)).toEqual({ base: 'USDT', quote: 'BTC', usd: false });
    expect(readMarket('BTC-LTC', true)).toEqual({ base: 'LTC', quote: 'BTC', usd: false });
    // coins' ids (CoinGecko's `usd-coin`, CoinPaprika's `btc-bitcoin`) are no markets
    expect(readMarket('usd-coin', true)).toBeNull();
    expect(readingOf(['btc-bitcoin', 'usdt-tether'])).toEqual({ quoteFirst: false });
  });

  it('tells a market of well-known coins or money from a ticker with a dash', () => {
    for (const market of ['BTC-USD', 'ETH/BTC', 'KRW-BTC', 'USDT_ETH', 'DOGE-XRP', 'EUR-USD'])
      expect(isMarketOfKnownCoins(market), market).toBe(true);
    for (const ticker of [
      'BSC-USD',
      'YF-DAI',
      'DAI-MATIC',
      'BP_GBP',
      'ETH2X-FLI',
      'BTCUSDT',
      'BTC',
    ])
      expect(isMarketOfKnownCoins(ticker), ticker).toBe(false);
  });
});

describe('a symbol column of trading pairs', () => {
  const files = useCsvFiles('kx-pairs-');
  const ingest = (name: string, text: string, symbol?: string): Promise<RunResult> =>
    files.ingest(name, text, symbol ? { symbol } : {});

  async function symbolsOf(run: RunResult): Promise<string[]> {
    const rows = await files.db.db
      .selectDistinct({ symbol: assets.symbol })
      .from(quotes)
      .innerJoin(assets, eq(assets.id, quotes.assetId))
      .where(eq(quotes.runId, run.runId))
      .orderBy(assets.symbol);
    return rows.map((r) => r.symbol);
  }

  it('rejects a swap past the sampled rows, and a pair in another currency', () => {
    const spot = { example: 'BTC/USDT', line: 2 };
    expect(toBase('ETH/USDT', spot)).toEqual({ ok: true, base: 'ETH', quote: 'USDT' });
    // a forex market among coins' (`EUR-USD`) is no coin's price
    expect(toBase('EUR-USD', spot)).toEqual({
      ok: false,
      reason: '"EUR-USD" is a market of money (EUR), not of a coin',
    });
    expect(toBase('ETH/USDT:USDT', spot)).toEqual({
      ok: false,
      reason: '"ETH/USDT:USDT" is a swap, futures or options contract, not a spot market',
    });
    expect(toBase('ETH/EUR', spot)).toEqual({
      ok: false,
      reason: '"ETH/EUR" is priced in EUR, not US dollars',
    });
  });

  it('of swaps or futures is refused: a contract is not the coin', async () => {
    // what a script over ccxt's fetch_ohlcv writes for perpetual swaps
    const text =
      'timestamp,symbol,open,high,low,close,volume\n' +
      '1704067200000,BTC/USDT:USDT,42314.0,44240.0,42180.1,44213.9,301234.5\n' +
      '1704067200000,ETH/USDT:USDT,2281.5,2390.0,2265.2,2352.2,1203312.2\n';
    await expect(ingest('swaps.csv', text)).rejects.toThrow(
      /swap, futures or options contracts \("BTC\/USDT:USDT" on line 2\), not spot markets.*\("BTC\/USDT"\)/,
    );
  });

  it("of an exchange's contracts is refused; a contract among tickers is rejected", async () => {
    // Bybit's public trades of a perpetual swap: loaded as a coin `BTC-PERP`
    const perps =
      'timestamp,symbol,side,size,price\n1704067200.1234,BTCUSD_PERP,Buy,0.01,42283.5\n' +
      '1704067201.5,BTCUSD_PERP,Sell,0.02,42284.0\n';
    await expect(ingest('perps.csv', perps)).rejects.toThrow(
      /contracts \("BTCUSD_PERP" on line 2\), not spot markets.*\("BTC\/USD"\)$/,
    );
    // past the sample, and beside --symbol, which read it as BTC
    const run = await ingest(
      'btc-daily.csv',
      'date,symbol,price\n2024-01-01,BTC,42000\n2024-01-02,BTC-PERP,42010\n',
      'BTC',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 1, rejected: 1 });
    expect(await files.reasonsOf(run)).toEqual([
      'symbol: "BTC-PERP" is a swap, futures or options contract, not a spot market',
    ]);
  });

  it('is missing from a file of a column per coin, which is refused saying how to load one', async () => {
    const text = 'Date,BTC,ETH,SOL\n2024-01-01,42283.58,2352.04,101.5\n';
    await expect(ingest('wide.csv', text)).rejects.toThrow(
      /Its columns BTC, ETH, SOL are coins, one per column.*--symbol BTC --map 'BTC=price_usd'/,
    );
    const one = await files.ingest('wide.csv', text, { symbol: 'BTC', map: ['BTC=price_usd'] });
    expect(one).toMatchObject({ status: 'succeeded', loaded: 1 });
    expect(await symbolsOf(one)).toEqual(['BTC']);
  });

  it('is missing from a file of one coin column: both refusals give the flags that load it', async () => {
    const text = 'Date,XBT\n2024-01-01,42283.58\n';
    await expect(ingest('one.csv', text)).rejects.toThrow(
      /no column maps to symbol .*column "XBT" is named after a coin: .*--symbol XBT --map 'XBT=price_usd'/,
    );
    await expect(ingest('one.csv', text, 'BTC')).rejects.toThrow(
      /no column maps to price_usd .*--symbol BTC --map 'XBT=price_usd'/,
    );
    const loaded = await files.ingest('one.csv', text, { symbol: 'BTC', map: ['XBT=price_usd'] });
    expect(await symbolsOf(loaded)).toEqual(['BTC']);
  });

  it("is missing from FRED's Coinbase series, refused with the flags that load it", async () => {
    // FRED's download: the series' name is the coin; `.` is a day without an observation
    const text = 'observation_date,CBETHUSD\n2024-01-01,2352.04\n2024-01-02,.\n2024-01-03,2405.1\n';
    const flags =
      /FRED's Coinbase prices of ETH in US dollars: --symbol ETH --map 'CBETHUSD=price_usd'/;
    await expect(ingest('CBETHUSD.csv', text)).rejects.toThrow(flags);
    await expect(ingest('CBETHUSD.csv', text, 'ETH')).rejects.toThrow(flags);
    await expect(
      files.ingest('CBETHUSD.csv', text, { symbol: 'BTC', map: ['CBETHUSD=price_usd'] }),
    ).rejects.toThrow(
      /"CBETHUSD" is FRED's Coinbase prices of ETH, and --symbol BTC .*--symbol ETH$/,
    );
    const run = await files.ingest('CBETHUSD.csv', text, {
      symbol: 'ETH',
      map: ['CBETHUSD=price_usd'],
    });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 1 });
    expect((await files.pricesOf('eth')).map((p) => p.at.toISOString().slice(0, 10))).toEqual([
      '2024-01-01',
      '2024-01-03',
    ]);
  });

  it("is missing from a series' bare value, no price unless a name says so (was addresses as price)", async () => {
    // Nasdaq Data Link's BCHAIN series and Glassnode's metrics: `Date,Value` whatever the metric
    const addresses = 'Date,Value\n2024-01-01,812345\n2024-01-02,845123\n';
    await expect(ingest('BCHAIN-NADDU.csv', addresses, 'BTC')).rejects.toThrow(
      /column "Value" may be any series of a coin .*neither its header nor the file's name says it is BTC's price; .*--map 'Value=price_usd'$/,
    );
    await expect(ingest('glassnode_btc_active_addresses.csv', addresses, 'BTC')).rejects.toThrow(
      /column "Value" may be any series of a coin .*the file's name says "address", a series other than BTC's price; .*--map 'Value=price_usd'$/,
    );
    const mapped = await files.ingest('BCHAIN-NADDU.csv', addresses, {
      symbol: 'BTC',
      map: ['Value=price_usd'],
    });
    expect(mapped).toMatchObject({ status: 'succeeded', loaded: 2 });
    // the MKPRU series is the market price in dollars (MCM 2022's BCHAIN-MKPRU.csv), and a
    // name that says price is one
    const prices = 'Date,Value\n9/11/16,606.3\n9/12/16,609.2\n9/13/16,610.3\n';
    for (const [name, coin] of [
      ['BCHAIN-MKPRU.csv', 'BTC'],
      ['glassnode_eth_price_usd_close.csv', 'ETH'],
    ])
      expect(await ingest(name!, prices, coin), name).toMatchObject({ loaded: 3, rejected: 0 });
    // a name that says dollars and another series: its market cap loaded as SOL's price
    const caps = 'timestamp,value\n2024-01-01T00:00:00Z,85000000000\n';
    for (const [name, said] of [
      ['sol_market_cap_usd.csv', 'market_cap'],
      ['glassnode_sol_price_realized_usd.csv', 'realized'],
      ['santiment_sol_volume_usd.csv', 'volume'],
      ['BCHAIN-MKTCP.csv', 'MKTCP'],
    ])
      await expect(ingest(name!, caps, 'SOL'), name).rejects.toThrow(
        `the file's name says "${said}", a series other than SOL's price; if it is its price in US dollars, pass --map 'value=price_usd'`,
      );
  });

  it('of several coins loads each base coin', async () => {
    const run = await ingest(
      'binance.csv',
      'date,symbol,close\n2024-01-01,BTCUSDT,42283.58\n2024-01-01,ETHUSDT,2352.04\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(await symbolsOf(run)).toEqual(['BTC', 'ETH']);
  });

  it("of a trade history's several markets loads the dollar ones' rows, rejects the others'", async () => {
    // Binance's trade history: markets of USDT and of BTC, one trade a line. The whole file
    // was refused for its BTC market, and only a row past the first 1,000 was rejected alone.
    const run = await ingest(
      'Binance-Trade-History.csv',
      'Date(UTC),Pair,Side,Price,Executed,Amount,Fee\n' +
        '2024-01-05 14:03:11,BTCUSDT,BUY,44123.50,0.00234BTC,103.24899USDT,0.00000234BTC\n' +
        '2024-01-06 09:12:45,ETHBTC,SELL,0.0523,0.5000ETH,0.02615BTC,0.00002BTC\n' +
        '2024-01-06 09:13:45,ETHUSDT,SELL,2250.10,0.5000ETH,1125.05USDT,1.12505USDT\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 1 });
    expect(await symbolsOf(run)).toEqual(['BTC', 'ETH']);
    expect(await files.pricesIn(run)).toEqual([
      { id: 'btc', price: '44123.5' },
      { id: 'eth', price: '2250.1' },
    ]);
    expect(await files.reasonsOf(run)).toEqual([
      'symbol: "ETHBTC" is priced in BTC, not US dollars',
    ]);
  });

  it("of Yahoo Finance's table names each coin without the market's currency", async () => {
    // `Bitcoin USD` was the coin's name: a listing and an asset apart from Bitcoin's. And
    // `Price (Intraday)` was no price: the file was refused.
    const run = await ingest(
      'yahoo-cryptocurrencies.csv',
      'Symbol,Name,Price (Intraday),Change,% Change,Market Cap,Circulating Supply\n' +
        'BTC-USD,Bitcoin USD,"43,150.10",+250.50,+0.58%,845.123B,19.59M\n' +
        'USDT-USD,Tether USDt USD,1.0001,0.0000,0.00%,91.62B,91.61B\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(run.warnings.join('\n')).not.toMatch(/duplicate/);
    const rows = await files.db.db
      .select({ name: assets.name, id: quotes.sourceId, price: quotes.priceUsd })
      .from(quotes)
      .innerJoin(assets, eq(assets.id, quotes.assetId))
      .where(eq(quotes.runId, run.runId))
      .orderBy(assets.name);
    expect(rows).toEqual([
      { name: 'Bitcoin', id: 'btc-bitcoin', price: '43150.1' },
      { name: 'Tether USDt', id: 'usdt-tetherusdt', price: '1.0001' },
    ]);
  });

  it("reads Kraken's XBT and XDG beside their names as BTC and DOGE, another XBT as itself", async () => {
    const run = await ingest(
      'kraken-tickers.csv',
      'date,symbol,name,price\n2024-01-01,XBT,Bitcoin,42283.58\n' +
        '2024-01-01,XDG,Dogecoin,0.0896\n2024-01-01,XBT,Xbit Token,0.1\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 0 });
    expect(await symbolsOf(run)).toEqual(['BTC', 'DOGE', 'XBT']);
  });

  it("of exchanges' tickers reads the quote currency's volume, not the base coin's", async () => {
    // KuCoin's allTickers and Bybit's tickers as scripts save them: `vol` and `volume24h` count
    // bitcoins on BTC-USDT's row, `volValue` and `turnover24h` its tethers (was vol, as dollars)
    const kucoin =
      'symbol,symbolName,buy,sell,changeRate,changePrice,high,low,vol,volValue,last\n' +
      'BTC-USDT,BTC-USDT,42283.5,42283.6,0.0123,513.9,42500,41700.1,4210.12,178012345.67,42283.58\n' +
      'ETH-USDT,ETH-USDT,2352,2352.1,0.0054,12.6,2380,2310,81234.5,191234567.8,2352.04\n';
    const run = await files.ingest('kucoin.csv', kucoin, {}, new Date('2024-01-05T12:00:00Z'));
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect((await files.quotesIn(run)).map((q) => q.volume)).toEqual([
      '178012345.67',
      '191234567.8',
    ]);
    expect(run.warnings.join('\n')).toContain(
      `column "vol" counts each market's base coin (BTC on BTC-USDT's row), not US dollars`,
    );
    const bybit = await files.ingest(
      'bybit.csv',
      'symbol,lastPrice,price24hPcnt,highPrice24h,lowPrice24h,turnover24h,volume24h\n' +
        'BTCUSDT,42283.58,0.0123,42500,41700.1,178012345.67,4210.123\n',
      {},
      new Date('2024-01-05T12:00:00Z'),
    );
    const fieldsOf = (r: RunResult) =>
      Object.fromEntries(
        (r.mapping as { columns: { header: string; field: string }[] }).columns.map((c) => [
          c.header,
          c.field,
        ]),
      );
    expect(fieldsOf(bybit)).toHaveProperty('turnover24h', 'volume_24h_usd');
    // the user's word keeps it
    const said = await files.ingest('kucoin.csv', kucoin, { map: ['vol=volume_24h_usd'] });
    expect(said.warnings.join('\n')).not.toMatch(/base coin/);
    expect(fieldsOf(said)).toHaveProperty('vol', 'volume_24h_usd');
  });

  it("of Binance's 24-hour tickers is observed at each window's close (was its open)", async () => {
    // `/api/v3/ticker/24hr` saved by pandas: `lastPrice` is at `closeTime`; `openTime` is a day
    // before it, where a candle's close would be stamped
    const tickers =
      'symbol,priceChangePercent,lastPrice,volume,quoteVolume,openTime,closeTime,count\n' +
      'ETHBTC,-1.098,0.05584000,29613.30310000,1664.18770961,1704342725001,1704429125001,110246\n' +
      'BTCUSDT,-0.676,42505.86000000,37582.75839000,1602679872.21584860,1704342725006,1704429125006,1270045\n' +
      'ETHUSDT,-1.530,2350.61000000,412345.89120000,982185234.98764321,1704342725003,1704429125003,444455\n';
    const run = await ingest('binance_24hr.csv', tickers);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 1 });
    expect(await files.quotesIn(run)).toMatchObject([
      { id: 'btc', at: new Date(1704429125006), price: '42505.86', volume: '1602679872.2158486' },
      { id: 'eth', at: new Date(1704429125003), price: '2350.61', volume: '982185234.98764321' },
    ]);
    // the markets say the quote volume is dollars: no low confidence to confirm
    expect(run.warnings.join('\n')).not.toMatch(/"quoteVolume" mapped to/);
  });

  it("of CoinGecko's market_chart saved by pandas is refused: each cell is [time, value]", async () => {
    // pd.DataFrame(answer).to_csv(): was refused naming --map 'COLUMN=price_usd', which read no row
    const chart =
      ',prices,market_caps,total_volumes\n' +
      '0,"[1704067200000, 42283.58]","[1704067200000, 828123456789.1]","[1704067200000, 21123456789.5]"\n';
    const refused = files.ingest('chart.csv', chart, { symbol: 'BTC' });
    await expect(refused).rejects.toMatchObject({ code: 'input' });
    await expect(refused).rejects.toThrow(
      /no column maps to price_usd \(columns: "", "prices", "market_caps", "total_volumes"\): column "prices" holds a time and a value in each cell \("\[1704067200000, 42283\.58\]" on line 2\).*no --map reads them/,
    );
  });

  it("absent, leaves a market's quote volume to --map: the file does not say its currency", async () => {
    // Cryptowatch's candles of one market, loaded with --symbol: BTC/USD or BTC/EUR, it does not say
    const candles =
      'CloseTime,OpenPrice,HighPrice,LowPrice,ClosePrice,Volume,QuoteVolume\n' +
      '1704153600,42283.58,44184.1,42180.77,44179.55,27174.3,1152012345.12\n';
    const run = await files.ingest('cw.csv', candles, { symbol: 'BTC' });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 1 });
    const warned = run.warnings.join('\n');
    expect(warned).toContain(
      `column "QuoteVolume" is in its market's quote currency, which the file does not name: ` +
        `left out of volume_24h_usd (if it is US dollars, --map 'QuoteVolume=volume_24h_usd')`,
    );
    // and no word of having read it after all
    expect(warned).not.toMatch(/"QuoteVolume" mapped to/);
    expect(await files.quotesIn(run)).toMatchObject([{ price: '44179.55', volume: null }]);
  });

  describe('written quote first', () => {
    const bittrex = readFileSync(
      join(repoRoot, 'fixtures/csv/wild/bittrex_getmarketsummaries_2019-06-23_pandas.csv'),
      'utf8',
    );
    const poloniex = readFileSync(
      join(repoRoot, 'fixtures/csv/wild/poloniex_return_ticker_2018_pandas_index.csv'),
      'utf8',
    );
    const at = new Date('2018-03-07T12:00:00Z');
    /** A database of its own, where no other test's values leave the resumed ones unchanged. */
    const own = useCsvFiles('kx-quote-first-');

    it("of Poloniex's tickers loads each dollar market's coin and volume (was refused)", async () => {
      // pandas' unnamed index holds `USDT_BTC`: bitcoin in tethers; its `baseVolume` is in
      // tethers and `quoteVolume` counts bitcoins (was read as the volume, had a symbol been
      // mapped: and `BTC_LTC` would have read as bitcoin in litecoins)
      const run = await files.ingest('poloniex.csv', poloniex, {}, at);
      expect(run).toMatchObject({ status: 'succeeded', fetched: 19, loaded: 10, rejected: 9 });
      expect(await symbolsOf(run)).toEqual(
        ['BCH', 'BTC', 'DASH', 'ETC', 'ETH', 'LTC', 'NXT', 'STR', 'XMR', 'XRP'].sort(),
      );
      const btc = (await files.quotesIn(run)).find((q) => q.id === '121');
      expect(btc).toMatchObject({ price: '10624.99998773', volume: '35691429.9653917' });
      const reasons = await files.reasonsOf(run);
      expect(reasons).toContain('symbol: "BTC_LTC" is priced in BTC, not US dollars');
      expect(reasons).toContain('symbol: "XMR_BCN" is priced in XMR, not US dollars');
      const warned = run.warnings.join('\n');
      expect(warned).toContain(
        `column "column_1" holds markets ("BTC_BCN" on line 2): read as each row's coin`,
      );
      expect(warned).toContain(
        `column "baseVolume" is in each market's quote currency (USDT on USDT_BTC's row), as ` +
          `markets written quote first name it: read as volume_24h_usd, and "quoteVolume", ` +
          'which counts the coin, left out',
      );
      // the unnamed column can then be named, and left out
      const without = files.ingest('poloniex.csv', poloniex, { map: ['column_1='] }, at);
      await expect(without).rejects.toThrow(/no column maps to symbol/);
    });

    it("of Bittrex's summaries names the quotes a coin is in twice, then loads one's", async () => {
      // `USD-ETH` and `USDT-ETH` are ether in dollars and in tethers at one time
      const both = files.ingest('bittrex.csv', bittrex);
      await expect(both).rejects.toThrow(
        /lines 5 and 6 are both ETH .*column "MarketName" tells them apart \("USD-ETH" and "USDT-ETH"\).*Load the markets of one quote currency \(USD or USDT\), from a file of their own$/,
      );
      const tethers = bittrex
        .split('\n')
        .filter((line) => !line.startsWith('USD-'))
        .join('\n');
      const run = await files.ingest('bittrex-usdt.csv', tethers);
      expect(run).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 3 });
      expect(await files.quotesIn(run)).toMatchObject([
        { id: 'btc', price: '10701.4', volume: '7817032.29075771' },
        { id: 'eth', price: '313.18503803', volume: '1860797.47437501' },
        { id: 'npxs', price: '0.00085002', volume: '5864.69254432' },
      ]);
      expect(await files.reasonsOf(run)).toEqual([
        'symbol: "BTC-NPXS" is priced in BTC, not US dollars',
        'symbol: "ETH-NPXS" is priced in ETH, not US dollars',
        'symbol: "BTC-ETH" is priced in BTC, not US dollars',
      ]);
      // its dollars' markets alone: `USD-USDT` is tether in dollars
      const dollars = bittrex
        .split('\n')
        .filter((line) => !/^(?:USDT|BTC|ETH)-/.test(line))
        .join('\n');
      const usd = await files.ingest('bittrex-usd.csv', dollars);
      expect(await files.quotesIn(usd)).toMatchObject([
        { id: 'btc', price: '10650' },
        { id: 'eth', price: '311.047' },
        { id: 'usdt', price: '0.995' },
      ]);
    });

    it('keeps the reading across a failed run and its resume', async () => {
      const { failed, resumed } = await own.failAndResume(
        'poloniex-resumed.csv',
        poloniex,
        {},
        { failAfter: 8, batchSize: 4, mtime: at },
      );
      expect(resumed).toMatchObject({ status: 'succeeded' });
      const prices = await own.db.db
        .select({ price: sql<string>`${quotes.priceUsd}::text` })
        .from(quotes)
        .where(sql`${quotes.runId} in (${failed.runId}, ${resumed.runId})`)
        .orderBy(quotes.priceUsd);
      expect(prices.map((p) => p.price)).toEqual(
        ['0.20223804', '0.34222321', '0.90978146', '33.87', '210.95749', '292.67178868'].concat([
          '600',
          '869.39534497',
          '1224.19537308',
          '10624.99998773',
        ]),
      );
    });

    it("of Upbit's won markets is refused, --map or not (was KRW-BTC, a coin at $58,350,000)", async () => {
      const upbit = (quote: string) =>
        'market,trade_date,trade_time,trade_price,acc_trade_price_24h,acc_trade_volume_24h,timestamp\n' +
        `${quote}-BTC,20240105,041205,${quote === 'KRW' ? '58350000.0' : '42283.5'},157891234567.8,2701.1,1704427925187\n` +
        `${quote}-ETH,20240105,041204,${quote === 'KRW' ? '3080000.0' : '2350.61'},51891234567.8,16900.1,1704427925100\n` +
        `${quote}-XRP,20240105,041201,${quote === 'KRW' ? '825.0' : '0.5808'},71891234567.8,87000000.0,1704427925111\n`;
      for (const params of [{}, { map: ['market=symbol'] }]) {
        const refused = files.ingest('upbit.csv', upbit('KRW'), params);
        await expect(refused).rejects.toThrow(
          /the symbol column holds trading pairs priced in KRW, not US dollars \("KRW-BTC" on line 2\)/,
        );
      }
      const run = await files.ingest('upbit-usdt.csv', upbit('USDT'));
      expect(await symbolsOf(run)).toEqual(['BTC', 'ETH', 'XRP']);
      // observed at `timestamp`, not at `trade_time`, a time of day (was every row rejected)
      expect((await files.quotesIn(run)).map((q) => q.at)).toEqual([
        new Date(1704427925187),
        new Date(1704427925100),
        new Date(1704427925111),
      ]);
    });
  });

  it("missing beside CoinGecko's ids (`/simple/price`), the refusal names where the coins are", async () => {
    // `pd.DataFrame(answer).T.to_csv()`: the ids as pandas' unnamed index; `--map 'COLUMN=symbol'`
    // (the refusal's word) made coins BITCOIN and ETHEREUM beside BTC and ETH
    const simple =
      ',usd,usd_market_cap,usd_24h_vol,usd_24h_change,eur,last_updated_at\n' +
      'bitcoin,42283.58,828412345678.9,21232312345.1,-0.68,38512.3,1704429125\n' +
      'ethereum,2352.04,282712345678.2,9876543210.5,-1.53,2142.1,1704429121\n';
    const refused = files.ingest('simple_price.csv', simple);
    await expect(refused).rejects.toThrow(
      /no column maps to symbol \(columns: .*\): column "column_1" holds CoinGecko's ids of coins \("bitcoin" on line 2\), not their tickers, which no column holds: kx ingest --source coingecko loads its coins with both$/,
    );
  });

  it("missing, is not found in a column of coins' ids or names however they are written", async () => {
    // `btc-bitcoin` would have read as a coin BITCOIN in bitcoin, `usdt-tether` one TETHER in tethers
    for (const ids of [
      'id,price_usd\nbtc-bitcoin,42283.58\nusdt-tether,1.0002\n',
      'coin_id,name,price\nusd-coin,USDC-USD,1.0001\nbinance-usd,BUSD-USD,0.9998\n',
      'paprika,price\nbtc-bitcoin,42283.58\nusdt-tether,1.0002\n',
    ]) {
      const refused = files.ingest('ids.csv', ids, {}, new Date('2024-01-05T12:00:00Z'));
      await expect(refused).rejects.toThrow(/no column maps to symbol/);
    }
  });

  it("missing beside a column of coins' names, says they are no tickers (was --map to BITCOIN)", async () => {
    // `coin` is no symbol's name: the refusal said --map 'COLUMN=symbol', which loaded BITCOIN
    const names = 'date,coin,price\n2024-01-01,Bitcoin,42000\n2024-01-01,Ethereum,2300\n';
    await expect(files.ingest('names.csv', names)).rejects.toThrow(
      /no column maps to symbol \(columns: .*\): column "coin" holds coins' names \("Bitcoin" on line 2, "Ethereum" on line 3\), not their tickers, which no column holds: .*\(BITCOIN\)\. Add a column of tickers, or load a file of one coin's rows with --symbol SYM$/,
    );
    // names of no well-known coin, under a header for coins; one coin's, named by its ticker
    const others = 'Date,Cryptocurrency,Close\n2024-01-01,Arbitrum,1.1\n2024-01-01,Optimism,2.2\n';
    await expect(files.ingest('others.csv', others)).rejects.toThrow(
      /column "Cryptocurrency" holds coins' names \("Arbitrum" on line 2, "Optimism" on line 3\)/,
    );
    const one = 'date,name,price\n2024-01-01,Bitcoin,42000\n2024-01-02,Bitcoin,42100\n';
    await expect(files.ingest('one.csv', one)).rejects.toThrow(
      /column "name" holds coins' names \("Bitcoin" on line 2\).* If every row is Bitcoin's, --symbol BTC reads them so$/,
    );
    // words that are no coins' names are left to the usual refusal
    const notes = 'date,notes,price\n2024-01-01,Bought some,1.1\n2024-01-02,US Dollar,1\n';
    await expect(files.ingest('notes.csv', notes)).rejects.toThrow(
      /no column maps to symbol \(columns: .*\); name it with --map 'COLUMN=symbol'/,
    );
  });

  it('of markets, one in a currency kx does not know, loads the others (was each a coin)', async () => {
    // `DOGE-XRP` is no market kx reads: the column was taken for tickers, `BTC-USD` a coin
    const run = await ingest(
      'markets.csv',
      'pair,price,timestamp\nBTC-USD,42283.58,2024-01-01\nDOGE-XRP,0.3,2024-01-01\nETH-USD,2352.04,2024-01-01\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 1 });
    expect(await symbolsOf(run)).toEqual(['BTC', 'ETH']);
    expect(await files.reasonsOf(run)).toEqual([
      'symbol: "DOGE-XRP" is priced in XRP, not US dollars',
    ]);
  });

  it('of tickers rejects a market among them, and --symbol a market in another currency', async () => {
    const run = await files.ingest(
      'tickers.csv',
      'symbol,price\nBTC,42120.5\nETH,2352.04\nBTC-USD,42120.5\nKRW-BTC,58350000\nBSC-USD,0.9993\n',
      {},
      new Date('2024-01-05T12:00:00Z'),
    );
    expect(run).toMatchObject({ loaded: 3, rejected: 2 });
    expect(await symbolsOf(run)).toEqual(['BSC-USD', 'BTC', 'ETH']);
    expect(await files.reasonsOf(run)).toEqual([
      `symbol: "BTC-USD" is a market, not a coin's ticker like the column's others`,
      `symbol: "KRW-BTC" is a market, not a coin's ticker like the column's others`,
    ]);
    const one = await ingest(
      'btc.csv',
      'date,symbol,close\n2024-01-01,BTC,42283.58\n2024-01-02,BTC-EUR,40512.3\n2024-01-03,BTC,44179.55\n',
      'BTC',
    );
    expect(one).toMatchObject({ loaded: 2, rejected: 1 });
    expect(await files.reasonsOf(one)).toEqual([
      'symbol: "BTC-EUR" is priced in EUR, not US dollars',
    ]);
  });

  it('that is a listing of coins (BSC-USD, TUSD among them) stays tickers', async () => {
    const run = await ingest(
      'listing.csv',
      'symbol,price\nBTC,42283.58\nBSC-USD,1.0001\nTUSD,0.9987\nBTCUSD,0.01\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 4, rejected: 0 });
    expect(await symbolsOf(run)).toEqual(['BSC-USD', 'BTC', 'BTCUSD', 'TUSD']);
  });

  it("of coins' names is refused: each would be a coin of its own (was BITCOIN)", async () => {
    const text =
      'asset,price,date\nBitcoin,42000.5,2024-01-01\nEthereum,2300.1,2024-01-01\nShiba Inu,0.00001,2024-01-01\n';
    const refused = ingest('names.csv', text);
    await expect(refused).rejects.toMatchObject({ code: 'input' });
    await expect(refused).rejects.toThrow(
      /column "asset" holds coins' names \("Bitcoin" on line 2, "Ethereum" on line 3\), not their tickers.*--map 'asset=name'/,
    );
    // CoinGecko's ids of two well-known coins, whatever the rest
    await expect(
      ingest(
        'ids.csv',
        'asset,price,date\nbitcoin,42000.5,2024-01-01\nethereum,2300.1,2024-01-01\n' +
          'tether,1,2024-01-01\nsolana,101.5,2024-01-01\nripple,0.6,2024-01-01\n',
      ),
    ).rejects.toThrow(/column "asset" holds coins' names \("bitcoin" on line 2, "ethereum"/);
    // one such ticker among others (a meme coin's BITCOIN) stays a ticker
    const meme = await ingest('meme.csv', 'symbol,price\nBTC,42000.5\nBITCOIN,0.1\nETH,2300.1\n');
    expect(await symbolsOf(meme)).toEqual(['BITCOIN', 'BTC', 'ETH']);
    // tickers in their own mixed case, and lower-case ones, are tickers
    const mixed = await ingest(
      'mixed.csv',
      'asset,price,date\nstETH,2300.5,2024-01-01\nUSDe,1.0001,2024-01-01\ncrvUSD,0.9998,2024-01-01\nbtc,42000.5,2024-01-01\n',
    );
    expect(await symbolsOf(mixed)).toEqual(['BTC', 'CRVUSD', 'STETH', 'USDE']);
    // the user's word: loaded as tickers after all
    const said = await files.ingest('names.csv', text, { map: ['asset=symbol'] });
    expect(said).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 1 });
    // …and said so: each is a coin of its own
    expect(said.warnings).toContain(
      `column "asset" holds coins' names ("Bitcoin" on line 2, "Ethereum" on line 3): read as ` +
        "tickers, as --map says, each a coin of its own (BITCOIN), not linked to the sources' " +
        'coins by its ticker',
    );
  });

  it('missing, beside a name column of tickers: the refusal names that column', async () => {
    const text = 'coin,price,date\nBTC,42000.5,2024-01-01\nETH,2300.1,2024-01-01\n';
    await expect(ingest('coins.csv', text)).rejects.toThrow(
      /no column maps to symbol .*Column "coin" holds tickers \("BTC" on line 2\): --map 'coin=symbol'/,
    );
    const mapped = await files.ingest('coins.csv', text, { map: ['coin=symbol'] });
    expect(await symbolsOf(mapped)).toEqual(['BTC', 'ETH']);
    // names are no tickers: not --map 'coin=symbol', which loaded BITCOIN
    await expect(
      ingest('named.csv', 'coin,price,date\nBitcoin,42000.5,2024-01-01\n'),
    ).rejects.toThrow(
      /no column maps to symbol \(columns: "coin", "price", "date"\): column "coin" holds coins' names .*--symbol BTC reads them so$/,
    );
  });

  it("--symbol of a well-known coin's name is refused naming its ticker (was BITCOIN)", async () => {
    const text = 'date,price\n2024-01-01,42283.58\n';
    const refused = ingest('btc.csv', text, 'bitcoin');
    await expect(refused).rejects.toMatchObject({ code: 'usage' });
    await expect(refused).rejects.toThrow(
      "--symbol BITCOIN is a coin's name, not its ticker: pass --symbol BTC",
    );
    expect(await symbolsOf(await ingest('btc.csv', text, 'btc'))).toEqual(['BTC']);
  });

  it("--symbol of another coin than the file's name says is refused (was Ethereum.csv as BTC)", async () => {
    // Kaggle's top-50 dataset: investing.com's table saved under the coin's name
    const text =
      'SNo,Date,Price,Open,High,Low,Vol.,Change %\n' +
      '0,"Nov 30, 2021","4,631.5","4,444.5","4,772.6","4,432.2",1.12M,4.16%\n';
    for (const [name, coin] of [
      ['Ethereum.csv', 'ETH'],
      ['coin_WrappedBitcoin.csv', 'WBTC'],
      ['BitcoinCash.csv', 'BCH'],
      ['eth_daily.csv', 'ETH'],
    ])
      await expect(ingest(name!, text, 'btc'), name).rejects.toThrow(
        `the file's name says its coin is ${coin}, and --symbol BTC reads every row as BTC`,
      );
    await expect(ingest('Ethereum.csv', text)).rejects.toThrow(
      "(the file's name says ETH: --symbol ETH)",
    );
    expect(await symbolsOf(await ingest('Ethereum.csv', text, 'eth'))).toEqual(['ETH']);
    // a title above the header names the coin as a name does; a title of as many cells as the
    // header was read as the header
    for (const [title, said] of [
      ['Ethereum Historical Data', 'Ethereum Historical Data'],
      ['Ethereum (ETH) price history,2021,,,,,,', 'Ethereum (ETH) price history, 2021'],
    ])
      await expect(ingest('export.csv', `${title}\n${text}`, 'btc'), title).rejects.toThrow(
        `export.csv: line 1 above the header ("${said}") names ETH, and --symbol BTC reads every row as BTC; pass --symbol ETH, or remove the line if it is wrong`,
      );
    await expect(ingest('export.csv', `Ethereum Historical Data\n${text}`)).rejects.toThrow(
      '(line 1 above the header, "Ethereum Historical Data", names ETH: --symbol ETH)',
    );
    const titled = await ingest('export.csv', `Ethereum Historical Data\n\n${text}`, 'eth');
    expect(titled).toMatchObject({ status: 'succeeded', fetched: 1, rejected: 0 });
    // a coin whose name begins with another's, two coins, or words that are no tickers
    for (const [i, name] of [
      'EthereumClassic.csv',
      'btc_vs_eth.csv',
      'dot_prices_etc.csv',
      'trx_export.csv',
    ].entries())
      expect(
        await symbolsOf(await ingest(name, text.replace('4,631', `3${i}`), 'etc')),
        name,
      ).toEqual(['ETC']);
  });

  it("of cashtags is read without the $ (was a coin $BTC beside BTC); a ticker's $ stays", async () => {
    const run = await ingest(
      'tags.csv',
      'symbol,price,date\n$BTC,42000.5,2024-01-01\n$pepe,0.00001,2024-01-01\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(await symbolsOf(run)).toEqual(['BTC', 'PEPE']);
    expect(run.mapping).toMatchObject({ cashtags: true });
    // with --symbol, a cashtag names the coin
    const one = await ingest(
      'tag.csv',
      'date,ticker,price\n2024-01-01,$BTC,42001\n2024-01-02,$BTC,43000\n',
      'BTC',
    );
    expect(await symbolsOf(one)).toEqual(['BTC']);
    // a ticker that is dollar signs, among tickers, is a ticker
    const money = await ingest('money.csv', 'symbol,price\n$$$,0.1\nBTC,42002\n');
    expect(await symbolsOf(money)).toEqual(['$$$', 'BTC']);
  });

  it('whose every value is --symbol is that coin', async () => {
    const run = await ingest(
      'ethbtc.csv',
      'date,symbol,price\n2024-01-01,ETHBTC,0.05\n2024-01-02,ETHBTC,0.051\n',
      'ETHBTC',
    );
    expect(await symbolsOf(run)).toEqual(['ETHBTC']);
  });

  it('that names other coins refuses --symbol, which would read every row as one', async () => {
    // was "2 read, 2 valid": ETH's price loaded as BTC's on the second day
    const text = 'date,symbol,price\n2024-01-01,BTC,42000\n2024-01-02,ETH,2300\n';
    await expect(ingest('two-coins.csv', text, 'BTC')).rejects.toThrow(
      /two-coins\.csv: --symbol BTC reads every row as BTC, but column "symbol" names another coin on line 3 \("ETH"\).*--map 'symbol='/,
    );
    await expect(
      ingest(
        'two-pairs.csv',
        text.replace(',BTC,', ',BTC/USD,').replace(',ETH,', ',ETH/USD,'),
        'BTC',
      ),
    ).rejects.toThrow(/names another coin on line 3 \("ETH\/USD"\)/);
    // a name column that names two coins says the same
    const names = 'date,name,price\n2024-01-01,Bitcoin,42000\n2024-01-02,Ethereum,2300\n';
    await expect(ingest('two-names.csv', names, 'BTC')).rejects.toThrow(
      /column "name" names "Bitcoin" on line 2 and another coin on line 3 \("Ethereum"\).*leave the column out with --map 'name='/,
    );
    // one coin under a renamed ticker, the column left out
    const renamed = 'date,symbol,price\n2024-09-03,MATIC,0.39\n2024-09-05,POL,0.38\n';
    const run = await files.ingest('renamed.csv', renamed, { symbol: 'POL', map: ['symbol='] });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2 });
    expect(await symbolsOf(run)).toEqual(['POL']);
    // a pair of the coin itself, and XBT for BTC, are that coin
    const xbt = 'date,symbol,price\n2024-01-01,XBT/USD,42000\n2024-01-02,BTC/USD,43000\n';
    expect(await symbolsOf(await ingest('xbt.csv', xbt, 'BTC'))).toEqual(['BTC']);
  });

  it('rejects a row past the sample that names another coin than --symbol', async () => {
    const days = Array.from({ length: 1002 }, (_, i) =>
      new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
    );
    const btc = days.slice(0, 1000).map((d, i) => `${d},BTC,Bitcoin,${7000 + i}`);
    // was loaded as BTC's prices: the look-ahead reads the first 1,000 rows
    const later = [`${days[1000]},ETH,Ethereum,2300`, `${days[1001]},XBT/USD,bitcoin,43000`];
    const run = await ingest(
      'late-coin.csv',
      `date,symbol,name,close\n${[...btc, ...later].join('\n')}\n${days[1001]},BTC,Ethereum,2301\n`,
      'BTC',
    );
    expect(run).toMatchObject({ fetched: 1003, loaded: 1001, rejected: 2 });
    expect(await files.reasonsOf(run)).toEqual([
      'symbol: "ETH" is another coin than --symbol BTC',
      `name: "Ethereum" is another coin than the first rows' "Bitcoin" (--symbol BTC)`,
    ]);
    const prices = await files.pricesOf('btc-bitcoin');
    expect(prices.find((p) => p.at.toISOString().startsWith(days[1001]!))?.price).toBe('43000');
  });

  it('rejects a row past the sample that is no dollar pair, naming it', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      return `${day},BTC/USD,${7000 + i}`;
    });
    const run = await ingest(
      'late.csv',
      `date,symbol,close\n${rows.join('\n')}\n2023-01-01,BTC/EUR,15000\n2023-01-02,BTC,16000\n2023-01-03,,17000\n`,
    );
    expect(run).toMatchObject({ fetched: 1003, loaded: 1000, rejected: 3 });
    expect(await files.reasonsOf(run)).toEqual([
      'symbol: "BTC/EUR" is priced in EUR, not US dollars',
      `symbol: "BTC" is not a trading pair like the column's others ("BTC/USD")`,
      'symbol: missing symbol', // empty: what any file's row without a symbol gets
    ]);
  });
});

describe("a symbol column of coins' names and tickers", () => {
  const files = useCsvFiles('kx-named-tickers-');
  const at = new Date('2024-01-05T12:00:00Z');
  // CoinGecko's table as copied or scraped: the name and the ticker in one cell
  const table =
    '#,Coin,Price,1h,24h,7d,24h Volume,Mkt Cap\n' +
    '1,Bitcoin BTC,"$42,283.58",0.1%,2.3%,-1.2%,"$21,123,456,789","$828,123,456,789"\n' +
    '2,Ethereum ETH,"$2,352.04",0.2%,1.1%,3.4%,"$9,876,543,210","$282,123,456,789"\n' +
    '3,"Tether\nUSDt","$1.00",0.0%,0.0%,0.1%,"$41,000,000,000","$91,700,000,000"\n' +
    '4,Bitcoin SV BSV,$64.21,0.3%,-2.0%,1.5%,"$41,234,567","$1,262,000,000"\n';

  async function coinsOf(run: RunResult): Promise<{ symbol: string; name: string | null }[]> {
    return files.db.db
      .select({ symbol: assets.symbol, name: assets.name })
      .from(quotes)
      .innerJoin(assets, eq(assets.id, quotes.assetId))
      .where(eq(quotes.runId, run.runId))
      .orderBy(assets.symbol);
  }

  it('is refused without a symbol column, naming the --map that reads the two', async () => {
    await expect(files.ingest('table.csv', table, {}, at)).rejects.toThrow(
      /no column maps to symbol .*Column "Coin" holds each coin's name and ticker \("Bitcoin BTC" on line 2\): --map 'Coin=symbol' reads the two from it$/,
    );
  });

  it("loads each row as its ticker, named by the rest (was refused, or BITCOIN BTC's row rejected)", async () => {
    const run = await files.ingest('table.csv', table, { map: ['Coin=symbol'] }, at);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 4, rejected: 0 });
    expect(await coinsOf(run)).toEqual([
      { symbol: 'BSV', name: 'Bitcoin SV' },
      { symbol: 'BTC', name: 'Bitcoin' },
      { symbol: 'ETH', name: 'Ethereum' },
      { symbol: 'USDT', name: 'Tether' },
    ]);
    expect(run.mapping).toMatchObject({ namedTickers: true });
  });

  it('reads `Bitcoin (BTC)` in a symbol column, beside a name column that stays the name', async () => {
    const run = await files.ingest(
      'brackets.csv',
      'symbol,name,price\nBitcoin (BTC),Bitcoin,42283.58\nTether USDt (USDT),Tether,1.0002\n',
      {},
      at,
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(await coinsOf(run)).toEqual([
      { symbol: 'BTC', name: 'Bitcoin' },
      { symbol: 'USDT', name: 'Tether' },
    ]);
  });

  it('of one coin is that coin for --symbol (was refused as naming another)', async () => {
    const run = await files.ingest(
      'btc.csv',
      'date,Coin,Price\n2024-01-01,Bitcoin BTC,42283.58\n2024-01-02,Bitcoin BTC,44179.55\n',
      { map: ['Coin=symbol'], symbol: 'BTC' },
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    await expect(
      files.ingest('eth.csv', 'date,Coin,Price\n2024-01-01,Ethereum ETH,2352.04\n', {
        map: ['Coin=symbol'],
        symbol: 'BTC',
      }),
    ).rejects.toThrow(/column "Coin" names another coin on line 2 \("Ethereum ETH"\)/);
  });

  it('reads them so again when a failed run is resumed', async () => {
    const rows = ['Bitcoin BTC', 'Ethereum ETH', 'Solana SOL', 'Cardano ADA'].map(
      (coin, i) => `${coin},${100 + i}`,
    );
    const text = `coin,price\n${rows.join('\n')}\n`;
    const { failed, resumed } = await files.failAndResume(
      'resumed.csv',
      text,
      { map: ['coin=symbol'] },
      { failAfter: 2, batchSize: 1, mtime: at },
    );
    expect(resumed).toMatchObject({ status: 'succeeded', rejected: 0 });
    const symbols = await files.db.db
      .selectDistinct({ symbol: assets.symbol })
      .from(quotes)
      .innerJoin(assets, eq(assets.id, quotes.assetId))
      .where(sql`${quotes.runId} in (${failed.runId}, ${resumed.runId})`)
      .orderBy(assets.symbol);
    expect(symbols.map((r) => r.symbol)).toEqual(['ADA', 'BTC', 'ETH', 'SOL']);
  });
});

describe('a symbol column of currency signs', () => {
  const files = useCsvFiles('kx-signs-');
  const at = new Date('2024-03-29T16:30:00Z');
  const lcw = readFileSync(
    join(repoRoot, 'fixtures/csv/wild/livecoinwatch_coins_meta_json_normalize.csv'),
    'utf8',
  );

  async function symbolsOf(run: RunResult): Promise<string[]> {
    const rows = await files.db.db
      .select({ symbol: assets.symbol })
      .from(quotes)
      .innerJoin(assets, eq(assets.id, quotes.assetId))
      .where(eq(quotes.runId, run.runId))
      .orderBy(assets.symbol);
    return rows.map((r) => r.symbol);
  }

  it("loads LiveCoinWatch's coins by their code, as the refusal says (was Ξ beside ETH)", async () => {
    const run = await files.ingest('lcw.csv', lcw, { map: ['code=symbol', 'symbol='] }, at);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(await symbolsOf(run)).toEqual(['BTC', 'ETH']);
    // its `rate` beside a `cap` is the price; its `delta.day` (1.0808) a ratio, not read
    expect(await files.quotesIn(run)).toMatchObject([
      { price: '57521.9764455523', cap: '1073815194352', change: null },
      { price: '1786.6742250505124', cap: '205915246068', change: null },
    ]);
  });

  it('without a column of tickers, the refusal says to name one (the currency is none)', async () => {
    await expect(
      files.ingest(
        'signs.csv',
        'symbol,currency,name,price\n₿,USD,Bitcoin,42000.5\nΞ,USD,Ethereum,2300.1\n',
        {},
        at,
      ),
    ).rejects.toThrow(
      /column "symbol" holds currency signs \("₿" on line 2, "Ξ" on line 3\), not tickers: .* Name the column of tickers with --map 'COLUMN=symbol' --map 'symbol='$/,
    );
  });

  it('rejects a sign past the first rows by itself; one-letter and CJK tickers are tickers', async () => {
    const run = await files.ingest(
      'mixed.csv',
      'symbol,price\nBTC,42000.5\nETH,2300.1\nT,0.021\nW,0.31\n龙,0.001\nΞ,2300.2\n',
      {},
      at,
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 5, rejected: 1 });
    expect(await files.reasonsOf(run)).toEqual(['symbol: "Ξ" is a currency sign, not a ticker']);
    expect(await symbolsOf(run)).toEqual(['BTC', 'ETH', 'T', 'W', '龙']);
    // one among the first rows, beside no column of tickers: rejected by itself too
    const first = await files.ingest(
      'first.csv',
      'symbol,name,price\nΞ,Ethereum,2300.2\nbtc,Bitcoin,42000.5\nsol,Solana,101.5\n',
      {},
      at,
    );
    expect(first).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 1 });
  });
});

describe('a currency column', () => {
  const files = useCsvFiles('kx-currency-');
  const ingest = (name: string, text: string, map: string[] = []): Promise<RunResult> =>
    files.ingest(name, text, { map });

  it('absent, a price of BTC or ETH ten times its highest in dollars is rejected (was won as dollars)', async () => {
    // Bithumb's and Upbit's days of bitcoin are in won, bitFlyer's in yen, and say so nowhere
    const won = 'Date,Close\n2024-01-01,58350000\n2024-01-02,59120000\n2024-01-03,98000\n';
    const failed = (run: Promise<RunResult>) => run.catch((error: unknown) => getFailedRun(error));
    const run = await failed(files.ingest('bithumb_btc_daily.csv', won, { symbol: 'BTC' }));
    expect(run).toMatchObject({ status: 'failed', loaded: 1, rejected: 2 });
    expect((await files.reasonsOf(run!))[0]).toBe(
      'price_usd: 58350000 is more than ten times the most BTC has traded at in US dollars ' +
        '(about 126,000): a price in another currency (won, yen, rupees)? Convert the file to ' +
        "dollars; if these are dollars, --map 'Close=price_usd'",
    );
    const eth = await failed(
      files.ingest('eth.csv', 'Date,Close\n2024-01-01,3165000\n', { symbol: 'ETH' }),
    );
    expect(eth).toMatchObject({ loaded: 0, rejected: 1 });
    // the user's word that they are dollars loads them
    const said = await files.ingest('bithumb_btc_daily.csv', won, {
      symbol: 'BTC',
      map: ['Close=price_usd'],
    });
    expect(said).toMatchObject({ status: 'succeeded', loaded: 2, unchanged: 1, rejected: 0 });
  });

  it("of CoinGecko's tickers (`target`) leaves their converted dollars be, and checks `last`", async () => {
    // LUNA's markets on Coinone and GDAC in won (`/coins/luna/tickers` of 2019-07-02, as a
    // public repository's test records it), flattened by json_normalize: refused for want of a
    // symbol, then with --map 'base=symbol' loaded at 1,803 "dollars", its volume in coins
    const tickers =
      'base,target,last,volume,timestamp,coin_id,market.name,converted_last.btc,converted_last.usd,converted_volume.btc,converted_volume.usd\n' +
      'LUNA,KRW,1803.0,128678.9448,2019-07-02T19:56:29+00:00,luna,Coinone,0.00014263,1.54,18.353474,198678.0\n' +
      'LUNA,KRW,1790.0,6077.13901336,2019-07-02T18:54:22+00:00,luna,GDAC,0.00014401,1.53,0.87514204,9315.58\n';
    const run = await ingest('luna_tickers.csv', tickers);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(await files.quotesIn(run)).toMatchObject([
      { id: 'luna', price: '1.53', volume: '9315.58' },
      { id: 'luna', price: '1.54', volume: '198678' },
    ]);
    // without the converted dollars, `last` is in the `target`: a won market is rejected
    const bare = await ingest(
      'tickers.csv',
      'base,target,last,timestamp\nBTC,KRW,58350000,2024-01-05T04:12:05Z\n' +
        'BTC,USDT,42283.5,2024-01-05T04:12:06Z\nETH,USDT,2352.1,2024-01-05T04:12:06Z\n',
    );
    expect(bare).toMatchObject({ loaded: 2, rejected: 1 });
    expect(await files.reasonsOf(bare)).toEqual([
      "target: the row's prices are in KRW, not US dollars",
    ]);
  });

  it('of dollars loads, and says it checked them', async () => {
    const run = await ingest(
      'usd.csv',
      'date,symbol,price,currency\n2024-01-01,BTC,42283.58,USD\n2024-01-01,ETH,2352.04,usdt\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(run.mapping).toMatchObject({ currency: 'currency' });
  });

  it("of Coinbase's prices checks them: a price in euros is refused", async () => {
    const text = 'amount,base,currency,time\n42283.58,BTC,USD,2024-01-01T00:00:00Z\n';
    const run = await ingest('spot.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 1, rejected: 0 });
    expect((await files.pricesIn(run)).map((q) => q.price)).toEqual(['42283.58']);
    await expect(ingest('spot-eur.csv', text.replace('USD', 'EUR'))).rejects.toThrow(
      /column "currency" says the prices are in EUR, not US dollars \("EUR" on line 2\)/,
    );
  });

  it("that names each row's own coin (Nomics' ticker) says nothing of the prices", async () => {
    // was refused: "column "currency" says the prices are in BTC"
    const text =
      'currency,id,price,price_timestamp,symbol\nBTC,BTC,8451.36516421,2019-06-14T12:35:00Z,BTC\n' +
      'ETH,ETH,266.1,2019-06-14T12:35:00Z,ETH\n';
    const run = await ingest('nomics.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    expect(run.mapping).not.toHaveProperty('currency');
    // with --symbol, the coin it names is the row's own too
    const one = await files.ingest('btc.csv', 'date,currency,price\n2019-06-14,BTC,8451.36\n', {
      map: [],
      symbol: 'BTC',
    });
    expect(one).toMatchObject({ status: 'succeeded', loaded: 1, rejected: 0 });
    // beside rows in dollars, a row naming its own coin is loaded, not rejected
    const mixed = await ingest(
      'mixed.csv',
      'currency,symbol,price\nUSD,BTC,8451.36\nusd,SOL,2.1\nETH,ETH,266.1\n',
    );
    expect(mixed).toMatchObject({ status: 'succeeded', loaded: 3, rejected: 0 });
    // a row priced in another coin than its own is still no dollar price
    await expect(
      ingest('eth-btc.csv', `${text}BTC,ETH-BTC,0.0315,2019-06-14T12:35:00Z,ETH\n`),
    ).rejects.toThrow(
      /column "currency" says the prices are in BTC, not US dollars \("BTC" on line 4\)/,
    );
  });

  it('that names other currencies beside dollars rejects their rows; of none, refuses the file', async () => {
    const text =
      'coin,symbol,timestamp,vs_currency,price\nbitcoin,btc,2024-01-01,usd,42283.58\n' +
      'bitcoin,btc,2024-01-01,gbp,33230.12\n';
    const run = await ingest('usd-gbp.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 1, rejected: 1 });
    expect(await files.reasonsOf(run)).toEqual([
      "vs_currency: the row's prices are in GBP, not US dollars",
    ]);
    expect((await files.pricesIn(run)).map((q) => q.price)).toEqual(['42283.58']);
    const count = async () =>
      (await files.db.db.select({ n: sql<number>`count(*)::int` }).from(quotes))[0]?.n;
    const before = await count();
    const refused = ingest('gbp.csv', text.replace(',usd,', ',gbp,').replace('-01,gbp', '-02,gbp'));
    await expect(refused).rejects.toMatchObject({ code: 'input' });
    await expect(refused).rejects.toThrow(
      /column "vs_currency" says the prices are in GBP, not US dollars \("gbp" on line 2\).*--map 'vs_currency='/,
    );
    expect(await count()).toBe(before);
  });

  it('that names another currency refuses the file though a stray cell says nothing', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `2024-04-${10 + i},BTC,${60000 + i},EUR`);
    rows[3] = '2024-04-13,BTC,60003,n/a';
    await expect(
      ingest('eur-na.csv', `date,symbol,price,currency\n${rows.join('\n')}\n`),
    ).rejects.toThrow(/column "currency" says the prices are in EUR, not US dollars/);
  });

  it('a price column whose header names another currency refuses the file, naming it', async () => {
    const text = 'Datum;Symbol;Kurs (€)\n01.02.2024;BTC;39.000,50\n02.02.2024;BTC;39.100,00\n';
    const refused = ingest('kurs.csv', text);
    await expect(refused).rejects.toMatchObject({ code: 'input' });
    await expect(refused).rejects.toThrow(
      /column "Kurs \(€\)" holds prices in EUR, not US dollars.*--map 'Kurs \(€\)=price_usd'/,
    );
  });

  it("that is a CoinGecko export's name refuses euros; --map of the price says dollars", async () => {
    const text =
      'snapped_at,price,market_cap,total_volume\n' +
      '2020-04-11 00:00:00 UTC,0.8756050833559551,7158019.75619788,84737014.24938914\n';
    // a second download, as a browser names it
    await expect(files.ingest('sol-eur-max (1).csv', text, { symbol: 'SOL' })).rejects.toThrow(
      /sol-eur-max \(1\)\.csv: the file's name says its prices are in EUR/,
    );
    await expect(files.ingest('my-sol-gbp-max.csv', text, { symbol: 'SOL' })).rejects.toThrow(
      /in GBP, not US dollars/,
    );
    const said = await files.ingest('sol-eur-max.csv', text, {
      symbol: 'SOL',
      map: ['price=price_usd'],
    });
    expect(said).toMatchObject({ status: 'succeeded', loaded: 1 });
    const usd = await files.ingest('sol-usd-max.csv', text.replace('0.875', '0.957'), {
      symbol: 'SOL',
    });
    expect(usd).toMatchObject({ status: 'succeeded', loaded: 1 });
    // the name's coin against --symbol: SOL's prices were loaded as BTC's
    await expect(
      files.ingest('sol-usd-max (2).csv', text.replace('0.875', '0.958'), { symbol: 'BTC' }),
    ).rejects.toThrow(
      /the file's name says its coin is SOL, and --symbol BTC reads every row as BTC; pass --symbol SOL/,
    );
  });

  it("that is investing.com's name of a market in another currency refuses it too", async () => {
    const text =
      '"Date","Price","Open","High","Low","Vol.","Change %"\n"01/25/2024","44,123.5","44,150.0","44,500.1","43,800.2","65.59K","-0.06%"\n';
    await expect(
      files.ingest('BTC_EUR Kraken Historical Data.csv', text, { symbol: 'BTC' }),
    ).rejects.toThrow(/the file's name says its prices are in EUR, not US dollars/);
    await expect(
      files.ingest('BTC_JPY bitFlyer 過去データ.csv', text, { symbol: 'BTC' }),
    ).rejects.toThrow(/in JPY, not US dollars/);
    const usd = await files.ingest('BTC_USD Bitfinex Historical Data (1).csv', text, {
      symbol: 'BTC',
    });
    expect(usd).toMatchObject({ status: 'succeeded', loaded: 1 });
    // TradingView's chart exports name the exchange and the market
    const candles =
      'time,open,high,low,close,Volume\n1704067200,42283.58,44184.1,42180.77,44179.55,27174.3\n';
    await expect(files.ingest('KRAKEN_BTCEUR, 1D.csv', candles, { symbol: 'BTC' })).rejects.toThrow(
      /in EUR, not US dollars/,
    );
    await expect(files.ingest('BINANCE_BTCUSDT, 240.csv', candles)).rejects.toThrow(
      /the file's name says BTC: --symbol BTC/,
    );
    // its market cap and dominance charts (CRYPTOCAP:BTC, CRYPTOCAP:BTC.D) are no prices
    const cap = 'time,open,high,low,close\n1704067200,8.28e11,8.66e11,8.26e11,8.65e11\n';
    for (const [name, what] of [
      ['CRYPTOCAP_BTC, 1D.csv', 'a market capitalization'],
      ['CRYPTOCAP_BTC.D, 1W (1).csv', 'a dominance, in percent'],
    ])
      await expect(files.ingest(name!, cap, { symbol: 'BTC' }), name).rejects.toThrow(
        `TradingView's export of CRYPTOCAP:${name!.slice(10, name!.indexOf(','))}, ${what}, not a price`,
      );
    const tv = await files.ingest('BINANCE_BTCUSDT, 1D.csv', candles, { symbol: 'BTC' });
    expect(tv).toMatchObject({ status: 'succeeded', loaded: 1 });
    // Yahoo Finance's downloads are named after the ticker
    const yahoo =
      'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-01,39589.2,41183.7,39589.2,40982.3,40982.3,23084566000\n';
    await expect(files.ingest('BTC-EUR.csv', yahoo, { symbol: 'BTC' })).rejects.toThrow(
      /in EUR, not US dollars/,
    );
    const usdYahoo = await files.ingest('BTC-USD.csv', yahoo, { symbol: 'BTC' });
    expect(usdYahoo).toMatchObject({ status: 'succeeded', loaded: 1 });
    // Stooq's downloads are the ticker and the interval, in lower case
    const stooq = 'Date,Open,High,Low,Close,Volume\n2024-01-02,38957,41007,38900,41000,1200\n';
    await expect(files.ingest('btceur_d.csv', stooq, { symbol: 'BTC' })).rejects.toThrow(
      /btceur_d\.csv: the file's name says its prices are in EUR, not US dollars/,
    );
    await expect(files.ingest('ethbtc_w (1).csv', stooq, { symbol: 'ETH' })).rejects.toThrow(
      /in BTC, not US dollars/,
    );
    await expect(files.ingest('btcusd_d.csv', stooq, { symbol: 'ETH' })).rejects.toThrow(
      /the file's name says its coin is BTC, and --symbol ETH/,
    );
    const usdStooq = await files.ingest('btcusd_d.csv', stooq, { symbol: 'BTC' });
    expect(usdStooq).toMatchObject({ status: 'succeeded', loaded: 1 });
    // Quandl's bitcoin charts name the exchange and the currency only (was euros as dollars)
    const bcharts =
      'Date,Open,High,Low,Close,Volume (BTC),Volume (Currency),Weighted Price\n' +
      '2017-12-06,11655.0,11699.0,11655.0,11699.0,12.3,143912.6,11700.1\n';
    await expect(files.ingest('BCHARTS-KRAKENEUR.csv', bcharts, { symbol: 'BTC' })).rejects.toThrow(
      /BCHARTS-KRAKENEUR\.csv: the file's name says its prices are in EUR/,
    );
    await expect(files.ingest('BCHARTS-BITSTAMPUSD.csv', bcharts)).rejects.toThrow(
      /no column maps to symbol .*\(the file's name says BTC: --symbol BTC\)/,
    );
    const bitstamp = await files.ingest('BCHARTS-BITSTAMPUSD.csv', bcharts, { symbol: 'BTC' });
    expect(bitstamp).toMatchObject({ status: 'succeeded', loaded: 1 });
    // any other name that names one market of a well-known coin (Bitvavo's, a user's own)
    for (const [name, currency] of [
      ['BTC-EUR_1d.csv', 'EUR'],
      ['kraken_btceur_2024.csv', 'EUR'],
      ['XBT_GBP prices.csv', 'GBP'],
      ['btc_cny.csv', 'CNY'],
    ])
      await expect(files.ingest(name!, stooq, { symbol: 'BTC' }), name).rejects.toThrow(
        `the file's name says its prices are in ${currency}, not US dollars`,
      );
    await expect(files.ingest('eth usd daily.csv', stooq, { symbol: 'BTC' })).rejects.toThrow(
      /the file's name says its coin is ETH, and --symbol BTC/,
    );
    // a market of the file's coin in another coin, either way round (Poloniex wrote BTC_ETH
    // for ETH's prices in BTC), or of two coins in one word
    for (const [name, symbol, currency] of [
      ['poloniex_BTC_ETH.csv', 'ETH', 'BTC'],
      ['eth_btc_daily.csv', 'ETH', 'BTC'],
      ['btc_eth.csv', 'BTC', 'ETH'],
      ['SOLETH.csv', 'SOL', 'ETH'],
    ])
      await expect(files.ingest(name!, stooq, { symbol }), name).rejects.toThrow(
        `the file's name says its prices are in ${currency}, not US dollars`,
      );
    // …but not two coins apart, a word, a header that names the dollar, a column --map
    // names, or a file of symbols
    const wide = 'date,btc,eth\n2024-01-02,41006,2300.5\n';
    for (const [name, text, map] of [
      ['btc_vs_eth.csv', stooq.replace('41000', '41002'), undefined],
      ['btc_eth.csv', wide, 'btc=price_usd'],
      ['btc_try_again.csv', stooq.replace('41000', '41003')],
      ['btc_usd_vs_eth_usd.csv', stooq.replace('41000', '41005')],
      ['btc_eur_usd.csv', 'date,close_eur,close_usd\n2024-01-02,38000.5,41004\n'],
    ])
      expect(
        await files.ingest(name!, text!, { symbol: 'BTC', map: map ? [map] : [] }),
        name,
      ).toMatchObject({
        status: 'succeeded',
        loaded: 1,
      });
    const listed = await files.ingest('btc_eur_watchlist.csv', 'symbol,price\nETH,2300.5\n');
    expect(listed).toMatchObject({ status: 'succeeded', loaded: 1 });
    // …of a well-known coin's market only: no coin HIS priced in Turkish lira
    const words = await files.ingest('history_d.csv', stooq.replace('41000', '41001'), {
      symbol: 'BTC',
    });
    expect(words).toMatchObject({ status: 'succeeded', loaded: 1 });
    // Binance's public data dumps (data.binance.vision) have no header: the market is the name
    const kline =
      '1735689600000000,93576.0,95151.15,92888.0,94591.79,10373.3,1735775999999999,0,0,0,0,0\n';
    const binance = { symbol: 'BTC', columns: 'binance-kline' };
    await expect(files.ingest('BTCEUR-1d-2025-01.csv', kline, binance)).rejects.toThrow(
      /BTCEUR-1d-2025-01\.csv: the file's name says its prices are in EUR/,
    );
    await expect(files.ingest('ETHBTC-1h-2025-01-01.csv', kline, binance)).rejects.toThrow(
      /in BTC, not US dollars/,
    );
    await expect(
      files.ingest('PEPEUSDT-1d-2025-01.csv', kline, { columns: 'binance-kline' }),
    ).rejects.toThrow(/the file's name says PEPE: --symbol PEPE/);
    const dump = await files.ingest('BTCUSDT-1d-2025-01.csv', kline, binance);
    expect(dump).toMatchObject({ status: 'succeeded', loaded: 1 });
    // …and Kraken's OHLCVT history, `PAIR_MINUTES.csv`
    const ohlcvt = '1381017600,122.0,122.0,122.0,122.0,0.1,1\n';
    const kraken = { symbol: 'BTC', columns: 'kraken-ohlcvt' };
    await expect(files.ingest('XBTEUR_1440.csv', ohlcvt, kraken)).rejects.toThrow(
      /XBTEUR_1440\.csv: the file's name says its prices are in EUR/,
    );
    await expect(
      files.ingest('XDGUSD_60.csv', ohlcvt, { columns: 'kraken-ohlcvt' }),
    ).rejects.toThrow(/the file's name says DOGE: --symbol DOGE/);
    const krakenDump = await files.ingest('XBTUSD_1440.csv', ohlcvt, kraken);
    expect(krakenDump).toMatchObject({ status: 'succeeded', loaded: 1 });
    // CoinAPI's OHLCV history, in a file named after its market id
    const ohlcv =
      'time_period_start;time_period_end;time_open;time_close;price_open;price_high;price_low;price_close;volume_traded;trades_count\n' +
      '2024-01-05T00:00:00.0000000Z;2024-01-06T00:00:00.0000000Z;2024-01-05T00:00:00.1230000Z;2024-01-05T23:59:59.9870000Z;44150.3;44300.1;42600.2;44160.4;25000.5;1500000\n';
    await expect(files.ingest('KRAKEN_SPOT_BTC_EUR_1DAY.csv', ohlcv)).rejects.toThrow(
      /in EUR, not US dollars.*--map 'price_close=price_usd'/,
    );
    await expect(files.ingest('BITSTAMP_SPOT_BTC_USD_1DAY.csv', ohlcv)).rejects.toThrow(
      /the file's name says BTC: --symbol BTC/,
    );
    const coinapi = await files.ingest('BITSTAMP_SPOT_BTC_USD_1DAY.csv', ohlcv, { symbol: 'BTC' });
    expect(coinapi).toMatchObject({ status: 'succeeded', loaded: 1 });
    const [candle] = await files.db.db
      .select({ at: quotes.observedAt, price: quotes.priceUsd, volume: quotes.volume24hUsd })
      .from(quotes)
      .where(eq(quotes.runId, coinapi.runId));
    // the candle's start and close; its volume counts bitcoins, so it is left out
    expect(candle).toEqual({
      at: new Date('2024-01-05T00:00:00Z'),
      price: '44160.4',
      volume: null,
    });
    // Kaggle's per-coin files are named after the coin: no market priced in XRP
    const kaggle = await files.ingest('coin_XRP.csv', text, { symbol: 'XRP' });
    expect(kaggle).toMatchObject({ status: 'succeeded', loaded: 1 });
  });

  it("that is CoinMarketCap's id of the prices' currency refuses euros, loads dollars", async () => {
    // CoinMarketCap's 2025 export: `name` holds its API's convertId (2781 the dollar)
    const header =
      'timeOpen,timeClose,timeHigh,timeLow,name,open,high,low,close,volume,marketCap,timestamp\n';
    const row = (day: string, id: string, close: string) =>
      `"2025-04-${day}T00:00:00.000Z","2025-04-${day}T23:59:59.999Z","2025-04-${day}T12:48:00.000Z",` +
      `"2025-04-${day}T01:56:00.000Z","${id}",83755.30,85598.49,82860.80,${close},32363449569.16,` +
      `1686098133222.49,"2025-04-${day}T23:59:59.999Z"\n`;
    const name = 'Bitcoin_4_1_2025-4_28_2025_historical_data_coinmarketcap.csv';
    const euros = header + row('28', '2790', '83978.75') + row('27', '2790', '83754.84');
    const refused = files.ingest(name, euros, { symbol: 'BTC' });
    await expect(refused).rejects.toMatchObject({ code: 'input' });
    await expect(refused).rejects.toThrow(
      /column "name", and line 2 has "2790": prices in EUR, not US dollars; .*--map 'close=price_usd'/,
    );
    // a second export of yen pasted below one of dollars; an id kx has no code for
    const pasted = header + row('28', '2781', '94978.75') + row('27', '2797', '14101154.00');
    await expect(files.ingest(name, pasted, { symbol: 'BTC' })).rejects.toThrow(
      /line 3 has "2797": prices in JPY/,
    );
    await expect(
      files.ingest(name, header + row('26', '3554', '94000.00'), { symbol: 'BTC' }),
    ).rejects.toThrow(/has "3554": a currency that is not the US dollar \(2781\)/);
    const dollars = await files.ingest(name, header + row('25', '2781', '94978.75'), {
      symbol: 'BTC',
    });
    expect(dollars).toMatchObject({ status: 'succeeded', loaded: 1 });
    expect(dollars.warnings).toContainEqual(
      expect.stringMatching(/"2781" on line 2, the US dollar/),
    );
    const said = await files.ingest(name, euros, { symbol: 'BTC', map: ['close=price_usd'] });
    expect(said).toMatchObject({ status: 'succeeded', loaded: 2 });
  });

  it("of Coinbase's transaction history loads a USD account and refuses a EUR one", async () => {
    // the 2024 layout with its banner, as public importers of it quote it
    const banner =
      'You can use this transaction report to inform your likely tax obligations. For US customers, Sells, Converts, Rewards Income, Coinbase Earn transactions, and Donations are taxable events. For final tax obligations, please consult your tax advisor.\n\n\n\nTransactions\nUser,Name,b1a2c3d4\n';
    const header =
      'ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes\n';
    const usd = await ingest(
      'coinbase-usd.csv',
      banner +
        header +
        '65a1b2c3d4e5f6a7b8c9d0e1,2024-01-10 00:00:00 UTC,Buy,BTC,0.5,USD,$40000.00,$20000.00,$20100.00,$100.00,Bought BTC\n' +
        '65a1b2c3d4e5f6a7b8c9d0e2,2024-08-01 08:00:00 UTC,Staking Income,ETH,0.01,USD,$3200.00,$32.00,$32.00,$0.00,Staking reward\n',
    );
    expect(usd).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    // listings by coin, not one per transaction id
    expect(await files.pricesIn(usd)).toEqual([
      { id: 'btc', price: '40000' },
      { id: 'eth', price: '3200' },
    ]);
    await expect(
      ingest(
        'coinbase-eur.csv',
        header +
          '65a1b2c3d4e5f6a7b8c9d0e3,2024-01-10 00:00:00 UTC,Buy,BTC,0.5,EUR,€36000.00,€18000.00,€18090.00,€90.00,Bought BTC\n',
      ),
    ).rejects.toThrow(/column "Price Currency" says the prices are in EUR/);
    // both in one file (two accounts' reports joined): each row is judged by itself
    const both = await ingest(
      'coinbase-both.csv',
      header +
        '65a1b2c3d4e5f6a7b8c9d0e4,2024-01-11 00:00:00 UTC,Buy,BTC,0.5,EUR,€36000.00,€18000.00,€18090.00,€90.00,Bought BTC\n' +
        '65a1b2c3d4e5f6a7b8c9d0e5,2024-01-12 00:00:00 UTC,Buy,BTC,0.5,USD,$41000.00,$20500.00,$20600.00,$100.00,Bought BTC\n',
    );
    expect(both).toMatchObject({ status: 'succeeded', loaded: 1, rejected: 1 });
    expect(await files.reasonsOf(both)).toEqual([
      "Price Currency: the row's prices are in EUR, not US dollars",
    ]);
  });

  it("is left out with --map 'HEADER=', the prices then loaded as they are", async () => {
    const run = await ingest(
      'said-usd.csv',
      'date,symbol,price,Currency\n2024-02-01,BTC,42283.58,EUR\n',
      ['Currency='],
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 1 });
    expect(run.mapping).not.toHaveProperty('currency');
  });

  it('rejects a row past the sample that is not in dollars; an empty cell loads', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      return `${day},BTC,${7000 + i},USD`;
    });
    const run = await ingest(
      'late-eur.csv',
      `date,symbol,price,currency\n${rows.join('\n')}\n2023-01-01,BTC,15000,EUR\n` +
        '2023-01-02,BTC,16000,n/a\n2023-01-03,BTC,17000,\n',
    );
    expect(run).toMatchObject({ fetched: 1003, loaded: 1001, rejected: 2 });
    const reasons = await files.db.db
      .select({ reason: rejectedRecords.reason, field: rejectedRecords.field })
      .from(rejectedRecords)
      .where(eq(rejectedRecords.runId, run.runId))
      .orderBy(sql`${rejectedRecords.id}`);
    expect(reasons).toEqual([
      { reason: "currency: the row's prices are in EUR, not US dollars", field: 'price_usd' },
      {
        reason: 'currency: "n/a" is not a currency kx knows as US dollars',
        field: 'price_usd',
      },
    ]);
  });

  it("that holds coins' names says nothing of the prices' currency", async () => {
    const run = await ingest(
      'names.csv',
      'date,symbol,price,currency\n2024-03-01,BTC,61000,Bitcoin\n2024-03-01,ETH,3400,Ethereum\n',
    );
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2 });
    expect(run.mapping).not.toHaveProperty('currency');
  });
});

describe('an id column', () => {
  const files = useCsvFiles('kx-row-ids-');
  const listingsOf = async (run: RunResult) =>
    (
      await files.db.db
        .selectDistinct({ sourceId: quotes.sourceId, assetId: quotes.assetId })
        .from(quotes)
        .where(eq(quotes.runId, run.runId))
        .orderBy(quotes.sourceId)
    ).map((q) => q.sourceId);

  it('that numbers the rows is left out: one coin stays one listing and one asset', async () => {
    // A database's or a script's row number, named `id`: it made each row a listing of its own,
    // three assets all named BTC.
    const history = 'id,date,price\n1,2024-01-01,42000\n2,2024-01-02,43000\n3,2024-01-03,44000\n';
    const run = await files.ingest('numbered.csv', history, { symbol: 'BTC' });
    expect(run).toMatchObject({ status: 'succeeded', loaded: 3 });
    expect(await listingsOf(run)).toEqual(['btc']);
    expect(run.warnings.join('\n')).toMatch(
      /column "id" numbers the rows, not the coins: .*on line 3 a coin comes again at another time with the id "2"; left out of source_id/,
    );
    const several =
      'id,date,symbol,price\n1,2024-01-01,BTC,42000\n2,2024-01-01,ETH,2300\n' +
      '3,2024-01-02,BTC,43000\n4,2024-01-02,ETH,2350\n';
    expect(await listingsOf(await files.ingest('numbered-two.csv', several))).toEqual([
      'btc',
      'eth',
    ]);
  });

  it("that repeats a coin's id is kept, and so is one the user names", async () => {
    const ids =
      'id,date,symbol,price\nbitcoin,2024-01-01,BTC,42000\nethereum,2024-01-01,ETH,2300\n' +
      'bitcoin,2024-01-02,BTC,43000\n';
    expect(await listingsOf(await files.ingest('ids.csv', ids))).toEqual(['bitcoin', 'ethereum']);
    const numbered = 'id,date,price\n1,2024-01-01,42001\n2,2024-01-02,43001\n';
    const named = await files.ingest('named.csv', numbered, {
      symbol: 'BTC',
      map: ['id=source_id'],
    });
    expect(await listingsOf(named)).toEqual(['1', '2']);
  });

  it('that names two listings refuses --symbol, and a later row of another is rejected', async () => {
    // G-Research's crypto forecasting data: a coin's number in Asset_ID (2 is Bitcoin Cash, 1
    // Bitcoin), fourteen coins a minute. With --symbol BTC each became a listing named BTC.
    const minutes =
      'timestamp,Asset_ID,Count,Open,High,Low,Close,Volume,VWAP,Target\n' +
      '1514764860,2,40,2376.58,2399.5,2357.14,2374.59,19.23,2373.11,-0.0042\n' +
      '1514764860,1,229,13835.19,14013.8,13666.11,13850.18,31.55,13827.06,-0.0149\n';
    await expect(files.ingest('train.csv', minutes, { symbol: 'BTC' })).rejects.toThrow(
      /--symbol BTC reads every row as BTC, but column "Asset_ID" gives the id "2" on line 2 and another on line 3 \("1"\).*--map 'Asset_ID='/,
    );
    const rows = Array.from(
      { length: 1000 },
      (_, i) => `${1514764860 + 60 * i},1,229,${13835 + i},0,0,${13850 + i},1,1,0`,
    );
    const later = `${1514764860 + 60 * 1000},2,40,2376.58,2399.5,2357.14,2374.59,19.23,2373.11,0`;
    const run = await files.ingest(
      'train-btc.csv',
      `timestamp,Asset_ID,Count,Open,High,Low,Close,Volume,VWAP,Target\n${rows.join('\n')}\n${later}\n`,
      { symbol: 'BTC' },
    );
    expect(run).toMatchObject({ loaded: 1000, rejected: 1 });
    expect(await listingsOf(run)).toEqual(['1']);
  });
});
