import { parseSyntheticTelemetryFile, SyntheticTelemetrySource } from './synthetic-telemetry.source';

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
