import { MINUTE_MS } from '../telemetry/telemetry-item';
import { BURN_RATE_WINDOW_MS, BURN_RATE_WINDOWS } from './burn-rate';
import { evaluateSlo, assessSlo } from './evaluate-slo';
import { indicatorValues, mergeMinuteBuckets, minuteVerdict, type SloMinuteBucket } from './sli';
import { DAY_MS, parseSloWindow, type SloDefinition, type SloWindow } from './slo-definition';
import { addVerdict, ZERO_RUNNING_TOTALS, type RunningTotals } from './slo-series';
import {
  ProbedRunningTotals,
  sloEvaluationProbes,
  sloHistoryPoints,
  sloHistoryProbes,
  sloTotalsFromRunningTotals,
} from './slo-window-totals';

const NOW = Date.UTC(2026, 5, 10, 12, 0);
const HISTORY_MINUTES = 4 * 1440;

const definition: SloDefinition = {
  indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
  targetPercent: 99.5,
  window: '7d',
  budgeting: 'TIME_SLICES',
  type: 'MONITORED',
  noDataPolicy: 'GOOD',
};

function buckets(): SloMinuteBucket[] {
  return Array.from({ length: HISTORY_MINUTES }, (_, index) => ({
    minuteUnixMs: NOW - (HISTORY_MINUTES - index) * MINUTE_MS,
    requests: 1000,
    errors: index % 89 < 2 ? 30 : 0,
  }));
}

/** Running totals through each minute, and a lookup "before a minute" over them, as the series stores them. */
function runningTotals(minutes: readonly SloMinuteBucket[], indicators = definition.indicators) {
  const through = new Map<number, RunningTotals>();
  let running = ZERO_RUNNING_TOTALS;
  for (const minute of mergeMinuteBuckets(minutes)) {
    running = addVerdict(running, minuteVerdict(indicators, minute));
    through.set(minute.minuteUnixMs, running);
  }
  const before = (beforeMs: number): RunningTotals => {
    let latest = ZERO_RUNNING_TOTALS;
    for (const [minuteMs, totals] of through) if (minuteMs < beforeMs) latest = totals;
    return latest;
  };
  return { end: running, before };
}

describe('sloTotalsFromRunningTotals', () => {
  it('gives the same evaluation as summing the minutes', () => {
    const minutes = buckets();
    const window = parseSloWindow(definition.window)!;
    const { end, before } = runningTotals(minutes);
    const totals = sloTotalsFromRunningTotals(window, NOW, end, before);
    const last = mergeMinuteBuckets(minutes).at(-1);
    const fromTotals = assessSlo(definition, NOW, totals, indicatorValues(definition.indicators, last), []);
    expect(fromTotals).toEqual(evaluateSlo(definition, minutes, NOW, []));
  });

  it('asks for the totals before exactly the minutes sloEvaluationProbes names', () => {
    const window: SloWindow = { kind: 'ROLLING', lengthMs: 30 * DAY_MS };
    const asked: number[] = [];
    sloTotalsFromRunningTotals(window, NOW, ZERO_RUNNING_TOTALS, (beforeMs) => {
      asked.push(beforeMs);
      return ZERO_RUNNING_TOTALS;
    });
    const probes = sloEvaluationProbes(window, NOW);
    expect(new Set(asked)).toEqual(new Set(probes));
    expect(probes).toEqual([
      NOW - 30 * DAY_MS,
      ...BURN_RATE_WINDOWS.map((burnWindow) => NOW - BURN_RATE_WINDOW_MS[burnWindow]),
    ]);
  });
});

describe('sloHistoryPoints', () => {
  const window = parseSloWindow(definition.window)!;
  const range = {
    fromMs: NOW - 3 * 60 * MINUTE_MS,
    toMs: NOW + 60 * MINUTE_MS,
    stepMs: 60 * MINUTE_MS,
    points: 4,
  };

  it('asks only for the probes sloHistoryProbes names', () => {
    const { before } = runningTotals(buckets());
    const asked = new Set<number>();
    sloHistoryPoints(
      { ...definition, window },
      range,
      (beforeMs) => (asked.add(beforeMs), before(beforeMs)),
      NOW,
    );
    const probes = new Set(sloHistoryProbes(window, range));
    for (const beforeMs of asked) expect(probes.has(beforeMs)).toBe(true);
  });

  it('gives each bucket its totals and SLI, and budgets only buckets that ended', () => {
    const minutes = buckets();
    const { before } = runningTotals(minutes);
    const points = sloHistoryPoints({ ...definition, window }, range, before, NOW);
    expect(points.map((point) => point.timestamp.getTime())).toEqual(
      [0, 1, 2, 3].map((index) => range.fromMs + index * range.stepMs),
    );
    const badInBucket = (fromMs: number) =>
      minutes.filter(
        (minute) =>
          minute.minuteUnixMs >= fromMs && minute.minuteUnixMs < fromMs + range.stepMs && minute.errors > 10,
      ).length;
    expect(points.slice(0, 3).map((point) => point.badMinutes)).toEqual(
      [0, 1, 2].map((index) => badInBucket(range.fromMs + index * range.stepMs)),
    );
    expect(points[0]!.sli).toBeCloseTo(1 - points[0]!.badMinutes / 60, 12);
    // The last bucket is in the future: nothing judged, no budget yet.
    expect(points[3]).toMatchObject({ requests: 0, sli: null, budgetRemainingFraction: null });
    // Budget left at the end of the third bucket (now) is the evaluation's.
    const evaluation = evaluateSlo(definition, minutes, NOW, []);
    expect(points[2]!.budgetRemainingFraction).toBeCloseTo(evaluation.budget.remainingFraction, 12);
  });
});

describe('ProbedRunningTotals', () => {
  const totals = { requests: 10, badRequests: 2, badMinutes: 1, dataMinutes: 3 };

  it('answers each probe by SLO and minute, and zero where the batch had no answer', () => {
    const probed = new ProbedRunningTotals(
      [
        { sloId: 'a', beforeMs: NOW },
        { sloId: 'b', beforeMs: NOW },
        { sloId: 'a', beforeMs: NOW - MINUTE_MS },
      ],
      [totals, undefined, ZERO_RUNNING_TOTALS],
    );
    expect(probed.of('a', NOW)).toEqual(totals);
    expect(probed.of('b', NOW)).toBe(ZERO_RUNNING_TOTALS);
    expect(probed.of('a', NOW - MINUTE_MS)).toEqual(ZERO_RUNNING_TOTALS);
    expect(probed.of('c', NOW)).toBe(ZERO_RUNNING_TOTALS);
  });
});
