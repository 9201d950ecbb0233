import { entries } from '../sources/index.js';

/** What each environment variable does, in one line, for the "Environment:" part of `--help`. */
const ENVIRONMENT: Record<string, string> = {
  DATABASE_URL:
    'postgres:// server, read as psql reads it; unset = the embedded database (--database-url)',
  KX_DATA_DIR: 'embedded database directory, default ./.kx (--data-dir)',
  KX_LOG_LEVEL: 'silent, error, warn, info or debug (--log-level)',
  KX_LOG_FORMAT: 'pretty or json (--log-format)',
  NO_COLOR: 'set: no colours',
  KX_LOCK_WAIT:
    'wait this long (30s, 5m, 1h) for another kx instead of exit 6, default 0 (--lock-wait)',
  FAIL_AFTER_N_RECORDS: 'fail after exactly N records, to rehearse a crash (exit 5)',
  KX_BATCH_SIZE: 'records per committed batch, default 10000',
  KX_MAX_REJECT_RATIO: 'share of rejected records that fails a run, default 0.5',
  KX_HTTP_TIMEOUT_MS: 'one HTTP request, default 30000',
  KX_HTTP_MAX_RETRIES: 'retries of a failed request, default 5',
  KX_HTTP_RETRY_BASE_MS: 'first backoff, doubling, default 1000',
  KX_HTTP_MAX_WAIT_MS: 'longest single wait (also of Retry-After), default 60000',
  KX_HTTP_MAX_BODY_MB: 'largest answer read from an API, default 256',
  https_proxy: 'proxy URL for https:// APIs (also HTTPS_PROXY)',
  http_proxy: 'proxy URL for http:// APIs (also HTTP_PROXY)',
  no_proxy: 'hosts reached without the proxy, comma-separated (also NO_PROXY)',
  KX_API_TOKEN: 'bearer token the API requires on every route but /health',
  KX_API_STATEMENT_TIMEOUT_MS: 'longest API read on a server, default 10000 (503 past it)',
};

const DATABASE = [
  'DATABASE_URL',
  'KX_DATA_DIR',
  'KX_LOCK_WAIT',
  'KX_LOG_LEVEL',
  'KX_LOG_FORMAT',
  'NO_COLOR',
];
/** Each source's own variables, as its registry entry declares them. */
for (const spec of entries.flatMap((entry) => Object.values(entry.settings)))
  ENVIRONMENT[spec.env] = spec.help;
const BUDGETS = entries.flatMap((entry) =>
  entry.budget ? [entry.settings[entry.budget]!.env] : [],
);
const INGEST = [
  ...DATABASE,
  'FAIL_AFTER_N_RECORDS',
  'KX_BATCH_SIZE',
  'KX_MAX_REJECT_RATIO',
  ...entries.flatMap((entry) => Object.values(entry.settings).map((spec) => spec.env)),
  'KX_HTTP_TIMEOUT_MS',
  'KX_HTTP_MAX_RETRIES',
  'KX_HTTP_RETRY_BASE_MS',
  'KX_HTTP_MAX_WAIT_MS',
  'KX_HTTP_MAX_BODY_MB',
  'https_proxy',
  'http_proxy',
  'no_proxy',
];

/** The variables each command reads. */
export const COMMAND_ENVIRONMENT: Record<string, string[]> = {
  ingest: INGEST,
  resume: INGEST,
  status: [...DATABASE, ...BUDGETS],
  serve: [...INGEST, 'KX_API_TOKEN', 'KX_API_STATEMENT_TIMEOUT_MS'],
  link: DATABASE,
  unlink: DATABASE,
  migrate: DATABASE,
};

/** `Environment:` and one line per variable the command reads; flags beat variables. */
export function environmentHelp(command: string): string {
  const names = COMMAND_ENVIRONMENT[command] ?? [];
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${ENVIRONMENT[name] ?? ''}`);
  return `Environment (flags win over them):\n${lines.join('\n')}\n`;
}
