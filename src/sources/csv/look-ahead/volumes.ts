/**
 * Which volume column counts US dollars: a market's base and quote volumes, the way its
 * symbols are written, and a candle's volume that is no day's.
 */
import { type CsvField } from '../fields.js';
import { toHeaderKey } from '../header-keys.js';
import { type HeaderMapping } from '../mapping.js';
import { isCandles } from '../shapes.js';
import { readMarket, type PairExample } from '../pairs.js';
import { leaveOut } from './leave-out.js';
import { type SampledTimes, HOUR, spanOf } from './same-time.js';

/** A volume that names no currency: in a market's row, its base coin's (`BASE_VOLUME`). */
const BASE_VOLUME = /^(?:base_?)?vol(?:ume)?(?:_?24_?h(?:our|r)?)?(?:_base)?$/;
/** `BaseVolume` (Bittrex's, Poloniex's first APIs): the quote's, in markets written quote first. */
const QUOTE_FIRST_VOLUME = /^base_?vol(?:ume)?(?:_?24_?h(?:our|r)?)?$/;

/**
 * In a file whose symbols are markets (`BTC-USDT`: exchanges' tickers, KuCoin's `allTickers`,
 * Bybit's), a volume that names no currency (`vol`, `volume24h`) counts the market's base coin,
 * bitcoins on BTC-USDT's row: it is left out (the file is then mapped again without it, so
 * that a volume in the quote currency, KuCoin's `volValue`, takes its place). Where markets are
 * written quote first (`USDT-BTC`: Bittrex's and Poloniex's first APIs), so are the volumes'
 * names: `BaseVolume` is the quote's, read as the volume, and `Volume` or `quoteVolume` the
 * coin's. The `--map` that reads the file so, and the warning that says it; null when there is
 * nothing to change, or --map named the volume.
 */
export function marketVolumes(
  mapping: HeaderMapping,
  header: readonly string[],
  pairs: PairExample | null,
): { overrides: [string, CsvField | null][]; warning: string } | null {
  const volume = mapping.columns.find((c) => c.field === 'volume_24h_usd');
  if (!pairs || volume?.how === 'override') return null;
  const market = readMarket(pairs.example, pairs.quoteFirst);
  const quoted = pairs.quoteFirst
    ? header.find((h) => QUOTE_FIRST_VOLUME.test(toHeaderKey(h)))?.trim()
    : undefined;
  if (quoted !== undefined) {
    const other = volume && volume.header.trim() !== quoted ? volume.header.trim() : undefined;
    return {
      overrides: [
        [toHeaderKey(quoted), 'volume_24h_usd'],
        ...(other ? [[toHeaderKey(other), null] as [string, null]] : []),
      ],
      warning:
        `column ${JSON.stringify(quoted)} is in each market's quote currency ` +
        `(${market?.quote ?? 'its quote'} on ${pairs.example}'s row), as markets written quote ` +
        `first name it: read as volume_24h_usd` +
        (other ? `, and ${JSON.stringify(other)}, which counts the coin, left out` : ''),
    };
  }
  if (!volume) return null;
  const key = toHeaderKey(volume.header);
  if (!BASE_VOLUME.test(key) && !(pairs.quoteFirst && QUOTE_VOLUME.test(key))) return null;
  const name = volume.header.trim();
  return {
    overrides: [[key, null]],
    warning:
      `column ${JSON.stringify(name)} counts each market's base coin ` +
      `(${market?.base ?? 'its coin'} on ${pairs.example}'s row), not US ` +
      `dollars: left out of volume_24h_usd (if it is US dollars, --map '${name}=volume_24h_usd')`,
  };
}

/** A market's volume in its quote currency (`quoteVolume`, KuCoin's `volValue`, `turnover24h`). */
const QUOTE_VOLUME = /^(?:quote_volume|vol_value|turnover_?24_?h)$/;

/**
 * A volume in the market's quote currency is in dollars where the symbol column says the market
 * is priced in them (`BTC-USDT`), which then leave the user nothing to confirm; a file of one
 * market that does not say which leaves it to --map, as `--columns binance-kline` leaves its
 * `volume_quote`.
 */
export function leaveOutQuoteVolume(mapping: HeaderMapping, pairs: PairExample | null): void {
  const volume = mapping.columns.find((c) => c.field === 'volume_24h_usd');
  if (!volume || volume.how === 'override') return;
  if (!QUOTE_VOLUME.test(toHeaderKey(volume.header))) return;
  // the markets say what it is in: nothing for the user to confirm
  const unsure = `column "${volume.header}" mapped to volume_24h_usd `;
  if (pairs) mapping.warnings = mapping.warnings.filter((w) => !w.startsWith(unsure));
  else
    leaveOut(
      mapping,
      'volume_24h_usd',
      (column, name) =>
        `column ${column} is in its market's quote currency, which the file does not name: left ` +
        `out of volume_24h_usd (if it is US dollars, --map '${name}=volume_24h_usd')`,
    );
}
/** A volume header that says its span: `volume_24h`, `24h Volume`, Coin Metrics' `…_1d`. */
const DAY_VOLUME = /24|(?:^|_)1d(?:$|_)|daily/;

/**
 * A candle's volume is what traded in its interval: a daily candle's is a day's, an hourly
 * one's about a twenty-fourth of one (CryptoDataDownload's hourly files), a weekly one's seven
 * days'. Loaded as volume_24h_usd it would be off by that much, so in a file of candles whose
 * coins come back other than a day apart (the median gap between a coin's sampled times) the
 * volume column is left out, with a warning, unless its header says 24 hours or --map names
 * it. True when it was: the rows are then read without it.
 */
export async function leaveOutCandleVolume(
  header: readonly string[],
  mapping: HeaderMapping,
  times: SampledTimes,
): Promise<boolean> {
  const volume = mapping.columns.find((c) => c.field === 'volume_24h_usd');
  if (
    !volume ||
    volume.how === 'override' ||
    DAY_VOLUME.test(toHeaderKey(volume.header)) ||
    !isCandles(header.map(toHeaderKey))
  )
    return false;
  const gaps: number[] = [];
  for (const seen of (await times()).values()) {
    const sorted = [...seen.keys()].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) gaps.push(sorted[i]! - sorted[i - 1]!);
  }
  if (gaps.length === 0) return false;
  const interval = gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
  if (interval >= 20 * HOUR && interval <= 28 * HOUR) return false;
  leaveOut(
    mapping,
    'volume_24h_usd',
    (column, name) =>
      `column ${column} is each candle's volume, and a coin's candles are ${spanOf(interval)} ` +
      `apart, not a day: left out of volume_24h_usd (if it is a 24-hour volume, --map '${name}=volume_24h_usd')`,
  );
  return true;
}
