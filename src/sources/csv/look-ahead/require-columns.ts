/**
 * The columns a file must have to load: a coin, a price, a time; each refusal names the
 * flag that fixes it.
 */
import { basename } from 'node:path';
import { KxError } from '../../../core/errors.js';
import { zoneNamedInHeader } from '../../../core/timestamp.js';
import { type CsvField } from '../fields.js';
import { toHeaderKey, listColumns } from '../header-keys.js';
import { type HeaderMapping } from '../mapping.js';
import { AMOUNT_KEYS } from '../shapes.js';
import { coinInFileName, isWellKnownCoin, sameCoin } from '../coins.js';
import { numberedHeader } from '../sniff.js';
import { type CsvParams } from '../params.js';
import {
  exportNamed,
  COINGECKO_EXPORT,
  BINANCE_DUMP,
  KRAKEN_DUMP,
  COINAPI_SPOT,
  fredSeries,
} from './file-names.js';

/** For a column named after a coin (`Date,BTC`): the flags that load its cells as prices. */
function coinColumnHint(column: string, symbol?: string): string {
  const coin = symbol ?? column.toUpperCase();
  return (
    ` (column ${JSON.stringify(column)} is named after a coin: if its cells are ${coin}'s ` +
    `prices in US dollars, --symbol ${coin} --map '${column}=price_usd')`
  );
}

/**
 * Refuses a file that lacks a column kx needs (a coin, a price, a time where rows need their
 * own) or whose columns say it is not what the flags say, naming the fix; each check in turn.
 */
export function requireColumns(
  mapping: HeaderMapping,
  params: CsvParams,
  header: string[],
  path: string,
  title: Need['title'] = null,
): void {
  const named = exportNamed(path)?.coin;
  // names only coins have; a ticker of another name (`ABC-USD.csv`) may be a stock's
  const coinsOnly = [COINGECKO_EXPORT, BINANCE_DUMP, KRAKEN_DUMP, COINAPI_SPOT];
  const series = fredSeries(header);
  const has = (field: CsvField) => mapping.columns.some((c) => c.field === field);
  const need: Need = {
    mapping,
    params,
    header,
    path,
    has,
    columns: listColumns(header),
    coin:
      named && (coinsOnly.some((r) => r.test(basename(path))) || isWellKnownCoin(named))
        ? named
        : (coinInFileName(basename(path)) ?? undefined),
    title,
    symbol: params.symbol?.toUpperCase(),
    series,
    fred: has('price_usd') ? null : series,
  };
  refuseOtherCoin(need);
  refuseTransactions(need);
  requireSymbol(need);
  refuseUnplacedZone(need);
  refuseUntimedTrades(need);
  requirePrice(need);
  refuseAnySeries(need);
}

/** What each check of `requireColumns` reads. */
interface Need {
  mapping: HeaderMapping;
  params: CsvParams;
  header: string[];
  path: string;
  has: (field: CsvField) => boolean;
  /** The header, listed for a message. */
  columns: string;
  /** The coin the file's name says. */
  coin: string | undefined;
  /** The coin a title above the header names (`coinInTitle`), where one does. */
  title: { coin: string; line: number; text: string } | null;
  /** --symbol, in capitals. */
  symbol: string | undefined;
  series: ReturnType<typeof fredSeries>;
  /** FRED's series, where no column is the price yet. */
  fred: ReturnType<typeof fredSeries>;
}

/** A FRED series or a file's name of another coin than --symbol's. */
function refuseOtherCoin(need: Need): void {
  const { mapping, params, path, has, coin, symbol, series, title } = need;
  const price = mapping.columns.find((c) => c.field === 'price_usd')?.header.trim();
  if (symbol && series && price === series.column && !sameCoin(series.coin, symbol)) {
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(series.column)} is FRED's Coinbase prices of ` +
        `${series.coin}, and --symbol ${params.symbol} reads every row as ${symbol}; ` +
        `pass --symbol ${series.coin}`,
      { context: { file: path, field: 'symbol' } },
    );
  }
  if (!has('symbol') && symbol && coin && !sameCoin(coin, symbol)) {
    throw new KxError(
      'input',
      `${path}: the file's name says its coin is ${coin}, and --symbol ${params.symbol} reads ` +
        `every row as ${symbol}; pass --symbol ${coin}, or rename the file if its name is wrong`,
      { context: { file: path, field: 'symbol' } },
    );
  }
  if (!has('symbol') && symbol && title && !coin && !sameCoin(title.coin, symbol)) {
    throw new KxError(
      'input',
      `${path}: line ${title.line} above the header (${JSON.stringify(title.text)}) names ` +
        `${title.coin}, and --symbol ${params.symbol} reads every row as ${symbol}; pass ` +
        `--symbol ${title.coin}, or remove the line if it is wrong`,
      { context: { file: path, field: 'symbol' } },
    );
  }
}

/**
 * Koinly's, CoinTracker's, the Crypto.com app's exports: what was sent and received, and what
 * it was worth. Sent to --map symbol first, a user would then be sent to map a price that is
 * not there; a worth is no price. CoinTracking's trade table says its amounts `Buy` and `Sell`,
 * each beside its `Cur.`.
 */
function refuseTransactions({ path, header, has, columns }: Need): void {
  const keys = header.map(toHeaderKey);
  const sides = keys.includes('buy') && keys.includes('sell');
  const amounts = has('price_usd')
    ? []
    : header.filter((h, i) => {
        const key = keys[i] ?? '';
        return (
          (sides && (key === 'buy' || key === 'sell')) ||
          key.split('_').some((word) => AMOUNT_KEYS.has(word))
        );
      });
  if (amounts.length > 0) {
    const which = amounts
      .slice(0, 2)
      .map((h) => JSON.stringify(h.trim()))
      .join(' and ');
    throw new KxError(
      'input',
      `${path}: no column holds a price: ${which} ${amounts.length > 1 ? 'are amounts' : 'is an amount'} ` +
        `of coins, so this is a history of transactions or holdings, whose worths are not ` +
        `prices (columns: ${columns}). kx loads prices of coins: load a price history. If a ` +
        `column is each row's price in US dollars after all, name it with --map 'COLUMN=price_usd'`,
      { context: { file: path, field: 'price_usd' } },
    );
  }
}

/** A column of coins, or --symbol, with hints from the file's name and its columns. */
function requireSymbol({ params, path, header, has, columns, coin, fred, title }: Need): void {
  if (!has('symbol') && !params.symbol) {
    // `date,BTC,ETH,SOL`: a column per coin, of prices or just as often returns or weights.
    const wide = has('price_usd') ? [] : header.filter(isWellKnownCoin).map((h) => h.trim());
    throw new KxError(
      'input',
      `${path}: no column maps to symbol (columns: ${columns}); ` +
        "name it with --map 'COLUMN=symbol', or pass --symbol SYM for a single-asset history file" +
        (coin ? ` (the file's name says ${coin}: --symbol ${coin})` : '') +
        (title && !coin
          ? ` (line ${title.line} above the header, ${JSON.stringify(title.text)}, names ` +
            `${title.coin}: --symbol ${title.coin})`
          : '') +
        (fred ? ` (FRED's Coinbase prices of ${fred.coin} in US dollars: ${fred.flags})` : '') +
        (wide.length > 1
          ? `. Its columns ${wide.slice(0, 3).join(', ')} are coins, one per column; kx reads a coin per ` +
            `row, so if their cells are prices (not returns or weights) load each one by itself: ` +
            `--symbol ${wide[0]} --map '${wide[0]}=price_usd'`
          : '') +
        (wide.length === 1 ? coinColumnHint(wide[0]!) : ''),
      { context: { file: path, field: 'symbol', unmapped: 'symbol' } },
    );
  }
}

/** A time column whose zone's name is several zones'. */
function refuseUnplacedZone({ mapping, header, path }: Need): void {
  // `Date (CST)`: China's time or America's? Read as UTC (or not read, and the file's time
  // taken), its times would be hours off
  const time = mapping.columns.find((c) => c.field === 'observed_at');
  const unplaced = header.find(
    (h, i) => zoneNamedInHeader(h) !== null && (time ? time.index === i : true),
  );
  if (unplaced !== undefined) {
    const zone = zoneNamedInHeader(unplaced)!;
    const word = unplaced.trim().split(/[\s(_]/)[0];
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(unplaced.trim())} names its times' zone ${zone}, which kx ` +
        `cannot place (more than one zone is called so): read as UTC, its ` +
        `times would be hours off. Name the offset in the header instead (${word} (UTC+08:00), ` +
        `${word} (UTC-06:00)) and load the file again`,
      { context: { file: path, field: 'observed_at' } },
    );
  }
}

/** A log of trades without a time column. */
function refuseUntimedTrades({ mapping, path, has, columns }: Need): void {
  // Each trade's price is at its time: a file without times takes the file's own, right for a
  // snapshot of listings and wrong for every trade in a log.
  if (mapping.tradeLog && !has('observed_at')) {
    throw new KxError(
      'input',
      `${path}: a log of trades (an order id, a side, a fee) and no column maps to observed_at ` +
        `(columns: ${columns}); each trade's price is at its own time, not the file's: name the ` +
        `time column with --map 'COLUMN=observed_at'`,
      { context: { file: path, field: 'observed_at' } },
    );
  }
}

/** A column of prices in dollars: not one in another currency, nor none. */
function requirePrice({ mapping, path, header, has, columns, symbol, fred }: Need): void {
  const euros = mapping.otherCurrency.find((c) => c.fields.includes('price_usd'));
  if (!has('price_usd') && euros) {
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(euros.header)} holds prices in ${euros.code}, not US dollars, ` +
        `and no column holds prices in dollars (columns: ${columns}); kx stores prices in US dollars, ` +
        `so load an export in USD. If that column is in dollars after all, pass --map '${euros.header}=price_usd'`,
      { context: { file: path, field: 'price_usd' } },
    );
  }
  if (!has('price_usd')) {
    // `Date,BTC`: a column named after the coin, which --symbol says the file is of
    const own = header
      .map((h) => h.trim())
      .find((h) => symbol && sameCoin(h.toUpperCase(), symbol));
    throw new KxError(
      'input',
      `${path}: no column maps to price_usd (columns: ${columns}); name it with --map 'COLUMN=price_usd'` +
        (fred ? ` (FRED's Coinbase prices of ${fred.coin} in US dollars: ${fred.flags})` : '') +
        (own && !fred ? coinColumnHint(own, symbol) : '') +
        (numberedHeader(header) !== null
          ? ". The header is pandas' numbers for columns saved without names: name the time " +
            "and the price by theirs, for a list of [time, price] pairs (CoinGecko's " +
            "market_chart prices) --map '0=observed_at' --map '1=price_usd'"
          : ''),
      { context: { file: path, field: 'price_usd', unmapped: 'price_usd' } },
    );
  }
}

/** A `value` column that may be any series of a coin, not its price. */
function refuseAnySeries({ mapping, path, has, symbol }: Need): void {
  // `timestamp,value` is how Glassnode, Nasdaq Data Link (`BCHAIN-…`) and Santiment export any
  // series of one coin: its addresses or hash rate as well as its price.
  const value = mapping.columns.find(
    (c) => c.field === 'price_usd' && c.how !== 'override' && toHeaderKey(c.header) === 'value',
  );
  const name = basename(path);
  // `market_cap_usd.csv` says dollars, and a series that is not the price
  const other = OTHER_SERIES_IN_NAME.exec(name)?.[0];
  if (value && !has('symbol') && (!PRICE_IN_NAME.test(name) || other)) {
    const column = value.header.trim();
    const coin = `${symbol ?? 'the coin'}'s price`;
    throw new KxError(
      'input',
      `${path}: column ${JSON.stringify(column)} may be any series of a coin (Glassnode, Nasdaq ` +
        'Data Link and Santiment export each metric, addresses or hash rate as well as a price, ' +
        'as a time and a value), and ' +
        (other
          ? `the file's name says ${JSON.stringify(other)}, a series other than ${coin}`
          : `neither its header nor the file's name says it is ${coin}`) +
        `; if it is its price in US dollars, pass --map '${column}=price_usd'`,
      { context: { file: path, field: 'price_usd' } },
    );
  }
}

/** A file's name that says its series is a price (`BCHAIN-MKPRU`: market price, USD). */
const PRICE_IN_NAME = /price|close|mkpru|usd|kurs|preis|prix|precio|pre[cç]o|цена/i;

/**
 * A file's name that says its series is a coin's other than its price, in dollars or not
 * (Glassnode's `marketcap_usd`, `price_realized_usd`, `price_drawdown_relative`; Santiment's
 * `volume_usd`; Nasdaq Data Link's `BCHAIN-MKTCP`, market cap, and `BCHAIN-TRVOU`, volume).
 */
const OTHER_SERIES_IN_NAME = new RegExp(
  [
    ...['market[\\s_-]?cap', '(?:m|mkt)cap', 'mktcp', 'trvou', 'volume', 'supply', 'hash'],
    ...['address', 'realized', 'realised', 'drawdown', 'volatility', 'dominance', 'difficulty'],
    ...['transaction', 'open[\\s_-]?interest', 'funding', 'mvrv', 'nupl', 'sopr'],
    // short words only as words of their own (`vol`, not `volatility`; `fees`, not `coffee`)
    '(?<![a-z])(?:vol|tvl|fees?|nvt)(?![a-z])',
  ].join('|'),
  'i',
);
