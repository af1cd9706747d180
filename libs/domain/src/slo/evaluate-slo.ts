import { MINUTE_MS, minuteStart } from '../telemetry/telemetry-item';
import { burnRateAlertRules, evaluateBurnRateAlerts, type ActiveAlert, type AlertEvent } from './alerting';
import {
  BURN_RATE_WINDOW_MS,
  BURN_RATE_WINDOWS,
  burnRate,
  type BurnRates,
  type BurnRateWindow,
} from './burn-rate';
import { computeErrorBudget, type ErrorBudget } from './error-budget';
import {
  badFraction,
  indicatorValues,
  mergeMinuteBuckets,
  minuteVerdict,
  spanTotals,
  type IndicatorValue,
  type SloMinuteBucket,
  type SpanTotals,
} from './sli';
import {
  assertValidSloDefinition,
  sloWindowBounds,
  type SloDefinition,
  type WindowBounds,
} from './slo-definition';
import { sloHealth, type SloHealth } from './slo-status';

export interface SloEvaluation {
  /** The minute boundary evaluated: every minute before it counts. */
  evaluatedAtUnixMs: number;
  window: WindowBounds;
  status: SloHealth;
  /** Indicator values of the last complete minute. */
  indicators: IndicatorValue[];
  /** Good fraction of the window so far (minutes or requests), 0..1. */
  compliance: number;
  meetsTarget: boolean;
  budget: ErrorBudget;
  burnRates: BurnRates;
  activeAlerts: ActiveAlert[];
  /** Alerts that fired or resolved at this evaluation. */
  events: AlertEvent[];
}

/**
 * Evaluates one SLO at one minute. Pure: the same inputs always give the same result, so
 * re-running a minute changes nothing. `minutes` must cover the SLO window and the longest burn
 * window (3 days) before `nowUnixMs`; several buckets per minute are merged, and minutes that are
 * missing or have no requests are judged by the no-data policy. `nowUnixMs` is rounded down to a minute.
 */
export function evaluateSlo(
  definition: SloDefinition,
  minutes: readonly SloMinuteBucket[],
  nowUnixMs: number,
  previousAlerts: readonly ActiveAlert[],
): SloEvaluation {
  const window = assertValidSloDefinition(definition);
  const now = minuteStart(nowUnixMs);
  const bounds = sloWindowBounds(window, now);
  const merged = mergeMinuteBuckets(minutes.filter((bucket) => bucket.minuteUnixMs < now));
  const verdicts = merged.map((minute) => minuteVerdict(definition.indicators, minute));
  const burnWindows = {} as Record<BurnRateWindow, SpanTotals>;
  for (const burnWindow of BURN_RATE_WINDOWS) {
    burnWindows[burnWindow] = spanTotals(verdicts, now - BURN_RATE_WINDOW_MS[burnWindow], now);
  }
  const lastMinute = merged.find((minute) => minute.minuteUnixMs === now - MINUTE_MS);
  return assessSlo(
    definition,
    now,
    // A calendar month counts up to now; a rolling window ends at now anyway.
    { window: spanTotals(verdicts, bounds.startUnixMs, Math.min(now, bounds.endUnixMs)), burnWindows },
    indicatorValues(definition.indicators, lastMinute),
    previousAlerts,
  );
}

/** Totals of the SLO window so far and of each burn-rate window, all ending at the evaluation time. */
export interface SloTotals {
  window: SpanTotals;
  burnWindows: Record<BurnRateWindow, SpanTotals>;
}

/**
 * Evaluates one SLO at the minute boundary `nowUnixMs` from span totals computed elsewhere (e.g.
 * summed in the database from stored per-minute verdicts, see evaluateSlo for the in-memory way).
 * Pure, so re-running a minute with the same totals and alerts gives the same result.
 */
export function assessSlo(
  definition: SloDefinition,
  nowUnixMs: number,
  totals: SloTotals,
  lastMinuteIndicators: IndicatorValue[],
  previousAlerts: readonly ActiveAlert[],
): SloEvaluation {
  const window = assertValidSloDefinition(definition);
  const now = minuteStart(nowUnixMs);
  const bounds = sloWindowBounds(window, now);
  const windowLengthMs = bounds.endUnixMs - bounds.startUnixMs;
  const budget = computeErrorBudget(definition, windowLengthMs, totals.window);
  const compliance = 1 - badFraction(totals.window, definition);
  const burnRates = {} as BurnRates;
  for (const burnWindow of BURN_RATE_WINDOWS) {
    burnRates[burnWindow] = burnRate(
      badFraction(totals.burnWindows[burnWindow], definition),
      definition.targetPercent,
    );
  }
  const alerts = evaluateBurnRateAlerts(burnRateAlertRules(windowLengthMs), burnRates, previousAlerts, now);
  return {
    evaluatedAtUnixMs: now,
    window: bounds,
    status: sloHealth(budget, burnRates, alerts.active),
    indicators: lastMinuteIndicators,
    compliance,
    meetsTarget: compliance * 100 >= definition.targetPercent,
    budget,
    burnRates,
    activeAlerts: alerts.active,
    events: alerts.events,
  };
}
