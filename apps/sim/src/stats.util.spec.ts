import { percentile, summarize } from './stats.util';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => 100 - i);

  it('picks the observed sample at the rank ceil(q * n), whatever the input order', () => {
    expect(percentile(oneToHundred, 0.5)).toBe(50);
    expect(percentile(oneToHundred, 0.99)).toBe(99);
    expect(percentile(oneToHundred, 1)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
  });

  it('does not interpolate between samples', () => {
    expect(percentile([10, 20], 0.5)).toBe(10);
    expect(percentile([10, 20], 0.51)).toBe(20);
    expect(percentile([7], 0.99)).toBe(7);
  });

  it('returns NaN without samples and refuses quantiles outside [0, 1]', () => {
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('leaves the input unsorted', () => {
    const samples = [3, 1, 2];
    percentile(samples, 0.5);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('reports count, extremes, mean and percentiles', () => {
    const summary = summarize(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(summary).toEqual({ count: 1000, min: 1, p50: 500, p90: 900, p99: 990, max: 1000, mean: 500.5 });
  });

  it('is all NaN for no samples', () => {
    expect(summarize([]).p99).toBeNaN();
    expect(summarize([]).count).toBe(0);
  });
});
