import { DDSketch } from '@lattice/domain';
import type { AgentLogger } from '../logger';
import { PrometheusTelemetrySource } from './prometheus-telemetry.source';
import { parseSyntheticTelemetryFile, SyntheticTelemetrySource } from './synthetic-telemetry.source';

const logger: AgentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as AgentLogger;
const MINUTE = 60_000;
const t0 = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('SyntheticTelemetrySource', () => {
  const file = parseSyntheticTelemetryFile(
    `seed: 7
edges:
  - source: { namespace: shop, service: web }
    destination: { namespace: shop, service: cart }
    requestsPerSecond: 10
    errorRatio: 0.01
    latency: { distribution: lognormal, p50Ms: 20, p99Ms: 80 }
`,
    'traffic.yaml',
  );

  it('reports each completed minute exactly once, starting from the first call', async () => {
    const source = new SyntheticTelemetrySource(file);
    expect(await source.collect(new Date(t0 + 5_000))).toEqual([]);
    expect(await source.collect(new Date(t0 + 30_000))).toEqual([]);
    const first = await source.collect(new Date(t0 + MINUTE + 1_000));
    expect(first.map((item) => item.minuteUnixMs)).toEqual([t0]);
    expect(first[0]).toMatchObject({
      sourceService: 'web',
      destinationService: 'cart',
      destinationNamespace: 'shop',
    });
    expect(first[0]!.requests).toBeGreaterThan(450);
    const later = await source.collect(new Date(t0 + 3 * MINUTE + 1_000));
    expect(later.map((item) => item.minuteUnixMs)).toEqual([t0 + MINUTE, t0 + 2 * MINUTE]);
  });

  it('refuses a bad file naming the field', () => {
    expect(() => parseSyntheticTelemetryFile('edges: [{ requestsPerSecond: -1 }]', 'bad.yaml')).toThrow(
      /bad\.yaml: edges\[0\]/,
    );
    expect(() => parseSyntheticTelemetryFile('edges: [', 'broken.yaml')).toThrow(
      /broken\.yaml: not valid YAML/,
    );
  });
});

describe('PrometheusTelemetrySource', () => {
  const exposition = (requests: number, errors: number) => `
# TYPE istio_requests_total counter
istio_requests_total{reporter="destination",source_canonical_service="web",source_workload_namespace="shop",destination_service_name="cart",destination_service_namespace="shop",response_code="200"} ${requests}
istio_requests_total{reporter="destination",source_canonical_service="web",source_workload_namespace="shop",destination_service_name="cart",destination_service_namespace="shop",response_code="503"} ${errors}
istio_request_duration_milliseconds_bucket{reporter="destination",source_canonical_service="web",source_workload_namespace="shop",destination_service_name="cart",destination_service_namespace="shop",response_code="200",le="10"} ${requests}
istio_request_duration_milliseconds_bucket{reporter="destination",source_canonical_service="web",source_workload_namespace="shop",destination_service_name="cart",destination_service_namespace="shop",response_code="200",le="+Inf"} ${requests}
`;

  it('uses the first scrape as a baseline and then reports the deltas', async () => {
    const pages = [exposition(100, 1), exposition(160, 4)];
    const source = new PrometheusTelemetrySource('http://mesh:15020/stats/prometheus', logger, async () =>
      pages.shift()!,
    );
    expect(await source.collect(new Date(t0 + 10_000))).toEqual([]);
    const items = await source.collect(new Date(t0 + 25_000));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      minuteUnixMs: t0,
      requests: 63,
      errors: 3,
      sourceService: 'web',
      destinationService: 'cart',
    });
    expect(DDSketch.fromJSON(items[0]!.latency).count).toBe(60);
  });

  it('reports nothing for a failed scrape and keeps its baseline', async () => {
    const pages: Array<string | Error> = [
      exposition(10, 0),
      new Error('connection refused'),
      exposition(30, 0),
    ];
    const source = new PrometheusTelemetrySource('http://mesh', logger, async () => {
      const next = pages.shift()!;
      if (next instanceof Error) throw next;
      return next;
    });
    await source.collect(new Date(t0));
    expect(await source.collect(new Date(t0 + 15_000))).toEqual([]);
    expect((await source.collect(new Date(t0 + 30_000)))[0]).toMatchObject({ requests: 20 });
  });
});
