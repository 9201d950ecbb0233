import { resolve } from 'node:path';
import * as v from 'valibot';
import { KxError } from './core/errors.js';

/**
 * The only reader of `process.env`. Precedence: command-line flags > environment > defaults
 * (DESIGN §6). Every variable is validated here, so a bad value fails before any work with exit 2.
 */
const optionalText = v.optional(v.pipe(v.string(), v.trim()));

/** `FAIL_AFTER_N_RECORDS`: unset, empty or 0 means off; otherwise a positive integer. */
const FailAfterSchema = v.pipe(
  v.optional(v.string(), ''),
  v.trim(),
  v.check(
    (s) => /^\d*$/.test(s),
    'FAIL_AFTER_N_RECORDS must be a whole number of records (or empty/0 for off)',
  ),
  v.transform((s) => (s === '' || Number(s) === 0 ? null : Number(s))),
);

const RatioSchema = v.pipe(
  v.optional(v.string(), '0.5'),
  v.transform(Number),
  v.number('KX_MAX_REJECT_RATIO must be a number between 0 and 1'),
  v.minValue(0, 'KX_MAX_REJECT_RATIO must be between 0 and 1'),
  v.maxValue(1, 'KX_MAX_REJECT_RATIO must be between 0 and 1'),
);

const BatchSizeSchema = v.pipe(
  v.optional(v.string(), '10000'),
  v.transform(Number),
  v.number(),
  v.integer('KX_BATCH_SIZE must be a whole number'),
  v.minValue(1, 'KX_BATCH_SIZE must be at least 1'),
  v.maxValue(100000, 'KX_BATCH_SIZE must be at most 100000'),
);

/** A whole number from the environment, within bounds. */
function integerSetting(name: string, fallback: number, min: number, max: number) {
  return v.pipe(
    v.optional(v.string(), String(fallback)),
    v.trim(),
    v.check((s) => /^\d+$/.test(s), `${name} must be a whole number`),
    v.transform(Number),
    v.minValue(min, `${name} must be at least ${min}`),
    v.maxValue(max, `${name} must be at most ${max}`),
  );
}

const urlSetting = (name: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.url(`${name} must be a URL such as http://127.0.0.1:8080/api/v3`),
    ),
  );

const ConfigSchema = v.object({
  databaseUrl: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://'),
    ),
  ),
  dataDir: v.pipe(
    v.optional(v.string(), '.kx'),
    v.transform((dir) => resolve(dir)),
  ),
  logLevel: v.optional(
    v.picklist(
      ['silent', 'error', 'warn', 'info', 'debug'],
      'log level must be one of silent, error, warn, info, debug',
    ),
    'info',
  ),
  logFormat: v.optional(
    v.picklist(['pretty', 'json'], 'log format must be pretty or json'),
    'pretty',
  ),
  failAfter: FailAfterSchema,
  maxRejectRatio: RatioSchema,
  batchSize: BatchSizeSchema,
  coingeckoApiKey: optionalText,
  coingeckoPlan: v.optional(
    v.picklist(['public', 'demo', 'pro'], 'KX_COINGECKO_PLAN must be public, demo or pro'),
  ),
  coingeckoBaseUrl: urlSetting('KX_COINGECKO_BASE_URL'),
  /** Calls per minute; unset = the plan's published limit; 0 = no limit. */
  coingeckoRateLimit: v.optional(integerSetting('KX_COINGECKO_RATE_LIMIT', 0, 0, 100_000)),
  coinpaprikaApiKey: optionalText,
  coinpaprikaBaseUrl: urlSetting('KX_COINPAPRIKA_BASE_URL'),
  coinpaprikaRateLimit: v.optional(integerSetting('KX_COINPAPRIKA_RATE_LIMIT', 0, 0, 100_000)),
  /** Upstream calls allowed per calendar month (UTC); unset = no budget. */
  coingeckoMonthlyCalls: v.optional(
    integerSetting('KX_COINGECKO_MONTHLY_CALLS', 0, 0, 1_000_000_000),
  ),
  coinpaprikaMonthlyCalls: v.optional(
    integerSetting('KX_COINPAPRIKA_MONTHLY_CALLS', 0, 0, 1_000_000_000),
  ),
  httpTimeoutMs: integerSetting('KX_HTTP_TIMEOUT_MS', 30_000, 100, 600_000),
  httpMaxRetries: integerSetting('KX_HTTP_MAX_RETRIES', 5, 0, 20),
  httpRetryBaseMs: integerSetting('KX_HTTP_RETRY_BASE_MS', 1_000, 1, 60_000),
  httpMaxWaitMs: integerSetting('KX_HTTP_MAX_WAIT_MS', 60_000, 1, 3_600_000),
  /** How long one database statement of an API request may run (PostgreSQL server only). */
  apiStatementTimeoutMs: integerSetting('KX_API_STATEMENT_TIMEOUT_MS', 10_000, 10, 600_000),
  apiToken: optionalText,
  color: v.boolean(),
  /** Log lines lead with icons (ℹ, ⚠); under CI, with words ([info], [warn]). */
  icons: v.boolean(),
});

export type Config = v.InferOutput<typeof ConfigSchema>;

/** Flags that override environment variables. */
export interface GlobalFlags {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  logLevel?: string | undefined;
  logFormat?: string | undefined;
}

export function loadConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const empty = (value: string | undefined) =>
    value === undefined || value.trim() === '' ? undefined : value;
  const input = {
    databaseUrl: flags.databaseUrl ?? empty(env.DATABASE_URL),
    dataDir: flags.dataDir ?? empty(env.KX_DATA_DIR),
    logLevel: flags.logLevel ?? empty(env.KX_LOG_LEVEL),
    logFormat: flags.logFormat ?? empty(env.KX_LOG_FORMAT),
    failAfter: env.FAIL_AFTER_N_RECORDS,
    maxRejectRatio: empty(env.KX_MAX_REJECT_RATIO),
    batchSize: empty(env.KX_BATCH_SIZE),
    coingeckoApiKey: empty(env.KX_COINGECKO_API_KEY),
    coingeckoPlan: empty(env.KX_COINGECKO_PLAN),
    coingeckoBaseUrl: empty(env.KX_COINGECKO_BASE_URL),
    coingeckoRateLimit: empty(env.KX_COINGECKO_RATE_LIMIT),
    coinpaprikaApiKey: empty(env.KX_COINPAPRIKA_API_KEY),
    coinpaprikaBaseUrl: empty(env.KX_COINPAPRIKA_BASE_URL),
    coinpaprikaRateLimit: empty(env.KX_COINPAPRIKA_RATE_LIMIT),
    coingeckoMonthlyCalls: empty(env.KX_COINGECKO_MONTHLY_CALLS),
    coinpaprikaMonthlyCalls: empty(env.KX_COINPAPRIKA_MONTHLY_CALLS),
    httpTimeoutMs: empty(env.KX_HTTP_TIMEOUT_MS),
    httpMaxRetries: empty(env.KX_HTTP_MAX_RETRIES),
    httpRetryBaseMs: empty(env.KX_HTTP_RETRY_BASE_MS),
    httpMaxWaitMs: empty(env.KX_HTTP_MAX_WAIT_MS),
    apiStatementTimeoutMs: empty(env.KX_API_STATEMENT_TIMEOUT_MS),
    apiToken: empty(env.KX_API_TOKEN),
    color: !('NO_COLOR' in env) && env.TERM !== 'dumb',
    icons: !isSet(env.CI),
  };
  const result = v.safeParse(ConfigSchema, input);
  if (!result.success) {
    const issue = result.issues[0];
    const key = issue.path?.map((p) => String(p.key)).join('.') ?? 'config';
    throw new KxError('usage', `configuration error (${key}): ${issue.message}`);
  }
  return result.output;
}

/** CI=true, CI=1: set and not "false" (how CI services and consola read it). */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== 'false';
}
