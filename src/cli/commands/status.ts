import { getStatus, type Status } from '../../queries/status.js';
import { sourceNames } from '../../sources/index.js';
import type { Context } from '../context.js';

export async function status(ctx: Context, options: { source?: string }): Promise<Status> {
  return ctx.withDb('status', (handle) =>
    getStatus(handle, options.source ? [options.source] : sourceNames, ctx.callBudgets),
  );
}

export function formatStatus(status: Status): string {
  const lines = [
    `database: ${status.database.driver} (${status.database.location}), ${status.assets} assets`,
  ];
  for (const s of status.sources) {
    const last = s.lastRun;
    lines.push(
      '',
      `${s.source}: ${s.runs.total} runs (${s.runs.succeeded} succeeded, ${s.runs.failed} failed), ${s.listings} listings, ${s.quotes} quotes`,
    );
    if (s.calls.used > 0 || s.calls.budget !== null) {
      lines.push(
        `  upstream calls in ${s.calls.month}: ${s.calls.used}${s.calls.budget === null ? '' : ` of ${s.calls.budget}`}`,
      );
    }
    if (!last) {
      lines.push('  never run');
      continue;
    }
    lines.push(
      `  last run #${last.id}: ${last.status}${last.attempts > 1 ? ` after ${last.attempts} attempts` : ''}, ` +
        `${last.fetched} read, ${last.loaded} loaded, ${last.unchanged} unchanged, ${last.rejected} rejected, started ${last.startedAt}`,
    );
    if (last.error) lines.push(`  error (${last.error.code}): ${last.error.message ?? ''}`);
    if (s.resumableRuns.length > 0)
      lines.push(
        `  resumable runs: ${s.resumableRuns.map((id) => `#${id}`).join(', ')} (run \`kx resume\`)`,
      );
    for (const c of s.checkpoints)
      lines.push(`  checkpoint ${c.stream}: ${c.records} records, run #${c.runId}, ${c.updatedAt}`);
  }
  return lines.join('\n');
}
