import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import * as v from 'valibot';
import { DURATION_UNITS, parseDuration } from './core/duration.js';
import { KxError } from './core/errors.js';
import type { HttpProxy } from './core/source.js';
import { integerSetting } from './core/settings.js';
import { entries } from './sources/index.js';

/**
 * The only reader of `process.env`. Precedence: command-line flags > environment > defaults
 * (DESIGN §6). Every variable is validated here, so a bad value fails before any work with exit 2.
 */

/** `FAIL_AFTER_N_RECORDS`: unset, empty or 0 means off; otherwise a positive integer. */
const FailAfterSchema = v.pipe(
  v.optional(v.string(), ''),
  v.trim(),
  v.check((s) => /^\d*$/.test(s), 'expected a whole number of records (empty or 0: off)'),
  v.transform((s) => (s === '' || Number(s) === 0 ? null : Number(s))),
);

const RatioSchema = v.pipe(
  v.optional(v.string(), '0.5'),
  v.transform(Number),
  v.number('expected a number from 0 to 1'),
  v.minValue(0, 'expected a number from 0 to 1'),
  v.maxValue(1, 'expected a number from 0 to 1'),
);

/** `--lock-wait`, `KX_LOCK_WAIT`: 0, or a whole number of seconds, minutes or hours, in ms. */
const LockWaitSchema = v.pipe(
  v.optional(v.string(), '0'),
  v.trim(),
  v.regex(/^(0|\d+[smh])$/, 'expected a time such as 30s, 5m or 1h (0: do not wait)'),
  v.transform((s) => (s === '0' ? 0 : parseDuration(s)!)),
  v.maxValue(24 * DURATION_UNITS.h, 'expected at most 24h'),
);

const ConfigSchema = v.object({
  databaseUrl: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^postgres(ql)?:\/\//, 'expected a URL starting with postgres:// or postgresql://'),
    ),
  ),
  // A `~` the shell did not expand (quoted, `--data-dir=~/kx`, a .env or systemd file) is the
  // home directory, not a folder named `~` in the working directory.
  dataDir: v.pipe(
    v.optional(v.string(), '.kx'),
    v.check(
      (dir) => !/^~[^/]/.test(dir),
      "expected a path: kx reads ~ as your home directory but not ~name as another user's; " +
        'write that path out in full (or ./~name for a folder so named)',
    ),
    v.transform((dir) => resolve(/^~(\/|$)/.test(dir) ? join(homedir(), dir.slice(1)) : dir)),
  ),
  logLevel: v.optional(
    v.picklist(
      ['silent', 'error', 'warn', 'info', 'debug'],
      'expected silent, error, warn, info or debug',
    ),
    'info',
  ),
  logFormat: v.optional(v.picklist(['pretty', 'json'], 'expected pretty or json'), 'pretty'),
  failAfter: FailAfterSchema,
  lockWaitMs: LockWaitSchema,
  maxRejectRatio: RatioSchema,
  batchSize: integerSetting(10_000, 1, 100_000),
  httpTimeoutMs: integerSetting(30_000, 100, 600_000),
  httpMaxRetries: integerSetting(5, 0, 20),
  httpRetryBaseMs: integerSetting(1_000, 1, 60_000),
  httpMaxWaitMs: integerSetting(60_000, 1, 3_600_000),
  /** The largest answer read from an API: 256 MB is some 350,000 of CoinPaprika's tickers. */
  httpMaxBodyMb: integerSetting(256, 1, 4_096),
  /** How long one database statement of an API request may run (PostgreSQL server only). */
  apiStatementTimeoutMs: integerSetting(10_000, 10, 600_000),
  /** A bearer token: RFC 6750's token68 characters, as hono/bearer-auth accepts them. */
  apiToken: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(
        /^[A-Za-z0-9._~+/-]+=*$/,
        'expected letters, digits and . _ ~ + / - only (a bearer token), such as `openssl rand -hex 32`',
      ),
    ),
  ),
  color: v.boolean(),
  /** Log lines lead with icons (ℹ, ⚠); under CI, with words ([info], [warn]). */
  icons: v.boolean(),
});

export type Config = v.InferOutput<typeof ConfigSchema> & {
  /** Each source's own settings, by source name, as its registry entry declares them. */
  sources: Record<string, Record<string, unknown>>;
  proxy: HttpProxy | null;
};

/** Flags that override environment variables. */
export interface GlobalFlags {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  logLevel?: string | undefined;
  logFormat?: string | undefined;
  lockWait?: string | undefined;
}

export function loadConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const empty = (value: string | undefined) =>
    value === undefined || value.trim() === '' ? undefined : value;
  const fromEnv: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(ENV_NAMES).map(([key, name]) => [key, empty(env[name])]),
  );
  const input: Record<string, unknown> = {
    ...fromEnv,
    databaseUrl: flags.databaseUrl ?? fromEnv.databaseUrl,
    dataDir: flags.dataDir ?? fromEnv.dataDir,
    logLevel: flags.logLevel ?? fromEnv.logLevel,
    logFormat: flags.logFormat ?? fromEnv.logFormat,
    lockWaitMs: flags.lockWait ?? fromEnv.lockWaitMs,
    failAfter: env.FAIL_AFTER_N_RECORDS, // empty is allowed: off
    color: !('NO_COLOR' in env) && env.TERM !== 'dumb',
    icons: !isSet(env.CI),
  };
  const result = v.safeParse(ConfigSchema, input);
  if (!result.success) {
    const issue = result.issues[0];
    const pathKey = issue.path?.[0]?.key;
    const key = typeof pathKey === 'string' ? pathKey : '';
    const flag = FLAGS[key as keyof typeof FLAGS];
    const name =
      flag && flags[flag] !== undefined
        ? `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
        : (ENV_NAMES[key as keyof typeof ENV_NAMES] ?? key);
    const value = input[key];
    throw new KxError(
      'usage',
      `${name}${typeof value === 'string' && !SECRETS.has(key) ? `=${value}` : ''}: ${issue.message}`,
    );
  }
  return {
    ...result.output,
    sources: loadSourceSettings(env, empty),
    proxy: loadProxy(env, empty),
  };
}

/**
 * The proxies the environment names, as curl and undici read them: the lower-case variable
 * first, then the upper-case one. Checked when an API client is made (sources/shared/http.ts):
 * a CSV ingest or `kx status` does not care.
 */
function loadProxy(
  env: NodeJS.ProcessEnv,
  empty: (value: string | undefined) => string | undefined,
): HttpProxy | null {
  const read = (name: string) => empty(env[name]) ?? empty(env[name.toUpperCase()]);
  const proxy: HttpProxy = {};
  const http = read('http_proxy');
  const https = read('https_proxy');
  const noProxy = read('no_proxy');
  if (http) proxy.http = http;
  if (https) proxy.https = https;
  if (noProxy) proxy.noProxy = noProxy;
  return proxy.http || proxy.https ? proxy : null;
}

/** Each source's settings from its variables (`KX_COINGECKO_PLAN`), validated like the rest. */
function loadSourceSettings(
  env: NodeJS.ProcessEnv,
  empty: (value: string | undefined) => string | undefined,
): Config['sources'] {
  return Object.fromEntries(
    entries.map((entry) => [
      entry.name,
      Object.fromEntries(
        Object.entries(entry.settings).map(([key, spec]) => {
          const value = empty(env[spec.env]);
          const result = v.safeParse(spec.schema, value);
          if (!result.success)
            throw new KxError('usage', `${spec.env}=${value}: ${result.issues[0].message}`);
          return [key, result.output];
        }),
      ),
    ]),
  );
}

/** Every variable kx reads: the core ones and each source's. */
export function envNames(): string[] {
  return [
    ...Object.values(ENV_NAMES),
    ...entries.flatMap((entry) => Object.values(entry.settings).map((spec) => spec.env)),
  ];
}

/** Settings whose value an error must not repeat. */
const SECRETS = new Set(['apiToken']);

/** Where each setting comes from, for error messages: a flag if one was given, or its variable. */
const FLAGS: Partial<Record<keyof Config, keyof GlobalFlags>> = {
  databaseUrl: 'databaseUrl',
  dataDir: 'dataDir',
  logLevel: 'logLevel',
  logFormat: 'logFormat',
  lockWaitMs: 'lockWait',
};
/** The variable each setting is read from (all but the colour and CI switches). */
export const ENV_NAMES = {
  databaseUrl: 'DATABASE_URL',
  dataDir: 'KX_DATA_DIR',
  logLevel: 'KX_LOG_LEVEL',
  logFormat: 'KX_LOG_FORMAT',
  lockWaitMs: 'KX_LOCK_WAIT',
  failAfter: 'FAIL_AFTER_N_RECORDS',
  maxRejectRatio: 'KX_MAX_REJECT_RATIO',
  batchSize: 'KX_BATCH_SIZE',
  httpTimeoutMs: 'KX_HTTP_TIMEOUT_MS',
  httpMaxRetries: 'KX_HTTP_MAX_RETRIES',
  httpRetryBaseMs: 'KX_HTTP_RETRY_BASE_MS',
  httpMaxWaitMs: 'KX_HTTP_MAX_WAIT_MS',
  httpMaxBodyMb: 'KX_HTTP_MAX_BODY_MB',
  apiStatementTimeoutMs: 'KX_API_STATEMENT_TIMEOUT_MS',
  apiToken: 'KX_API_TOKEN',
} satisfies Partial<Record<keyof Config, string>>;

/** CI=true, CI=1: set and not "false" (how CI services and consola read it). */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== 'false';
}
