import { getStatus, type Status } from '../../queries/status.js';
import { sourceNames } from '../../sources/index.js';
import type { Context } from '../context.js';

export async function status(ctx: Context, options: { source?: string }): Promise<Status> {
  return ctx.withDb('status', (handle) =>
    getStatus(handle, options.source ? [options.source] : sourceNames, ctx.callBudgets),
  );
}
