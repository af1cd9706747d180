import { MINUTE_MS } from '../telemetry/telemetry-item';
import { HOUR_MS } from '../telemetry/telemetry-query';
import type { MergedMinute } from './sli';
import type { SloIndicator } from './slo-definition';
import { ZERO_RUNNING_TOTALS } from './slo-series';
import { evaluateSeriesSpan, prependSeriesSpan, runningTotalsShift } from './slo-series-span';

const HOUR = Date.UTC(2026, 5, 10, 12, 0);
const ERROR_RATE: SloIndicator[] = [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }];

function periods(entries: [number, number, number][]): Map<number, MergedMinute> {
  return new Map(
    entries.map(([minuteUnixMs, requests, errors]) => [
      minuteUnixMs,
      { minuteUnixMs, requests, errors, latency: null },
    ]),
  );
}

describe('evaluateSeriesSpan', () => {
  it('judges every minute, continues the running totals and treats minutes without traffic as good', () => {
    const span = evaluateSeriesSpan({
      indicators: ERROR_RATE,
      fromMs: HOUR,
      toMs: HOUR + 3 * MINUTE_MS,
      periods: periods([
        [HOUR, 100, 0],
        [HOUR + MINUTE_MS, 100, 5],
      ]),
      detailFromMs: HOUR,
      before: { requests: 1000, badRequests: 10, badMinutes: 2, dataMinutes: 10 },
    });
    expect(
      span.minutes.map((minute) => [
        minute.minuteMs - HOUR,
        minute.requests,
        minute.badRequests,
        minute.badSlice,
        minute.indicatorValues,
      ]),
    ).toEqual([
      [0, 100, 0, false, [0]],
      [MINUTE_MS, 100, 5, true, [5]],
      [2 * MINUTE_MS, 0, 0, false, [null]],
    ]);
    expect(span.minutes.map((minute) => minute.running)).toEqual([
      { requests: 1100, badRequests: 10, badMinutes: 2, dataMinutes: 11 },
      { requests: 1200, badRequests: 15, badMinutes: 3, dataMinutes: 12 },
      // A minute without requests adds no data minute.
      { requests: 1200, badRequests: 15, badMinutes: 3, dataMinutes: 12 },
    ]);
    expect(span.end).toEqual({ requests: 1200, badRequests: 15, badMinutes: 3, dataMinutes: 12 });
    expect(span.lastIndicators).toEqual([{ indicator: ERROR_RATE[0], value: null, holds: true }]);
  });

  it('keeps only the rows closing an hour before detailFromMs, but counts every minute', () => {
    const span = evaluateSeriesSpan({
      indicators: ERROR_RATE,
      fromMs: HOUR,
      toMs: HOUR + 2 * HOUR_MS,
      periods: periods([[HOUR + 5 * MINUTE_MS, 10, 10]]),
      detailFromMs: HOUR + HOUR_MS + 58 * MINUTE_MS,
      before: ZERO_RUNNING_TOTALS,
    });
    expect(span.minutes.map((minute) => (minute.minuteMs - HOUR) / MINUTE_MS)).toEqual([59, 118, 119]);
    expect(span.minutes[0]!.running).toEqual({
      requests: 10,
      badRequests: 10,
      badMinutes: 1,
      dataMinutes: 1,
    });
    expect(span.end).toEqual({ requests: 10, badRequests: 10, badMinutes: 1, dataMinutes: 1 });
  });
});

describe('prependSeriesSpan', () => {
  it('puts minute-resolution history in front of the origin so later rows keep their totals', () => {
    const origin = { requests: 500, badRequests: 5, badMinutes: 1, dataMinutes: 4 };
    const span = prependSeriesSpan({
      indicators: ERROR_RATE,
      resolution: 'minute',
      fromMs: HOUR - 2 * MINUTE_MS,
      toMs: HOUR,
      periods: periods([
        [HOUR - 2 * MINUTE_MS, 100, 2],
        [HOUR - MINUTE_MS, 100, 0],
      ]),
      detailFromMs: 0,
      origin,
    });
    expect(span.origin).toEqual({ requests: 300, badRequests: 3, badMinutes: 0, dataMinutes: 2 });
    // The last prepended row ends where the series started: at the old origin.
    expect(span.minutes.at(-1)!.running).toEqual(origin);
    expect(span.minutes.map((minute) => minute.badSlice)).toEqual([true, false]);
  });

  it('judges hours from their rollups occurrences-style and stores the row closing each hour', () => {
    const span = prependSeriesSpan({
      indicators: ERROR_RATE,
      resolution: 'hour',
      fromMs: HOUR - 2 * HOUR_MS,
      toMs: HOUR,
      periods: periods([[HOUR - 2 * HOUR_MS, 6000, 120]]),
      detailFromMs: HOUR + HOUR_MS,
      origin: ZERO_RUNNING_TOTALS,
    });
    // 2 % errors of an hour: 1.2 bad minutes, rounded to 1.
    // The hour with requests counts as 60 data minutes; the quiet one as none.
    expect(span.origin).toEqual({ requests: -6000, badRequests: -120, badMinutes: -1, dataMinutes: -60 });
    expect(span.minutes.map((minute) => [minute.minuteMs, minute.badSlice])).toEqual([
      [HOUR - HOUR_MS - MINUTE_MS, true],
      [HOUR - MINUTE_MS, false],
    ]);
    expect(span.minutes.at(-1)!.running).toEqual(ZERO_RUNNING_TOTALS);
  });
});

describe('runningTotalsShift', () => {
  it('is the difference of the recomputed and the stored end, or null when nothing moved', () => {
    const stored = { requests: 100, badRequests: 1, badMinutes: 1, dataMinutes: 5 };
    expect(
      runningTotalsShift(stored, { requests: 150, badRequests: 3, badMinutes: 1, dataMinutes: 6 }),
    ).toEqual({
      requests: 50,
      badRequests: 2,
      badMinutes: 0,
      dataMinutes: 1,
    });
    expect(runningTotalsShift(stored, { ...stored })).toBeNull();
    expect(runningTotalsShift(undefined, stored)).toBeNull();
  });
});
