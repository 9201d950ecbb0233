import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Status } from '../queries/status.js';

/** Upper bounds of the request latency histogram, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** prom-client's default gauges with a counter's name. */
const NOT_COUNTERS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Run figures come from the database at most this often, however often Prometheus scrapes. */
const STATUS_TTL_MS = 5_000;
/** A scrape waits this long for fresh run figures, then answers with the last ones. */
const STATUS_WAIT_MS = 1_000;

/**
 * The metrics of one `kx serve`, on its own prom-client registry: Node's process metrics,
 * HTTP requests and latency per route, and the runs, records, durations, listings and assets
 * of the `kx status` read model, read from the database when scraped.
 */
export function createHttpMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges prom-client names `…_total`, which promtool refuses (a counter's suffix); the
  // same figures are in nodejs_active_handles and nodejs_active_resources.
  for (const name of NOT_COUNTERS) registry.removeSingleMetric(name);
  const requests = new Counter({
    name: 'kx_http_requests_total',
    help: 'HTTP requests served, by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'kx_http_request_duration_seconds',
    help: 'HTTP request latency.',
    labelNames: ['route'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  let failure: () => unknown = () => null;
  return {
    registry,
    observe(route: string, method: string, status: number, seconds: number) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route }, seconds);
    },
    /** Adds the run metrics, read through `readStatus` (the database) when scraped; once. */
    watchRuns(readStatus: () => Promise<Status>) {
      if (registry.getSingleMetric('kx_runs')) return;
      const cache = createStatusCache(readStatus);
      failure = cache.failure;
      registerRunMetrics(registry, cache.read);
    },
    /** Why the last read of the run figures failed (the database refused or is gone), if it did. */
    failure: () => failure(),
    /** The Prometheus text of everything registered. */
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

/**
 * The last status read, refreshed when older than STATUS_TTL_MS. A scrape waits at most
 * STATUS_WAIT_MS for a refresh and otherwise gets the last figures (none before the first),
 * so a slow or lost database never stalls `/metrics`.
 */
function createStatusCache(load: () => Promise<Status>) {
  let last: { at: number; status: Status } | null = null;
  let pending: Promise<void> | null = null;
  let failed: unknown = null;
  const read = async (): Promise<Status | null> => {
    if (last && Date.now() - last.at < STATUS_TTL_MS) return last.status;
    pending ??= load()
      .then((status) => {
        last = { at: Date.now(), status };
        failed = null;
      })
      .catch((error: unknown) => {
        failed = error; // the database is away: the last figures stand, and /metrics says so
      })
      .finally(() => {
        pending = null;
      });
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STATUS_WAIT_MS);
    });
    await Promise.race([pending, waited]);
    clearTimeout(timer);
    return last?.status ?? null;
  };
  return { read, failure: () => failed };
}

function registerRunMetrics(registry: Registry, status: () => Promise<Status | null>) {
  new Gauge({
    name: 'kx_runs',
    help: 'ETL runs held, by source and status.',
    labelNames: ['source', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await status())?.sources ?? [])
        for (const st of ['succeeded', 'failed', 'running'] as const)
          this.set({ source: s.source, status: st }, s.runs[st]);
    },
  });
  new Counter({
    name: 'kx_records_total',
    help: 'Records processed by all runs, by source and outcome.',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await status())?.sources ?? [])
        for (const outcome of ['fetched', 'loaded', 'unchanged', 'rejected'] as const)
          this.inc({ source: s.source, outcome }, s.records[outcome]);
    },
  });
  new Gauge({
    name: 'kx_run_duration_seconds',
    help: 'Duration of finished runs (last, average, max).',
    labelNames: ['source', 'stat'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await status())?.sources ?? []) {
        const { lastMs, avgMs, maxMs } = s.durations;
        for (const [stat, ms] of [
          ['last', lastMs],
          ['avg', avgMs],
          ['max', maxMs],
        ] as const)
          if (ms !== null) this.set({ source: s.source, stat }, ms / 1000);
      }
    },
  });
  new Gauge({
    name: 'kx_listings',
    help: 'Source listings currently held.',
    labelNames: ['source'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await status())?.sources ?? []) this.set({ source: s.source }, s.listings);
    },
  });
  new Gauge({
    name: 'kx_assets',
    // A metric without labels is always written: 0 until the first read has come back.
    help: 'Canonical assets.',
    registers: [registry],
    async collect() {
      const report = await status();
      if (report) this.set(report.assets);
    },
  });
}
