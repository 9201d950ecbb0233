/**
 * Stable error codes. The CLI maps them to exit codes (DESIGN §6), the HTTP layer to statuses.
 * - `usage`: bad flags or configuration (exit 2)
 * - `upstream`: an upstream API failed after retries, or answered a terminal status (exit 3)
 * - `input`: the input data is unusable: unreadable file, not CSV, unmappable header (exit 4)
 * - `injected`: FAIL_AFTER_N_RECORDS fired (exit 5)
 * - `locked`: another process holds the source lock or the embedded data dir (exit 6)
 * - `budget`: a call budget stopped the run at a checkpoint (exit 7)
 * - `internal`: a bug or an unexpected failure (exit 1)
 */
export type KxErrorCode =
  'usage' | 'upstream' | 'input' | 'injected' | 'locked' | 'budget' | 'internal';

export interface KxErrorOptions {
  cause?: unknown;
  /** Where it happened: file, line, field, url, status… shown to the user and stored on the run. */
  context?: Record<string, unknown>;
  /** A transient failure: retrying (or `kx resume`) may succeed. */
  retryable?: boolean;
}

export class KxError extends Error {
  override readonly name = 'KxError';
  readonly code: KxErrorCode;
  readonly context: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: KxErrorCode, message: string, options: KxErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? false;
  }
}

export function isKxError(error: unknown): error is KxError {
  return error instanceof KxError;
}

/** Any thrown value as a KxError; unknown failures are `internal` and resumable. */
export function toKxError(error: unknown): KxError {
  if (isKxError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KxError('internal', message, { cause: error, retryable: true });
}
