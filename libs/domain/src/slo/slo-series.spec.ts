import { MINUTE_MS } from '../telemetry/telemetry-item';
import { BURN_RATE_WINDOW_MS, BURN_RATE_WINDOWS, type BurnRateWindow } from './burn-rate';
import { assessSlo, evaluateSlo } from './evaluate-slo';
import {
  indicatorValues,
  mergeMinuteBuckets,
  minuteVerdict,
  type SloMinuteBucket,
  type SpanTotals,
} from './sli';
import { parseSloWindow, type SloDefinition } from './slo-definition';
import { DDSketch } from '../telemetry/ddsketch';
import {
  addTotals,
  addVerdict,
  alignSeriesSpan,
  hourRollupTotals,
  isHourEnd,
  seriesHistoryStart,
  sloSpanStarts,
  spanFromRunningTotals,
  subtractTotals,
  ZERO_RUNNING_TOTALS,
  type RunningTotals,
} from './slo-series';

const NOW = Date.UTC(2026, 5, 10, 12, 0);

/** A deterministic stream of minutes with bursts of errors. */
/** Every 11th minute quiet (0 requests) and every 17th missing: no data for the no-data policy. */
function minutes(count: number): SloMinuteBucket[] {
  return Array.from({ length: count }, (_, index) => ({
    minuteUnixMs: NOW - (count - index) * MINUTE_MS,
    requests: index % 11 === 0 ? 0 : 1000,
    errors: index % 11 === 0 ? 0 : index % 97 < 3 ? 40 : index % 13 === 0 ? 5 : 0,
  })).filter((_, index) => index % 17 !== 0);
}

describe('running totals', () => {
  it('give the same evaluation as summing the minutes, for every window, budgeting method and no-data policy', () => {
    const buckets = minutes(5 * 1440);
    const cases = (['TIME_SLICES', 'OCCURRENCES'] as const).flatMap((budgeting) =>
      (['GOOD', 'BAD', 'IGNORE'] as const)
        .filter((noDataPolicy) => !(budgeting === 'OCCURRENCES' && noDataPolicy === 'BAD'))
        .flatMap((noDataPolicy) =>
          (['7d', '30d', 'CALENDAR_MONTH'] as const).map((window) => ({ budgeting, noDataPolicy, window })),
        ),
    );
    for (const { budgeting, noDataPolicy, window } of cases) {
      {
        const definition: SloDefinition = {
          indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
          targetPercent: 99.5,
          window,
          budgeting,
          type: 'MONITORED',
          noDataPolicy,
        };
        // What the evaluation job stores: running totals after each minute.
        const running = new Map<number, RunningTotals>();
        let total = ZERO_RUNNING_TOTALS;
        const merged = mergeMinuteBuckets(buckets);
        for (const minute of merged) {
          total = addVerdict(total, minuteVerdict(definition.indicators, minute));
          running.set(minute.minuteUnixMs, total);
        }
        const before = (startMs: number): RunningTotals => {
          // The latest stored row before the start (missing minutes have none).
          for (
            let minuteMs = startMs - MINUTE_MS;
            minuteMs >= NOW - 6 * 1440 * MINUTE_MS;
            minuteMs -= MINUTE_MS
          ) {
            const row = running.get(minuteMs);
            if (row) return row;
          }
          return ZERO_RUNNING_TOTALS;
        };
        const starts = sloSpanStarts(parseSloWindow(window)!, NOW);
        const burnWindows = {} as Record<BurnRateWindow, SpanTotals>;
        for (const burnWindow of BURN_RATE_WINDOWS) {
          burnWindows[burnWindow] = spanFromRunningTotals(
            total,
            before(starts.burnWindows[burnWindow]),
            NOW - BURN_RATE_WINDOW_MS[burnWindow],
            NOW,
          );
        }
        const windowTotals = spanFromRunningTotals(total, before(starts.window), starts.window, NOW);
        const fromTotals = assessSlo(
          definition,
          NOW,
          { window: windowTotals, burnWindows },
          indicatorValues(definition.indicators, merged.at(-1)),
          [],
        );
        const fromMinutes = evaluateSlo(definition, buckets, NOW, []);
        expect(fromTotals.budget.consumedFraction).toBeCloseTo(fromMinutes.budget.consumedFraction, 12);
        expect(fromTotals.compliance).toBeCloseTo(fromMinutes.compliance, 12);
        for (const burnWindow of BURN_RATE_WINDOWS)
          expect(fromTotals.burnRates[burnWindow]).toBeCloseTo(fromMinutes.burnRates[burnWindow], 9);
        expect(fromTotals.activeAlerts).toEqual(fromMinutes.activeAlerts);
        expect(fromTotals.status).toBe(fromMinutes.status);
      }
    }
  });

  it('subtract to the totals of a span', () => {
    const span = spanFromRunningTotals(
      { requests: 500, badRequests: 12, badMinutes: 3, dataMinutes: 40 },
      { requests: 200, badRequests: 2, badMinutes: 1, dataMinutes: 15 },
      0,
      60 * MINUTE_MS,
    );
    expect(span).toEqual({ minutes: 60, dataMinutes: 25, requests: 300, badRequests: 10, badMinutes: 2 });
  });
});

describe('series helpers', () => {
  const HOUR = 60 * MINUTE_MS;
  const H0 = Date.UTC(2026, 5, 10, 0, 0);

  it('counts an hour rollup occurrences-style: its bad-request fraction of 60 minutes, rounded', () => {
    const errorRate = [{ kind: 'ERROR_RATE' as const, maxErrorRatePercent: 1 }];
    expect(
      hourRollupTotals(errorRate, { minuteUnixMs: H0, requests: 6000, errors: 500, latency: null }),
    ).toEqual({ requests: 6000, badRequests: 500, badMinutes: 5, dataMinutes: 60 });
    // 0.4 % errors: 0.24 of a minute rounds to none.
    expect(
      hourRollupTotals(errorRate, { minuteUnixMs: H0, requests: 6000, errors: 24, latency: null }),
    ).toEqual({ requests: 6000, badRequests: 24, badMinutes: 0, dataMinutes: 60 });
    expect(hourRollupTotals(errorRate, { minuteUnixMs: H0, requests: 0, errors: 0, latency: null })).toEqual({
      requests: 0,
      badRequests: 0,
      badMinutes: 0,
      dataMinutes: 0,
    });
    const sketch = new DDSketch();
    for (let index = 0; index < 90; index++) sketch.add(20);
    for (let index = 0; index < 10; index++) sketch.add(500);
    const latency = [{ kind: 'LATENCY' as const, percentile: 'p99' as const, thresholdMs: 100 }];
    expect(
      hourRollupTotals(latency, { minuteUnixMs: H0, requests: 100, errors: 0, latency: sketch }),
    ).toEqual({ requests: 100, badRequests: 10, badMinutes: 6, dataMinutes: 60 });
  });

  it('adds and subtracts totals, so a prepended stretch ends where the series began', () => {
    const origin: RunningTotals = { requests: 10, badRequests: 2, badMinutes: 1, dataMinutes: 4 };
    const stretch = { requests: 100, badRequests: 7, badMinutes: 3, dataMinutes: 9 };
    const before = subtractTotals(origin, stretch);
    expect(before).toEqual({ requests: -90, badRequests: -5, badMinutes: -2, dataMinutes: -5 });
    expect(addTotals(before, stretch)).toEqual(origin);
  });

  it('wants history back to the window start, and at least the 3-day burn window, in whole hours', () => {
    const now = H0 + 10 * HOUR + 17 * MINUTE_MS;
    expect(seriesHistoryStart(parseSloWindow('30d')!, now)).toBe(H0 - 30 * 24 * HOUR + 10 * HOUR);
    expect(seriesHistoryStart(parseSloWindow('1d')!, now)).toBe(H0 - 3 * 24 * HOUR + 10 * HOUR);
    // June 10th: the calendar month began on the 1st, further back than 3 days.
    expect(seriesHistoryStart(parseSloWindow('CALENDAR_MONTH')!, now)).toBe(Date.UTC(2026, 5, 1));
  });

  it('knows the row that closes an hour', () => {
    expect(isHourEnd(H0 + 59 * MINUTE_MS)).toBe(true);
    expect(isHourEnd(H0)).toBe(false);
    expect(isHourEnd(H0 + 30 * MINUTE_MS)).toBe(false);
  });

  it('widens spans to whole hours where only hour-closing rows are kept, never before the series start', () => {
    const detailFrom = H0 + 10 * HOUR;
    // In minute detail: kept as is (rounded to minutes).
    expect(
      alignSeriesSpan(H0 + 11 * HOUR + 5 * MINUTE_MS + 7, H0 + 11 * HOUR + 9 * MINUTE_MS, detailFrom, H0),
    ).toEqual({
      fromMs: H0 + 11 * HOUR + 5 * MINUTE_MS,
      toMs: H0 + 11 * HOUR + 9 * MINUTE_MS,
    });
    // Before detail: whole hours.
    expect(
      alignSeriesSpan(H0 + 2 * HOUR + 5 * MINUTE_MS, H0 + 3 * HOUR + 1 * MINUTE_MS, detailFrom, H0),
    ).toEqual({ fromMs: H0 + 2 * HOUR, toMs: H0 + 4 * HOUR });
    // Straddling: the start widens, the end (in detail) stays.
    expect(
      alignSeriesSpan(H0 + 9 * HOUR + 30 * MINUTE_MS, H0 + 10 * HOUR + 3 * MINUTE_MS, detailFrom, H0),
    ).toEqual({ fromMs: H0 + 9 * HOUR, toMs: H0 + 10 * HOUR + 3 * MINUTE_MS });
    // A series that began mid-hour: its origin is the totals before it.
    expect(
      alignSeriesSpan(
        H0 + 2 * HOUR + 40 * MINUTE_MS,
        H0 + 2 * HOUR + 50 * MINUTE_MS,
        detailFrom,
        H0 + 2 * HOUR + 20 * MINUTE_MS,
      ),
    ).toEqual({
      fromMs: H0 + 2 * HOUR + 20 * MINUTE_MS,
      toMs: H0 + 3 * HOUR,
    });
  });
});
