/**
 * Currency codes as exports write them: which mean US dollars (kx stores dollar prices), and
 * which name another currency, in pairs (`BTC/EUR`), currency columns (`vs_currency`) and cells
 * (`4800 EUR`).
 */

/** Quote currencies whose prices kx stores as US dollars: the dollar and its stablecoins. */
export const USD_QUOTES = new Set(['USD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'FDUSD', 'USDP', 'DAI']);

/** Quote currencies an export's trading pairs may price in that are not the dollar. */
export const OTHER_QUOTES = new Set([
  'EUR',
  'GBP',
  'JPY',
  'KRW',
  'AUD',
  'CAD',
  'CHF',
  'TRY',
  'BRL',
  'RUB',
  'INR',
  'BTC',
  'XBT',
  'ETH',
  'BNB',
]);

/**
 * Codes a currency column (`currency`, `vs_currency`) may name besides the pairs' quotes: the
 * currencies price sites convert to. Kept apart from OTHER_QUOTES, where each code would make
 * more coins' tickers read as pairs.
 */
const OTHER_CURRENCIES = new Set(
  ['CNY', 'HKD', 'SGD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'MXN', 'ARS', 'CLP']
    .concat(['COP', 'ZAR', 'NGN', 'UAH', 'ILS', 'AED', 'SAR', 'TWD', 'THB', 'IDR', 'MYR', 'PHP'])
    .concat(['VND', 'PKR', 'BDT', 'KWD', 'BHD', 'SATS', 'XRP', 'LTC', 'XAU', 'XAG']),
);

/** What a currency column's cell names (`usd`, `EUR`, `USDT`), or null when it is no currency code. */
export function toCurrency(value: string): { code: string; usd: boolean } | null {
  const code = value.trim().toUpperCase();
  if (USD_QUOTES.has(code)) return { code, usd: true };
  if (OTHER_QUOTES.has(code) || OTHER_CURRENCIES.has(code)) return { code, usd: false };
  return null;
}

/**
 * Currency signs as exports write them, in headers (`Preis (€)`, `Price (US$)`) and cells
 * (`€1,234.5`): the code each names. The other countries' dollars come before the dollar's own
 * sign, which they contain, and `CA$` before the `A$` it contains.
 */
const CURRENCY_SIGNS = (
  [
    ['US$', 'USD'],
    ['AU$', 'AUD'],
    ['CA$', 'CAD'],
    ['NZ$', 'NZD'],
    ['HK$', 'HKD'],
    ['SG$', 'SGD'],
    ['MX$', 'MXN'],
    ['NT$', 'TWD'],
    ['A$', 'AUD'],
    ['C$', 'CAD'],
    ['S$', 'SGD'],
    ['R$', 'BRL'],
    ['$', 'USD'],
    ['€', 'EUR'],
    ['£', 'GBP'],
    ['¥', 'JPY or CNY'],
    ['￥', 'JPY or CNY'],
    ['₹', 'INR'],
    ['₽', 'RUB'],
    ['₩', 'KRW'],
    ['₺', 'TRY'],
    ['₴', 'UAH'],
    ['₦', 'NGN'],
    ['₿', 'BTC'],
  ] as const
).map(([sign, code]) => ({ pattern: new RegExp(sign.replace('$', '\\$'), 'i'), code }));

/** The first currency sign in `text`, as written there, and the code it names; null for none. */
export function currencySign(text: string): { written: string; code: string; usd: boolean } | null {
  for (const { pattern, code } of CURRENCY_SIGNS) {
    const found = pattern.exec(text);
    if (found) return { written: found[0], code, usd: code === 'USD' };
  }
  return null;
}
