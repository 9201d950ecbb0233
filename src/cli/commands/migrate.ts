import type { Context } from '../context.js';

/** Applies pending migrations (every command does first) and says where the database is. */
export async function migrate(ctx: Context): Promise<{ driver: string; location: string }> {
  // withDb migrates before it hands the database over: there is nothing left to do here.
  return ctx.withDb('migrate', (handle) =>
    Promise.resolve({ driver: handle.driver, location: handle.location }),
  );
}
