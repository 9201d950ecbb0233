import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assets, quotes } from '../../src/db/schema.js';
import { useCsvFiles } from '../helpers/csv-files.js';

/**
 * The same kind of quotes written in the styles real exports mix: delimiters, decimal marks,
 * thousands separators, dollar signs, exponents, date formats and zones, headers, trading pairs,
 * extra columns, column and row order, quoting, byte order marks, line breaks. Each file, drawn
 * from a fixed seed, must load exactly the quotes it was written from: no other price, no other
 * time, nothing rejected.
 */
describe('one set of quotes in many styles', () => {
  const files = useCsvFiles('kx-styles-');
  const CASES = 120;

  it(`loads each of ${CASES} files exactly as written`, async () => {
    const random = seeded(20261204);
    const failures: string[] = [];
    for (let n = 0; n < CASES; n++) {
      const file = writeFile(random, n);
      const run = await files
        .ingest(`styles-${n}.csv`, file.text, file.symbol ? { symbol: file.symbol } : {})
        .catch((error: Error) => error);
      if (run instanceof Error) {
        failures.push(`${file.style}\n  refused: ${run.message}`);
        continue;
      }
      const rows = await files.db.db
        .select({ symbol: assets.symbol, at: quotes.observedAt, price: quotes.priceUsd })
        .from(quotes)
        .innerJoin(assets, eq(assets.id, quotes.assetId))
        .where(eq(quotes.runId, run.runId));
      const got = rows.map((r) => `${r.symbol} ${r.at.toISOString()} ${r.price}`).sort();
      const want = file.quotes.map((q) => `${q.symbol} ${q.at.toISOString()} ${q.price}`).sort();
      if (run.rejected > 0 || JSON.stringify(got) !== JSON.stringify(want))
        failures.push(`${file.style}\n  got  ${got.join(', ')}\n  want ${want.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('reads a cell written as Excel\'s text formula, `="…"`, as the text Excel shows', async () => {
    // As tools write a file for Excel not to reformat its cells, the header's too; the second
    // row as a CSV writer quotes such a cell.
    const text =
      '="symbol",="name",="price_usd",="last_updated"\r\n' +
      '="BTC",="Bitcoin",="43000.50",="2024-01-05"\r\n' +
      '"=""ETH""","=""Ether, """"the"""" coin""","=""2000.25""","=""2024-01-05"""\r\n';
    const run = await files.ingest('formulas.csv', text);
    expect(run).toMatchObject({ status: 'succeeded', loaded: 2, rejected: 0 });
    const rows = await files.db.db
      .select({ symbol: assets.symbol, name: assets.name, price: quotes.priceUsd })
      .from(quotes)
      .innerJoin(assets, eq(assets.id, quotes.assetId))
      .where(eq(quotes.runId, run.runId))
      .orderBy(assets.symbol);
    expect(rows).toEqual([
      { symbol: 'BTC', name: 'Bitcoin', price: '43000.5' },
      { symbol: 'ETH', name: 'Ether, "the" coin', price: '2000.25' },
    ]);
  });
});

type Random = () => number;

/** A linear congruential generator: the same files on every run. */
function seeded(seed: number): Random {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const COINS: [string, string][] = [
  ['BTC', 'Bitcoin'],
  ['ETH', 'Ethereum'],
  ['SOL', 'Solana'],
  ['DOGE', 'Dogecoin'],
  ['ADA', 'Cardano'],
  ['PEPE', 'Pepe'],
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');
const day = (d: Date) => d.getUTCDate();
const month = (d: Date) => d.getUTCMonth() + 1;
const year = (d: Date) => d.getUTCFullYear();

/** Date formats as exports write them; `timed` ones carry the time of day. */
const DATES: Record<string, { timed: boolean; write: (d: Date) => string }> = {
  iso: { timed: false, write: (d) => d.toISOString().slice(0, 10) },
  spaced: { timed: true, write: (d) => d.toISOString().slice(0, 19).replace('T', ' ') },
  zulu: { timed: true, write: (d) => `${d.toISOString().slice(0, 19)}Z` },
  millis: { timed: true, write: (d) => d.toISOString() },
  utc: { timed: true, write: (d) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC` },
  offset: {
    timed: true,
    write: (d) => `${new Date(d.getTime() + 2 * 3600_000).toISOString().slice(0, 19)}+02:00`,
  },
  dayFirst: { timed: false, write: (d) => `${two(day(d))}/${two(month(d))}/${year(d)}` },
  monthFirst: { timed: false, write: (d) => `${two(month(d))}/${two(day(d))}/${year(d)}` },
  dotted: { timed: false, write: (d) => `${two(day(d))}.${two(month(d))}.${year(d)}` },
  words: { timed: false, write: (d) => `${MONTHS[month(d) - 1]} ${day(d)}, ${year(d)}` },
  unix: { timed: true, write: (d) => String(d.getTime() / 1000) },
  unixMillis: { timed: true, write: (d) => String(d.getTime()) },
  slashed: { timed: false, write: (d) => `${year(d)}/${two(month(d))}/${two(day(d))}` },
};

const HEADERS: Record<string, string[]> = {
  symbol: ['symbol', 'Symbol', 'ticker', 'SYMBOL', 'coin_symbol'],
  price: ['price', 'Price', 'price_usd', 'close', 'Close', 'current_price', 'Price (USD)'],
  date: ['date', 'Date', 'timestamp', 'time', 'snapped_at', 'datetime', 'Date(UTC)'],
  name: ['name', 'Name', 'coin_name'],
  open: ['open', 'Open'],
  volume: ['volume', 'Volume', 'total_volume'],
  cap: ['market_cap', 'Market Cap', 'marketcap'],
  change: ['Change %', 'percent_change_24h'],
};

interface Written {
  text: string;
  symbol?: string;
  quotes: { symbol: string; at: Date; price: string }[];
  style: string;
}

/** File `n`: its quotes in the month of its own (so no two files share a quote's time). */
function writeFile(random: Random, n: number): Written {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const dateFormat = pick(Object.keys(DATES));
  const { timed, write: writeDate } = DATES[dateFormat]!;
  const single = random() < 0.3;
  const coins = single ? [pick(COINS)] : COINS.filter(() => random() < 0.5).slice(0, 3);
  if (coins.length === 0) coins.push(COINS[n % COINS.length]!);
  const quotes: Written['quotes'] = [];
  for (const [symbol] of coins) {
    // a day after the 12th settles whether dates are day-first or month-first
    const days = new Set([between(13, 28)]);
    while (days.size < between(1, 6)) days.add(between(1, 28));
    for (const d of days) {
      const [h, m, s] = timed ? [between(0, 23), between(0, 59), between(0, 59)] : [0, 0, 0];
      const at = new Date(Date.UTC(2015 + Math.floor(n / 12), n % 12, d, h, m, s));
      const price = priceOf(random);
      quotes.push({ symbol, at, price: symbol === 'ETH' ? asEther(price) : price });
    }
  }
  if (random() < 0.4) quotes.sort((a, b) => b.at.getTime() - a.at.getTime());
  else quotes.sort(() => random() - 0.5);

  const delimiter = pick([',', ',', ',', ';', ';', '\t', '|']);
  const decimal = delimiter === ',' ? '.' : pick(['.', ',']);
  const thousands = pick([
    '',
    '',
    decimal === '.' ? ',' : '.',
    ' ',
    '\u00a0',
    ...(decimal === '.' ? ["'"] : []),
  ]);
  const dollar = random() < 0.2;
  const exponent = decimal === '.' && random() < 0.3;
  const number = (value: string) => {
    const [whole = '', fraction] = value.split('.');
    let text = whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    if (fraction !== undefined) text += decimal + fraction;
    if (exponent && Number(value) < 0.001) text = Number(value).toExponential();
    return dollar ? `$${text}` : text;
  };
  const pairs = pick(['plain', 'plain', 'lower', 'slash', 'dash', 'usdt']);
  const ticker = (s: string) =>
    ({ plain: s, lower: s.toLowerCase(), slash: `${s}/USD`, dash: `${s}-USD`, usdt: `${s}USDT` })[
      pairs
    ]!;
  const extras = ['open', 'volume', 'cap', 'change'].filter(() => random() < 0.3);
  const named = !single && random() < 0.5;
  const columns = [
    ...(single ? [] : ['symbol']),
    'price',
    'date',
    ...(named ? ['name'] : []),
    ...extras,
  ].sort(() => random() - 0.5);
  const header = columns.map((c) => pick(HEADERS[c]!));
  const quoteAll = random() < 0.3;
  const cell = (v: string) =>
    quoteAll || v.includes(delimiter) || v.includes('"') ? `"${v.replaceAll('"', '""')}"` : v;
  const lines = [header.map(cell).join(delimiter)];
  for (const q of quotes) {
    const name = COINS.find(([s]) => s === q.symbol)![1];
    const values: Record<string, string> = {
      symbol: ticker(q.symbol),
      name,
      price: number(q.price),
      date: writeDate(q.at),
      open: number(priceOf(random)),
      volume: number(String(between(1000, 99_999_999))),
      cap: number(String(between(100_000, 999_999_999))),
      change: `${between(0, 20)}${decimal}${two(between(0, 99))}%`,
    };
    lines.push(columns.map((c) => cell(values[c]!)).join(delimiter));
  }
  const eol = random() < 0.3 ? '\r\n' : '\n';
  const bom = random() < 0.15 ? '\ufeff' : '';
  const style =
    `file ${n}: ${dateFormat} dates, ${JSON.stringify(delimiter)} between cells, ` +
    `${JSON.stringify(decimal)} decimal, ${JSON.stringify(thousands)} thousands, ` +
    `${dollar ? '$, ' : ''}${exponent ? 'exponents, ' : ''}${pairs} tickers, ` +
    `header ${JSON.stringify(header)}`;
  return {
    text: bom + lines.join(eol) + eol,
    symbol: single ? coins[0]![0] : undefined,
    quotes,
    style,
  };
}

/**
 * A price ether may have had: kx rejects one ten times its highest in dollars (4,950) as
 * another currency's, so 10,000 and more is a thousandth of itself (`123456.7` → `123.4567`).
 */
function asEther(price: string): string {
  if (Number(price) < 10_000) return price;
  const [whole = '', fraction = ''] = price.split('.');
  const shifted = `${whole.slice(0, -3)}.${whole.slice(-3)}${fraction}`;
  return shifted.replace(/0+$/, '').replace(/\.$/, '');
}

/** A price of 1 to 8 significant digits, from 0.000001 to 999,999, as a canonical decimal. */
function priceOf(random: Random): string {
  const magnitude = Math.floor(random() * 12) - 6;
  const digits = 1 + Math.floor(random() * 8);
  const text = ((random() * 9 + 1) * 10 ** magnitude).toFixed(Math.max(0, digits - magnitude));
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
