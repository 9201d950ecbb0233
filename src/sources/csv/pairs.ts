/**
 * Exchange exports name the market, not the coin: `BTC/USD` (CryptoDataDownload), `BTC-USD`
 * (Yahoo), `BTC_USDT` (Poloniex), `BTCUSDT` (Binance), `XBTUSD` (Kraken). Loaded as written,
 * `BTCUSDT` would be a coin of its own beside BTC; the coin is the pair's base, and the pair's
 * quote says what currency the prices are in.
 */
import { OTHER_QUOTES, USD_QUOTES } from '../../core/currency.js';
import { BASE_ALIASES, sameCoin, WELL_KNOWN_BASES, withoutCashtag } from './coins.js';

/** Longest first, so that `BTCUSDT` ends in `USDT`, not `USD`... then `T`. */
const QUOTES = [...USD_QUOTES, ...OTHER_QUOTES].sort((a, b) => b.length - a.length);

/** Tickers of coins that end in a quote currency's code: coins, not pairs. */
const NOT_PAIRS = new Set([
  'BSC-USD',
  'FDUSD',
  'PYUSD',
  'RENBTC',
  'STETH',
  'WSTETH',
  'CBETH',
  'RETH',
]);

/**
 * Whether a symbol cell as written names the coin `symbol` (upper case): `eth`, `$ETH` (a
 * cashtag) and `ETH/USD` name ETH, `XBTUSD` names BTC.
 */
export function namesCoin(written: string, symbol: string): boolean {
  return readCell(written, symbol).names;
}

/**
 * A symbol cell as written, read against the coin `symbol` (upper case): whether it names it
 * (`namesCoin`), and the market it is written as, if it is one (`BTC-EUR`: BTC, in euros). One
 * parse for both, as each row of a --symbol file asks.
 */
export function readCell(written: string, symbol: string): { names: boolean; market: Pair | null } {
  const upper = withoutCashtag(written.trim().toUpperCase());
  if (sameCoin(upper, symbol)) return { names: true, market: null };
  const market = parsePair(upper);
  return { names: sameCoin(market?.base ?? upper, symbol), market };
}

export interface Pair {
  base: string;
  quote: string;
  /** Whether the quote is the US dollar or a dollar stablecoin. */
  usd: boolean;
  /**
   * A derivative contract on the pair, whose price is not the coin's spot price: a swap's or
   * a future's settlement as ccxt writes it (`BTC/USDT:USDT`, `BTC/USD:BTC-240329`), or the
   * contract's name as its exchange does (`BTC-PERP`, `BTC-29MAR24-60000-C`: `CONTRACT_NAMES`).
   * Absent for a spot market.
   */
  contract?: string;
}

/**
 * `BTC/USD`, `btc-usdt`, `ETH_BTC`, `BTCUSDT` → base and quote; anything else (`BTC`,
 * `USDT`, `BSC-USD` … a ticker) → null. A written-together pair needs a base of two
 * characters or more, so that `TUSD` and `WBTC` stay coins.
 */
export function parsePair(value: string): Pair | null {
  const derivative = CCXT_CONTRACT.exec(value.trim().toUpperCase());
  if (derivative) {
    const [, base = '', quote = '', contract = ''] = derivative;
    const pair = pairOf(base, quote);
    return pair && { ...pair, contract };
  }
  const bitfinex = BITFINEX.exec(value.trim());
  if (bitfinex) {
    const [, short, long, quote = ''] = bitfinex;
    return pairOf(short ?? long ?? '', quote === 'UST' ? 'USDT' : quote);
  }
  const upper = value.trim().toUpperCase();
  const pair = parseMarket(upper) ?? contractOf(upper);
  if (pair) return pair;
  // An exchange or feed in front: `BINANCE:BTCUSDT` (TradingView), `X:BTCUSD` (Polygon.io).
  const prefixed = /^[A-Z][A-Z0-9]{0,14}:([A-Z0-9/\-_.]{5,})$/.exec(upper)?.[1] ?? '';
  return prefixed ? (parseMarket(prefixed) ?? contractOf(prefixed)) : null;
}

/**
 * The exchanges' own names of derivative contracts, whose prices are not the coin's: swaps
 * (FTX's `BTC-PERP`, Binance's `BTCUSD_PERP`, Deribit's `BTC-PERPETUAL`, OKX's `BTC-USD-SWAP`,
 * TradingView's `BTCUSDT.P`, Kraken's `PI_XBTUSD`), futures by their expiry (Binance's
 * `BTCUSDT_240329`, OKX's `BTC-USD-240329`, Deribit's `BTC-29MAR24`) and options with their
 * strike and kind (`BTC-29MAR24-60000-C`). The pair is the underlying market.
 */
const CONTRACT_NAMES = [
  /^([A-Z0-9]{2,15}?)[-_]?(USDT|USDC|USD)?[-_](PERP|PERPETUAL|SWAP)$/,
  /^([A-Z0-9]{2,15}?)(USDT|USDC|USD)\.(P)$/,
  /^P[IF]_([A-Z0-9]{2,15}?)(USD)$/,
  /^(?:FI_)?([A-Z0-9]{2,15}?)[-_]?(USDT|USDC|USD)?[-_](\d{6}|\d{1,2}[A-Z]{3}\d{2})(?:[-_]\d+(?:\.\d+)?[-_][CP])?$/,
];

function contractOf(upper: string): Pair | null {
  for (const pattern of CONTRACT_NAMES) {
    const m = pattern.exec(upper);
    if (!m) continue;
    const [, base = '', quote = 'USD'] = m;
    const pair = pairOf(base, quote);
    return pair && { ...pair, contract: upper };
  }
  return null;
}

/** ccxt's unified symbol of a swap (`BTC/USDT:USDT`) or a future (`BTC/USD:BTC-240329`). */
const CCXT_CONTRACT = /^([A-Z0-9]{2,15})\/([A-Z]{3,5}):([A-Z]{3,5}(?:-\d{6})?)$/;

/**
 * Bitfinex's API names a trading pair with a lowercase `t` before it (`tBTCUSD`, `tDOGE:USD`
 * for a longer code), and Tether `UST`. Read as written, `TBTCUSD` would be a coin `TBC`.
 */
const BITFINEX = /^t(?:([A-Z0-9]{3})|([A-Z0-9]{2,12}):)(USD|UST|EUR|GBP|JPY|BTC|ETH)$/;

/** Kraken's API names its oldest markets with X and Z before each code: `XXBTZUSD`, `XETHZEUR`. */
const KRAKEN_LEGACY = /^X([A-Z]{3})Z(USD|EUR|GBP|JPY|CAD|CHF|AUD)$/;

function parseMarket(upper: string): Pair | null {
  if (NOT_PAIRS.has(upper)) return null;
  const kraken = KRAKEN_LEGACY.exec(upper);
  if (kraken) return pairOf(kraken[1] ?? '', kraken[2] ?? '');
  const split = /^([A-Z0-9]{2,15})[/\-_:]([A-Z]{3,5})$/.exec(upper);
  if (split) {
    const [, base = '', quote = ''] = split;
    return pairOf(base, quote);
  }
  if (!/^[A-Z0-9]+$/.test(upper)) return null;
  const splits = QUOTES.filter((q) => upper.length - q.length >= 2 && upper.endsWith(q)).map(
    (quote) => ({ base: upper.slice(0, -quote.length), quote }),
  );
  // `XBTUSD` could be XB in TUSD, `BTCBUSD` BTCB in USD: a well-known base settles it;
  // else the longest quote.
  const chosen = splits.find((s) => WELL_KNOWN_BASES.has(s.base)) ?? splits[0];
  return chosen ? pairOf(chosen.base, chosen.quote) : null;
}

function pairOf(base: string, quote: string): Pair | null {
  if (!USD_QUOTES.has(quote) && !OTHER_QUOTES.has(quote)) return null;
  return { base: BASE_ALIASES[base] ?? base, quote, usd: USD_QUOTES.has(quote) };
}

/** The quotes that are countries' money, never a market's coin. */
const FIAT = new Set([...OTHER_QUOTES, 'USD'].filter((q) => !/^(?:BTC|XBT|ETH|BNB)$/.test(q)));

/** Whether a code is a country's money (`EUR`, `KRW`): no coin, though a market's base. */
export function isFiat(code: string): boolean {
  return FIAT.has(code);
}

/** A market written quote first: `KRW-BTC`, `USDT-BTC`, `BTC-LTC`, `BTC_XMR`. */
const QUOTE_THEN_BASE = /^([A-Z]{3,5})[-_/]([A-Z0-9]{2,15})$/;

/**
 * A market as Upbit, Bittrex's first API and Poloniex's first API name theirs, quote first
 * (`KRW-BTC`, `BTC-LTC`, `USDT_BTC`: bitcoin in won, litecoin in bitcoin, bitcoin in tether),
 * or null. Which way a column's markets are written is the column's to say (`readingOf`).
 */
export function parseQuoteFirst(value: string): Pair | null {
  // in capitals, as these exchanges write them: `usd-coin` and `btc-bitcoin` are coins' ids
  if (/\p{Ll}/u.test(value)) return null;
  const m = QUOTE_THEN_BASE.exec(value.trim());
  return m ? pairOf(m[2] ?? '', m[1] ?? '') : null;
}

/** A market read one way or the other: a symbol column's reading decides which. */
export function readMarket(value: string, quoteFirst: boolean | undefined): Pair | null {
  return quoteFirst ? parseQuoteFirst(value) : parsePair(value);
}

/**
 * Whether a market read so is one an exchange lists: a base that is no country's money, and
 * a dollar stablecoin as the base only against money (`USDT/EUR`), not a coin (`USDT-BTC` is
 * bitcoin in tether, written quote first).
 */
function listed(pair: Pair | null): pair is Pair {
  if (!pair || FIAT.has(pair.base)) return false;
  return !USD_QUOTES.has(pair.base) || FIAT.has(pair.quote) || USD_QUOTES.has(pair.quote);
}

/**
 * How a column's markets are written: quote first when some of them read only that way
 * (`KRW-BTC`, `BTC-LTC`) and none only the other (`BTC-USD`, `BTCUSDT`); base first otherwise.
 */
export function readingOf(values: readonly string[]): { quoteFirst: boolean } {
  let quoteFirst = 0;
  for (const value of values) {
    const forward = listed(parsePair(value));
    const backward = listed(parseQuoteFirst(value));
    if (forward && !backward) return { quoteFirst: false };
    if (backward && !forward) quoteFirst++;
  }
  return { quoteFirst: quoteFirst > 0 };
}

/** Two codes and a dash, slash or underscore between (`DOGE-XRP`): a market, whatever its quote. */
const TWO_CODES = /^([A-Z0-9]{2,15})[-_/]([A-Z0-9]{2,15})$/;

/** Whether a symbol is written as a market (`DOGE-XRP`), if of currencies kx may not know. */
export function isMarketShaped(value: string): boolean {
  return TWO_CODES.test(value.trim().toUpperCase());
}

/**
 * A symbol written as a market of well-known coins or of money (`BTC-USD`, `ETH/BTC`,
 * `KRW-BTC`, `USDT_ETH`), which no coin's ticker is: in a column of tickers, such a row is
 * rejected, not loaded as a coin `BTC-USD` beside BTC. Tickers with a dash (`BSC-USD`,
 * `YF-DAI`, `DAI-MATIC`, `BP_GBP`) are not of two such codes.
 */
export function isMarketOfKnownCoins(value: string): boolean {
  const m = TWO_CODES.exec(value.trim().toUpperCase());
  if (!m || NOT_PAIRS.has(m[0])) return false;
  const [, first = '', second = ''] = m;
  const coin = (code: string) => WELL_KNOWN_BASES.has(code);
  // DAI is also a coin's ticker's half: `DAI-MATIC`
  const money = (code: string) => FIAT.has(code) || (USD_QUOTES.has(code) && code !== 'DAI');
  return (coin(first) || money(first)) && (coin(second) || money(second));
}

/** A symbol column of trading pairs, as described: `{ example: 'BTC/USD', line: 3 }`. */
export interface PairExample {
  example: string;
  line: number;
  /** Written quote first (`KRW-BTC`, `USDT_BTC`); absent for base first. */
  quoteFirst?: true;
}
