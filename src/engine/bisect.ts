import { findDatabaseError, isDataError, type DatabaseError } from '../core/errors.js';

/**
 * Finds the records of a batch that the database refuses (DESIGN §3, invariant 6). The batch
 * failed with a data error; its halves are loaded again, each in a transaction that is rolled
 * back, and a half that fails is split again, down to single records. k bad records among n
 * cost about 2·k·log2(n) trial loads, most of them small.
 *
 * `tryLoad` loads the given staged lines and rolls back, returning the database's data error
 * or null; any other failure (connection lost…) is thrown and ends the search. The result maps
 * an index into `lines` to the database's reason. Empty: no single record is to blame (only
 * their combination fails), and the batch's own error stands.
 */
export async function findRefusedRecords(
  lines: readonly string[],
  tryLoad: (lines: readonly string[]) => Promise<DatabaseError | null>,
): Promise<Map<number, string>> {
  const refused = new Map<number, string>();
  const search = async (offset: number, slice: readonly string[]): Promise<void> => {
    if (slice.length === 1) {
      const error = await tryLoad(slice);
      if (error) refused.set(offset, error.message);
      return;
    }
    const middle = slice.length >> 1;
    for (const [start, part] of [
      [offset, slice.slice(0, middle)],
      [offset + middle, slice.slice(middle)],
    ] as const) {
      if (part.length === 1 || (await tryLoad(part))) await search(start, part);
    }
  };
  await search(0, lines);
  return refused;
}

/** A failure's data error (a value the database refuses), or null for any other failure. */
export function toDataError(error: unknown): DatabaseError | null {
  const database = findDatabaseError(error);
  return database && isDataError(database) ? database : null;
}
