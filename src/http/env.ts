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
  /** `kx serve --schedule`: each scheduled source's interval and next tick, shown in /stats. */
  schedule?: () => Record<string, { every_ms: number; next_at: string | null }>;
  version: string;
  /** Where unexpected errors go (never to the client). */
  logError?: (error: unknown) => void;
}

export type AppEnv = { Variables: { requestId: string; startedAt: number } };
