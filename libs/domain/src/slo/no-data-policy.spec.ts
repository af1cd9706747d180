import { MINUTE_MS } from '../telemetry/telemetry-item';
import { evaluateSlo } from './evaluate-slo';
import { mergeMinuteBuckets, minuteVerdict, type SloMinuteBucket } from './sli';
import { type SloDefinition, type SloNoDataPolicy } from './slo-definition';
import { addVerdict, ZERO_RUNNING_TOTALS, type RunningTotals } from './slo-series';
import { sloHistoryPoints } from './slo-window-totals';

// Hand-computed series for the no-data policy. Minute k is [NOW − k min, NOW − k min + 1 min).
const NOW = Date.UTC(2026, 5, 10, 12, 0);
const minute = (k: number): number => NOW - k * MINUTE_MS;

/**
 * k = 1..4:   100 requests, 50 errors  → bad (50 % > 1 %)
 * k = 5:      100 requests, 0 errors   → good
 * k = 6..30:  no bucket at all         → no data
 * k = 31..60: 100 requests, 0 errors   → good
 * k = 61..:   no bucket                → no data
 * plus k = 100 with 0 requests (reported but quiet) → no data.
 *
 * Span counts (minutes / with data / bad / quiet):
 *   5m:   5 /  5 / 4 /    0
 *   30m: 30 /  5 / 4 /   25
 *   1h:  60 / 35 / 4 /   25
 *   2h: 120 / 35 / 4 /   85
 *   6h: 360 / 35 / 4 /  325
 *   1d: 1440 / 35 / 4 / 1405   (also the SLO window)
 *   3d: 4320 / 35 / 4 / 4285
 */
function series(): SloMinuteBucket[] {
  const buckets: SloMinuteBucket[] = [];
  for (let k = 1; k <= 4; k++) buckets.push({ minuteUnixMs: minute(k), requests: 100, errors: 50 });
  buckets.push({ minuteUnixMs: minute(5), requests: 100, errors: 0 });
  for (let k = 31; k <= 60; k++) buckets.push({ minuteUnixMs: minute(k), requests: 100, errors: 0 });
  buckets.push({ minuteUnixMs: minute(100), requests: 0, errors: 0 });
  return buckets;
}

const slo = (noDataPolicy: SloNoDataPolicy, overrides: Partial<SloDefinition> = {}): SloDefinition => ({
  indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
  // 99 %: 1 % of the 1-day window may be bad, i.e. a budget of 14.4 minutes.
  targetPercent: 99,
  window: '1d',
  budgeting: 'TIME_SLICES',
  type: 'ACTIONABLE',
  noDataPolicy,
  ...overrides,
});

describe('no-data policy, time slices (1-day window, 99 %)', () => {
  it('GOOD counts the 1,405 quiet minutes as good', () => {
    const result = evaluateSlo(slo('GOOD'), series(), NOW, []);
    // 4 bad of 1,440 minutes.
    expect(result.compliance).toBeCloseTo(1 - 4 / 1440, 12); // 0.99722
    expect(result.meetsTarget).toBe(true);
    expect(result.budget.totalDurationMs).toBeCloseTo(14.4 * MINUTE_MS, 6);
    expect(result.budget.consumedFraction).toBeCloseTo(4 / 14.4, 12); // 0.2778
    // burn = bad fraction / 0.01
    expect(result.burnRates['5m']).toBeCloseTo(80, 9); // 4/5
    expect(result.burnRates['30m']).toBeCloseTo(40 / 3, 9); // 4/30
    expect(result.burnRates['1h']).toBeCloseTo(20 / 3, 9); // 4/60
    expect(result.burnRates['2h']).toBeCloseTo(10 / 3, 9); // 4/120
    expect(result.burnRates['6h']).toBeCloseTo(10 / 9, 9); // 4/360
    expect(result.burnRates['1d']).toBeCloseTo(4 / 14.4, 9); // 4/1440
    expect(result.burnRates['3d']).toBeCloseTo(4 / 43.2, 9); // 4/4320
  });

  it('BAD counts the quiet minutes as bad', () => {
    const result = evaluateSlo(slo('BAD'), series(), NOW, []);
    // 4 + 1,405 = 1,409 bad of 1,440 minutes: 31 good.
    expect(result.compliance).toBeCloseTo(31 / 1440, 12); // 0.0215
    expect(result.meetsTarget).toBe(false);
    expect(result.budget.totalDurationMs).toBeCloseTo(14.4 * MINUTE_MS, 6);
    expect(result.budget.consumedFraction).toBeCloseTo(1409 / 14.4, 9); // 97.85
    expect(result.status).toBe('VIOLATED');
    expect(result.burnRates['5m']).toBeCloseTo(80, 9); // 4/5 (no quiet minute)
    expect(result.burnRates['30m']).toBeCloseTo((29 / 30) * 100, 9); // (4 + 25)/30
    expect(result.burnRates['1h']).toBeCloseTo((29 / 60) * 100, 9); // (4 + 25)/60
    expect(result.burnRates['2h']).toBeCloseTo((89 / 120) * 100, 9); // (4 + 85)/120
    expect(result.burnRates['6h']).toBeCloseTo((329 / 360) * 100, 9); // (4 + 325)/360
    expect(result.burnRates['1d']).toBeCloseTo((1409 / 1440) * 100, 9);
    expect(result.burnRates['3d']).toBeCloseTo((4289 / 4320) * 100, 9); // (4 + 4,285)/4,320
  });

  it('IGNORE judges the 35 minutes with traffic only, and shrinks the budget to them', () => {
    const result = evaluateSlo(slo('IGNORE'), series(), NOW, []);
    // 4 bad of 35 counted minutes.
    expect(result.compliance).toBeCloseTo(31 / 35, 12); // 0.8857
    expect(result.meetsTarget).toBe(false);
    // Budget: 1 % of the 35 counted minutes = 0.35 minutes; 4 bad minutes spend 11.43 of it.
    expect(result.budget.totalDurationMs).toBeCloseTo(0.35 * MINUTE_MS, 6);
    expect(result.budget.consumedFraction).toBeCloseTo(4 / 0.35, 9);
    expect(result.budget.remainingDurationMs).toBeCloseTo((0.35 - 4) * MINUTE_MS, 6);
    expect(result.status).toBe('VIOLATED');
    expect(result.burnRates['5m']).toBeCloseTo(80, 9); // 4/5
    expect(result.burnRates['30m']).toBeCloseTo(80, 9); // 4/5: the 25 quiet minutes do not count
    for (const window of ['1h', '2h', '6h', '1d', '3d'] as const)
      expect(result.burnRates[window]).toBeCloseTo((4 / 35) * 100, 9); // 11.43
  });

  it('IGNORE with no traffic at all spends nothing and stays healthy', () => {
    const result = evaluateSlo(slo('IGNORE'), [{ minuteUnixMs: minute(3), requests: 0, errors: 0 }], NOW, []);
    expect(result.compliance).toBe(1);
    expect(result.budget.totalDurationMs).toBe(0);
    expect(result.budget.consumedFraction).toBe(0);
    expect(Object.values(result.burnRates)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(result.status).toBe('HEALTHY');
  });
});

describe('no-data policy, calendar month (99.9 %)', () => {
  // 1 Feb 2026 01:00 UTC: 60 minutes of February (28 days = 40,320 minutes) have passed.
  // k = 1..10: 100 requests each, k = 1 with 50 errors (bad); k = 11..60: no data (50 minutes).
  const now = Date.UTC(2026, 1, 1, 1, 0);
  const buckets = Array.from({ length: 10 }, (_, index) => ({
    minuteUnixMs: now - (index + 1) * MINUTE_MS,
    requests: 100,
    errors: index === 0 ? 50 : 0,
  }));
  const monthSlo = (noDataPolicy: SloNoDataPolicy) =>
    slo(noDataPolicy, { window: 'CALENDAR_MONTH', targetPercent: 99.9 });

  it('GOOD: budget over the whole month, the 50 quiet minutes good', () => {
    const result = evaluateSlo(monthSlo('GOOD'), buckets, now, []);
    expect(result.compliance).toBeCloseTo(1 - 1 / 60, 12);
    expect(result.budget.totalDurationMs).toBeCloseTo(40.32 * MINUTE_MS, 6); // 0.1 % of 40,320
    expect(result.budget.consumedFraction).toBeCloseTo(1 / 40.32, 12);
  });

  it('IGNORE: the quiet minutes so far leave the month, the rest of it still counts', () => {
    const result = evaluateSlo(monthSlo('IGNORE'), buckets, now, []);
    expect(result.compliance).toBeCloseTo(1 - 1 / 10, 12);
    // 0.1 % of (40,320 − 50) minutes = 40.27 minutes.
    expect(result.budget.totalDurationMs).toBeCloseTo(40.27 * MINUTE_MS, 6);
    expect(result.budget.consumedFraction).toBeCloseTo(1 / 40.27, 12);
  });

  it('BAD: the 50 quiet minutes spend the budget too', () => {
    const result = evaluateSlo(monthSlo('BAD'), buckets, now, []);
    expect(result.compliance).toBeCloseTo(1 - 51 / 60, 12);
    expect(result.budget.consumedFraction).toBeCloseTo(51 / 40.32, 12);
  });
});

describe('no-data policy, occurrences', () => {
  it('GOOD and IGNORE agree: a quiet minute has no request to count', () => {
    const good = evaluateSlo(slo('GOOD', { budgeting: 'OCCURRENCES' }), series(), NOW, []);
    const ignore = evaluateSlo(slo('IGNORE', { budgeting: 'OCCURRENCES' }), series(), NOW, []);
    // 200 failed of 3,500 requests; budget 1 % of 3,500 = 35 requests.
    expect(good.compliance).toBeCloseTo(1 - 200 / 3500, 12);
    expect(good.budget.consumedFraction).toBeCloseTo(200 / 35, 12);
    expect(ignore.compliance).toBe(good.compliance);
    expect(ignore.budget).toEqual(good.budget);
    expect(ignore.burnRates).toEqual(good.burnRates);
  });
});

describe('no-data policy, history', () => {
  // The same series through running totals, as the evaluation job stores them.
  function before(): (beforeMs: number) => RunningTotals {
    const rows: [number, RunningTotals][] = [];
    let running = ZERO_RUNNING_TOTALS;
    for (const merged of mergeMinuteBuckets(series())) {
      running = addVerdict(running, minuteVerdict(slo('GOOD').indicators, merged));
      rows.push([merged.minuteUnixMs, running]);
    }
    return (beforeMs) => rows.filter(([minuteMs]) => minuteMs < beforeMs).at(-1)?.[1] ?? ZERO_RUNNING_TOTALS;
  }
  const points = (noDataPolicy: SloNoDataPolicy, range: { fromMs: number; toMs: number; stepMs: number }) =>
    sloHistoryPoints(
      { ...slo(noDataPolicy), window: { kind: 'ROLLING', lengthMs: 1440 * MINUTE_MS } },
      { ...range, points: Math.ceil((range.toMs - range.fromMs) / range.stepMs) },
      before(),
      NOW,
    ).map((point) => [point.badMinutes, point.sli]);

  // Buckets of 5 minutes: k = 15..11 (quiet), k = 10..6 (quiet), k = 5..1 (4 bad, 1 good).
  const range = { fromMs: minute(15), toMs: NOW, stepMs: 5 * MINUTE_MS };

  it('GOOD: quiet buckets are all good', () => {
    expect(points('GOOD', range)).toEqual([
      [0, 1],
      [0, 1],
      [4, expect.closeTo(0.2, 12)],
    ]);
  });

  it('BAD: quiet buckets are all bad', () => {
    expect(points('BAD', range)).toEqual([
      [5, 0],
      [5, 0],
      [4, expect.closeTo(0.2, 12)],
    ]);
  });

  it('IGNORE: quiet buckets have nothing to judge', () => {
    expect(points('IGNORE', range)).toEqual([
      [0, null],
      [0, null],
      [4, expect.closeTo(0.2, 12)],
    ]);
  });

  it('never counts minutes after now, not even as quiet ones', () => {
    // One 10-minute bucket [k = 5, now + 5 min): only its 5 past minutes count, 4 of them bad.
    expect(points('BAD', { fromMs: minute(5), toMs: NOW + 5 * MINUTE_MS, stepMs: 10 * MINUTE_MS })).toEqual([
      [4, expect.closeTo(0.2, 12)],
    ]);
  });
});
