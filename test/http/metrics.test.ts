import { describe, expect, it } from 'vitest';
import { createHttpMetrics } from '../../src/http/metrics.js';
import type { Status } from '../../src/queries/status.js';

const status = (assets: number) => ({ sources: [], assets }) as unknown as Status;

describe('run metrics read from the database', () => {
  it('are read once per 5 s however often Prometheus scrapes', async () => {
    const metrics = createHttpMetrics();
    let reads = 0;
    metrics.watchRuns(() => Promise.resolve(status(++reads)));
    for (let i = 0; i < 5; i++) expect(await metrics.render()).toMatch(/^kx_assets 1$/m);
    expect(reads).toBe(1);
  });

  it('never stall a scrape: a database that does not answer leaves the last figures', async () => {
    const metrics = createHttpMetrics();
    metrics.observe('/data', 'GET', 200, 0.01);
    metrics.watchRuns(() => new Promise<Status>(() => undefined)); // hangs forever
    const started = Date.now();
    const text = await metrics.render();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(text).toMatch(/^kx_http_requests_total\{route="\/data",method="GET",status="200"\} 1$/m);
    expect(text).not.toMatch(/^kx_runs\{/m); // no figures yet, rather than made-up ones
  });

  it('report a database that refused the read, for /metrics to answer 503', async () => {
    const metrics = createHttpMetrics();
    let refuse = true;
    metrics.watchRuns(() =>
      refuse ? Promise.reject(new Error('connection refused')) : Promise.resolve(status(7)),
    );
    await metrics.render();
    expect(metrics.failure()).toBeInstanceOf(Error);
    refuse = false;
    expect(await metrics.render()).toMatch(/^kx_assets 7$/m);
    expect(metrics.failure()).toBeNull();
  });
});
