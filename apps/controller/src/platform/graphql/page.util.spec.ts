import { seriesComplexity, seriesPoints } from './page.util';

const DAY = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z') };

describe('seriesComplexity', () => {
  it('counts the points a series returns, capped at 1,440', () => {
    expect(seriesPoints({ ...DAY, step: 60 })).toBe(1_440);
    expect(seriesPoints({ ...DAY, step: 300 })).toBe(288);
    expect(seriesPoints({ from: DAY.from.toISOString(), to: DAY.to.toISOString(), step: 3600 })).toBe(24);
    expect(seriesPoints({ from: DAY.from, to: new Date('2026-03-01T00:00:00Z'), step: 60 })).toBe(1_440);
  });

  it('prices arguments the resolver refuses at the base', () => {
    expect(seriesPoints({ ...DAY, step: 0 })).toBe(1);
    expect(seriesPoints({ from: DAY.to, to: DAY.from, step: 60 })).toBe(1);
    expect(seriesPoints({ from: null, to: DAY.to, step: 60 })).toBe(1);
  });

  it('grows with points and fields per point', () => {
    expect(seriesComplexity({ args: { ...DAY, step: 60 }, childComplexity: 3 })).toBe(10 + 432);
    expect(seriesComplexity({ args: { ...DAY, step: 3600 }, childComplexity: 3 })).toBe(10 + 8);
    // 12 day-long minute series of 3 fields are over the 1,000 limit; two are not.
    expect(12 * seriesComplexity({ args: { ...DAY, step: 60 }, childComplexity: 3 })).toBeGreaterThan(1_000);
    expect(2 * seriesComplexity({ args: { ...DAY, step: 60 }, childComplexity: 3 })).toBeLessThan(1_000);
  });
});
