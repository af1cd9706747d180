import { DDSketch } from './ddsketch';
import { MinuteAggregator, type ObservedRequest } from './minute-aggregator';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const edge = {
  sourceNamespace: 'shop',
  sourceService: 'frontend',
  destinationNamespace: 'shop',
  destinationService: 'cart',
};

function request(
  offsetMs: number,
  latencyMs: number,
  isError = false,
  overrides: Partial<ObservedRequest> = {},
): ObservedRequest {
  return { ...edge, timestampUnixMs: T0 + offsetMs, latencyMs, isError, ...overrides };
}

describe('MinuteAggregator', () => {
  it("keeps callers from different clusters apart and names the caller's cluster", () => {
    const aggregator = new MinuteAggregator();
    aggregator.record(request(1_000, 10, false, { sourceCluster: 'east' }));
    aggregator.record(request(2_000, 10, false, { sourceCluster: 'west' }));
    aggregator.record(request(3_000, 10, false, { sourceCluster: 'west' }));
    aggregator.record(request(4_000, 10));
    const items = aggregator.drain(T0 + 60_000);
    expect(items.map((item) => [item.sourceCluster, item.requests])).toEqual([
      [undefined, 1],
      ['east', 1],
      ['west', 2],
    ]);
  });

  it('aggregates requests per minute and edge', () => {
    const aggregator = new MinuteAggregator();
    aggregator.record(request(1_000, 10));
    aggregator.record(request(59_999, 30, true));
    aggregator.record(request(60_000, 20));
    aggregator.record(request(5_000, 40, false, { destinationService: 'payments' }));

    const items = aggregator.drain(T0 + 120_000);
    expect(
      items.map((item) => [item.minuteUnixMs - T0, item.destinationService, item.requests, item.errors]),
    ).toEqual([
      [0, 'cart', 2, 1],
      [0, 'payments', 1, 0],
      [60_000, 'cart', 1, 0],
    ]);
    const firstMinuteLatency = DDSketch.fromJSON(items[0].latency);
    expect(firstMinuteLatency.count).toBe(2);
    expect(firstMinuteLatency.min).toBe(10);
    expect(firstMinuteLatency.max).toBe(30);
    expect(items[0]).toMatchObject(edge);
  });

  it('drains only complete minutes and each minute once', () => {
    const aggregator = new MinuteAggregator();
    aggregator.record(request(10_000, 5));
    aggregator.record(request(70_000, 5));
    // Half-way through the second minute: only the first is complete.
    expect(aggregator.drain(T0 + 90_000).map((item) => item.minuteUnixMs)).toEqual([T0]);
    expect(aggregator.drain(T0 + 90_000)).toEqual([]);
    expect(aggregator.pendingItemCount).toBe(1);
    expect(aggregator.drain(T0 + 120_000).map((item) => item.minuteUnixMs)).toEqual([T0 + 60_000]);
  });

  it('drops and counts requests for minutes already drained', () => {
    const aggregator = new MinuteAggregator();
    aggregator.drain(T0 + 60_000);
    expect(aggregator.record(request(59_000, 5))).toBe(false);
    expect(aggregator.record(request(61_000, 5))).toBe(true);
    expect(aggregator.droppedLateRequests).toBe(1);
    expect(aggregator.drain(T0 + 120_000)).toHaveLength(1);
  });

  it('rejects a negative latency without counting the request', () => {
    const aggregator = new MinuteAggregator();
    expect(() => aggregator.record(request(0, -3))).toThrow(RangeError);
    aggregator.record(request(0, 3));
    expect(aggregator.drain(T0 + 60_000)[0].requests).toBe(1);
  });
});
