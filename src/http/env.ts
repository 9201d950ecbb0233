import type { DbHandle } from '../db/client.js';
import type { HttpMetrics } from './metrics.js';

/** What the app is built from: routes read these, never globals or the environment. */
export interface AppDeps {
  handle: DbHandle;
  sources: readonly string[];
  /** KX_API_TOKEN: when set, every route but /health needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Monthly call budgets by source, shown in /stats as `kx status` shows them. */
  budgets?: Record<string, number | undefined>;
  metrics: HttpMetrics;
  version: string;
  /** Where unexpected errors go (never to the client). */
  logError?: (error: unknown) => void;
}

export type AppEnv = { Variables: { requestId: string; startedAt: number } };
