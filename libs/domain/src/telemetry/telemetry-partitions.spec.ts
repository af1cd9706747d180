import { partitionOf, partitionsCovering } from './telemetry-partitions';

describe('telemetry partitions', () => {
  it('names a UTC day and its bounds', () => {
    expect(partitionOf('telemetry_minutes', 'day', Date.UTC(2026, 11, 3, 23, 59, 59, 999))).toEqual({
      name: 'telemetry_minutes_p20261203',
      fromMs: Date.UTC(2026, 11, 3),
      toMs: Date.UTC(2026, 11, 4),
    });
  });

  it('names a UTC month and its bounds, across a year end', () => {
    expect(partitionOf('telemetry_hours', 'month', Date.UTC(2026, 11, 31, 12))).toEqual({
      name: 'telemetry_hours_p202612',
      fromMs: Date.UTC(2026, 11, 1),
      toMs: Date.UTC(2027, 0, 1),
    });
  });

  it('covers a range with adjacent partitions, the first holding its start', () => {
    const ranges = partitionsCovering(
      'telemetry_minutes',
      'day',
      Date.UTC(2026, 1, 27, 12),
      Date.UTC(2026, 2, 2, 0, 0, 0, 1),
    );
    expect(ranges.map((range) => range.name)).toEqual([
      'telemetry_minutes_p20260227',
      'telemetry_minutes_p20260228',
      'telemetry_minutes_p20260301',
      'telemetry_minutes_p20260302',
    ]);
    for (let index = 1; index < ranges.length; index++) {
      expect(ranges[index]?.fromMs).toBe(ranges[index - 1]?.toMs);
    }
  });

  it('covers nothing for an empty range and refuses a non-finite one', () => {
    expect(partitionsCovering('telemetry_hours', 'month', 5, 5)).toEqual([]);
    expect(() => partitionsCovering('telemetry_hours', 'month', 0, Number.POSITIVE_INFINITY)).toThrow(
      RangeError,
    );
  });
});
