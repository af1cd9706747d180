import { DDSketch } from '../telemetry/ddsketch';
import { evaluateSlo } from './evaluate-slo';
import { type SloMinuteBucket } from './sli';
import { DAY_MS, InvalidSloDefinitionError, type SloDefinition } from './slo-definition';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2024, 5, 15, 12, 0);

/** One bucket per minute in [start, end), shaped by `make` (null: no data for that minute). */
function series(
  startUnixMs: number,
  endUnixMs: number,
  make: (minuteUnixMs: number) => SloMinuteBucket | null,
): SloMinuteBucket[] {
  const buckets: SloMinuteBucket[] = [];
  for (let minute = startUnixMs; minute < endUnixMs; minute += MINUTE) {
    const bucket = make(minute);
    if (bucket) buckets.push(bucket);
  }
  return buckets;
}

const errorSlo: SloDefinition = {
  indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
  targetPercent: 99.9,
  window: '30d',
  noDataPolicy: 'GOOD',
  budgeting: 'OCCURRENCES',
  type: 'MONITORED',
};

/** 30 days plus the 3-day burn window of data before NOW. */
const HISTORY_START = NOW - 33 * DAY_MS;

describe('evaluateSlo', () => {
  it('burns at exactly 1x with 0.1 % errors against a 99.9 % 30-day target', () => {
    const minutes = series(HISTORY_START, NOW, (minute) => ({
      minuteUnixMs: minute,
      requests: 1000,
      errors: 1,
    }));
    const result = evaluateSlo(errorSlo, minutes, NOW, []);
    for (const rate of Object.values(result.burnRates)) expect(rate).toBeCloseTo(1, 9);
    expect(result.budget.consumedFraction).toBeCloseTo(1, 9);
    expect(result.activeAlerts).toEqual([]);
    expect(result.compliance).toBeCloseTo(0.999, 12);
    // Spending at exactly the sustainable pace for the whole window spends exactly the budget.
    expect(result.status).toBe('VIOLATED');
  });

  it('spends 2 % of the budget with 1.44 % errors over one hour', () => {
    const incidentStart = NOW - 5 * DAY_MS;
    const minutes = series(HISTORY_START, NOW, (minute) => ({
      minuteUnixMs: minute,
      requests: 10_000,
      errors: minute >= incidentStart && minute < incidentStart + HOUR ? 144 : 0,
    }));
    const result = evaluateSlo(errorSlo, minutes, NOW, []);
    expect(result.budget.consumedFraction).toBeCloseTo(0.02, 12);
    expect(result.budget.consumedDurationMs).toBeCloseTo(0.02 * 43.2 * MINUTE, 3);
    expect(result.status).toBe('HEALTHY');
  });

  it('pages when both the 1h and 5m windows burn fast, and resolves when the errors stop', () => {
    // 30 clean days, then 3 % errors (30x) from 20 minutes before NOW.
    const incidentStart = NOW - 20 * MINUTE;
    const withIncident = (end: number): SloMinuteBucket[] =>
      series(HISTORY_START, end, (minute) => ({
        minuteUnixMs: minute,
        requests: 1000,
        errors: minute >= incidentStart ? 30 : 0,
      }));

    const firing = evaluateSlo(errorSlo, withIncident(NOW), NOW, []);
    // 1h burn = 20/60 · 30 = 10 < 14.4: not yet.
    expect(firing.burnRates['1h']).toBeCloseTo(10, 9);
    expect(firing.activeAlerts).toEqual([]);

    const later = NOW + 10 * MINUTE;
    const fired = evaluateSlo(errorSlo, withIncident(later), later, firing.activeAlerts);
    // 1h burn = 30/60 · 30 = 15 > 14.4 and 5m burn = 30.
    expect(fired.activeAlerts.map((alert) => alert.ruleId)).toEqual(['PAGE_1H_5M']);
    expect(fired.events).toEqual([
      expect.objectContaining({ type: 'FIRED', ruleId: 'PAGE_1H_5M', atUnixMs: later }),
    ]);
    expect(fired.status).toBe('WARNING');

    // The errors stop; five clean minutes later the 5m window no longer burns.
    const recoveredAt = later + 5 * MINUTE;
    const recoveredSeries = [
      ...withIncident(later),
      ...series(later, recoveredAt, (minute) => ({ minuteUnixMs: minute, requests: 1000, errors: 0 })),
    ];
    const resolved = evaluateSlo(errorSlo, recoveredSeries, recoveredAt, fired.activeAlerts);
    expect(resolved.burnRates['1h']).toBeGreaterThan(14.4);
    expect(resolved.burnRates['5m']).toBe(0);
    expect(resolved.activeAlerts).toEqual([]);
    expect(resolved.events).toEqual([
      expect.objectContaining({ type: 'RESOLVED', ruleId: 'PAGE_1H_5M', atUnixMs: recoveredAt }),
    ]);
  });

  it('is idempotent: re-running a minute gives the same result and no new events', () => {
    const minutes = series(NOW - 2 * HOUR, NOW, (minute) => ({
      minuteUnixMs: minute,
      requests: 100,
      errors: 50,
    }));
    const first = evaluateSlo(errorSlo, minutes, NOW, []);
    expect(first.events.length).toBeGreaterThan(0);
    expect(evaluateSlo(errorSlo, minutes, NOW, [])).toEqual(first);
    const rerun = evaluateSlo(errorSlo, minutes, NOW + 30_000, first.activeAlerts);
    expect(rerun.activeAlerts).toEqual(first.activeAlerts);
    expect(rerun.events).toEqual([]);
    expect(rerun.budget).toEqual(first.budget);
  });

  describe('time slices versus occurrences', () => {
    // A 1-day window of 1000 requests a minute; 10 minutes have 5 % errors.
    const badMinutes = new Set(Array.from({ length: 10 }, (_, index) => NOW - (100 + index * 7) * MINUTE));
    const minutes = series(NOW - DAY_MS, NOW, (minute) => ({
      minuteUnixMs: minute,
      requests: 1000,
      errors: badMinutes.has(minute) ? 50 : 0,
    }));
    const definition = (budgeting: SloDefinition['budgeting']): SloDefinition => ({
      ...errorSlo,
      targetPercent: 99,
      window: '1d',
      budgeting,
    });

    it('time slices spend one budget minute per bad minute: 10 of 14.4', () => {
      const result = evaluateSlo(definition('TIME_SLICES'), minutes, NOW, []);
      expect(result.budget.totalDurationMs).toBeCloseTo(14.4 * MINUTE, 6);
      expect(result.budget.consumedFraction).toBeCloseTo(10 / 14.4, 12);
      expect(result.compliance).toBeCloseTo(1 - 10 / 1440, 12);
      expect(result.meetsTarget).toBe(true);
    });

    it('occurrences spend one budget request per failed request: 500 of 14 400', () => {
      const result = evaluateSlo(definition('OCCURRENCES'), minutes, NOW, []);
      expect(result.budget.consumedFraction).toBeCloseTo(500 / 14_400, 12);
      expect(result.compliance).toBeCloseTo(1 - 500 / 1_440_000, 12);
    });

    it('counts minutes without requests, or without data, as good slices', () => {
      const sparse = series(NOW - DAY_MS, NOW, (minute) =>
        badMinutes.has(minute)
          ? { minuteUnixMs: minute, requests: 10, errors: 5 }
          : minute % (2 * MINUTE) === 0
            ? { minuteUnixMs: minute, requests: 0, errors: 0 }
            : null,
      );
      expect(evaluateSlo(definition('TIME_SLICES'), sparse, NOW, []).budget.consumedFraction).toBeCloseTo(
        10 / 14.4,
        12,
      );
    });
  });

  describe('latency indicators', () => {
    const latencySlo: SloDefinition = {
      indicators: [
        { kind: 'LATENCY', percentile: 'p90', thresholdMs: 100 },
        { kind: 'ERROR_RATE', maxErrorRatePercent: 5 },
      ],
      targetPercent: 99,
      window: '1d',
      noDataPolicy: 'GOOD',
      budgeting: 'TIME_SLICES',
      type: 'ACTIONABLE',
    };
    // 100 requests: 85 at 20 ms and 15 at 400 ms, so p90 is 400 ms (bad) and 15 requests are slow.
    const slowSketch = new DDSketch().add(20, 85).add(400, 15).toJSON();
    const fastSketch = new DDSketch().add(20, 100).toJSON();
    const lastMinute = NOW - MINUTE;
    // The last minute arrives in two parts (two clusters) that only together are slow.
    const minutes: SloMinuteBucket[] = [
      { minuteUnixMs: lastMinute, requests: 50, errors: 1, latency: new DDSketch().add(20, 50).toJSON() },
      {
        minuteUnixMs: lastMinute,
        requests: 100,
        errors: 1,
        latency: new DDSketch().add(20, 35).add(400, 65).toJSON(),
      },
      { minuteUnixMs: NOW - 2 * MINUTE, requests: 100, errors: 0, latency: slowSketch },
      { minuteUnixMs: NOW - 3 * MINUTE, requests: 100, errors: 0, latency: fastSketch },
      // Not complete yet at NOW: ignored.
      { minuteUnixMs: NOW, requests: 100, errors: 100, latency: slowSketch },
    ];

    it('judges each minute by every indicator, merging buckets of the same minute', () => {
      const result = evaluateSlo(latencySlo, minutes, NOW, []);
      expect(result.indicators).toEqual([
        { indicator: latencySlo.indicators[0], value: expect.closeTo(400, -1), holds: false },
        { indicator: latencySlo.indicators[1], value: expect.closeTo(100 * (2 / 150), 12), holds: true },
      ]);
      expect(result.budget.consumedDurationMs).toBe(2 * MINUTE);
    });

    it('counts slow and failed requests as bad occurrences', () => {
      const result = evaluateSlo({ ...latencySlo, budgeting: 'OCCURRENCES' }, minutes, NOW, []);
      // Bad: minute -1: 65 slow + 2 errors; minute -2: 15 slow. Of 350 requests.
      expect(result.compliance).toBeCloseTo(1 - 82 / 350, 12);
    });
  });

  describe('calendar-month windows', () => {
    const monthSlo: SloDefinition = { ...errorSlo, window: 'CALENDAR_MONTH', budgeting: 'TIME_SLICES' };

    it.each([
      ['February 2024 (29 days)', Date.UTC(2024, 1, 20), 29],
      ['February 2023 (28 days)', Date.UTC(2023, 1, 20), 28],
      ['April (30 days)', Date.UTC(2024, 3, 20), 30],
      ['July (31 days)', Date.UTC(2024, 6, 20), 31],
    ])('budgets %s and scales alert thresholds to it', (_month, now, days) => {
      // Ten bad minutes this month, and ten last month that must not count.
      const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
      const bad = (minute: number): boolean =>
        (minute >= monthStart + DAY_MS && minute < monthStart + DAY_MS + 10 * MINUTE) ||
        (minute >= monthStart - HOUR && minute < monthStart - HOUR + 10 * MINUTE);
      const minutes = series(monthStart - 2 * HOUR, now, (minute) =>
        bad(minute) ? { minuteUnixMs: minute, requests: 10, errors: 10 } : null,
      );
      const result = evaluateSlo(monthSlo, minutes, now, []);
      const budgetMinutes = 0.001 * days * 1440;
      expect(result.window.endUnixMs - result.window.startUnixMs).toBe(days * DAY_MS);
      expect(result.budget.totalDurationMs).toBeCloseTo(budgetMinutes * MINUTE, 3);
      expect(result.budget.consumedFraction).toBeCloseTo(10 / budgetMinutes, 12);
      const elapsedMinutes = (now - monthStart) / MINUTE;
      expect(result.compliance).toBeCloseTo(1 - 10 / elapsedMinutes, 12);
    });

    it('is violated once the month’s budget is spent', () => {
      const now = Date.UTC(2023, 1, 20);
      // 28 days × 1440 × 0.001 = 40.32 budget minutes; 41 bad minutes spend it.
      const minutes = series(now - 41 * MINUTE, now, (minute) => ({
        minuteUnixMs: minute,
        requests: 1,
        errors: 1,
      }));
      const result = evaluateSlo(monthSlo, minutes, now, []);
      expect(result.budget.consumedFraction).toBeCloseTo(41 / 40.32, 12);
      expect(result.status).toBe('VIOLATED');
      // 41 bad minutes of 19 elapsed days: 99.85 % good, below 99.9 %.
      expect(result.meetsTarget).toBe(false);
    });
  });

  it('warns when burning faster than sustainable without any alert', () => {
    // 0.2 % errors (2x) for two days, then a clean day: the 3-day burn is 4/3, while the 6h and 1d
    // windows of the ticket rules no longer burn.
    const minutes = series(HISTORY_START, NOW, (minute) => ({
      minuteUnixMs: minute,
      requests: 1000,
      errors: minute >= NOW - 3 * DAY_MS && minute < NOW - DAY_MS ? 2 : 0,
    }));
    const result = evaluateSlo(errorSlo, minutes, NOW, []);
    expect(result.burnRates['3d']).toBeCloseTo(4 / 3, 9);
    expect(result.activeAlerts).toEqual([]);
    expect(result.budget.consumedFraction).toBeCloseTo((2 * 2) / 30, 9);
    expect(result.status).toBe('WARNING');
  });

  it('rejects an invalid definition', () => {
    expect(() => evaluateSlo({ ...errorSlo, targetPercent: 100 }, [], NOW, [])).toThrow(
      InvalidSloDefinitionError,
    );
  });
});
