/**
 * The header names seen in real exports for each unified field, and those that look like a
 * field but are not it: the table `matchColumn` (fields.ts) scores a header against.
 */
import type { CsvField } from './fields.js';
import { toHeaderKey } from './header-keys.js';

/**
 * Header names seen in real exports (shared/data/upstream/csv, shared/data/peers) with how
 * sure we are that they mean the field. Generic words (`close`, `value`, `market`) score lower
 * so that a specific column wins when a file has both.
 */
export const SYNONYMS: Record<CsvField, Record<string, number>> = {
  source_id: {
    // the unified field's own name (`kx export listings` writes it beside `asset_id`)
    source_id: 1,
    id: 1,
    coin_id: 1,
    asset_id: 1,
    external_id: 0.95,
    slug: 1,
    coingecko_id: 1,
    coinpaprika_id: 1,
    // CryptoCompare's top lists flattened by pandas: its coin's number (`CoinInfo.Id`, 1182)
    coin_info_id: 0.9,
  },
  symbol: {
    symbol: 1,
    ticker: 1,
    coin_symbol: 1,
    asset_symbol: 1,
    ticker_symbol: 1,
    // CryptoCompare's top lists: `CoinInfo.Name` is the ticker, `CoinInfo.FullName` the name
    coin_info_name: 1,
    // The Graph's token data flattened (Uniswap's `tokenDayDatas`: `token.symbol`); not its
    // `token.totalSupply`, in the token's smallest units
    token_symbol: 0.95,
    sym: 0.9,
    // French, Spanish and Italian (`Symbole`, `Símbolo`, `Simbolo`)
    symbole: 0.95,
    simbolo: 0.95,
    code: 0.85,
    // Coinbase's transaction history; elsewhere it may be a name: a warning
    asset: 0.85,
    // a market's base coin beside its quote (CoinGecko's tickers' `base` and `target`,
    // Binance's `baseAsset`, Coinbase's products' `base_currency`)
    base: 0.85,
    base_asset: 0.85,
    base_currency: 0.85,
    // a market (`XXBTZUSD`, `BTC-USD`): read as its base coin when most values are pairs
    pair: 0.9,
    trading_pair: 0.9,
    currency_pair: 0.9,
  },
  name: {
    name: 1,
    coin_name: 1,
    asset_name: 1,
    full_name: 0.95,
    coin_info_full_name: 1,
    token_name: 0.95,
    title: 0.85,
    coin: 0.85,
  },
  rank: { rank: 1, market_cap_rank: 1, cmc_rank: 1, ranknow: 0.95, rank_now: 0.95 },
  price_usd: {
    price_usd: 1,
    usd_price: 1,
    price_in_usd: 1,
    // CoinMarketCap's quotes flattened by pandas with `sep='_'`
    quote_usd_price: 1,
    price_in_dollars: 0.95,
    dollar_price: 0.95,
    // the middle of the bid and the ask, and a volume-weighted price (below a close beside it)
    mid_price: 0.85,
    vwap: 0.8,
    // exchanges' trade histories: KuCoin's `Avg. Filled Price`, Bybit's `ExecPrice`
    avg_filled_price: 0.95,
    filled_price: 0.95,
    exec_price: 0.95,
    execution_price: 0.95,
    executed_price: 0.95,
    // Crypto.com's trade history (`Trade Price`), HTX's and Gate's (`Deal Price`)
    trade_price: 0.95,
    deal_price: 0.95,
    fill_price: 0.95,
    avg_fill_price: 0.95,
    avg_price: 0.85,
    average_price: 0.85,
    // Bittrex's order history, beside `Price`, the order's total
    price_per_unit: 1,
    unit_price: 1,
    current_price: 0.97,
    // Coinbase's transaction history (2021: `Spot Price at Transaction`)
    price_at_transaction: 0.95,
    spot_price_at_transaction: 0.95,
    spot_price: 0.95,
    price: 0.95,
    last_price: 0.95,
    // exchanges' tickers (Kraken's, Bitfinex's `last`), Bloomberg's `PX_LAST`
    last: 0.9,
    // CoinGecko's tickers of a coin's markets: `last` in the market's `target`, this in `.usd`
    converted_last: 0.95,
    last_trade_price: 0.9,
    px_last: 0.9,
    market_price: 0.9,
    // Yahoo Finance's screeners (its cryptocurrencies table, as scrapers save it)
    price_intraday: 0.95,
    lastprice: 0.95,
    close_price: 0.9,
    closing_price: 0.9,
    // Nasdaq's historical data
    close_last: 0.9,
    close: 0.9,
    // CoinAPI's OHLCV history (`price_open`, …, `price_close`)
    price_close: 0.9,
    value: 0.85,
    usd: 0.85,
    // Bitstamp's transactions (`Amount`, `Value`, `Rate`): only beside an amount (picking.ts)
    rate: 0.85,
    // The finance portals in Spanish, Portuguese, German, French and Russian (investing.com's
    // `Último`, `Zuletzt`, `Dernier`, `Цена` are its `Price`, the day's close).
    ultimo: 0.9,
    precio: 0.9,
    cierre: 0.9,
    preco: 0.9,
    fechamento: 0.9,
    zuletzt: 0.9,
    schlusskurs: 0.9,
    kurs: 0.85,
    preis: 0.9,
    dernier: 0.9,
    prix: 0.9,
    // French spreadsheets' `Cours` (a quote's price, as German's `Kurs`)
    cours: 0.85,
    cloture: 0.9,
    цена: 0.9,
    закрытие: 0.9,
    // …and its sites in Japanese, Chinese, Korean and Turkish (`終値`, `收盘`, `종가`, `Şimdi`)
    [toHeaderKey('終値')]: 0.9,
    [toHeaderKey('收盘')]: 0.9,
    [toHeaderKey('收盘价')]: 0.9,
    [toHeaderKey('종가')]: 0.9,
    [toHeaderKey('Şimdi')]: 0.9,
    [toHeaderKey('Kapanış')]: 0.9,
  },
  market_cap_usd: {
    market_cap_usd: 1,
    market_cap: 0.97,
    marketcap: 0.97,
    current_marketcap: 0.95,
    mkt_cap: 0.95,
    mcap: 0.95,
    // CryptoCompare's `RAW.USD.MKTCAP`
    mktcap: 0.95,
    market_capitalization: 0.97,
    // Coin Metrics' community files: the market cap of the current supply
    cap_mrkt_cur_usd: 1,
    marktkapitalisierung: 0.95,
    capitalizacion_de_mercado: 0.95,
    capitalizacao_de_mercado: 0.95,
    capitalisation_boursiere: 0.95,
    cap: 0.85,
    market: 0.85,
  },
  volume_24h_usd: {
    volume_24h_usd: 1,
    '24h_volume_usd': 1,
    volume_24h: 0.97,
    '24h_volume': 0.97,
    volume_reported_spot_usd_1d: 0.95,
    // Nomics' ticker flattened by pandas (`1d.volume`, beside `1d.price_change_pct`, a fraction)
    '1d_volume': 0.95,
    // Messari's `market_data.volume_last_24_hours` (reported, as other sources' are)
    volume_last_24_hours: 0.95,
    // CryptoCompare's `RAW.USD.TOTALVOLUME24HTO` (every market's, in dollars: `TO` the quote
    // currency), else its index's own `VOLUME24HOURTO`; the names without `TO` count coins
    totalvolume24_hto: 0.95,
    volume24_hourto: 0.9,
    // exchanges' tickers: a market's volume in its quote currency (Binance's `quoteVolume`,
    // Gate's `quote_volume`, KuCoin's `volValue`, Bybit's `turnover24h`), dollars in a market
    // priced in them (read only where the symbols say so), while their bare `volume` counts
    // the base coin (look-ahead/volumes.ts)
    quote_volume: 0.85,
    vol_value: 0.85,
    turnover24h: 0.85,
    // CoinGecko's tickers of a coin's markets (`converted_volume.usd`; `volume` counts coins)
    converted_volume: 0.95,
    // CoinCap's `volumeUsd24Hr`
    volume_usd24_hr: 1,
    // CoinLore's tickers (`volume24`, in dollars; its `volume24a` is left out)
    volume24: 0.95,
    // CoinGecko's `/simple/price`
    usd_24h_vol: 1,
    total_volume: 0.95,
    // Yahoo Finance's crypto screener: every market's, in dollars, beside its own market's
    total_volume_all_currencies_24_hr: 0.95,
    volume_in_currency_24_hr: 0.9,
    volume_usd: 0.95,
    volume_usdt: 0.95,
    vol_24h: 0.95,
    volume: 0.9,
    vol: 0.88,
  },
  circulating_supply: {
    circulating_supply: 1,
    available_supply: 0.95,
    circulating: 0.9,
    sply_cur: 0.95,
    // Messari's `supply.circulating`
    supply_circulating: 0.95,
    // CryptoCompare's `RAW.USD.CIRCULATINGSUPPLY`
    circulatingsupply: 0.95,
    // CoinCap's `supply` ("available for trading"); elsewhere it may be the total: a warning
    supply: 0.85,
    // CoinLore's tickers: `csupply`, `tsupply`, `msupply`
    csupply: 0.95,
  },
  total_supply: { total_supply: 1, tsupply: 0.95 },
  max_supply: { max_supply: 1, coin_info_max_supply: 0.95, msupply: 0.95 },
  percent_change_24h: {
    percent_change_24h: 1,
    price_change_percentage_24h: 1,
    percentage_change24_hr_usd: 0.95,
    pct_change_24h: 0.95,
    change_percent24_hr: 1,
    // Messari's `market_data.percent_change_usd_last_24_hours`
    percent_change_last_24_hours: 0.95,
    // CryptoCompare's `RAW.USD.CHANGEPCT24HOUR`
    changepct24_hour: 0.95,
    // CoinGecko's `/simple/price` (`usd`, `usd_market_cap`, `usd_24h_vol`, `usd_24h_change`)
    usd_24h_change: 1,
    // CoinGecko's and CoinMarketCap's tables as copied: `24h`, `% 24h`, `24h %`
    '24h': 0.85,
    pct_24h: 0.85,
    '24h_pct': 0.85,
    change_24h: 0.85,
  },
  observed_at: {
    last_updated: 1,
    // CoinGecko's `/simple/price` (unix seconds)
    last_updated_at: 0.95,
    observed_at: 1,
    snapped_at: 1,
    timestamp: 0.95,
    source_updated_at: 0.95,
    // Messari's `market_data.last_trade_at`: the price's time
    last_trade_at: 0.9,
    // CryptoCompare's `RAW.USD.LASTUPDATE`, in unix seconds
    lastupdate: 0.95,
    updated_at: 0.9,
    datetime: 0.95,
    date: 0.9,
    time: 0.85,
    recorded_date: 0.9,
    // exchanges' trade histories: KuCoin's (`tradeCreatedAt`, `Filled Time(UTC+08:00)`),
    // Bybit's, and what scripts over their APIs write
    trade_created_at: 0.95,
    // below a `timestamp` beside it: Upbit's `trade_time` is a time of day (`041205`)
    trade_time: 0.93,
    filled_time: 0.95,
    executed_at: 0.9,
    execution_time: 0.9,
    exec_time: 0.9,
    // FRED's downloads (`observation_date,CBBTCUSD`)
    observation_date: 0.95,
    trade_date: 0.9,
    last_seen: 0.85,
    unix: 0.85,
    open_time: 0.95,
    // CoinAPI's OHLCV history: the candle's start, as Binance's open time
    time_period_start: 0.95,
    // Bitfinex's candles: milliseconds
    mts: 0.9,
    // Bybit's candles (`startTime`, `openPrice`, …) and OKX's (`ts`, `o`, `h`, `l`, `c`)
    start_time: 0.9,
    ts: 0.85,
    // when a script or a scraper read the prices: the time they were observed
    fetched_at: 0.95,
    scraped_at: 0.95,
    retrieved_at: 0.95,
    collected_at: 0.95,
    captured_at: 0.95,
    snapshot_time: 0.95,
    snapshot_at: 0.95,
    quote_time: 0.95,
    price_time: 0.95,
    price_timestamp: 0.95,
    pulled_at: 0.9,
    polled_at: 0.9,
    recorded_at: 0.9,
    record_time: 0.9,
    as_of: 0.9,
    asof: 0.9,
    as_of_date: 0.9,
    // unix times by name (below a date column beside them: CryptoDataDownload's `Date`)
    unix_timestamp: 0.85,
    unix_time: 0.85,
    timestamp_ms: 0.95,
    time_ms: 0.9,
    epoch: 0.85,
    // a table's date partition (`dt=2024-01-05`), and German, Spanish and French headers
    dt: 0.85,
    zeit: 0.85,
    fecha_y_hora: 0.9,
    horodatage: 0.9,
    // CoinPaprika's OHLCV (`time_open`, `time_close`): the close is observed at the close
    time_close: 0.93,
    time_open: 0.9,
    close_time: 0.9,
    fecha: 0.9,
    data: 0.85,
    datum: 0.9,
    дата: 0.9,
    [toHeaderKey('日付け')]: 0.9,
    [toHeaderKey('日付')]: 0.9,
    [toHeaderKey('日期')]: 0.9,
    [toHeaderKey('날짜')]: 0.9,
    tarih: 0.9,
    // query results of Dune and Flipside: a block's time, or the bucket prices are summed up
    // by (`date_trunc('minute', …)`), a time of day only beside a date (findTimeOfDay)
    block_time: 0.9,
    block_timestamp: 0.9,
    evt_block_time: 0.9,
    minute: 0.8,
    hour: 0.8,
    day: 0.8,
    week: 0.75,
    // a candle's or a bucket's start: Coinbase Advanced's candles (`start,low,high,open,close`),
    // TimescaleDB's `time_bucket`, scripts' `period_start`
    start: 0.8,
    period_start: 0.9,
    time_start: 0.9,
    interval_start: 0.9,
    candle_start: 0.9,
    bucket: 0.85,
    bucket_start: 0.9,
    // the day a price is of, by the price's name or the market's calendar
    price_date: 0.9,
    quote_date: 0.9,
    pricing_date: 0.9,
    valuation_date: 0.85,
    close_date: 0.85,
    trading_day: 0.85,
    trading_date: 0.85,
    trade_day: 0.85,
    business_date: 0.85,
  },
};

/**
 * Headers that look like a field but are not it (absolute changes, prices in BTC, OHLC, a
 * position's entry and exit in a trading journal: `exit_price` is one letter from `exec_price`).
 */
export const NOT_A_FIELD = new Set([
  'price_change_24h',
  'market_cap_change_24h',
  'price_btc',
  'open',
  'high',
  'low',
  'entry_price',
  'exit_price',
]);
