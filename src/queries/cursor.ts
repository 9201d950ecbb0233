import { textProblem } from '../core/domain.js';
import { KxError } from '../core/errors.js';

/** An opaque keyset cursor: its string parts as base64url JSON. */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/**
 * A cursor this API gave back to its `length` parts, which `valid` accepts; anything else
 * (another API's, edited, truncated) is a 400 naming `cursor`.
 */
export function decodeCursor(
  cursor: string,
  length: number,
  valid: (parts: string[]) => boolean,
): string[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parts) &&
      parts.length === length &&
      parts.every((p) => typeof p === 'string' && textProblem(p) === null) &&
      valid(parts as string[])
    )
      return parts as string[];
  } catch {
    // fall through
  }
  throw new KxError('usage', 'cursor: not a cursor from this API (use next_cursor as given)');
}
