import { DomainError } from '../errors';
import {
  reportedDurationMs,
  HOUR_MS,
  planAggregateReads,
  planSeriesReads,
  seriesBucket,
  validateSeriesRequest,
  validateTimeRange,
} from './telemetry-query';

const T0 = Date.UTC(2026, 10, 21, 0, 0, 0);
const at = (ms: number) => new Date(T0 + ms);
const MIN = 60_000;

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('validateSeriesRequest', () => {
  it('accepts whole-minute ranges and steps and counts the points', () => {
    expect(validateSeriesRequest(at(0), at(HOUR_MS), 300)).toEqual({
      fromMs: T0,
      toMs: T0 + HOUR_MS,
      stepMs: 300_000,
      points: 12,
    });
    // A last bucket cut short by `to` is still a point.
    expect(validateSeriesRequest(at(0), at(7 * MIN), 300).points).toBe(2);
  });

  it('refuses a step that is not a whole number of minutes', () => {
    expect(messageOf(() => validateSeriesRequest(at(0), at(HOUR_MS), 90))).toMatch(
      /^step: must be a whole number of minutes/,
    );
    expect(messageOf(() => validateSeriesRequest(at(0), at(HOUR_MS), 0))).toMatch(/^step:/);
  });

  it('refuses more than 1,440 points and says which step would do', () => {
    expect(messageOf(() => validateSeriesRequest(at(0), at(2 * 24 * HOUR_MS), 60))).toBe(
      'step: yields 2880 points over this range, more than 1440; use a step of at least 120 s',
    );
    expect(validateSeriesRequest(at(0), at(24 * HOUR_MS), 60).points).toBe(1_440);
  });

  it('lists every problem of the range at once', () => {
    expect(messageOf(() => validateSeriesRequest(at(30_000), at(HOUR_MS + 1), 60))).toBe(
      'from: must be a whole minute, got 2026-11-21T00:00:30.000Z; to: must be a whole minute, got 2026-11-21T01:00:00.001Z',
    );
  });
});

describe('validateTimeRange', () => {
  it('needs from before to and at most 31 days', () => {
    expect(messageOf(() => validateTimeRange(at(HOUR_MS), at(HOUR_MS)))).toBe('to: must be after from');
    expect(messageOf(() => validateTimeRange(at(0), at(31 * 24 * HOUR_MS + MIN)))).toBe(
      'to: must be at most 31 days after from',
    );
    expect(validateTimeRange(at(0), at(31 * 24 * HOUR_MS))).toEqual({
      fromMs: T0,
      toMs: T0 + 31 * 24 * HOUR_MS,
    });
    expect(messageOf(() => validateTimeRange(new Date('nope'), at(0)))).toBe(
      'from: must be a valid date-time',
    );
  });

  it('answers a validation error, not a TypeError, when a date is missing', () => {
    const missing = null as unknown as Date;
    expect(messageOf(() => validateTimeRange(missing, at(0)))).toBe('from: must be a valid date-time');
    expect(messageOf(() => validateSeriesRequest(at(0), missing, 60))).toBe('to: must be a valid date-time');
  });
});

describe('planSeriesReads', () => {
  const hourly = validateSeriesRequest(at(0), at(6 * HOUR_MS), 3600);

  it('reads only minutes before any rollup completed', () => {
    expect(planSeriesReads(hourly, null)).toEqual({
      hours: null,
      minutes: [{ fromMs: T0, toMs: T0 + 6 * HOUR_MS }],
    });
  });

  it('reads rolled-up hours and the tail after the rollup from minutes', () => {
    expect(planSeriesReads(hourly, T0 + 4 * HOUR_MS)).toEqual({
      hours: { fromMs: T0, toMs: T0 + 4 * HOUR_MS },
      minutes: [{ fromMs: T0 + 4 * HOUR_MS, toMs: T0 + 6 * HOUR_MS }],
    });
    expect(planSeriesReads(hourly, T0 + 10 * HOUR_MS)).toEqual({
      hours: { fromMs: T0, toMs: T0 + 6 * HOUR_MS },
      minutes: [],
    });
  });

  it('reads minutes when buckets are not whole hours on hour boundaries', () => {
    const fiveMinutes = validateSeriesRequest(at(0), at(6 * HOUR_MS), 300);
    expect(planSeriesReads(fiveMinutes, T0 + 10 * HOUR_MS).hours).toBeNull();
    const offset = validateSeriesRequest(at(30 * MIN), at(6 * HOUR_MS + 30 * MIN), 3600);
    expect(planSeriesReads(offset, T0 + 10 * HOUR_MS).hours).toBeNull();
  });

  it('reads minutes for a range that ends before a whole hour when the rollup is older', () => {
    expect(planSeriesReads(hourly, T0).hours).toBeNull();
  });
});

describe('planAggregateReads', () => {
  it('reads whole rolled-up hours from hours and the ragged ends from minutes', () => {
    const range = { fromMs: T0 + 10 * MIN, toMs: T0 + 5 * HOUR_MS + 20 * MIN };
    expect(planAggregateReads(range, T0 + 3 * HOUR_MS)).toEqual({
      hours: { fromMs: T0 + HOUR_MS, toMs: T0 + 3 * HOUR_MS },
      minutes: [
        { fromMs: T0 + 10 * MIN, toMs: T0 + HOUR_MS },
        { fromMs: T0 + 3 * HOUR_MS, toMs: T0 + 5 * HOUR_MS + 20 * MIN },
      ],
    });
  });

  it('reads minutes when no whole rolled-up hour lies inside the range', () => {
    const range = { fromMs: T0 + 10 * MIN, toMs: T0 + 50 * MIN };
    expect(planAggregateReads(range, T0 + 3 * HOUR_MS)).toEqual({ hours: null, minutes: [range] });
    expect(planAggregateReads({ fromMs: T0, toMs: T0 + 2 * HOUR_MS }, null).hours).toBeNull();
  });
});

describe('seriesBucket', () => {
  it('cuts the last bucket at `to`', () => {
    const request = validateSeriesRequest(at(0), at(7 * MIN), 300);
    expect(seriesBucket(request, 1)).toEqual({ fromMs: T0 + 5 * MIN, toMs: T0 + 7 * MIN });
  });
});

describe('reportedDurationMs', () => {
  const minute = 60_000;
  const now = Date.UTC(2026, 11, 3, 12, 30, 20);
  const at = (minutes: number) => Date.UTC(2026, 11, 3, 12, 30) + minutes * minute;

  it('is the whole range when it ended before the current minute', () => {
    expect(reportedDurationMs({ fromMs: at(-10), toMs: at(0) }, now)).toBe(10 * minute);
  });

  it('counts only the whole past minutes of a range still in progress', () => {
    expect(reportedDurationMs({ fromMs: at(-3), toMs: at(2) }, now)).toBe(3 * minute);
  });

  it('is 0 for a range starting in the current minute or later', () => {
    expect(reportedDurationMs({ fromMs: at(0), toMs: at(5) }, now)).toBe(0);
    expect(reportedDurationMs({ fromMs: at(5), toMs: at(10) }, now)).toBe(0);
  });
});
