import { DDSketch, type TelemetryItem } from '@lattice/domain';
import {
  generateSyntheticHistory,
  generateSyntheticTraffic,
  InvalidSyntheticTrafficConfigError,
  MAX_HISTORY_ITEMS,
  MAX_HISTORY_MINUTES,
  syntheticHistoryStart,
  standardNormalCdf,
  validateSyntheticTrafficConfig,
  type LatencySpec,
  type SyntheticEdge,
  type SyntheticTrafficConfig,
} from './synthetic-traffic.generator';

const FROM = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

function edgeWith(latency: LatencySpec, requestsPerSecond: number, errorRatio = 0.01): SyntheticEdge {
  return {
    source: { namespace: 'shop', service: 'frontend' },
    destination: { namespace: 'shop', service: 'cart' },
    requestsPerSecond,
    errorRatio,
    latency,
  };
}

function config(edges: SyntheticEdge[], minutes: number, seed = 1): SyntheticTrafficConfig {
  return { seed, fromUnixMs: FROM, toUnixMs: FROM + minutes * MINUTE, edges };
}

function mergedLatency(items: TelemetryItem[]): DDSketch {
  const merged = new DDSketch();
  for (const item of items) merged.merge(DDSketch.fromJSON(item.latency));
  return merged;
}

function relativeError(actual: number | null, expected: number): number {
  return Math.abs((actual as number) - expected) / expected;
}

describe('generateSyntheticTraffic', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const edges = [edgeWith({ distribution: 'lognormal', p50Ms: 20, p99Ms: 200 }, 50)];
    expect(generateSyntheticTraffic(config(edges, 5, 7))).toEqual(
      generateSyntheticTraffic(config(edges, 5, 7)),
    );
    expect(generateSyntheticTraffic(config(edges, 5, 8))).not.toEqual(
      generateSyntheticTraffic(config(edges, 5, 7)),
    );
  });

  it('gives a minute the same data whatever range or edge order produced it', () => {
    const cart = edgeWith({ distribution: 'exponential', p50Ms: 8 }, 20);
    const payments = {
      ...edgeWith({ distribution: 'normal', p50Ms: 50, p99Ms: 80 }, 5),
      destination: { namespace: 'shop', service: 'payments' },
    };
    const wide = generateSyntheticTraffic(config([cart, payments], 10));
    const narrow = generateSyntheticTraffic({
      seed: 1,
      fromUnixMs: FROM + 3 * MINUTE,
      toUnixMs: FROM + 4 * MINUTE,
      edges: [payments, cart],
    });
    expect(narrow).toEqual(wide.filter((item) => item.minuteUnixMs === FROM + 3 * MINUTE));
  });

  it('produces one item per edge and minute with the configured rate and error ratio', () => {
    const items = generateSyntheticTraffic(
      config([edgeWith({ distribution: 'constant', p50Ms: 12 }, 100, 0.05)], 60),
    );
    expect(items).toHaveLength(60);
    expect(items.map((item) => item.minuteUnixMs)).toEqual(
      Array.from({ length: 60 }, (_, index) => FROM + index * MINUTE),
    );
    const requests = items.reduce((total, item) => total + item.requests, 0);
    const errors = items.reduce((total, item) => total + item.errors, 0);
    expect(relativeError(requests, 100 * 3600)).toBeLessThan(0.01);
    expect(relativeError(errors / requests, 0.05)).toBeLessThan(0.03);
    expect(items.every((item) => DDSketch.fromJSON(item.latency).count === item.requests)).toBe(true);
    expect(mergedLatency(items).quantile(0.99)).toBe(12);
  });

  it('names the caller cluster when given, drawing separately for callers in different clusters', () => {
    const local = edgeWith({ distribution: 'constant', p50Ms: 5 }, 10);
    const remote = { ...local, source: { ...local.source, cluster: 'east' } };
    const items = generateSyntheticTraffic(config([local, remote], 30));
    const fromEast = items.filter((item) => item.sourceCluster === 'east');
    const unnamed = items.filter((item) => item.sourceCluster === undefined);
    expect(fromEast).toHaveLength(30);
    expect(unnamed).toHaveLength(30);
    expect(fromEast.map((item) => item.requests)).not.toEqual(unnamed.map((item) => item.requests));
    // An edge without a source cluster keeps the numbers it had before the field existed.
    expect(unnamed).toEqual(generateSyntheticTraffic(config([local], 30)));
  });

  it('omits minutes without requests', () => {
    const items = generateSyntheticTraffic(config([edgeWith({ distribution: 'constant', p50Ms: 1 }, 0)], 10));
    expect(items).toEqual([]);
  });

  // 1000 rps samples whole buckets at once; 8 rps samples each request: both must match the spec.
  describe.each([
    ['bucket-sampled', 1000, 10],
    ['per-request', 8, 300],
  ])('%s latencies', (_mode, requestsPerSecond, minutes) => {
    it.each<[string, LatencySpec]>([
      ['lognormal', { distribution: 'lognormal', p50Ms: 25, p99Ms: 400 }],
      ['normal', { distribution: 'normal', p50Ms: 100, p99Ms: 160 }],
      ['normal clamped at 0', { distribution: 'normal', p50Ms: 10, p99Ms: 40 }],
      ['exponential', { distribution: 'exponential', p50Ms: 10 }],
      ['shifted exponential', { distribution: 'exponential', p50Ms: 30, p99Ms: 90 }],
    ])('%s has the configured p50 and p99 within 3 %%', (_name, latency) => {
      const sketch = mergedLatency(
        generateSyntheticTraffic(config([edgeWith(latency, requestsPerSecond)], minutes)),
      );
      const expectedP99 = latency.p99Ms ?? latency.p50Ms * (Math.log(100) / Math.log(2));
      expect(relativeError(sketch.quantile(0.5), latency.p50Ms)).toBeLessThan(0.03);
      expect(relativeError(sketch.quantile(0.99), expectedP99)).toBeLessThan(0.03);
    });
  });

  it('throws the validation problems for an invalid config', () => {
    const bad = config([edgeWith({ distribution: 'lognormal', p50Ms: 20 }, -1)], 1);
    expect(() => generateSyntheticTraffic(bad)).toThrow(InvalidSyntheticTrafficConfigError);
    expect(() => generateSyntheticTraffic(bad)).toThrow(
      /edges\[0\]\.requestsPerSecond: must be a number >= 0, got -1/,
    );
  });
});

describe('validateSyntheticTrafficConfig', () => {
  const valid = config([edgeWith({ distribution: 'lognormal', p50Ms: 20, p99Ms: 100 }, 10)], 5);

  it('accepts a valid config', () => {
    expect(validateSyntheticTrafficConfig(valid)).toEqual([]);
  });

  it.each<[string, (edge: SyntheticEdge) => unknown, string, RegExp]>([
    ['a negative rate', (edge) => ({ ...edge, requestsPerSecond: -5 }), 'edges[0].requestsPerSecond', />= 0/],
    ['an error ratio above 1', (edge) => ({ ...edge, errorRatio: 1.2 }), 'edges[0].errorRatio', /\[0, 1\]/],
    ['a negative error ratio', (edge) => ({ ...edge, errorRatio: -0.1 }), 'edges[0].errorRatio', /\[0, 1\]/],
    [
      'p99 below p50',
      (edge) => ({ ...edge, latency: { distribution: 'lognormal', p50Ms: 50, p99Ms: 10 } }),
      'edges[0].latency.p99Ms',
      /must be >= p50Ms \(50\)/,
    ],
    [
      'a missing p99 for lognormal',
      (edge) => ({ ...edge, latency: { distribution: 'lognormal', p50Ms: 50 } }),
      'edges[0].latency.p99Ms',
      /required/,
    ],
    [
      'a zero p50',
      (edge) => ({ ...edge, latency: { distribution: 'constant', p50Ms: 0 } }),
      'edges[0].latency.p50Ms',
      /> 0/,
    ],
    [
      'an unknown distribution',
      (edge) => ({ ...edge, latency: { distribution: 'weibull', p50Ms: 5 } }),
      'edges[0].latency.distribution',
      /lognormal, normal/,
    ],
    [
      'too heavy an exponential tail',
      (edge) => ({ ...edge, latency: { distribution: 'exponential', p50Ms: 10, p99Ms: 100 } }),
      'edges[0].latency.p99Ms',
      /use lognormal/,
    ],
    [
      'a constant with a different p99',
      (edge) => ({ ...edge, latency: { distribution: 'constant', p50Ms: 10, p99Ms: 11 } }),
      'edges[0].latency.p99Ms',
      /must equal p50Ms/,
    ],
    [
      'an empty source cluster',
      (edge) => ({ ...edge, source: { ...edge.source, cluster: '' } }),
      'edges[0].source.cluster',
      /non-empty/,
    ],
    [
      'an empty service name',
      (edge) => ({ ...edge, destination: { namespace: 'shop', service: '' } }),
      'edges[0].destination.service',
      /non-empty/,
    ],
    [
      'a history without minutes',
      (edge) => ({ ...edge, history: { errorRatio: 0.001 } }),
      'edges[0].history.minutes',
      /integer from 1 to 10020/,
    ],
    [
      'a history older than the minute retention',
      (edge) => ({ ...edge, history: { minutes: MAX_HISTORY_MINUTES + 1 } }),
      'edges[0].history.minutes',
      /7-day minute retention\), got 10021/,
    ],
    [
      'a fractional history length',
      (edge) => ({ ...edge, history: { minutes: 10.5 } }),
      'edges[0].history.minutes',
      /an integer/,
    ],
    [
      'a history error ratio above 1',
      (edge) => ({ ...edge, history: { minutes: 60, errorRatio: 2 } }),
      'edges[0].history.errorRatio',
      /\[0, 1\] when given, got 2/,
    ],
    [
      'an incident longer than the history',
      (edge) => ({ ...edge, history: { minutes: 60, incidentMinutes: 61 } }),
      'edges[0].history.incidentMinutes',
      /at most minutes \(60\), got 61/,
    ],
    [
      'a negative incident',
      (edge) => ({ ...edge, history: { minutes: 60, incidentMinutes: -1 } }),
      'edges[0].history.incidentMinutes',
      />= 0/,
    ],
    [
      'a misspelt history field',
      (edge) => ({ ...edge, history: { minutes: 60, incidentMinute: 5 } }),
      'edges[0].history.incidentMinute',
      /not a history field \(minutes, errorRatio, incidentMinutes\)/,
    ],
    [
      'a history that is not an object',
      (edge) => ({ ...edge, history: 9000 }),
      'edges[0].history',
      /must be an object with minutes/,
    ],
  ])('reports %s', (_description, change, path, message) => {
    const problems = validateSyntheticTrafficConfig({ ...valid, edges: [change(valid.edges[0])] });
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe(path);
    expect(problems[0].message).toMatch(message);
  });

  it('bounds the history of all edges together by what the telemetry backlog holds', () => {
    const edge = { ...valid.edges[0], history: { minutes: MAX_HISTORY_MINUTES } };
    const edges = Array.from({ length: Math.floor(MAX_HISTORY_ITEMS / MAX_HISTORY_MINUTES) }, () => edge);
    expect(validateSyntheticTrafficConfig({ ...valid, edges })).toEqual([]);
    expect(validateSyntheticTrafficConfig({ ...valid, edges: [...edges, edge] })).toEqual([
      {
        path: 'edges',
        message: expect.stringMatching(/history adds up to 60120 minutes .* more than 60000/),
      },
    ]);
  });

  it('reports an inverted time range and a missing edge list together', () => {
    const problems = validateSyntheticTrafficConfig({ seed: 1, fromUnixMs: 10, toUnixMs: 5 });
    expect(problems.map((problem) => problem.path)).toEqual(['toUnixMs', 'edges']);
  });
});

describe('standardNormalCdf', () => {
  it.each([
    [0, 0.5],
    [1.959964, 0.975],
    [-2.326348, 0.01],
  ])('Φ(%p) ≈ %p', (z, expected) => {
    expect(standardNormalCdf(z)).toBeCloseTo(expected, 6);
  });
});

describe('generateSyntheticHistory', () => {
  const UNTIL = FROM + 3 * 24 * 60 * MINUTE + 30_000; // rounded down to its minute
  const END = FROM + 3 * 24 * 60 * MINUTE;
  const failing: SyntheticEdge = {
    ...edgeWith({ distribution: 'lognormal', p50Ms: 8, p99Ms: 60 }, 13, 0.03),
    history: { minutes: 600, errorRatio: 0.002, incidentMinutes: 10 },
  };
  const quiet: SyntheticEdge = {
    ...edgeWith({ distribution: 'constant', p50Ms: 5 }, 2, 0.5),
    destination: { namespace: 'shop', service: 'payments' },
    history: { minutes: 30 },
  };
  const live = {
    ...edgeWith({ distribution: 'constant', p50Ms: 5 }, 2),
    destination: { namespace: 'shop', service: 'live' },
  };

  it('reports each edge’s minutes before the current one, the last incidentMinutes at the current error ratio', () => {
    const items = generateSyntheticHistory({ seed: 3, edges: [failing, quiet, live], untilUnixMs: UNTIL });
    const cart = items.filter((item) => item.destinationService === 'cart');
    expect(cart.map((item) => item.minuteUnixMs)).toEqual(
      Array.from({ length: 600 }, (_, index) => END - (600 - index) * MINUTE),
    );
    const errorRatio = (list: TelemetryItem[]) =>
      list.reduce((sum, item) => sum + item.errors, 0) / list.reduce((sum, item) => sum + item.requests, 0);
    const past = cart.filter((item) => item.minuteUnixMs < END - 10 * MINUTE);
    const incident = cart.filter((item) => item.minuteUnixMs >= END - 10 * MINUTE);
    expect(incident).toHaveLength(10);
    expect(errorRatio(past)).toBeCloseTo(0.002, 3);
    expect(errorRatio(incident)).toBeGreaterThan(0.02);
    // Judged per minute against a 1 % objective: only the incident's minutes are bad.
    const bad = cart.filter((item) => item.errors / item.requests > 0.01);
    expect(bad.map((item) => item.minuteUnixMs)).toEqual(incident.map((item) => item.minuteUnixMs));
    // Without an error ratio of its own the history fails like the edge; no incident by default.
    const payments = items.filter((item) => item.destinationService === 'payments');
    expect(payments).toHaveLength(30);
    expect(errorRatio(payments)).toBeGreaterThan(0.3);
    expect(items.some((item) => item.destinationService === 'live')).toBe(false);
    expect(syntheticHistoryStart([failing, quiet, live], UNTIL)).toBe(END - 600 * MINUTE);
  });

  it('matches live traffic minute by minute except for the error counts, and comes out the same in slices', () => {
    const whole = generateSyntheticHistory({ seed: 3, edges: [failing], untilUnixMs: UNTIL });
    const asLive = generateSyntheticTraffic({
      seed: 3,
      fromUnixMs: END - 600 * MINUTE,
      toUnixMs: END,
      edges: [failing],
    });
    expect(whole.map((item) => [item.minuteUnixMs, item.requests, item.latency])).toEqual(
      asLive.map((item) => [item.minuteUnixMs, item.requests, item.latency]),
    );
    expect(whole.slice(-10).map((item) => item.errors)).toEqual(asLive.slice(-10).map((item) => item.errors));
    const slices = [0, 250, 500].flatMap((offset) =>
      generateSyntheticHistory({
        seed: 3,
        edges: [failing],
        untilUnixMs: UNTIL,
        fromUnixMs: END - (600 - offset) * MINUTE,
        toUnixMs: Math.min(END, END - (600 - offset - 250) * MINUTE),
      }),
    );
    expect(slices).toEqual(whole);
  });

  it('refuses an invalid history naming the field', () => {
    expect(() =>
      generateSyntheticHistory({
        seed: 1,
        edges: [{ ...failing, history: { minutes: 0 } }],
        untilUnixMs: UNTIL,
      }),
    ).toThrow(/edges\[0\]\.history\.minutes: must be an integer from 1/);
  });
});
