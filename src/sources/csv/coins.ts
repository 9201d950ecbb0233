/**
 * Coins as files write them: a ticker under another exchange's name (`XBT`), a cashtag
 * (`$BTC`), a name with its ticker (`Bitcoin (BTC)`), a currency sign (`₿`), a well-known
 * coin's name (`bitcoin`), and the coin a file's name says (`eth_daily.csv`).
 */
import { toNameKey } from '../../core/unified.js';

/** Kraken and BitMEX name bitcoin XBT (its ISO 4217-style code); Kraken names dogecoin XDG. */
export const BASE_ALIASES: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };
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

/** Coins most markets are of, to split `XBTUSD` and `BTCTUSD` where they should. */
export const WELL_KNOWN_BASES = new Set([
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
