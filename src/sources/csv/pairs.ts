/**
 * Exchange exports name the market, not the coin: `BTC/USD` (CryptoDataDownload), `BTC-USD`
 * (Yahoo), `BTC_USDT` (Poloniex), `BTCUSDT` (Binance), `XBTUSD` (Kraken). Loaded as written,
 * `BTCUSDT` would be a coin of its own beside BTC; the coin is the pair's base, and the pair's
 * quote says what currency the prices are in.
 */
import { OTHER_QUOTES, USD_QUOTES } from '../../core/currency.js';
import { toNameKey } from '../../core/unified.js';

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

/** Kraken and BitMEX name bitcoin XBT (its ISO 4217-style code); Kraken names dogecoin XDG. */
const BASE_ALIASES: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };
/** Whether two tickers are one coin's: equal, or one Kraken's name of the other (XBT, BTC). */
export function sameCoin(a: string, b: string): boolean {
  return a === b || (BASE_ALIASES[a] ?? a) === (BASE_ALIASES[b] ?? b);
}

/**
 * Whether a currency cell names the row's own coin (`BTC` on BTC's row: Nomics' `currency`),
 * which no price is in: it says nothing of the prices' currency.
 */
export function pricedInItself(code: string, coin: string): boolean {
  return coin.trim() !== '' && sameCoin(code.trim().toUpperCase(), coin.trim().toUpperCase());
}

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

/** `$BTC` (a cashtag, as social media write a coin) → `BTC`; `$$$`, a ticker, as it is. */
export function withoutCashtag(symbol: string): string {
  return symbol.replace(/^\$(?=[\p{L}\p{N}])/u, '');
}

/** `Bitcoin (BTC)`, `Tether USDt (USDT)`: a name, then its ticker in brackets. */
const NAME_THEN_BRACKETED =
  /^([\p{L}\p{N}][\p{L}\p{N} .'&-]*?)\s*\(\s*([\p{L}\p{N}.-]{1,15})\s*\)$/u;
/** `Bitcoin BTC`, `Tether USDt`, `Bitcoin SV BSV`: a name, a space, its ticker. */
const NAME_THEN_TICKER = /^([\p{L}\p{N}][\p{L}\p{N} .'&-]*?)\s+([\p{L}\p{N}.-]{2,15})$/u;

/**
 * A coin's name and ticker in one cell, as web tables show a coin and copies of them keep it
 * (CoinGecko's and CoinMarketCap's `Bitcoin BTC`, `Bitcoin (BTC)`, the two on lines of their
 * own): the two, or null. A ticker after a space is mostly capitals (`USDt`, `stETH`), unlike
 * a name's last word (`Shiba Inu`, `Bitcoin Cash`).
 */
export function splitNamedTicker(value: string): { name: string; ticker: string } | null {
  const bracketed = NAME_THEN_BRACKETED.exec(value);
  if (bracketed) return { name: bracketed[1]!, ticker: bracketed[2]! };
  const spaced = NAME_THEN_TICKER.exec(value);
  if (!spaced) return null;
  const ticker = spaced[2]!;
  const capitals = ticker.replace(/[^\p{Lu}]/gu, '').length;
  const letters = ticker.replace(/[^\p{L}]/gu, '').length;
  return capitals >= 2 && capitals * 2 > letters ? { name: spaced[1]!, ticker } : null;
}

/**
 * A currency sign written for a coin (`₿`, `₮`, `Ξ`, `Ɖ`, `Ł`: LiveCoinWatch's `symbol`, as
 * wallets show it), not its ticker: one character, a currency sign or a letter beyond ASCII. A
 * ticker of one character is an ASCII letter (`T`, `W`), a CJK character a word, and an emoji
 * (`✨`, a CoinGecko token's) no sign of a coin.
 */
export function isCurrencySign(value: string): boolean {
  if (/^\p{Sc}$/u.test(value)) return true;
  return (
    /^\p{L}$/u.test(value) &&
    value.codePointAt(0)! > 0x7f &&
    !/\p{Script=Han}|\p{Script=Hangul}|\p{Script=Hiragana}|\p{Script=Katakana}/u.test(value)
  );
}

/**
 * A ticker as the coin's usual one: `XBT` beside the name Bitcoin is BTC, one coin with one
 * asset. Without that name an `XBT` may be another token's ticker, and stays as written.
 */
export function usualTicker(symbol: string, name: string | null): string {
  const usual = BASE_ALIASES[symbol];
  return usual && name && COIN_NAMES[toNameKey(name).toUpperCase()] === usual ? usual : symbol;
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

/** Coins most markets are of, to split `XBTUSD` and `BTCTUSD` where they should. */
const WELL_KNOWN_BASES = new Set([
  'BTC',
  'XBT',
  'ETH',
  'BNB',
  'SOL',
  'XRP',
  'ADA',
  'DOGE',
  'TRX',
  'DOT',
  'LTC',
  'BCH',
  'LINK',
  'AVAX',
  'XLM',
  'XMR',
  'ATOM',
  'ETC',
  'MATIC',
  'UNI',
  // markets of a stablecoin: `USDTUSD` is Tether in dollars, not a coin `USD` in TUSD
  'USDT',
  'USDC',
]);

/**
 * Well-known coins' names (and CoinGecko's ids of them), in capitals, with their tickers: what
 * `--symbol bitcoin` or a symbol column of names gives instead of the ticker.
 */
export const COIN_NAMES: Record<string, string> = {
  BITCOIN: 'BTC',
  ETHEREUM: 'ETH',
  TETHER: 'USDT',
  SOLANA: 'SOL',
  RIPPLE: 'XRP',
  CARDANO: 'ADA',
  DOGECOIN: 'DOGE',
  POLKADOT: 'DOT',
  LITECOIN: 'LTC',
  CHAINLINK: 'LINK',
  AVALANCHE: 'AVAX',
  STELLAR: 'XLM',
  MONERO: 'XMR',
  UNISWAP: 'UNI',
  BINANCECOIN: 'BNB',
  'AVALANCHE-2': 'AVAX',
  'SHIBA-INU': 'SHIB',
  'USD-COIN': 'USDC',
  'WRAPPED-BITCOIN': 'WBTC',
  'BITCOIN-CASH': 'BCH',
  'MATIC-NETWORK': 'MATIC',
};

/** Whether a header names a coin most markets are of (`BTC`, `eth`): a column per coin. */
export function isWellKnownCoin(header: string): boolean {
  return WELL_KNOWN_BASES.has(header.trim().toUpperCase());
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

/**
 * Tickers a file's name may say its coin by (`eth_daily.csv`, `BTC prices 2021.csv`): those
 * no word of a file's name is otherwise (not `DOT`, `LINK`, `UNI`, `ETC`, nor `TRX`, which
 * also abbreviates transactions).
 */
const TICKERS_IN_NAMES = new Set(
  ['BTC', 'XBT', 'ETH', 'USDT', 'USDC', 'BNB', 'SOL', 'XRP', 'ADA', 'DOGE', 'LTC', 'BCH'].concat([
    'AVAX',
    'XLM',
    'XMR',
    'MATIC',
    'SHIB',
    'WBTC',
  ]),
);
/** Words that make a coin's name another coin's: `Wrapped Bitcoin`, `Lido Staked ETH`. */
const OTHER_COIN_BEFORE = new Set(['wrapped', 'staked', 'bridged', 'lido', 'liquid', 'peg']);
/** …and after it: `Bitcoin Cash`, `Bitcoin SV`, `Ethereum Classic`, `Tether Gold`. */
const OTHER_COIN_AFTER = new Set(
  ['cash', 'sv', 'gold', 'classic', 'diamond', 'name', 'pow', 'fair', 'private', 'token'].concat([
    'bep2',
    'bep20',
    'erc20',
    'wormhole',
    'bridged',
    'staked',
    'abc',
    'inu',
    'killer',
  ]),
);

/**
 * The one well-known coin a file's name says, by its name (`Ethereum.csv`, Kaggle's
 * `coin_WrappedBitcoin.csv`, `bitcoin_cash_history.csv`) or a ticker as a word of its own
 * (`eth_daily.csv`), or null: for a name of none or of two coins (`btc_vs_eth.csv`).
 */
export function coinInFileName(file: string): string | null {
  const words = file
    .replace(/\.[a-z\d]+$/i, '')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z\d]+/)
    .filter(Boolean);
  const coins = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const [before = '', word = '', after = ''] = [words[i - 1], words[i], words[i + 1]];
    const joined =
      COIN_NAMES[`${word}-${after}`.toUpperCase()] ?? COIN_NAMES[`${word}${after}`.toUpperCase()];
    if (joined) i += 1;
    const ticker = word.toUpperCase();
    const coin =
      joined ??
      COIN_NAMES[ticker] ??
      (TICKERS_IN_NAMES.has(ticker) ? (BASE_ALIASES[ticker] ?? ticker) : undefined);
    const next = joined ? (words[i + 1] ?? '') : after;
    if (coin && !OTHER_COIN_BEFORE.has(before) && !OTHER_COIN_AFTER.has(next)) coins.add(coin);
    else if (coin) return null;
  }
  const [only, ...more] = coins;
  return only && more.length === 0 ? only : null;
}
