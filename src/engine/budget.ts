import { and, eq, sql } from 'drizzle-orm';
import { KxError } from '../core/errors.js';
import type { Db } from '../db/client.js';
import { apiCalls } from '../db/schema.js';

export function currentMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/**
 * Counts one upstream call of `source` this month, in the database so that every process and
 * replica shares the count. With a budget, the call that would exceed it is not made: the run
 * stops at its last checkpoint with a `budget` error (exit 7), and `kx resume` continues it
 * once the month has calls left.
 */
export function createCallCounter(
  db: Db,
  source: string,
  monthlyBudget: number | undefined,
  /** The setting that raises the budget (`KX_COINGECKO_MONTHLY_CALLS`), for the message. */
  setting?: string,
): () => Promise<void> {
  return async () => {
    const month = currentMonth();
    if (monthlyBudget !== undefined && monthlyBudget < 1)
      throw exhausted(source, month, monthlyBudget, setting);
    const counted = await db
      .insert(apiCalls)
      .values({ source, month, calls: 1 })
      .onConflictDoUpdate({
        target: [apiCalls.source, apiCalls.month],
        set: { calls: sql`${apiCalls.calls} + 1` },
        ...(monthlyBudget === undefined
          ? {}
          : { setWhere: sql`${apiCalls.calls} < ${monthlyBudget}` }),
      })
      .returning({ calls: apiCalls.calls });
    if (counted.length === 0) throw exhausted(source, month, monthlyBudget ?? 0, setting);
  };
}

function exhausted(source: string, month: string, budget: number, setting?: string): KxError {
  return new KxError(
    'budget',
    `${source}: the call budget of ${budget} calls for ${month} is used up; the run stopped at its last checkpoint; ` +
      `\`kx resume\` continues it once calls are available${setting ? ` (next month, or with ${setting} raised)` : ''}`,
    { retryable: true, context: { source, month, budget } },
  );
}

export async function getCallsThisMonth(db: Db, source: string): Promise<number> {
  const [row] = await db
    .select({ calls: apiCalls.calls })
    .from(apiCalls)
    .where(and(eq(apiCalls.source, source), eq(apiCalls.month, currentMonth())));
  return row?.calls ?? 0;
}
