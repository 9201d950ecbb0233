import { describe, expect, it } from 'vitest';
import { CSV_FIELDS, parseOverrides } from '../../src/sources/csv/fields.js';
import { toHeaderKey } from '../../src/sources/csv/header-keys.js';
import { mapHeader } from '../../src/sources/csv/mapping.js';

const fields = (headers: string[], map: string[] = []) =>
  Object.fromEntries(
    mapHeader(headers, parseOverrides(map)).columns.map((c) => [c.header, c.field]),
  );

describe('CSV header mapping', () => {
  it('normalizes BOM, case, camelCase and spaces', () => {
    expect(toHeaderKey('\uFEFFpriceUsd')).toBe('price_usd');
    expect(toHeaderKey(' Market Cap ')).toBe('market_cap');
    expect(toHeaderKey('Volume USDT')).toBe('volume_usdt');
  });

  it("names an unnamed column (pandas' index) by its place for --map, and maps it only then", () => {
    const headers = ['', 'last', 'id'];
    expect(fields(headers)).toEqual({ last: 'price_usd', id: 'source_id' });
    expect(fields(headers, ['column_1=symbol'])).toEqual({
      '': 'symbol',
      last: 'price_usd',
      id: 'source_id',
    });
    expect(() => fields(headers, ['column_2=symbol'])).toThrow(/--map names "column_2"/);
  });

  it('maps the synonyms peers use', () => {
    expect(fields(['ticker', 'coin_name', 'usd_price', 'cap'])).toEqual({
      ticker: 'symbol',
      coin_name: 'name',
      usd_price: 'price_usd',
      cap: 'market_cap_usd',
    });
    expect(fields(['Ticker', 'LastPrice', 'Vol', 'RecordedDate'])).toEqual({
      Ticker: 'symbol',
      LastPrice: 'price_usd',
      Vol: 'volume_24h_usd',
      RecordedDate: 'observed_at',
    });
  });

  it("maps a column named after a unified field to it, in kx's own exports too", () => {
    for (const field of CSV_FIELDS)
      expect(fields([field, 'symbol']), field).toMatchObject({ [field]: field });
    // `kx export listings`: the listing's own id, not the asset it is linked to (an asset has
    // a listing in each source, and they would merge into one)
    const listings = ['source', 'source_id', 'asset_id', 'symbol', 'name', 'rank', 'price_usd']
      .concat(['market_cap_usd', 'volume_24h_usd', 'circulating_supply', 'total_supply'])
      .concat(['max_supply', 'percent_change_24h', 'observed_at', 'match_method']);
    const mapped = fields(listings);
    expect(mapped).toMatchObject({ source_id: 'source_id' });
    expect(mapped).not.toHaveProperty('asset_id');
  });

  it("reads the finance portals' headers in Spanish, Portuguese, German, French and Russian", () => {
    expect(toHeaderKey('Último')).toBe('ultimo');
    expect(toHeaderKey('Дата')).toBe('дата');
    const portals: [string[], string, string][] = [
      [['Fecha', 'Último', 'Apertura', 'Máximo', 'Mínimo', 'Vol.', '% var.'], 'Fecha', 'Último'],
      [['Data', 'Último', 'Abertura', 'Máxima', 'Mínima', 'Vol.', 'Var%'], 'Data', 'Último'],
      [['Datum', 'Zuletzt', 'Eröffn.', 'Hoch', 'Tief', 'Vol.', '+/- %'], 'Datum', 'Zuletzt'],
      [
        ['Date', 'Dernier', 'Ouv.', 'Plus Haut', 'Plus Bas', 'Vol.', 'Variation %'],
        'Date',
        'Dernier',
      ],
      [['Дата', 'Цена', 'Откр.', 'Макс.', 'Мин.', 'Объём', 'Изм. %'], 'Дата', 'Цена'],
    ];
    for (const [header, date, price] of portals)
      expect(fields(header), header.join(',')).toEqual({
        [date]: 'observed_at',
        [price]: 'price_usd',
      });
  });

  it('leaves volumes counted in coins out of volume_24h_usd, saying so', () => {
    const investing = mapHeader(
      ['Date', 'Price', 'Open', 'High', 'Low', 'Vol.', 'Change %'],
      parseOverrides([]),
    );
    expect(investing.unmapped).toContain('Vol.');
    expect(investing.warnings.join('\n')).toContain('column "Vol." counts coins, not US dollars');
    expect(fields(['Date', 'Symbol', 'Close', 'Volume BTC', 'Volume USDT'])).toMatchObject({
      'Volume USDT': 'volume_24h_usd',
    });
    expect(fields(['Date', 'Symbol', 'Close', 'Volume ETH'])).not.toHaveProperty('Volume ETH');
    expect(fields(['Date', 'Price', 'Vol.'], ['Vol.=volume_24h_usd'])).toHaveProperty('Vol.');
  });

  it("reads Yahoo Finance's crypto screener: every market's 24-hour volume", () => {
    // yahoo_fin's get_top_crypto(), saved with to_csv: the volume since 00:00 UTC is part of a day
    const screener = ['', 'Symbol', 'Name', 'Price (Intraday)', 'Change', '% Change']
      .concat(['Market Cap', 'Volume in Currency (Since 0:00 UTC)', 'Volume in Currency (24Hr)'])
      .concat(['Total Volume All Currencies (24Hr)', 'Circulating Supply', '52 Week Range']);
    expect(fields(screener)).toEqual({
      Symbol: 'symbol',
      Name: 'name',
      'Price (Intraday)': 'price_usd',
      'Market Cap': 'market_cap_usd',
      'Total Volume All Currencies (24Hr)': 'volume_24h_usd',
      'Circulating Supply': 'circulating_supply',
    });
    const oneMarket = screener.filter((h) => !h.startsWith('Total'));
    expect(fields(oneMarket)).toHaveProperty('Volume in Currency (24Hr)', 'volume_24h_usd');
  });

  it("reads CoinGecko's trending coins: the dollar price's change, not the dirham's", () => {
    // /search/trending flattened by pandas: a change of the price in each of ~60 currencies
    const change = (code: string) => `item.data.price_change_percentage_24h.${code}`;
    const trending = ['item.id', 'item.coin_id', 'item.name', 'item.symbol']
      .concat(['item.market_cap_rank', 'item.thumb', 'item.slug', 'item.price_btc', 'item.score'])
      .concat(['item.data.price', 'item.data.price_btc'])
      .concat(['aed', 'ars', 'btc', 'eur', 'usd', 'vnd'].map(change))
      .concat(['item.data.market_cap', 'item.data.market_cap_btc', 'item.data.total_volume']);
    expect(fields(trending)).toEqual({
      'item.id': 'source_id',
      'item.name': 'name',
      'item.symbol': 'symbol',
      'item.market_cap_rank': 'rank',
      'item.data.price': 'price_usd',
      [change('usd')]: 'percent_change_24h',
      'item.data.market_cap': 'market_cap_usd',
      'item.data.total_volume': 'volume_24h_usd',
    });
    // a change of the price in euros alone is none of the dollar price's (was read as it)
    expect(fields(['symbol', 'price', 'percent_change_24h_eur'])).toEqual({
      symbol: 'symbol',
      price: 'price_usd',
    });
  });

  it("reads Coinbase's prices (amount, base, currency) as a price, not an amount of coins", () => {
    expect(fields(['data.amount', 'data.base', 'data.currency'])).toEqual({
      'data.amount': 'price_usd',
      'data.base': 'symbol',
    });
    expect(fields(['time', 'amount', 'base', 'currency'])).toEqual({
      time: 'observed_at',
      amount: 'price_usd',
      base: 'symbol',
    });
    // a log of trades has more to it: its amount is coins, and its price the price (of its
    // base coin, as in a market's ticker)
    expect(fields(['time', 'base', 'currency', 'amount', 'price', 'fee'])).toEqual({
      time: 'observed_at',
      base: 'symbol',
      price: 'price_usd',
    });
  });

  it("reads CoinGecko's /simple/price: its dollar fields, not the euro's", () => {
    const header = ['', 'usd', 'usd_market_cap', 'usd_24h_vol', 'usd_24h_change'].concat([
      'eur',
      'eur_market_cap',
      'eur_24h_vol',
      'eur_24h_change',
      'last_updated_at',
    ]);
    expect(fields(header)).toEqual({
      usd: 'price_usd',
      usd_market_cap: 'market_cap_usd',
      usd_24h_vol: 'volume_24h_usd',
      usd_24h_change: 'percent_change_24h',
      last_updated_at: 'observed_at',
    });
  });

  it("reads The Graph's token days (Uniswap's tokenDayDatas): its token's symbol and name", () => {
    // was refused for want of a symbol; `token.totalSupply` counts the smallest units (wei)
    const header = ['id', 'date', 'priceUSD', 'volumeUSD', 'totalValueLockedUSD'].concat([
      'token.id',
      'token.symbol',
      'token.name',
      'token.totalSupply',
    ]);
    expect(fields(header)).toEqual({
      id: 'source_id',
      date: 'observed_at',
      priceUSD: 'price_usd',
      volumeUSD: 'volume_24h_usd',
      'token.symbol': 'symbol',
      'token.name': 'name',
    });
  });

  it("reads CoinGecko's tickers of a coin's markets: the converted dollars, not the target's", () => {
    // `json_normalize(answer["tickers"])`: `last` is in the market's `target` (KRW), `volume`
    // counts the coin; `converted_last.usd` and `converted_volume.usd` are dollars
    const header = ['base', 'target', 'last', 'volume', 'timestamp', 'coin_id', 'market.name']
      .concat(['converted_last.btc', 'converted_last.eth', 'converted_last.usd'])
      .concat(['converted_volume.btc', 'converted_volume.eth', 'converted_volume.usd']);
    expect(fields(header)).toEqual({
      base: 'symbol',
      timestamp: 'observed_at',
      coin_id: 'source_id',
      'converted_last.usd': 'price_usd',
      'converted_volume.usd': 'volume_24h_usd',
    });
  });

  it("reads Messari's assets by their paths, under `metrics.` in its list", () => {
    const list = ['id', 'symbol', 'name', 'metrics.market_data.price_usd']
      .concat(['metrics.market_data.price_btc', 'metrics.market_data.volume_last_24_hours'])
      .concat(['metrics.market_data.percent_change_usd_last_24_hours'])
      .concat(['metrics.market_data.percent_change_btc_last_24_hours'])
      .concat(['metrics.marketcap.rank', 'metrics.marketcap.current_marketcap_usd'])
      .concat(['metrics.marketcap.y_2050_marketcap_usd', 'metrics.supply.y_2050'])
      .concat(['metrics.supply.circulating', 'metrics.market_data.last_trade_at']);
    expect(fields(list)).toEqual({
      id: 'source_id',
      symbol: 'symbol',
      name: 'name',
      'metrics.market_data.price_usd': 'price_usd',
      'metrics.market_data.volume_last_24_hours': 'volume_24h_usd',
      'metrics.market_data.percent_change_usd_last_24_hours': 'percent_change_24h',
      'metrics.marketcap.rank': 'rank',
      'metrics.marketcap.current_marketcap_usd': 'market_cap_usd',
      'metrics.supply.circulating': 'circulating_supply',
      'metrics.market_data.last_trade_at': 'observed_at',
    });
  });

  it("reads CryptoCompare's top list by its RAW path: dollars, never its coins' volumes", () => {
    const top = ['CoinInfo.Id', 'CoinInfo.Name', 'CoinInfo.FullName', 'RAW.USD.PRICE']
      .concat(['RAW.USD.VOLUME24HOUR', 'RAW.USD.TOTALVOLUME24H', 'RAW.USD.VOLUMEDAY'])
      .concat(['RAW.USD.LASTVOLUME', 'RAW.USD.TOTALTOPTIERVOLUME24H', 'DISPLAY.USD.PRICE'])
      .concat(['DISPLAY.USD.TOTALVOLUME24HTO', 'RAW.EUR.MKTCAP']);
    // without a volume in dollars, none in coins is read as one (TOTALVOLUME24H was, at 0.84)
    expect(fields(top)).toEqual({
      'CoinInfo.Id': 'source_id',
      'CoinInfo.Name': 'symbol',
      'CoinInfo.FullName': 'name',
      'RAW.USD.PRICE': 'price_usd',
    });
    expect(fields([...top, 'RAW.USD.VOLUME24HOURTO'])).toHaveProperty(
      'RAW.USD.VOLUME24HOURTO',
      'volume_24h_usd',
    );
  });

  it('reads a rate as a price beside a market cap only (LiveCoinWatch), not an interest rate', () => {
    expect(fields(['code', 'rate', 'volume', 'cap', 'delta.day'])).toEqual({
      code: 'symbol',
      rate: 'price_usd',
      volume: 'volume_24h_usd',
      cap: 'market_cap_usd',
    });
    expect(fields(['date', 'rate', 'volume'])).toEqual({
      date: 'observed_at',
      volume: 'volume_24h_usd',
    });
  });

  it("leaves a candle file's bare Volume out, unless the file is an aggregator's", () => {
    // Exchanges' candles count volume in coins: Binance's 2021-01-01 BTCUSDT day has Volume
    // 54182.925011 (bitcoins) at a close of 29331.69. Headers as exported by TradingView,
    // data.binance.vision, ccxt/python-binance scripts and Bitfinex.
    for (const header of [
      ['time', 'open', 'high', 'low', 'close', 'Volume'],
      [
        'open_time',
        'open',
        'high',
        'low',
        'close',
        'volume',
        'close_time',
        'quote_volume',
        'count',
      ],
      ['Datetime', 'Open', 'High', 'Low', 'Close', 'Volume'],
      ['MTS', 'OPEN', 'CLOSE', 'HIGH', 'LOW', 'VOLUME'],
      ['date', 'open', 'high', 'low', 'close', 'vol'],
      // Bybit's and OKX's candles, as their APIs name the fields
      ['startTime', 'openPrice', 'highPrice', 'lowPrice', 'closePrice', 'volume', 'turnover'],
      ['ts', 'o', 'h', 'l', 'c', 'vol', 'volCcy', 'volCcyQuote', 'confirm'],
    ]) {
      const mapped = mapHeader(header, parseOverrides([]));
      const volume = header.find((h) => /^vol(ume)?$/i.test(h))!;
      expect(
        mapped.columns.find((c) => c.header === volume),
        header.join(),
      ).toBeUndefined();
      expect(mapped.unmapped).toContain(volume);
      expect(mapped.warnings.join('\n')).toContain(
        `column "${volume}" of a file of candles may count coins (exchanges' exports do) or US dollars: ` +
          `left out of volume_24h_usd (if it is US dollars, name it with --map '${volume}=volume_24h_usd')`,
      );
      expect(fields(header, [`${volume}=volume_24h_usd`])).toHaveProperty(volume, 'volume_24h_usd');
    }
    // Aggregators count dollars: CoinMarketCap's and CoinCodex's exports and Kaggle's sets of
    // them carry a market cap, Yahoo Finance its Adj Close; a list of coins has no candles.
    for (const header of [
      ['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'],
      ['Date', 'Open*', 'High', 'Low', 'Close**', 'Volume', 'Market Cap'],
      ['slug', 'symbol', 'name', 'ranknow', 'open', 'high', 'low', 'close', 'volume', 'market'],
      ['symbol', 'name', 'price', 'volume'],
      ['Date', 'Close', 'Volume'],
    ])
      expect(fields(header), header.join()).toHaveProperty(
        header.find((h) => /^volume$/i.test(h))!,
        'volume_24h_usd',
      );
  });

  it("reads Bybit's, OKX's and Polygon.io's candles: their start time and their close", () => {
    expect(
      fields(['startTime', 'openPrice', 'highPrice', 'lowPrice', 'closePrice', 'volume']),
    ).toEqual({ startTime: 'observed_at', closePrice: 'price_usd' });
    const okx = mapHeader(
      ['ts', 'o', 'h', 'l', 'c', 'vol', 'volCcy', 'volCcyQuote', 'confirm'],
      parseOverrides([]),
    );
    expect(Object.fromEntries(okx.columns.map((c) => [c.header, c.field]))).toEqual({
      ts: 'observed_at',
      c: 'price_usd',
    });
    // its volCcy is the base or the quote currency, by the market's kind
    expect(okx.warnings.join('\n')).toContain(
      'column "volCcy" is in a currency it does not name: left out of volume_24h_usd',
    );
    // Polygon.io's aggregates: `t` is the candle's time (was refused for no time column)
    expect(fields(['v', 'vw', 'o', 'c', 'h', 'l', 't', 'n'])).toEqual({
      t: 'observed_at',
      c: 'price_usd',
    });
    // a `c` or `t` without OKX's other letters is no close and no time
    expect(fields(['symbol', 'c', 'price', 't'])).toEqual({ symbol: 'symbol', price: 'price_usd' });
  });

  it("reads CoinPaprika's OHLCV: the close at its close time (was the file's time)", () => {
    const header = ['time_open', 'time_close', 'open', 'high', 'low', 'close', 'volume'];
    expect(fields([...header, 'market_cap'])).toEqual({
      time_close: 'observed_at',
      close: 'price_usd',
      volume: 'volume_24h_usd', // an aggregator's, in dollars, beside its market cap
      market_cap: 'market_cap_usd',
    });
    // CoinMarketCap's export keeps its `timestamp`; Binance's klines their open time
    expect(fields(['timeOpen', 'timeClose', 'name', 'close', 'timestamp'])).toMatchObject({
      timestamp: 'observed_at',
    });
    expect(fields(['open_time', 'open', 'close', 'close_time'])).toMatchObject({
      open_time: 'observed_at',
    });
  });

  it("reads the times scripts and scrapers write as observed_at (rows took the file's time)", () => {
    for (const header of [
      'fetched_at',
      'scraped_at',
      'retrieved_at',
      'collected_at',
      'captured_at',
      'Snapshot Time',
      'quote_time',
      'price_timestamp',
      'as_of',
      'asOfDate',
      'recorded_at',
      'Timestamp (ms)',
      'unix_timestamp',
      'epoch',
      'dt',
      'Fecha y hora',
      'Horodatage',
      // Dune's and Flipside's query results
      'block_time',
      'minute',
      'HOUR',
      'day',
      'week',
      // a candle's or a bucket's start (Coinbase Advanced's candles, TimescaleDB's time_bucket)
      'start',
      'period_start',
      'bucket',
      // a time column that names the form it is written in
      'date_iso',
      'isoDate',
      'iso_timestamp',
      'Time (ISO 8601)',
      'date_str',
      'timestamp_utc_iso',
      // the day a price is of
      'price_date',
      'quote_date',
      'Trading Day',
    ])
      expect(fields(['symbol', header, 'price']), header).toEqual({
        symbol: 'symbol',
        [header]: 'observed_at',
        price: 'price_usd',
      });
    // …but a date split into columns has no time column: its day is a day of the month
    expect(fields(['year', 'month', 'day', 'symbol', 'price'])).toEqual({
      symbol: 'symbol',
      price: 'price_usd',
    });
    // a date beside a unix time keeps its place (CryptoDataDownload's `Unix Timestamp,Date`)
    expect(fields(['Unix Timestamp', 'Date', 'Symbol', 'Close'])).toMatchObject({
      Date: 'observed_at',
    });
  });

  it("reads exchanges' tickers' last price and Bloomberg's PX_LAST as the price", () => {
    // Kraken's ticker as saved: its `last` is the last trade's price
    expect(
      fields(['pair', 'ask', 'bid', 'last', 'volume', 'low', 'high', 'open', 'timestamp']),
    ).toMatchObject({ last: 'price_usd', timestamp: 'observed_at' });
    for (const header of ['Last', 'last_trade_price', 'PX_LAST', 'market_price'])
      expect(fields(['symbol', 'date', header]), header).toMatchObject({ [header]: 'price_usd' });
    // dollars by name, a mid and a volume-weighted price; a close beside a VWAP is the price
    for (const header of [
      'quote_USD_price',
      'price_in_dollars',
      'dollarPrice',
      'mid_price',
      'VWAP',
    ])
      expect(fields(['symbol', 'date', header]), header).toMatchObject({ [header]: 'price_usd' });
    expect(fields(['date', 'open', 'high', 'low', 'close', 'vwap', 'symbol'])).toMatchObject({
      close: 'price_usd',
    });
    // a price column named so still wins
    expect(fields(['symbol', 'price', 'last'])).toEqual({ symbol: 'symbol', price: 'price_usd' });
  });

  it('prefers the specific column when a generic one competes', () => {
    const mapped = fields([
      'SNo',
      'Name',
      'Symbol',
      'Date',
      'High',
      'Low',
      'Open',
      'Close',
      'Volume',
      'Marketcap',
    ]);
    expect(mapped).toMatchObject({
      Close: 'price_usd',
      Marketcap: 'market_cap_usd',
      Date: 'observed_at',
      Volume: 'volume_24h_usd',
    });
    expect(mapped).not.toHaveProperty('High');
    expect(fields(['price', 'price_usd'])).toEqual({ price_usd: 'price_usd' });
    // Bittrex's order history: `Price` is the order's total, `PricePerUnit` the price
    const bittrex =
      'Uuid,Exchange,TimeStamp,OrderType,Limit,Quantity,QuantityRemaining,Commission,Price,' +
      'PricePerUnit,IsConditional,Condition,ConditionTarget,ImmediateOrCancel,Closed';
    expect(fields(bittrex.split(','))).toMatchObject({ PricePerUnit: 'price_usd' });
    expect(fields(bittrex.split(','))).not.toHaveProperty('Price');
  });

  it('does not mistake absolute changes or BTC prices for unified fields', () => {
    const mapped = fields(['symbol', 'price_usd', 'price_btc', 'price_change_24h']);
    expect(mapped).toEqual({ symbol: 'symbol', price_usd: 'price_usd' });
    // a trading journal's position: `exit_price` was a fuzzy `exec_price`
    expect(fields(['symbol', 'entry_time', 'entry_price', 'exit_price'])).toEqual({
      symbol: 'symbol',
    });
  });

  it('matches near misses fuzzily, with a confidence and a warning when low', () => {
    const mapping = mapHeader(['symbl', 'price_usd', 'circulating_suply'], new Map());
    const symbol = mapping.columns.find((c) => c.header === 'symbl');
    expect(symbol).toMatchObject({ field: 'symbol', how: 'fuzzy' });
    expect(symbol!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(symbol!.confidence).toBeLessThan(0.9);
    expect(mapping.warnings.join('\n')).toContain('"symbl" mapped to symbol with low confidence');
    expect(mapping.columns.find((c) => c.header === 'circulating_suply')?.field).toBe(
      'circulating_supply',
    );
  });

  it('reads a magnitude in the header as a scale of amounts, not as a fuzzy name', () => {
    const scales = (headers: string[], map: string[] = []) =>
      Object.fromEntries(
        mapHeader(headers, parseOverrides(map)).columns.map((c) => [
          c.header,
          [c.field, c.scale ?? 0],
        ]),
      );
    expect(
      scales([
        'Symbol',
        'Price (USD thousands)',
        'Market Cap (M)',
        'Volume (in millions)',
        'Circulating Supply (000s)',
        'max_supply_bn',
      ]),
    ).toEqual({
      Symbol: ['symbol', 0],
      'Price (USD thousands)': ['price_usd', 3],
      'Market Cap (M)': ['market_cap_usd', 6],
      'Volume (in millions)': ['volume_24h_usd', 6],
      'Circulating Supply (000s)': ['circulating_supply', 3],
      max_supply_bn: ['max_supply', 9],
    });
    // was a market cap in billions loaded as the rank, and one in dollars / 1e6 with a warning
    const mapping = mapHeader(['symbol', 'price', 'market_cap_bn', 'Total Supply (T)'], new Map());
    expect(mapping.warnings).toEqual([]);
    expect(scales(['symbol', 'price', 'market_cap_bn'])).toMatchObject({
      market_cap_bn: ['market_cap_usd', 9],
    });
    // a --map keeps what the header says of its numbers; a rank or a change has no magnitude
    expect(scales(['symbol', 'Cap (B)', 'Rank (M)'], ['Cap (B)=market_cap_usd'])).toEqual({
      symbol: ['symbol', 0],
      'Cap (B)': ['market_cap_usd', 9],
    });
    // and `m` is a word of its own, never the end of one
    expect(scales(['symbol', 'price', 'volume_sum'])).toMatchObject({ price: ['price_usd', 0] });
    // cents are hundredths: `Price (¢)` loaded its cents as dollars
    for (const header of ['Price (¢)', 'price_cents', 'Price (USD cents)', 'Preis in Cent'])
      expect(scales(['symbol', header]), header).toEqual({
        symbol: ['symbol', 0],
        [header]: ['price_usd', -2],
      });
    expect(mapping.columns.find((c) => c.header === 'price')?.scale).toBeUndefined();
  });

  it('reads a market cap in German, Spanish, Portuguese and French, with its magnitude', () => {
    const mapping = mapHeader(
      ['Datum', 'Schlusskurs', 'Marktkapitalisierung (Mrd.)', 'Capitalización de mercado'],
      new Map(),
    );
    expect(mapping.columns.map((c) => [c.header, c.field, c.scale ?? 0])).toEqual([
      ['Datum', 'observed_at', 0],
      ['Schlusskurs', 'price_usd', 0],
      ['Marktkapitalisierung (Mrd.)', 'market_cap_usd', 9],
    ]);
    expect(fields(['Capitalisation boursière', 'Capitalização de mercado'])).toEqual({
      'Capitalisation boursière': 'market_cap_usd',
    });
    // a French spreadsheet's own columns
    expect(fields(['Date', 'Symbole', 'Cours'])).toEqual({
      Date: 'observed_at',
      Symbole: 'symbol',
      Cours: 'price_usd',
    });
    expect(mapHeader(['Date', 'Símbolo', 'Prix'], new Map()).warnings).toEqual([]);
  });

  it("reads CoinGecko's and CoinMarketCap's tables as copied from their pages", () => {
    expect(
      fields(['#', 'Coin', 'Symbol', 'Price', '1h', '24h', '7d', '24h Volume', 'Mkt Cap']),
    ).toEqual({
      Coin: 'name',
      Symbol: 'symbol',
      Price: 'price_usd',
      '24h': 'percent_change_24h',
      '24h Volume': 'volume_24h_usd',
      'Mkt Cap': 'market_cap_usd',
    });
    expect(
      fields(
        ['#', 'Name', 'Symbol', 'Market Cap', 'Price', 'Circulating Supply', 'Volume(24h)'].concat([
          '% 1h',
          '% 24h',
          '% 7d',
        ]),
      ),
    ).toMatchObject({ 'Volume(24h)': 'volume_24h_usd', '% 24h': 'percent_change_24h' });
  });

  it("reads a trade log's pair as the symbol and leaves each trade's size out of the volume", () => {
    // Kraken's trades export; Binance's trade history
    const kraken = [
      'txid',
      'ordertxid',
      'pair',
      'time',
      'type',
      'ordertype',
      'price',
      'cost',
    ].concat(['fee', 'vol', 'margin', 'misc', 'ledgers']);
    expect(fields(kraken)).toEqual({ pair: 'symbol', time: 'observed_at', price: 'price_usd' });
    expect(mapHeader(kraken, new Map()).warnings).toContainEqual(
      'column "vol" of a trade log is each trade\'s size, not a 24h volume: left out',
    );
    expect(fields(['Date(UTC)', 'Pair', 'Side', 'Price', 'Executed', 'Amount', 'Fee'])).toEqual({
      'Date(UTC)': 'observed_at',
      Pair: 'symbol',
      Price: 'price_usd',
    });
    // no column of a trade log is a day's volume, the next best one neither
    expect(fields(['txid', 'pair', 'time', 'price', 'vol', 'volume_usd', 'fee', 'side'])).toEqual({
      pair: 'symbol',
      time: 'observed_at',
      price: 'price_usd',
    });
    // a market data file with a volume keeps it
    expect(fields(['date', 'pair', 'close', 'volume'])).toMatchObject({ volume: 'volume_24h_usd' });
  });

  it("reads KuCoin's and Coinbase's trade histories: each trade's time and fill price", () => {
    // KuCoin's trades, its filled orders (the zone in the time's header), its orders
    const trades = ['tradeCreatedAt', 'orderId', 'symbol', 'side', 'price', 'size', 'funds'].concat(
      ['fee', 'liquidity', 'feeCurrency', 'orderType'],
    );
    expect(fields(trades)).toEqual({
      tradeCreatedAt: 'observed_at',
      symbol: 'symbol',
      price: 'price_usd',
    });
    const filled = ['UID', 'Account Type', 'Order ID', 'Symbol', 'Side', 'Order Type']
      .concat(['Avg. Filled Price', 'Filled Amount', 'Filled Volume', 'Filled Volume (USDT)'])
      .concat(['Filled Time(UTC+08:00)', 'Fee', 'Maker/Taker', 'Fee Currency']);
    expect(fields(filled)).toEqual({
      Symbol: 'symbol',
      'Avg. Filled Price': 'price_usd',
      'Filled Time(UTC+08:00)': 'observed_at',
    });
    // Crypto.com's trade history: `Trade Price` was no price, and the file refused
    const cdc = ['Trade Time(UTC)', 'Order ID', 'Trade ID', 'Symbol', 'Side', 'Trade Price'];
    expect(fields(cdc.concat(['Trade Quantity', 'Fee', 'Fee Currency']))).toEqual({
      'Trade Time(UTC)': 'observed_at',
      Symbol: 'symbol',
      'Trade Price': 'price_usd',
    });
    // an order's `price` is its limit (0 for a market order); `averagePrice` what it filled at
    const orders = ['orderCreatedAt', 'id', 'clientOid', 'symbol', 'side', 'type', 'stopPrice']
      .concat(['price', 'size', 'dealSize', 'dealFunds', 'averagePrice', 'fee', 'feeCurrency'])
      .concat(['remark', 'tags', 'orderStatus']);
    expect(fields(orders)).toEqual({
      orderCreatedAt: 'observed_at',
      symbol: 'symbol',
      averagePrice: 'price_usd',
    });
    // Coinbase Pro's fills: `product` is the market, `created at` the trade's time
    const fills = [
      'portfolio',
      'trade id',
      'product',
      'side',
      'created at',
      'size',
      'size unit',
    ].concat(['price', 'fee', 'total', 'price/fee/total unit']);
    expect(fields(fills)).toEqual({
      product: 'symbol',
      'created at': 'observed_at',
      price: 'price_usd',
    });
    // a trade log's market beside its coin's column is no market cap either
    expect(fields(['Date', 'Symbol', 'Market', 'Price', 'Fee', 'Order Number'])).toEqual({
      Date: 'observed_at',
      Symbol: 'symbol',
      Price: 'price_usd',
    });
    // outside a trade log, a day's average is not its price, and `created_at` may be when a
    // row was made: not the time
    expect(fields(['date', 'symbol', 'close', 'average_price'])).toMatchObject({
      close: 'price_usd',
    });
    expect(fields(['symbol', 'price', 'created_at'])).toEqual({
      symbol: 'symbol',
      price: 'price_usd',
    });
  });

  it("reads Coinbase's transaction history: its asset, its price, not its transaction id", () => {
    const headers = ['ID', 'Timestamp', 'Transaction Type', 'Asset', 'Quantity Transacted']
      .concat(['Price Currency', 'Price at Transaction', 'Subtotal'])
      .concat(['Total (inclusive of fees and/or spread)', 'Fees and/or Spread', 'Notes']);
    expect(fields(headers)).toEqual({
      Timestamp: 'observed_at',
      Asset: 'symbol',
      'Price at Transaction': 'price_usd',
    });
    expect(fields(['Timestamp', 'Asset', 'USD Spot Price at Transaction'])).toMatchObject({
      'USD Spot Price at Transaction': 'price_usd',
    });
  });

  it("reads CoinCap's asset fields", () => {
    const headers = ['id', 'rank', 'symbol', 'name', 'supply', 'maxSupply', 'marketCapUsd'].concat([
      'volumeUsd24Hr',
      'priceUsd',
      'changePercent24Hr',
      'vwap24Hr',
      'explorer',
    ]);
    const mapping = mapHeader(headers, new Map());
    expect(fields(headers)).toEqual({
      id: 'source_id',
      rank: 'rank',
      symbol: 'symbol',
      name: 'name',
      supply: 'circulating_supply',
      maxSupply: 'max_supply',
      marketCapUsd: 'market_cap_usd',
      volumeUsd24Hr: 'volume_24h_usd',
      priceUsd: 'price_usd',
      changePercent24Hr: 'percent_change_24h',
    });
    expect(mapping.warnings).toEqual([
      expect.stringContaining('"supply" mapped to circulating_supply'),
    ]);
  });

  it("reads CoinLore's ticker fields", () => {
    // its volume and supplies were left out as columns of no field
    const headers = ['id', 'symbol', 'name', 'nameid', 'rank', 'price_usd', 'percent_change_24h'];
    headers.push('price_btc', 'market_cap_usd', 'volume24', 'volume24a', 'csupply', 'tsupply');
    headers.push('msupply');
    expect(fields(headers)).toEqual({
      id: 'source_id',
      symbol: 'symbol',
      name: 'name',
      rank: 'rank',
      price_usd: 'price_usd',
      percent_change_24h: 'percent_change_24h',
      market_cap_usd: 'market_cap_usd',
      volume24: 'volume_24h_usd',
      csupply: 'circulating_supply',
      tsupply: 'total_supply',
      msupply: 'max_supply',
    });
  });

  it("reads the APIs' answers as pandas flattens them: CoinMarketCap's, CoinPaprika's, CoinGecko's", () => {
    // `quote.USD.price` was no price: every such file was refused
    const cmc = ['id', 'name', 'symbol', 'cmc_rank', 'last_updated', 'quote.USD.price'].concat([
      'quote.USD.volume_24h',
      'quote.USD.percent_change_1h',
      'quote.USD.percent_change_24h',
      'quote.USD.market_cap',
      'quote.USD.fully_diluted_market_cap',
    ]);
    expect(fields(cmc)).toEqual({
      id: 'source_id',
      name: 'name',
      symbol: 'symbol',
      cmc_rank: 'rank',
      last_updated: 'observed_at',
      'quote.USD.price': 'price_usd',
      'quote.USD.volume_24h': 'volume_24h_usd',
      'quote.USD.percent_change_24h': 'percent_change_24h',
      'quote.USD.market_cap': 'market_cap_usd',
    });
    expect(fields(['id', 'symbol', 'quotes.USD.price', 'quotes.EUR.market_cap'])).toEqual({
      id: 'source_id',
      symbol: 'symbol',
      'quotes.USD.price': 'price_usd',
    });
    const gecko = ['id', 'symbol', 'market_data.current_price.eur'].concat([
      'market_data.current_price.usd',
      'market_data.market_cap.usd',
      'market_data.circulating_supply',
    ]);
    expect(fields(gecko)).toEqual({
      id: 'source_id',
      symbol: 'symbol',
      'market_data.current_price.usd': 'price_usd',
      'market_data.market_cap.usd': 'market_cap_usd',
      'market_data.circulating_supply': 'circulating_supply',
    });
    expect(mapHeader(gecko, new Map()).warnings).toEqual([
      expect.stringContaining('"market_data.current_price.eur" is in EUR'),
    ]);
  });

  it("reads Nasdaq's Close/Last as the price", () => {
    expect(fields(['Date', 'Close/Last', 'Volume', 'Open', 'High', 'Low'])).toEqual({
      Date: 'observed_at',
      'Close/Last': 'price_usd',
    });
  });

  it("reads Coin Metrics' community files by their metric names", () => {
    const headers = [
      'time',
      'AdrActCnt',
      'CapMrktCurUSD',
      'CapRealUSD',
      'PriceBTC',
      'PriceUSD',
    ].concat(['SplyCur', 'volume_reported_spot_usd_1d', 'FeeTotUSD']);
    expect(fields(headers)).toEqual({
      time: 'observed_at',
      CapMrktCurUSD: 'market_cap_usd',
      PriceUSD: 'price_usd',
      SplyCur: 'circulating_supply',
      volume_reported_spot_usd_1d: 'volume_24h_usd',
    });
  });

  it('reads the currency a header names: dollars load, other currencies are left out', () => {
    const priced = (headers: string[]) => {
      const mapping = mapHeader(['Date', ...headers], new Map());
      const price = mapping.columns.find((c) => c.field === 'price_usd');
      return {
        price: price?.header ?? null,
        usd: price?.currency ?? null,
        other: mapping.otherCurrency,
      };
    };
    for (const header of ['Close (USD)', 'close_usd', 'Closing Price (USD)', 'Close [USD]'])
      expect(priced([header]), header).toEqual({ price: header, usd: 'USD', other: [] });
    for (const header of ['Price ($)', 'Price (US$)', 'price_usdt', 'usd_price', 'Price in USD'])
      expect(priced([header]), header).toMatchObject({ price: header, usd: 'USD' });
    // `Price (€)` keyed as `price` loaded euros as dollars
    for (const [header, code] of [
      ['Close (EUR)', 'EUR'],
      ['close_eur', 'EUR'],
      ['Price (€)', 'EUR'],
      ['Kurs (€)', 'EUR'],
      ['Preço (R$)', 'BRL'],
      ['Price (A$)', 'AUD'],
      ['Close (HK$)', 'HKD'],
      ['Price (CA$)', 'CAD'], // was AUD: `A$` is in `CA$`
      ['Preis (¥)', 'JPY or CNY'],
      ['Price in GBP', 'GBP'],
      ['price_eth', 'ETH'],
      // Coinbase's export before 2021, a currency first
      ['EUR Spot Price at Transaction', 'EUR'],
    ] as const)
      expect(priced([header]), header).toEqual({
        price: null,
        usd: null,
        other: [{ header, code, fields: ['price_usd'] }],
      });
    // A coin's own price (`btc_price`) is not a price in bitcoin; neither is a plain price.
    expect(priced(['btc_price'])).toEqual({ price: null, usd: null, other: [] });
    expect(priced(['Price'])).toEqual({ price: 'Price', usd: null, other: [] });
    // The currency of an amount of coins says nothing against it; a market cap in euros is out.
    const mapping = mapHeader(
      ['Symbol', 'Price', 'Market Cap (EUR)', 'Circulating Supply (BTC)', 'Market Cap USD (M)'],
      new Map(),
    );
    expect(mapping.columns.map((c) => [c.header, c.field, c.scale ?? 0])).toEqual([
      ['Symbol', 'symbol', 0],
      ['Price', 'price_usd', 0],
      ['Circulating Supply (BTC)', 'circulating_supply', 0],
      ['Market Cap USD (M)', 'market_cap_usd', 6],
    ]);
    expect(mapping.warnings).toEqual([
      expect.stringMatching(/^column "Market Cap \(EUR\)" is in EUR, not US dollars: left out/),
    ]);
  });

  it("leaves out Alpha Vantage's coin volume and the market cap that repeats it", () => {
    const headers = ['timestamp', 'open (CNY)', 'high (CNY)', 'low (CNY)', 'close (CNY)']
      .concat(['open (USD)', 'high (USD)', 'low (USD)', 'close (USD)', 'volume'])
      .concat(['market cap (USD)']);
    const mapping = mapHeader(headers, new Map());
    expect(fields(headers)).toEqual({ timestamp: 'observed_at', 'close (USD)': 'price_usd' });
    expect(mapping.warnings).toEqual([
      expect.stringContaining('"close (CNY)" is in CNY'),
      expect.stringContaining('"volume" of a file of candles may count coins'),
      expect.stringContaining('"market cap (USD)" of candles whose prices name their currency'),
    ]);
    // named with --map, they load
    expect(
      fields(headers, ['volume=volume_24h_usd', 'market cap (USD)=market_cap_usd']),
    ).toMatchObject({ volume: 'volume_24h_usd', 'market cap (USD)': 'market_cap_usd' });
  });

  it("keeps a column whose header differs by a percent sign apart (Yahoo's Change, % Change)", () => {
    expect(toHeaderKey('% Change')).toBe('pct_change');
    const mapping = mapHeader(['Symbol', 'Price (Intraday)', 'Change', '% Change'], new Map());
    expect(mapping.warnings).toEqual([]);
    expect(
      fields(['Symbol', 'Price (Intraday)', 'Change', '% Change'], ['% Change=percent_change_24h']),
    ).toEqual({
      Symbol: 'symbol',
      'Price (Intraday)': 'price_usd',
      '% Change': 'percent_change_24h',
    });
  });

  it('uses the first of duplicate columns and says so', () => {
    const mapping = mapHeader(
      ['', 'index', 'symbol', 'name', 'index', 'symbol', 'current_price'],
      new Map(),
    );
    expect(mapping.columns.find((c) => c.field === 'symbol')?.index).toBe(2);
    expect(mapping.warnings).toContain(
      'duplicate column "symbol" (columns 3 and 6): using column 3',
    );
    // two paths that end alike are two columns, not one written twice
    expect(mapHeader(['item.price_btc', 'item.data.price_btc'], new Map()).warnings).toContain(
      'columns "item.price_btc" and "item.data.price_btc" (1 and 2) read as one name, ' +
        'price_btc: using column 1',
    );
  });

  it('lets --map override and ignore columns', () => {
    expect(fields(['value', 'code', 'x'], ['code=symbol', 'value=', 'x=price_usd'])).toEqual({
      code: 'symbol',
      x: 'price_usd',
    });
    expect(() => parseOverrides(['x=cost'])).toThrow(/unknown field "cost"/);
    expect(() => parseOverrides(['nofield'])).toThrow(/HEADER=FIELD/);
  });

  it('refuses a --map for a column the header does not have, naming the columns it has', () => {
    const call = () => mapHeader(['Date', 'Price', 'Vol.'], parseOverrides(['Close=price_usd']));
    expect(call).toThrow(
      /--map names "close", which the file's header does not have; its columns are "Date", "Price", "Vol\."/,
    );
    expect(call).toThrow(expect.objectContaining({ code: 'usage' }));
    // a file of a column per coin lists its first 40 (was every one: 249 KB for 20,000)
    const wide = ['date', ...Array.from({ length: 2_000 }, (_, i) => `COIN${i}`)];
    const message = (() => {
      try {
        mapHeader(wide, parseOverrides(['Close=price_usd']));
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/"COIN38" and 1,961 more$/);
    expect(message!.length).toBeLessThan(600);
  });
});
