import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { etlRunAttempts, etlRuns } from '../../src/db/schema.js';
import { createRun, describeRun, finishRun } from '../../src/engine/runs.js';
import { useOpenedDatabase } from '../helpers/db.js';

const open = useOpenedDatabase(afterEach);

describe('what a run stores about itself', () => {
  // Messages and mappings quote the input, and PostgreSQL's text and jsonb refuse a NUL
  // character and a lone surrogate: had the run's own record failed, it would show as abandoned.
  it('keeps a failure, mapping and warnings that quote a NUL or a lone surrogate', async () => {
    const { db } = await open();
    const run = await createRun(db, { source: 'csv', streamKey: 'a.csv', params: {} });
    await describeRun(db, run.id, {
      mapping: { unmapped: ['extra\u0000col'] },
      warnings: ['unknown field "bad\u0000key"', 'a lone \ud800 surrogate'],
    });
    await finishRun(db, run, {
      status: 'failed',
      records: 0,
      error: { code: 'input', message: 'a.csv:2: cell "E\u0000TH\udc00" is damaged' },
    });
    const [stored] = await db.select().from(etlRuns).where(eq(etlRuns.id, run.id));
    expect(stored).toMatchObject({
      status: 'failed',
      errorCode: 'input',
      errorMessage: 'a.csv:2: cell "E\ufffdTH\ufffd" is damaged',
      mapping: { unmapped: ['extra\ufffdcol'] },
      warnings: ['unknown field "bad\ufffdkey"', 'a lone \ufffd surrogate'],
    });
    const [attempt] = await db
      .select()
      .from(etlRunAttempts)
      .where(eq(etlRunAttempts.runId, run.id));
    expect(attempt!.errorMessage).toBe(stored!.errorMessage);
  });
});
