import { instantProblem, textProblem } from '../core/domain.js';
import { KxError } from '../core/errors.js';
import { toTimestamp } from '../core/timestamp.js';

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

/** The SQL types a sort key of a keyset cursor has. */
export type SortCast = 'text' | 'int' | 'numeric' | 'timestamptz';

/** Only values Postgres casts without error reach SQL: a crafted cursor is a 400, never a 500. */
export function isCastable(cast: SortCast, value: string): boolean {
  if (cast === 'int') return /^-?\d{1,10}$/.test(value) && Math.abs(Number(value)) <= 2147483647;
  if (cast === 'numeric') return /^-?\d{1,60}(\.\d{1,60})?$/.test(value);
  if (cast === 'timestamptz') {
    const m =
      /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([+-]\d{2})(?::?(\d{2}))?$/.exec(
        value,
      );
    // PostgreSQL takes offsets up to 15:59; the strict parser refuses days like 30 February.
    if (!m || Math.abs(Number(m[3])) > 15) return false;
    const parsed = toTimestamp(`${m[1]}T${m[2]}${m[3]}:${m[4] ?? '00'}`);
    return parsed.ok && parsed.value !== null && instantProblem(parsed.value) === null;
  }
  return value.length <= 200;
}
