import { MINUTE_MS } from '../telemetry/telemetry-item';
import { BURN_RATE_WINDOW_MS, BURN_RATE_WINDOWS, type BurnRateWindow } from './burn-rate';
import { assessSlo, evaluateSlo } from './evaluate-slo';
import { indicatorValues, mergeMinuteBuckets, minuteVerdict, type SloMinuteBucket, type SpanTotals } from './sli';
import { parseSloWindow, type SloDefinition } from './slo-definition';
import { addVerdict, sloSpanStarts, spanFromRunningTotals, ZERO_RUNNING_TOTALS, type RunningTotals } from './slo-series';

const NOW = Date.UTC(2026, 5, 10, 12, 0);

/** A deterministic stream of minutes with bursts of errors. */
function minutes(count: number): SloMinuteBucket[] {
  return Array.from({ length: count }, (_, index) => ({
    minuteUnixMs: NOW - (count - index) * MINUTE_MS,
    requests: 1000,
    errors: index % 97 < 3 ? 40 : index % 13 === 0 ? 5 : 0,
  }));
}

describe('running totals', () => {
  it('give the same evaluation as summing the minutes, for every window and budgeting method', () => {
    const buckets = minutes(5 * 1440);
    for (const budgeting of ['TIME_SLICES', 'OCCURRENCES'] as const) {
      for (const window of ['7d', '30d', 'CALENDAR_MONTH'] as const) {
        const definition: SloDefinition = {
          indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
          targetPercent: 99.5,
          window,
          budgeting,
          type: 'MONITORED',
        };
        // What the evaluation job stores: running totals after each minute.
        const running = new Map<number, RunningTotals>();
        let total = ZERO_RUNNING_TOTALS;
        const merged = mergeMinuteBuckets(buckets);
        for (const minute of merged) {
          total = addVerdict(total, minuteVerdict(definition.indicators, minute));
          running.set(minute.minuteUnixMs, total);
        }
        const before = (startMs: number) => running.get(startMs - MINUTE_MS) ?? ZERO_RUNNING_TOTALS;
        const starts = sloSpanStarts(parseSloWindow(window)!, NOW);
        const burnWindows = {} as Record<BurnRateWindow, SpanTotals>;
        for (const burnWindow of BURN_RATE_WINDOWS) {
          burnWindows[burnWindow] = spanFromRunningTotals(total, before(starts.burnWindows[burnWindow]), NOW - BURN_RATE_WINDOW_MS[burnWindow], NOW);
        }
        const windowTotals = spanFromRunningTotals(total, before(starts.window), starts.window, NOW);
        const fromTotals = assessSlo(definition, NOW, { window: windowTotals, burnWindows }, indicatorValues(definition.indicators, merged.at(-1)), []);
        const fromMinutes = evaluateSlo(definition, buckets, NOW, []);
        expect(fromTotals.budget.consumedFraction).toBeCloseTo(fromMinutes.budget.consumedFraction, 12);
        expect(fromTotals.compliance).toBeCloseTo(fromMinutes.compliance, 12);
        for (const burnWindow of BURN_RATE_WINDOWS) expect(fromTotals.burnRates[burnWindow]).toBeCloseTo(fromMinutes.burnRates[burnWindow], 9);
        expect(fromTotals.activeAlerts).toEqual(fromMinutes.activeAlerts);
        expect(fromTotals.status).toBe(fromMinutes.status);
      }
    }
  });

  it('subtract to the totals of a span', () => {
    const span = spanFromRunningTotals({ requests: 500, badRequests: 12, badMinutes: 3 }, { requests: 200, badRequests: 2, badMinutes: 1 }, 0, 60 * MINUTE_MS);
    expect(span).toEqual({ minutes: 60, requests: 300, badRequests: 10, badMinutes: 2 });
  });
});
