/**
 * A header cell as a key (`Market Cap (M)` → `market_cap_m`), and what the key itself says:
 * the magnitude and the currency of its numbers, and how its time is written.
 */
import { currencySign, toCurrency } from '../../core/currency.js';

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
export function withoutFormatWords(key: string): string | null {
  const words = key.split('_');
  const rest = words.filter((w) => !FORMAT_WORDS.has(w));
  return rest.length === words.length || rest.length === 0 ? null : rest.join('_');
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
