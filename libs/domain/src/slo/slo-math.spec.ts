import { burnRateAlertRules, evaluateBurnRateAlerts, THIRTY_DAYS_MS, type ActiveAlert } from './alerting';
import { BURN_RATE_WINDOWS, burnRate, type BurnRates } from './burn-rate';
import { budgetConsumedByBurnRate, computeErrorBudget } from './error-budget';
import {
  DAY_MS,
  parseSloWindow,
  sloWindowBounds,
  validateSloDefinition,
  windowedSlos,
  type SloDefinition,
} from './slo-definition';
import { sloHealth } from './slo-status';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 5, 15, 12, 0);
const GOOD_SLICES = (targetPercent: number) =>
  ({ budgeting: 'TIME_SLICES', noDataPolicy: 'GOOD', targetPercent }) as const;
const OCCURRENCES = (targetPercent: number) =>
  ({ budgeting: 'OCCURRENCES', noDataPolicy: 'IGNORE', targetPercent }) as const;

function rates(values: Partial<BurnRates>): BurnRates {
  const all = Object.fromEntries(BURN_RATE_WINDOWS.map((window) => [window, 0])) as BurnRates;
  return { ...all, ...values };
}

describe('burn rate and budget math', () => {
  it('burns at 1x with 0.1 % errors against a 99.9 % target', () => {
    expect(burnRate(0.001, 99.9)).toBeCloseTo(1, 12);
  });

  it('spends 2 % of a 30-day budget burning 14.4x for one hour', () => {
    expect(burnRate(0.0144, 99.9)).toBeCloseTo(14.4, 10);
    expect(budgetConsumedByBurnRate(14.4, HOUR, THIRTY_DAYS_MS)).toBeCloseTo(0.02, 12);
  });

  it('expresses a time-slice budget as time: 43.2 minutes for 99.9 % over 30 days', () => {
    const budget = computeErrorBudget(GOOD_SLICES(99.9), THIRTY_DAYS_MS, {
      minutes: 43_200,
      dataMinutes: 43_200,
      badMinutes: 10.8,
      requests: 0,
      badRequests: 0,
    });
    expect(budget.totalDurationMs).toBeCloseTo(43.2 * 60_000, 3);
    expect(budget.consumedFraction).toBeCloseTo(0.25, 12);
    expect(budget.remainingFraction).toBeCloseTo(0.75, 12);
    expect(budget.remainingDurationMs).toBeCloseTo(32.4 * 60_000, 3);
  });

  it('measures an occurrence budget against the requests seen', () => {
    const budget = computeErrorBudget(OCCURRENCES(99), THIRTY_DAYS_MS, {
      minutes: 43_200,
      dataMinutes: 43_200,
      badMinutes: 0,
      requests: 10_000,
      badRequests: 150,
    });
    expect(budget.consumedFraction).toBeCloseTo(1.5, 12);
    expect(budget.remainingFraction).toBeCloseTo(-0.5, 12);
    expect(
      computeErrorBudget(OCCURRENCES(99), THIRTY_DAYS_MS, {
        minutes: 43_200,
        dataMinutes: 0,
        badMinutes: 0,
        requests: 0,
        badRequests: 0,
      }).consumedFraction,
    ).toBe(0);
  });
});

describe('burnRateAlertRules', () => {
  it('has the SRE thresholds for a 30-day window', () => {
    const thresholds = burnRateAlertRules(THIRTY_DAYS_MS).map((rule) => [
      rule.id,
      rule.severity,
      rule.longWindow,
      rule.shortWindow,
      rule.threshold,
    ]);
    expect(thresholds).toEqual([
      ['PAGE_1H_5M', 'PAGE', '1h', '5m', expect.closeTo(14.4, 10)],
      ['PAGE_6H_30M', 'PAGE', '6h', '30m', expect.closeTo(6, 10)],
      ['TICKET_1D_2H', 'TICKET', '1d', '2h', expect.closeTo(3, 10)],
      ['TICKET_3D_6H', 'TICKET', '3d', '6h', expect.closeTo(1, 10)],
    ]);
  });

  it.each([
    [7, [3.36, 1.4, 0.7, 7 / 30]],
    [28, [13.44, 5.6, 2.8, 28 / 30]],
    [31, [14.88, 6.2, 3.1, 31 / 30]],
  ])('scales thresholds for a %p-day window so each rule spends the same budget share', (days, expected) => {
    const rules = burnRateAlertRules(days * DAY_MS);
    rules.forEach((rule, index) => expect(rule.threshold).toBeCloseTo(expected[index], 10));
    const longWindowMs = { '1h': HOUR, '6h': 6 * HOUR, '1d': 24 * HOUR, '3d': 72 * HOUR } as Record<
      string,
      number
    >;
    for (const rule of rules) {
      expect(
        budgetConsumedByBurnRate(rule.threshold, longWindowMs[rule.longWindow], days * DAY_MS),
      ).toBeCloseTo(rule.budgetFraction, 12);
    }
  });
});

describe('evaluateBurnRateAlerts', () => {
  const rules = burnRateAlertRules(THIRTY_DAYS_MS);

  it('does not fire when only the long window burns', () => {
    expect(evaluateBurnRateAlerts(rules, rates({ '1h': 20 }), [], NOW)).toEqual({ active: [], events: [] });
  });

  it('does not fire when only the short window burns', () => {
    expect(evaluateBurnRateAlerts(rules, rates({ '5m': 500 }), [], NOW)).toEqual({ active: [], events: [] });
  });

  it('fires when both windows exceed the threshold', () => {
    const result = evaluateBurnRateAlerts(rules, rates({ '1h': 20, '5m': 20 }), [], NOW);
    expect(result.active).toEqual([{ ruleId: 'PAGE_1H_5M', severity: 'PAGE', firedAtUnixMs: NOW }]);
    expect(result.events).toEqual([
      {
        type: 'FIRED',
        ruleId: 'PAGE_1H_5M',
        severity: 'PAGE',
        atUnixMs: NOW,
        threshold: expect.closeTo(14.4, 10),
        longWindowBurnRate: 20,
        shortWindowBurnRate: 20,
      },
    ]);
  });

  it('does not fire at exactly the threshold', () => {
    expect(evaluateBurnRateAlerts(rules, rates({ '3d': 1, '6h': 1 }), [], NOW).active).toEqual([]);
  });

  it('keeps an active alert without a new event, then resolves it when the short window recovers', () => {
    const firing: ActiveAlert[] = [
      { ruleId: 'PAGE_1H_5M', severity: 'PAGE', firedAtUnixMs: NOW - 10 * 60_000 },
    ];
    const still = evaluateBurnRateAlerts(rules, rates({ '1h': 20, '5m': 30 }), firing, NOW);
    expect(still).toEqual({ active: firing, events: [] });

    const recovered = evaluateBurnRateAlerts(rules, rates({ '1h': 20, '5m': 0 }), firing, NOW);
    expect(recovered.active).toEqual([]);
    expect(recovered.events).toEqual([
      expect.objectContaining({
        type: 'RESOLVED',
        ruleId: 'PAGE_1H_5M',
        longWindowBurnRate: 20,
        shortWindowBurnRate: 0,
      }),
    ]);
  });

  it('resolves an active alert whose rule no longer exists', () => {
    const orphan: ActiveAlert = { ruleId: 'OLD_RULE', severity: 'TICKET', firedAtUnixMs: NOW - HOUR };
    expect(evaluateBurnRateAlerts(rules, rates({}), [orphan], NOW).events).toEqual([
      {
        type: 'RESOLVED',
        ruleId: 'OLD_RULE',
        severity: 'TICKET',
        atUnixMs: NOW,
        threshold: null,
        longWindowBurnRate: null,
        shortWindowBurnRate: null,
      },
    ]);
  });
});

describe('sloHealth', () => {
  const budget = (consumedFraction: number): ReturnType<typeof computeErrorBudget> => ({
    allowedBadFraction: 0.001,
    consumedFraction,
    remainingFraction: 1 - consumedFraction,
    totalDurationMs: 1,
    consumedDurationMs: consumedFraction,
    remainingDurationMs: 1 - consumedFraction,
  });
  const alert: ActiveAlert = { ruleId: 'PAGE_1H_5M', severity: 'PAGE', firedAtUnixMs: NOW };

  it.each<[string, number, Partial<BurnRates>, ActiveAlert[], string]>([
    ['a sustainable burn', 0.5, { '3d': 1 }, [], 'HEALTHY'],
    ['a 3-day burn above 1', 0.5, { '3d': 1.2 }, [], 'WARNING'],
    ['an active alert', 0.5, { '3d': 0.2 }, [alert], 'WARNING'],
    ['a spent budget', 1, { '3d': 0 }, [], 'VIOLATED'],
    ['an overspent budget while burning', 1.3, { '3d': 5 }, [alert], 'VIOLATED'],
  ])('is right for %s', (_case, consumed, burnRates, alerts, expected) => {
    expect(sloHealth(budget(consumed), rates(burnRates), alerts)).toBe(expected);
  });
});

describe('SLO definitions', () => {
  const valid: SloDefinition = {
    indicators: [
      { kind: 'LATENCY', percentile: 'p99', thresholdMs: 300 },
      { kind: 'ERROR_RATE', maxErrorRatePercent: 1 },
    ],
    targetPercent: 99.9,
    window: '30d',
    budgeting: 'TIME_SLICES',
    type: 'ACTIONABLE',
    noDataPolicy: 'IGNORE',
  };

  it('accepts a valid definition', () => {
    expect(validateSloDefinition(valid)).toEqual([]);
  });

  it.each<[string, Partial<SloDefinition>, string]>([
    ['no indicators', { indicators: [] }, 'indicators'],
    ['a target of 100', { targetPercent: 100 }, 'targetPercent'],
    ['a target of 0', { targetPercent: 0 }, 'targetPercent'],
    ['an unknown window', { window: '2w' as SloDefinition['window'] }, 'window'],
    ['a window over 90 days', { window: '365d' }, 'window'],
    [
      'a negative latency threshold',
      { indicators: [{ kind: 'LATENCY', percentile: 'p90', thresholdMs: -1 }] },
      'indicators[0].thresholdMs',
    ],
    [
      'an unknown percentile',
      { indicators: [{ kind: 'LATENCY', percentile: 'p95' as 'p99', thresholdMs: 10 }] },
      'indicators[0].percentile',
    ],
    [
      'an error rate of 100 %',
      { indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 100 }] },
      'indicators[0].maxErrorRatePercent',
    ],
    ['an unknown budgeting method', { budgeting: 'EVENTS' as 'OCCURRENCES' }, 'budgeting'],
    ['an unknown no-data policy', { noDataPolicy: 'SKIP' as 'IGNORE' }, 'noDataPolicy'],
    [
      'a BAD no-data policy with OCCURRENCES',
      { noDataPolicy: 'BAD', budgeting: 'OCCURRENCES' },
      'noDataPolicy',
    ],
  ])('reports %s', (_case, change, path) => {
    expect(validateSloDefinition({ ...valid, ...change }).map((problem) => problem.path)).toEqual([path]);
  });

  it('parses windows', () => {
    expect(parseSloWindow('7d')).toEqual({ kind: 'ROLLING', lengthMs: 7 * DAY_MS });
    expect(parseSloWindow('CALENDAR_MONTH')).toEqual({ kind: 'CALENDAR_MONTH' });
    expect(parseSloWindow('07d')).toBeNull();
    expect(parseSloWindow('0d')).toBeNull();
  });

  it.each([
    ['February of a leap year', Date.UTC(2024, 1, 10, 8, 30), Date.UTC(2024, 1, 1), 29],
    ['February', Date.UTC(2023, 1, 28, 23, 59), Date.UTC(2023, 1, 1), 28],
    ['April', Date.UTC(2024, 3, 30), Date.UTC(2024, 3, 1), 30],
    ['the month that just ended, at midnight on the 1st', Date.UTC(2024, 1, 1), Date.UTC(2024, 0, 1), 31],
    ['the new month one minute later', Date.UTC(2024, 1, 1, 0, 1), Date.UTC(2024, 1, 1), 29],
  ])('bounds a calendar month: %s', (_case, now, expectedStart, days) => {
    const bounds = sloWindowBounds({ kind: 'CALENDAR_MONTH' }, now);
    expect(bounds.startUnixMs).toBe(expectedStart);
    expect(bounds.endUnixMs - bounds.startUnixMs).toBe(days * DAY_MS);
  });
});

describe('windowedSlos', () => {
  it('pairs each SLO with its parsed window and skips those whose window does not parse', () => {
    const slos = [
      { id: 'a', window: '7d' },
      { id: 'b', window: '0d' },
      { id: 'c', window: 'CALENDAR_MONTH' },
    ];
    expect(windowedSlos(slos)).toEqual([
      { slo: slos[0], window: { kind: 'ROLLING', lengthMs: 7 * DAY_MS } },
      { slo: slos[2], window: { kind: 'CALENDAR_MONTH' } },
    ]);
    expect(windowedSlos([])).toEqual([]);
  });
});
