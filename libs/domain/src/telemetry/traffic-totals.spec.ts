import { DDSketch } from './ddsketch';
import { mergeSketchJson, TrafficTotals, TrafficTotalsByKey } from './traffic-totals';

const sketchOf = (...values: number[]) => values.reduce((sketch, value) => sketch.add(value), new DDSketch());

describe('TrafficTotals', () => {
  it('adds counts, merges sketches and derives rates', () => {
    const totals = new TrafficTotals().add(60, 3, sketchOf(10, 20)).add(60, 3, sketchOf(30, 40));
    const metrics = totals.metrics(60_000);
    expect(metrics).toMatchObject({ requests: 120, errors: 6, requestRate: 2, errorRate: 0.05 });
    // The lower quantile: rank floor(0.99 · 3) = 2 of [10, 20, 30, 40].
    expect(Math.abs((metrics.p99 ?? 0) - 30) / 30).toBeLessThanOrEqual(0.01);
    expect(Math.abs((metrics.p50 ?? 0) - 20) / 20).toBeLessThanOrEqual(0.01);
  });

  it('has no error rate or percentiles without traffic', () => {
    expect(new TrafficTotals().metrics(60_000)).toEqual({
      requests: 0,
      errors: 0,
      requestRate: 0,
      errorRate: null,
      p50: null,
      p90: null,
      p99: null,
    });
  });

  it('gives the same answer whichever way rows are grouped first (rollups equal minutes)', () => {
    const minutes = [sketchOf(1, 2), sketchOf(3, 400), sketchOf(5), sketchOf(60, 70, 80)];
    const flat = new TrafficTotals();
    for (const sketch of minutes) flat.add(1, 0, sketch);
    const hourA = mergeSketchJson(minutes.slice(0, 2).map((sketch) => sketch.toJSON()));
    const hourB = mergeSketchJson(minutes.slice(2).map((sketch) => sketch.toJSON()));
    const rolled = new TrafficTotals().add(2, 0, hourA).add(2, 0, hourB);
    expect(rolled.metrics(1000)).toEqual(flat.metrics(1000));
  });
});

describe('TrafficTotalsByKey', () => {
  it('groups by a collision-free key', () => {
    const byService = new TrafficTotalsByKey<[string, string]>((key) => JSON.stringify(key));
    byService.add(['a|b', 'c'], 1, 0, new DDSketch());
    byService.add(['a', 'b|c'], 2, 0, new DDSketch());
    byService.add(['a|b', 'c'], 3, 1, new DDSketch());
    expect(byService.size).toBe(2);
    expect(byService.get(['a|b', 'c'])?.requests).toBe(4);
  });
});
