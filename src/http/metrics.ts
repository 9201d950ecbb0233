/** Upper bounds of the request latency histogram, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** In-process HTTP metrics of one `kx serve`, rendered in the Prometheus text format. */
export function createHttpMetrics() {
  const requests = new Map<string, number>();
  const latency = new Map<string, { buckets: number[]; sum: number; count: number }>();
  return {
    observe(route: string, method: string, status: number, seconds: number) {
      const key = `route="${escape(route)}",method="${method}",status="${status}"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const lkey = `route="${escape(route)}"`;
      const h = latency.get(lkey) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      BUCKETS.forEach((le, i) => {
        if (seconds <= le) h.buckets[i]! += 1;
      });
      h.sum += seconds;
      h.count += 1;
      latency.set(lkey, h);
    },
    render(): string {
      const lines = [
        '# HELP kx_http_requests_total HTTP requests served, by route, method and status.',
        '# TYPE kx_http_requests_total counter',
      ];
      for (const [labels, n] of requests) lines.push(`kx_http_requests_total{${labels}} ${n}`);
      lines.push(
        '# HELP kx_http_request_duration_seconds HTTP request latency.',
        '# TYPE kx_http_request_duration_seconds histogram',
      );
      for (const [labels, h] of latency) {
        BUCKETS.forEach((le, i) =>
          lines.push(
            `kx_http_request_duration_seconds_bucket{${labels},le="${le}"} ${h.buckets[i]}`,
          ),
        );
        lines.push(`kx_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
        lines.push(`kx_http_request_duration_seconds_sum{${labels}} ${h.sum}`);
        lines.push(`kx_http_request_duration_seconds_count{${labels}} ${h.count}`);
      }
      return lines.join('\n');
    },
  };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

export function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
