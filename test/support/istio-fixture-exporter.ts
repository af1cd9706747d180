import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Istio's default buckets for istio_request_duration_milliseconds. */
export const ISTIO_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

export type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  requests: number;
  buckets: number[];
  sumMs: number;
}

/** Serves istio_requests_total and istio_request_duration_milliseconds as an Istio proxy would. */
export class IstioFixtureExporter {
  private readonly series = new Map<string, Series>();
  private server?: http.Server;

  /** `count` requests of this series, each taking `latencyMs`. */
  record(labels: Labels, count: number, latencyMs: number): void {
    const key = JSON.stringify(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { labels, requests: 0, buckets: ISTIO_BUCKETS_MS.map(() => 0), sumMs: 0 };
      this.series.set(key, series);
    }
    series.requests += count;
    series.sumMs += count * latencyMs;
    ISTIO_BUCKETS_MS.forEach((bound, index) => {
      if (latencyMs <= bound) series.buckets[index]! += count;
    });
  }

  /** The proxy restarted: every series matching `labels` starts from zero. */
  reset(match: Labels): void {
    for (const [key, series] of this.series)
      if (Object.entries(match).every(([name, value]) => series.labels[name] === value))
        this.series.delete(key);
  }

  total(): number {
    return [...this.series.values()].reduce((sum, series) => sum + series.requests, 0);
  }

  exposition(): string {
    const lines = [
      '# TYPE istio_requests_total counter',
      '# TYPE istio_request_duration_milliseconds histogram',
    ];
    const format = (labels: Labels) =>
      `{${Object.entries(labels)
        .map(([name, value]) => `${name}="${value}"`)
        .join(',')}}`;
    for (const { labels, requests, buckets, sumMs } of this.series.values()) {
      lines.push(`istio_requests_total${format(labels)} ${requests}`);
      ISTIO_BUCKETS_MS.forEach((bound, index) =>
        lines.push(
          `istio_request_duration_milliseconds_bucket${format({ ...labels, le: String(bound) })} ${buckets[index]}`,
        ),
      );
      lines.push(
        `istio_request_duration_milliseconds_bucket${format({ ...labels, le: '+Inf' })} ${requests}`,
      );
      lines.push(`istio_request_duration_milliseconds_sum${format(labels)} ${sumMs}`);
      lines.push(`istio_request_duration_milliseconds_count${format(labels)} ${requests}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** Serves `/stats/prometheus` (as an Istio proxy does); resolves with host:port. */
  async listen(): Promise<string> {
    this.server = http.createServer((request, response) => {
      if (request.url === '/stats/prometheus') {
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        response.end(this.exposition());
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('404 page not found\n');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
