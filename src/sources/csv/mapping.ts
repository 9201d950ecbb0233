import { currencySign, toCurrency } from '../../core/currency.js';
import { KxError } from '../../core/errors.js';
import { zoneOfHeader } from '../../core/timestamp.js';

/**
 * The objects of an API's answer that `json_normalize` writes before a field and that say
 * nothing of it: a whole answer's `data.` or CoinGecko trending's `item.` (and `item.data.`),
 * Messari's `metrics.` before its groups, then CoinGecko's `market_data.`, Messari's
 * `marketcap.`, and the quote objects of CoinMarketCap (`quote.`), CoinPaprika (`quotes.`) and
 * CryptoCompare (`RAW.`) when a currency follows them.
 */
const ANSWER_PATH = new RegExp(
  '^(?:data\\.|item\\.(?:data\\.)?)?' +
    '(?:metrics\\.(?=(?:market_data|marketcap|supply)\\.))?' +
    '(?:market_data\\.|marketcap\\.|(?:quotes?|raw)\\.(?=[^.]+\\.))?',
  'i',
);

/** A unified field a CSV column can feed (snake_case, as users write them in `--map`). */
export const CSV_FIELDS = [
  'source_id',
  'symbol',
  'name',
  'rank',
  'price_usd',
  'market_cap_usd',
  'volume_24h_usd',
  'circulating_supply',
  'total_supply',
  'max_supply',
  'percent_change_24h',
  'observed_at',
] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

/**
 * Header names seen in real exports (shared/data/upstream/csv, shared/data/peers) with how
 * sure we are that they mean the field. Generic words (`close`, `value`, `market`) score lower
 * so that a specific column wins when a file has both.
 */
const SYNONYMS: Record<CsvField, Record<string, number>> = {
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
    // Bitstamp's transactions (`Amount`, `Value`, `Rate`): only beside an amount (see mapHeader)
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
  },
  total_supply: { total_supply: 1 },
  max_supply: { max_supply: 1, coin_info_max_supply: 0.95 },
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
const NOT_A_FIELD = new Set([
  'price_change_24h',
  'market_cap_change_24h',
  'price_btc',
  'open',
  'high',
  'low',
  'entry_price',
  'exit_price',
]);

/**
 * Volumes counted in coins, not US dollars: investing.com's `Vol.` (`65.59K` bitcoins; other
 * files' bare `vol` is dollars), and `Volume BTC`, `volume_eth`… beside a `Volume USDT`
 * (CryptoDataDownload, exchange klines). Loading one as volume_24h_usd would be off by the
 * coin's price; it is left out with a word.
 */
function countsCoins(key: string, header: string): boolean {
  return (
    /^vol\.$/i.test(header.trim()) ||
    /^vol(ume)?_(?!usd|usdt|usdc|busd|24h|usd_24h|quote|value)[a-z]{2,6}$/.test(key)
  );
}

/**
 * CryptoCompare's volumes count the coin unless their name ends in `TO`, the currency it is
 * quoted in: `RAW.USD.TOTALVOLUME24H` is coins, `RAW.USD.TOTALVOLUME24HTO` dollars. Left out
 * without a word (a file of its top list has seven), where the fuzzy match would have read one
 * as dollars.
 */
function isCryptoCompareCoinVolume(key: string, header: string): boolean {
  const volume = /^([a-z]{3,5})_(?:total)?(?:toptier)?(?:last)?volume(?:24_h|24_hour|day|hour)?$/;
  const code = volume.exec(key)?.[1];
  return code !== undefined && toCurrency(code) !== null && /^raw\./i.test(header.trim());
}

function coinVolumeWarning(header: string, key: string): string {
  const fiat = /_(eur|gbp|jpy|krw|aud|cad|chf|try|brl|rub|inr)$/.exec(key)?.[1];
  // OKX's `volCcy`: in the market's base or quote currency, by the kind of market
  const unnamed = key.endsWith('_ccy');
  const what = fiat
    ? `is in ${fiat.toUpperCase()}, not US dollars`
    : unnamed
      ? 'is in a currency it does not name'
      : 'counts coins, not US dollars';
  return (
    `column "${header.trim()}" ${what}: left out of volume_24h_usd ` +
    `(a column of US dollar volume can be named with --map 'COLUMN=volume_24h_usd')`
  );
}

/** Below this a fuzzy match is no match; below WARN_BELOW it is used with a warning. */
const FUZZY_FLOOR = 0.8;
const WARN_BELOW = 0.9;

export interface ColumnMapping {
  field: CsvField;
  header: string;
  /** 0-based column index. */
  index: number;
  confidence: number;
  how: 'synonym' | 'fuzzy' | 'override';
  /**
   * The power of ten the header says the numbers are in (`Market Cap (M)`: 6), when the
   * field is an amount (MAGNITUDE_FIELDS); absent for plain numbers.
   */
  scale?: number;
  /** `USD` when the header names the dollar (`Close (USD)`, `price_usd`, `Price ($)`). */
  currency?: 'USD';
  /**
   * For observed_at: the zone its header names (`Time (UTC+8)`: 480 minutes east of UTC), which
   * a time without its own zone is in; absent for UTC.
   */
  zoneMinutes?: number;
}

/** Words and letters that say a column's numbers are in thousands, millions… */
const MAGNITUDES: Record<string, number> = {
  k: 3,
  thousand: 3,
  thousands: 3,
  '000': 3,
  '000s': 3,
  m: 6,
  mn: 6,
  mm: 6,
  mln: 6,
  mil: 6,
  million: 6,
  millions: 6,
  b: 9,
  bn: 9,
  bln: 9,
  billion: 9,
  billions: 9,
  t: 12,
  tn: 12,
  trillion: 12,
  trillions: 12,
  tsd: 3,
  mio: 6,
  mrd: 9,
  // hundredths: `Price (USD cents)`, `price_cents`, `Price (¢)`, `Preis in Cent`
  cents: -2,
  cent: -2,
};

/** The fields whose numbers a magnitude in their header multiplies: amounts of dollars or coins. */
const MAGNITUDE_FIELDS = new Set<CsvField>(
  CSV_FIELDS.filter((f) => f.endsWith('_usd') || f.endsWith('_supply')),
);

/**
 * `market_cap_m`, `market_cap_usd_bn`, `volume_in_millions`, `supply_000s` → the key without
 * its magnitude and the power of ten it names; null for a key without one. The magnitude is a
 * word of its own after the first (`m` alone, never the end of a word).
 */
export function magnitudeOf(key: string): { key: string; scale: number } | null {
  const words = key.split('_');
  const at = words.findIndex((w, i) => i > 0 && MAGNITUDES[w] !== undefined);
  if (at === -1) return null;
  const scale = MAGNITUDES[words[at] ?? ''] ?? 0;
  const before = words[at - 1] === 'in' ? at - 1 : at;
  const rest = [...words.slice(0, before), ...words.slice(at + 1)].join('_');
  return rest === '' ? null : { key: rest, scale };
}

export interface HeaderMapping {
  columns: ColumnMapping[];
  unmapped: string[];
  warnings: string[];
  /** Columns of amounts in another currency (`Close (EUR)`), left out: what each would feed. */
  otherCurrency: { header: string; code: string; fields: CsvField[] }[];
  /** A trade log (Kraken's trades, exchanges' fills): a row is a trade, its price the trade's. */
  tradeLog: boolean;
}

/**
 * `priceUsd`, `Market Cap`, `\uFEFFname`, ` Symbol `, `Último`, `Дата` → `price_usd`,
 * `market_cap`, `name`, `symbol`, `ultimo`, `дата`: letters of any script, accents dropped.
 * A percent sign is a word (`% Change` → `pct_change`): Yahoo's screeners write `Change` and
 * `% Change` side by side, and they are two columns. So is a cent sign (`Price (¢)` →
 * `price_cents`: a magnitude). The API's object an amount sits in, as
 * pandas' `json_normalize` writes its path, says nothing: CoinMarketCap's `quote.USD.price`,
 * CoinPaprika's `quotes.USD.price`, CryptoCompare's `RAW.USD.PRICE` and CoinGecko's
 * `market_data.current_price.usd` are `usd_price` and `current_price_usd`; CoinGecko's
 * `market_data.circulating_supply` is `circulating_supply`, Messari's
 * `metrics.marketcap.current_marketcap_usd` is `current_marketcap_usd`, a whole answer's
 * `data.amount` (Coinbase's) is `amount`, and CoinGecko's trending `item.data.price` is
 * `price`. (CryptoCompare's `DISPLAY.USD.PRICE` is the price rounded for a screen,
 * `$ 59,593.7`: its path stays, and it is not read.)
 */
export function toHeaderKey(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(ANSWER_PATH, '')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/%/g, '_pct_')
    .replace(/¢/g, '_cents_')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** Whether a header cell is empty: pandas writes its index so. */
export function isUnnamed(header: string): boolean {
  return header.replace(/^\uFEFF/, '').trim() === '';
}

/** What an unnamed column is called, in a raw record's payload and by --map: `column_1`. */
export function unnamedColumn(index: number): string {
  return `column_${index + 1}`;
}

/**
 * The key `--map` names a column by: its header's (`toHeaderKey`), and an unnamed column's
 * (pandas' index) the name its payload gives it.
 */
export function headerKeyAt(header: string, index: number): string {
  return isUnnamed(header) ? unnamedColumn(index) : toHeaderKey(header);
}

/** Parses repeated `--map header=field` flags; an empty field means "ignore this column". */
export function parseOverrides(pairs: readonly string[]): Map<string, CsvField | null> {
  const overrides = new Map<string, CsvField | null>();
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    if (at <= 0)
      throw new KxError('usage', `--map expects HEADER=FIELD, got ${JSON.stringify(pair)}`);
    const header = toHeaderKey(pair.slice(0, at));
    const field = pair.slice(at + 1).trim();
    if (field !== '' && !isCsvField(field)) {
      throw new KxError(
        'usage',
        `--map ${pair}: unknown field "${field}"; fields: ${CSV_FIELDS.join(', ')}`,
      );
    }
    overrides.set(header, field === '' ? null : field);
  }
  return overrides;
}

function isCsvField(name: string): name is CsvField {
  return (CSV_FIELDS as readonly string[]).includes(name);
}

/**
 * Maps a header row to unified fields: overrides first, then exact synonyms, then fuzzy
 * matches; each field takes the most confident column, each column feeds one field.
 */
export function mapHeader(
  headers: readonly string[],
  overrides: Map<string, CsvField | null>,
): HeaderMapping {
  const keys = headers.map(headerKeyAt);
  const warnings = duplicateWarnings(headers, keys);
  const candidates: ColumnMapping[] = [];
  const otherCurrency: HeaderMapping['otherCurrency'] = [];
  keys.forEach((key, index) => {
    const header = headers[index] ?? '';
    if (key === '' || keys.indexOf(key) !== index) return;
    if (isUnnamed(header) && !overrides.has(key)) return;
    const zone = zoneOfHeader(header);
    const zoned = (c: ColumnMapping): ColumnMapping =>
      zone?.offsetMinutes && c.field === 'observed_at'
        ? { ...c, zoneMinutes: zone.offsetMinutes }
        : c;
    if (overrides.has(key)) {
      const field = overrides.get(key);
      const magnitude = magnitudeOf(key);
      if (field) {
        const c: ColumnMapping = { field, header, index, confidence: 1, how: 'override' };
        candidates.push(
          magnitude && MAGNITUDE_FIELDS.has(field) ? { ...c, scale: magnitude.scale } : zoned(c),
        );
      }
      return;
    }
    // `Date(UTC)` (Binance's exports), `Time (UTC+8)`: a time column that names its zone
    const times = zone
      ? matchColumn(toHeaderKey(zone.header), header, index).filter(
          (c) => c.field === 'observed_at',
        )
      : [];
    if (times.length > 0) {
      candidates.push(...times.map(zoned));
      return;
    }
    // `date_iso`, `iso_timestamp`, `date_str`: a time column that names the form it is written in
    const plain = withoutFormatWords(zone ? toHeaderKey(zone.header) : key);
    const written = plain
      ? matchColumn(plain, header, index).filter(
          (c) => c.field === 'observed_at' && c.how === 'synonym',
        )
      : [];
    if (written.length > 0) {
      candidates.push(
        ...written.map((c) => zoned({ ...c, confidence: round2(c.confidence * 0.95) })),
      );
      return;
    }
    if (countsCoins(key, header)) {
      warnings.push(coinVolumeWarning(header, key));
      return;
    }
    if (isCryptoCompareCoinVolume(key, header)) return;
    // `Close (USD)` is a price in dollars; `Close (EUR)` and `Preis (€)` are none, though
    // `price` alone would be (`Circulating Supply (BTC)` still counts coins).
    const named = currencyIn(header, key);
    if (!named) {
      // OKX's and Polygon.io's candles' `c` is the close, beside `o`, `h` and `l` only, and
      // Polygon's `t` the candle's time
      const letter = isOhlcLetters(keys) ? CANDLE_LETTERS[key] : undefined;
      candidates.push(...amountOrField(letter ?? key, header, index, warnings));
      return;
    }
    const whole = named.sign ? [] : matchColumn(key, header, index);
    const found = whole.some((c) => c.how === 'synonym')
      ? amountOrField(key, header, index, warnings)
      : amountOrField(named.key, header, index, warnings);
    if (named.usd) {
      candidates.push(
        ...found.map((c) => (MONEY_FIELDS.has(c.field) ? { ...c, currency: 'USD' as const } : c)),
      );
      return;
    }
    const money = found.filter((c) => MONEY_FIELDS.has(c.field)).map((c) => c.field);
    if (money.length > 0) {
      otherCurrency.push({ header: header.trim(), code: named.code, fields: money });
      warnings.push(
        `column "${header.trim()}" is in ${named.code}, not US dollars: left out ` +
          `(kx stores US dollar amounts; a column you know is in dollars can be named with --map '${header.trim()}=FIELD')`,
      );
    }
    // a change of the price in another currency is not the dollar price's (CoinGecko's trending
    // writes one per currency: `….price_change_percentage_24h.aed` … `.usd`)
    candidates.push(
      ...found.filter((c) => !MONEY_FIELDS.has(c.field) && c.field !== 'percent_change_24h'),
    );
  });
  // A --map for a column that is not there is a typo or the wrong file: loading on without it
  // would map the file by guesswork the user meant to overrule.
  const missing = [...overrides.keys()].filter((key) => !keys.includes(key));
  if (missing.length > 0) {
    throw new KxError(
      'usage',
      `--map names ${missing.map((k) => `"${k}"`).join(', ')}, which the file's header does not have; ` +
        `its columns are ${listColumns(headers)}`,
      { context: { missing, headers } },
    );
  }
  // Coinbase's prices (`/v2/prices/BTC-USD/spot`: `amount`, `base`, `currency`, and at most a
  // time beside them): the amount is one `base` coin's price in `currency`, not an amount of
  // coins as in a log of trades, which has more columns
  const coinbasePrices =
    COINBASE_PRICE_KEYS.every((k) => keys.includes(k)) &&
    candidates.every(
      (c) => c.field === 'observed_at' || COINBASE_PRICE_KEYS.some((k) => k === keys[c.index]),
    ) &&
    keys.length <= COINBASE_PRICE_KEYS.length + 1;
  if (coinbasePrices)
    for (const [key, field] of [
      ['amount', 'price_usd'],
      ['base', 'symbol'],
    ] as const) {
      const index = keys.indexOf(key);
      if (!overrides.has(key))
        candidates.push({ field, header: headers[index]!, index, confidence: 0.9, how: 'synonym' });
    }
  candidates.sort((a, b) => rankOf(b) - rankOf(a) || a.index - b.index);
  /** Candidates the file's shape rules out, each step adding to those before it. */
  const out = new Set<ColumnMapping>();
  const pickLeft = () => pick(candidates.filter((c) => !out.has(c)));
  // Beside an amount of coins, `Value` is that amount's worth and `Rate` the price paid (a
  // log of transactions: Bitstamp's); without one, a rate is an interest or a funding rate,
  // but beside a market cap the coin's price (LiveCoinWatch's `code,rate,volume,cap`).
  // Either may name its currency (`Amount (BTC)`, `Value (USD)`, `USD Value`).
  const bare = keys.map((key, i) => currencyIn(headers[i] ?? '', key)?.key ?? key);
  const amounts = !coinbasePrices && bare.some((k) => AMOUNT_KEYS.has(k));
  const capped = candidates.some((c) => c.field === 'market_cap_usd');
  const notPrices = amounts ? WORTH_KEYS : capped ? new Set<string>() : RATE_KEYS;
  candidates
    .filter(
      (c) => c.how !== 'override' && c.field === 'price_usd' && notPrices.has(bare[c.index] ?? ''),
    )
    .forEach((c) => out.add(c));
  /** Rules out the time columns named so, but for the user's. */
  const noTimes = (named: ReadonlySet<string>) =>
    candidates
      .filter(
        (c) => c.how !== 'override' && c.field === 'observed_at' && named.has(keys[c.index] ?? ''),
      )
      .forEach((c) => out.add(c));
  // A date split into columns (`year,month,day`): its `day` is no time, and kx joins no date.
  if (keys.includes('year') || keys.includes('month')) noTimes(BUCKET_TIMES);
  let columns = pickLeft();
  // A ticker's last price is at its window's close (Binance's 24-hour tickers: `lastPrice`
  // beside `openTime` and `closeTime`), not at its open, as a candle's close is stamped
  const last = columns.find((c) => c.field === 'price_usd' && LAST_PRICES.has(bare[c.index]!));
  if (last && keys.some((k) => WINDOW_CLOSES.has(k))) {
    noTimes(WINDOW_OPENS);
    columns = pickLeft();
  }
  const unsure = columns.find((c) => isCandleVolume(c, keys, columns));
  if (unsure) {
    warnings.push(
      `column "${unsure.header.trim()}" of a file of candles may count coins (exchanges' exports do) or US dollars: ` +
        `left out of volume_24h_usd (if it is US dollars, name it with --map '${unsure.header.trim()}=volume_24h_usd')`,
    );
    candidates.filter((c) => c.index === unsure.index).forEach((c) => out.add(c));
    columns = pickLeft();
    // Alpha Vantage's daily export (`open (CNY)`, …, `close (USD)`, `volume`, `market cap
    // (USD)`) writes its volume, in coins, again as its market cap: it has none.
    const cap = columns.find((c) => c.field === 'market_cap_usd' && c.how !== 'override');
    if (cap && keys.some((k) => currencyIn('', k)?.key === 'open')) {
      warnings.push(
        `column "${cap.header.trim()}" of candles whose prices name their currency (Alpha Vantage's export) ` +
          `repeats the volume, not a market cap: left out (if it is one, name it with --map '${cap.header.trim()}=market_cap_usd')`,
      );
      candidates.filter((c) => c.index === cap.index).forEach((c) => out.add(c));
      columns = pickLeft();
    }
  }
  // A trade log (Kraken's trades, Binance's and Coinbase's fills, Coinbase's transactions): no
  // column of it is a day's volume (its `vol` is one trade's size, in coins), and its `id` is a
  // transaction's, not a coin's. Words that elsewhere mean other things name its market and
  // its time: Poloniex's `Market` (`XRP/USDT`; Kaggle's market cap), Coinbase's `product`
  // (a catalogue's product), and `created at` (when a row was made); and an order's average
  // price is what it was filled at, where its `price` is its limit (KuCoin's orders: 0 for a
  // market order).
  const tradeLog = isTradeLog(keys);
  if (tradeLog) {
    const inTradeLog = (field: CsvField, words: ReadonlySet<string>, takesOver = false) => {
      const index = keys.findIndex((k) => words.has(k));
      const read = candidates.filter((c) => c.index === index);
      if (index === -1 || read.some((c) => c.how === 'override')) return;
      read.forEach((c) => out.add(c));
      const other = (c: ColumnMapping) => c.field === field && c.index !== index;
      if (takesOver)
        candidates.filter((c) => other(c) && c.how !== 'override').forEach((c) => out.add(c));
      if (!columns.some((c) => other(c) && (!takesOver || c.how === 'override')))
        candidates.push({
          field,
          header: headers[index] ?? '',
          index,
          confidence: 0.9,
          how: 'synonym',
        });
    };
    inTradeLog('symbol', TRADE_MARKETS);
    inTradeLog('observed_at', TRADE_TIMES);
    inTradeLog('price_usd', FILL_PRICES, true);
    const size = columns.find((c) => c.field === 'volume_24h_usd' && c.how !== 'override');
    if (size)
      warnings.push(
        `column "${size.header.trim()}" of a trade log is each trade's size, not a 24h volume: left out`,
      );
    candidates
      .filter(
        (c) =>
          c.how !== 'override' &&
          (c.field === 'volume_24h_usd' ||
            (c.field === 'source_id' && TRANSACTION_IDS.has(keys[c.index] ?? ''))),
      )
      .forEach((c) => out.add(c));
    columns = pickLeft();
  }
  for (const c of columns) {
    if (c.confidence < WARN_BELOW) {
      warnings.push(
        `column "${c.header}" mapped to ${c.field} with low confidence ${c.confidence.toFixed(2)}; ` +
          `confirm with --map '${c.header}=${c.field}' or ignore it with --map '${c.header}='`,
      );
    }
  }
  columns.sort((a, b) => a.index - b.index);
  const unmapped = headers.filter((_, i) => !columns.some((m) => m.index === i));
  return { columns, unmapped, warnings, otherCurrency, tradeLog };
}

/**
 * A column's candidate fields by its key (without a currency): `Market Cap (M)` is a market cap
 * in millions, not a fuzzy `market_cap`; a magnitude word in front of anything but an amount
 * leaves the key as it is.
 */
function amountOrField(
  key: string,
  header: string,
  index: number,
  warnings: string[],
): ColumnMapping[] {
  const magnitude = magnitudeOf(key);
  const amount = magnitude
    ? matchColumn(magnitude.key, header, index).filter((c) => MAGNITUDE_FIELDS.has(c.field))
    : [];
  if (magnitude && amount.length > 0 && !NOT_A_FIELD.has(magnitude.key)) {
    if (countsCoins(magnitude.key, header)) {
      warnings.push(coinVolumeWarning(header, magnitude.key));
      return [];
    }
    return amount.map((c) => ({ ...c, scale: magnitude.scale }));
  }
  return NOT_A_FIELD.has(key) ? [] : matchColumn(key, header, index);
}

/** The fields of amounts of money, which a currency in their header speaks for. */
const MONEY_FIELDS = new Set<CsvField>(['price_usd', 'market_cap_usd', 'volume_24h_usd']);

/**
 * Codes that, first in a header, name what is priced rather than the currency: `BTC Price` is
 * bitcoin's price, where `EUR Spot Price` (Coinbase's old export) is a price in euros.
 */
const PRICED_FIRST = new Set(['BTC', 'XBT', 'ETH', 'BNB', 'XRP', 'LTC', 'XAU', 'XAG', 'SATS']);

/**
 * The currency a header names for its numbers, and its key without it: a sign anywhere
 * (`Price ($)`, `Kurs (€)`), or a code after the first word (`Close (USD)`, `close_eur`,
 * `Market Cap in BTC`). A code first names the dollar (`usd_price`) or a fiat currency
 * (`EUR Spot Price`), not a coin (`btc_price` is bitcoin's price). Null when the header names
 * none.
 */
export function currencyIn(
  header: string,
  key: string,
): { key: string; code: string; usd: boolean; sign: boolean } | null {
  const sign = currencySign(header);
  if (sign) {
    const rest = toHeaderKey(header.replace(sign.written, ' '));
    return rest === '' ? null : { key: rest, code: sign.code, usd: sign.usd, sign: true };
  }
  const words = key.split('_');
  const at = words.findIndex((w, i) => {
    const found = toCurrency(w);
    return found !== null && (i > 0 || found.usd || !PRICED_FIRST.has(found.code));
  });
  if (at === -1) return null;
  const found = toCurrency(words[at] ?? '');
  const before = words[at - 1] === 'in' ? at - 1 : at;
  const rest = [...words.slice(0, before), ...words.slice(at + 1)].join('_');
  if (!found || rest === '') return null;
  return { key: rest, code: found.code, usd: found.usd, sign: false };
}

/** Each field its most confident column, each column one field (`candidates` best first). */
function pick(candidates: readonly ColumnMapping[]): ColumnMapping[] {
  const columns: ColumnMapping[] = [];
  for (const c of candidates)
    if (!columns.some((m) => m.field === c.field || m.index === c.index)) columns.push(c);
  return columns;
}

/**
 * A bare `Volume` beside open, high and low, guessed as volume_24h_usd: an exchange's candles
 * (TradingView, Binance, Bitfinex, Coinbase, Kraken) count it in coins, an aggregator's export
 * in dollars, and nothing in the column tells which. Loaded as dollars, a coin volume is off by
 * the coin's price. Aggregators' exports are known by a market cap column (CoinMarketCap,
 * CoinCodex, Kaggle's sets of CoinMarketCap data) and Yahoo Finance's by its `Adj Close`.
 */
function isCandleVolume(
  c: ColumnMapping,
  keys: readonly string[],
  columns: readonly ColumnMapping[],
): boolean {
  const written = keys[c.index] ?? '';
  const key = magnitudeOf(written)?.key ?? written;
  if (c.field !== 'volume_24h_usd' || c.how === 'override' || (key !== 'volume' && key !== 'vol'))
    return false;
  // Candles whose open, high and low name their currency beside a volume that names none
  // (Alpha Vantage's `open (USD)`, `market cap (USD)`, `volume`) count the volume in coins.
  const named = keys.some((k) => CANDLE_PRICES.includes(currencyIn('', k)?.key ?? ''));
  return (
    isCandles(keys) &&
    !keys.includes('adj_close') &&
    (named || !columns.some((m) => m.field === 'market_cap_usd'))
  );
}

const CANDLE_PRICES = ['open', 'high', 'low'];

/**
 * Whether a header's keys are candles: an open, a high and a low (`Open`, Bybit's
 * `openPrice`, CoinAPI's `price_open`, OKX's `o`, Alpha Vantage's `open (USD)`).
 */
export function isCandles(keys: readonly string[]): boolean {
  const plain = keys.map(candleKey);
  return CANDLE_PRICES.every(
    (k) => plain.includes(k) || keys.some((n) => currencyIn('', n)?.key === k),
  );
}

/**
 * A candle's price as `open`: Bybit's `openPrice`, CoinAPI's `price_open`, OKX's `o` (beside
 * its `h`, `l` and `c`); any other key as it is.
 */
function candleKey(key: string): string {
  const bare = /^(?:price_)?(open|high|low|close)(?:_price)?$/.exec(key)?.[1];
  return bare ?? OHLC_LETTERS[key] ?? key;
}
const OHLC_LETTERS: Record<string, string> = { o: 'open', h: 'high', l: 'low', c: 'close' };

/** Dune's and Flipside's buckets: a time only where no `year` or `month` splits the date. */
const BUCKET_TIMES = new Set(['minute', 'hour', 'day', 'week']);

/** What `c` and `t` are in a file of candles by letters: the close and the candle's time. */
const CANDLE_LETTERS: Record<string, string> = { c: 'close', t: 'timestamp' };

/** Whether the keys are candles by letters: `o`, `h`, `l` and `c` (OKX's, Polygon.io's). */
function isOhlcLetters(keys: readonly string[]): boolean {
  return Object.keys(OHLC_LETTERS).every((k) => keys.includes(k));
}

/** Headers only a log of one's own trades has: a side, an order or trade id, a fee. */
const TRADE_KEYS = new Set(['side', 'txid', 'ordertxid', 'trade_id', 'tradeid', 'order_id'])
  .add('orderid')
  // Poloniex's trade history
  .add('order_number')
  .add('ordertype')
  .add('order_type')
  .add('fee')
  .add('fees')
  .add('commission')
  .add('transaction_type')
  .add('quantity_transacted')
  .add('subtotal');

/** Coinbase's price of a coin: `amount` of `currency` for one `base`. */
const COINBASE_PRICE_KEYS = ['amount', 'base', 'currency'] as const;

/** An amount of coins: in a file with one, a `Value` is what the amount is worth. */
export const AMOUNT_KEYS = new Set(['amount', 'quantity', 'qty', 'units']);
const WORTH_KEYS = new Set(['value', 'usd']);
const RATE_KEYS = new Set(['rate']);

/** A ticker's last price, and the window it is the last of (`openTime`, `closeTime`). */
const LAST_PRICES = new Set(['last', 'last_price', 'lastprice', 'last_trade_price']);
const WINDOW_OPENS = new Set(['open_time', 'time_open', 'start_time']);
const WINDOW_CLOSES = new Set(['close_time', 'time_close', 'end_time']);

/** A trade log's market and time, by words that elsewhere mean other things. */
const TRADE_MARKETS = new Set(['market', 'product', 'product_id']);
const TRADE_TIMES = new Set(['created_at', 'order_created_at', 'create_time', 'created_time']);
const FILL_PRICES = new Set(['average_price', 'avg_price']);

/** A trade log's id columns: a transaction's, never a coin's. */
const TRANSACTION_IDS = new Set(['id', 'txid', 'transaction_id', 'trade_id', 'tradeid']);

function isTradeLog(keys: readonly string[]): boolean {
  return keys.filter((k) => TRADE_KEYS.has(k)).length >= 2;
}

/** Words that say how a time is written, not what it is (`date_iso`, `timestamp_str`). */
const FORMAT_WORDS = new Set([
  'iso',
  'iso8601',
  '8601',
  'str',
  'string',
  'text',
  'txt',
  'fmt',
  'formatted',
  'readable',
]);

/** A header key without its format words; null when it has none, or nothing else. */
function withoutFormatWords(key: string): string | null {
  const words = key.split('_');
  const rest = words.filter((w) => !FORMAT_WORDS.has(w));
  return rest.length === words.length || rest.length === 0 ? null : rest.join('_');
}

/** Overrides beat everything; otherwise confidence decides. */
function rankOf(c: ColumnMapping): number {
  return c.how === 'override' ? 2 : c.confidence;
}

/** Each field's synonyms as a list, made once. */
const SYNONYM_ENTRIES = Object.fromEntries(
  CSV_FIELDS.map((field) => [field, Object.entries(SYNONYMS[field])]),
) as Record<CsvField, [string, number][]>;

function matchColumn(key: string, header: string, index: number): ColumnMapping[] {
  const found: ColumnMapping[] = [];
  for (const field of CSV_FIELDS) {
    let best = 0;
    let how: ColumnMapping['how'] = 'synonym';
    for (const [synonym, weight] of SYNONYM_ENTRIES[field]) {
      if (synonym === key) {
        if (weight > best) [best, how] = [weight, 'synonym'];
        continue;
      }
      // The edit distance is at least the difference in length: a synonym that could not
      // score enough even at that distance is not measured (a rejected row's cells are read
      // as a header to tell a repeated header line, so this runs per row, not per file).
      const longest = Math.max(key.length, synonym.length);
      const bound = (1 - Math.abs(key.length - synonym.length) / longest) * weight;
      if (bound < FUZZY_FLOOR || bound <= best) continue;
      const score = similarity(key, synonym) * weight;
      if (score >= FUZZY_FLOOR && score > best) [best, how] = [score, 'fuzzy'];
    }
    if (best > 0) found.push({ field, header, index, confidence: round2(best), how });
  }
  return found;
}

function duplicateWarnings(headers: readonly string[], keys: readonly string[]): string[] {
  const warnings: string[] = [];
  keys.forEach((key, index) => {
    const first = keys.indexOf(key);
    if (key === '' || first === index) return;
    const [one, other] = [headers[first]?.trim(), headers[index]?.trim()];
    warnings.push(
      one === other
        ? `duplicate column "${other}" (columns ${first + 1} and ${index + 1}): using column ${first + 1}`
        : // two paths that end alike (`item.price_btc`, `item.data.price_btc`)
          `columns "${one}" and "${other}" (${first + 1} and ${index + 1}) read as one name, ` +
            `${key}: using column ${first + 1}`,
    );
  });
  return warnings;
}

/** Normalized Levenshtein similarity in [0, 1]. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Headers of a column that holds the time of day beside a date column (`Date`, `Time`). */
const TIME_OF_DAY = new Set([
  'time',
  'hour',
  'time_utc',
  'utc_time',
  'hora',
  'uhrzeit',
  'zeit',
  'heure',
  'время',
]);

/**
 * The column with the time of day when the date is in another one (`Date,Time,…`): unmapped,
 * and named like a time while the observed_at column is not. Without it the hours of a day
 * would read as one moment, and all but one row of each day would be lost.
 */
export function findTimeOfDay(
  headers: readonly string[],
  mapping: HeaderMapping,
): number | undefined {
  // `Time (UTC+8)` is a time of day too: its zone is read with it (timeOfDayZone).
  const isTime = (h: string) => TIME_OF_DAY.has(toHeaderKey(zoneOfHeader(h)?.header ?? h));
  const date = mapping.columns.find((c) => c.field === 'observed_at');
  if (!date || isTime(date.header)) return undefined;
  const index = headers.findIndex(
    (h, i) => isTime(h) && !mapping.columns.some((c) => c.index === i),
  );
  return index === -1 ? undefined : index;
}

/**
 * The zone of the times a file's rows are observed at, in minutes east of UTC: the one the
 * time column's header names, else the one its time-of-day column's header names
 * (`Date,Time (UTC+8)`); undefined for UTC.
 */
export function timeOfDayZone(
  headers: readonly string[],
  mapping: HeaderMapping,
  timeOfDay: number | undefined,
): number | undefined {
  const date = mapping.columns.find((c) => c.field === 'observed_at');
  const zone =
    date?.zoneMinutes ??
    (date && timeOfDay !== undefined ? zoneOfHeader(headers[timeOfDay] ?? '')?.offsetMinutes : 0);
  return zone || undefined;
}

/** Headers of a column that says which currency a row's prices are in. */
const CURRENCY = new Set(
  ['currency', 'vs_currency', 'quote_currency', 'quote_asset', 'quote', 'fiat', 'convert']
    .concat(['target', 'target_currency'])
    .concat(['fiat_currency', 'price_currency', 'currency_code', 'wahrung', 'moneda', 'devise'])
    .concat(['spot_price_currency', 'native_currency', 'moeda', 'valuta', 'валюта']),
);

/**
 * A column named like a currency (`currency`, `vs_currency`) that no field reads and that
 * `--map 'HEADER='` does not leave out: its cells say what the prices are in, and a price
 * in euros must not load as dollars. Whether it holds currency codes at all is for its cells
 * to tell (look-ahead/text-columns.ts).
 */
export function findCurrency(
  headers: readonly string[],
  mapping: HeaderMapping,
  overrides: ReadonlyMap<string, CsvField | null>,
): number | undefined {
  // A price whose header names the dollar is in dollars: CoinDesk's export writes the coin
  // (`BTC`) in its `Currency` column beside `Closing Price (USD)`.
  const price = mapping.columns.find((c) => c.field === 'price_usd');
  if (price?.currency === 'USD') return undefined;
  const free = (key: string, i: number) =>
    !overrides.has(key) && !mapping.columns.some((c) => c.index === i);
  const keys = headers.map(toHeaderKey);
  // The price column's own (Bitstamp's `Rate` and `Rate currency`) before any other
  const own = price ? `${toHeaderKey(price.header)}_currency` : null;
  const index = keys.findIndex((key, i) => key === own && free(key, i));
  if (index !== -1) return index;
  const named = keys.findIndex((key, i) => CURRENCY.has(key) && free(key, i));
  return named === -1 ? undefined : named;
}

/** Columns an error message lists: a header of 20,000 coins' columns is no message. */
const LISTED_COLUMNS = 40;

/** `"Date", "Price", "Vol."`: the header as error messages name it, the first 40 columns. */
export function listColumns(header: readonly string[]): string {
  const listed = header
    .slice(0, LISTED_COLUMNS)
    .map((h) => JSON.stringify(h.trim().length > 80 ? `${h.trim().slice(0, 80)}…` : h.trim()));
  const more = header.length - LISTED_COLUMNS;
  return listed.join(', ') + (more > 0 ? ` and ${more.toLocaleString('en')} more` : '');
}
