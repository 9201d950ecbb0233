/** A CSV run's parameters (`--file`, `--map`, `--symbol`, `--date-format`, `--decimal`, `--columns`) and how a checkpoint keeps them. */
import { resolve } from 'node:path';
import * as v from 'valibot';
import { KxError } from '../../core/errors.js';
import { parseDateFormat } from '../../core/timestamp.js';
import { COIN_NAMES } from './coins.js';

export const CsvParamsSchema = v.object({
  // Absolute, so that `kx resume` finds the file from any working directory.
  file: v.pipe(
    v.string('--file PATH is required for --source csv'),
    v.minLength(1, '--file PATH is required'),
    v.transform((file) => resolve(file)),
  ),
  map: v.optional(v.array(v.string()), []),
  symbol: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.toUpperCase(),
      v.regex(/^[\p{L}\p{N}._\-$+&@*]{1,32}$/u, '--symbol must be a ticker such as BTC'),
      v.check(
        (symbol) => !(symbol in COIN_NAMES),
        (issue) =>
          `--symbol ${String(issue.input)} is a coin's name, not its ticker: pass ` +
          `--symbol ${COIN_NAMES[String(issue.input)]} (loaded as written, it would be a coin ` +
          'of its own beside the one the sources list)',
      ),
    ),
  ),
  dateFormat: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (format) => parseDateFormat(format) !== undefined,
        '--date-format must be DD/MM/YYYY, MM/DD/YYYY (any of / - . between, YY or YYYY) or YY/MM/DD',
      ),
    ),
  ),
  decimal: v.optional(v.picklist(['.', ','], '--decimal must be . (1,234.5) or , (1.234,5)')),
  columns: v.optional(v.pipe(v.string(), v.transform(toColumnNames))),
});

/**
 * Column names of the exchanges' header-less dumps, for `--columns NAME`. Their volumes are
 * named as kx reads them: the base volume counts coins and is left out; the quote volume is in
 * the pair's quote currency (US dollars only for a USD or USDT pair), left for `--map`.
 */
export const COLUMN_PRESETS: Record<string, string[]> = {
  // Binance's klines (REST and data.binance.vision dumps), in its documented order.
  'binance-kline': [
    'open_time',
    'open',
    'high',
    'low',
    'close',
    'volume_base',
    'close_time',
    'volume_quote',
    'trades',
    'taker_buy_volume_base',
    'taker_buy_volume_quote',
    'ignore',
  ],
  // Kraken's downloadable OHLCVT files: unix seconds, prices, volume in the base asset, trades.
  'kraken-ohlcvt': ['timestamp', 'open', 'high', 'low', 'close', 'volume_base', 'trades'],
};

/** `--columns binance-kline` or `--columns time,open,high,low,close`: names for a header-less file. */
export function toColumnNames(value: string): string[] {
  const preset = COLUMN_PRESETS[value.trim().toLowerCase()];
  if (preset) return preset;
  const names = value.split(',').map((name) => name.trim());
  if (names.length < 2 || names.some((name) => name === '')) {
    throw new KxError(
      'usage',
      `--columns expects a comma-separated name for every column (open_time,open,high,low,close,…) ` +
        `or one of ${Object.keys(COLUMN_PRESETS).join(', ')}; got ${JSON.stringify(value)}`,
    );
  }
  return names;
}

export type CsvParams = v.InferOutput<typeof CsvParamsSchema>;

/** The flags that decide how rows are read, as the checkpoint keeps them. */
export function flagsOf(params: CsvParams): string {
  return JSON.stringify({
    map: params.map,
    symbol: params.symbol ?? null,
    dateFormat: params.dateFormat ?? null,
    ...(params.decimal ? { decimal: params.decimal } : {}),
    ...(params.columns ? { columns: params.columns } : {}),
  });
}

/** A run reads one file: how to load several, for messages that meet more than one. */
export const ONE_FILE_A_RUN =
  'a run reads one file: for f in *.csv; do kx ingest --source csv --file "$f"; done';
