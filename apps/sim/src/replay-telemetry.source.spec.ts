import { MINUTE_MS } from '@lattice/domain';
import { ReplayTelemetrySource } from './replay-telemetry.source';

const edges = [
  {
    source: { namespace: 'bookinfo', service: 'productpage' },
    destination: { namespace: 'bookinfo', service: 'details' },
    requestsPerSecond: 10,
    errorRatio: 0,
    latency: { distribution: 'constant' as const, p50Ms: 5 },
  },
];
const now = new Date(Date.UTC(2026, 0, 1, 12, 0, 30));
const minutes = (items: { minuteUnixMs?: unknown }[]) => items.map((item) => Number(item.minuteUnixMs));

describe('ReplayTelemetrySource', () => {
  it('in real time reports only minutes completed since the previous call', async () => {
    const source = new ReplayTelemetrySource({ seed: 1, edges, minutesPerReport: 0, backfillMinutes: 60 });
    expect(await source.collect(now)).toEqual([]);
    const later = await source.collect(new Date(now.getTime() + 2 * MINUTE_MS));
    expect(minutes(later)).toEqual([Date.UTC(2026, 0, 1, 12, 0), Date.UTC(2026, 0, 1, 12, 1)]);
  });

  it('replays history a fixed number of minutes per report and never reports an unfinished minute', async () => {
    const source = new ReplayTelemetrySource({ seed: 1, edges, minutesPerReport: 3, backfillMinutes: 5 });
    const start = Date.UTC(2026, 0, 1, 11, 55);
    expect(minutes(await source.collect(now))).toEqual([start, start + MINUTE_MS, start + 2 * MINUTE_MS]);
    expect(minutes(await source.collect(now))).toEqual([start + 3 * MINUTE_MS, start + 4 * MINUTE_MS]);
    expect(await source.collect(now)).toEqual([]);
  });

  it('with templateMinutes replays a cycle of generated minutes with their timestamps moved', async () => {
    const lively = [
      {
        ...edges[0],
        requestsPerSecond: 3,
        latency: { distribution: 'lognormal' as const, p50Ms: 5, p99Ms: 50 },
      },
    ];
    const source = new ReplayTelemetrySource({
      seed: 1,
      edges: lively,
      minutesPerReport: 4,
      backfillMinutes: 4,
      templateMinutes: 2,
    });
    const items = await source.collect(now);
    const start = Date.UTC(2026, 0, 1, 11, 56);
    expect(minutes(items)).toEqual([start, start + MINUTE_MS, start + 2 * MINUTE_MS, start + 3 * MINUTE_MS]);
    const { minuteUnixMs: _first, ...firstRest } = items[0];
    const { minuteUnixMs: _third, ...thirdRest } = items[2];
    expect(thirdRest).toEqual(firstRest);
    expect(items[1]).not.toEqual({ ...items[0], minuteUnixMs: items[1].minuteUnixMs });
  });
});
