import { MINUTE_MS, minuteStart } from '../telemetry/telemetry-item';
import { burnRateAlertRules, evaluateBurnRateAlerts, type ActiveAlert, type AlertEvent } from './alerting';
import { computeBurnRates, type BurnRates } from './burn-rate';
import { computeErrorBudget, type ErrorBudget } from './error-budget';
import {
  badFraction,
  indicatorValues,
  mergeMinuteBuckets,
  minuteVerdict,
  spanTotals,
  type IndicatorValue,
  type SloMinuteBucket,
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
 * missing or have no requests count as good. `nowUnixMs` is rounded down to a minute.
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
  const windowLengthMs = bounds.endUnixMs - bounds.startUnixMs;
  const merged = mergeMinuteBuckets(minutes.filter((bucket) => bucket.minuteUnixMs < now));
  const verdicts = merged.map((minute) => minuteVerdict(definition.indicators, minute));

  // A calendar month counts up to now; a rolling window ends at now anyway.
  const windowTotals = spanTotals(verdicts, bounds.startUnixMs, Math.min(now, bounds.endUnixMs));
  const budget = computeErrorBudget(
    definition.budgeting,
    definition.targetPercent,
    windowLengthMs,
    windowTotals,
  );
  const compliance = 1 - badFraction(windowTotals, definition.budgeting);
  const burnRates = computeBurnRates(verdicts, definition.budgeting, definition.targetPercent, now);
  const alerts = evaluateBurnRateAlerts(burnRateAlertRules(windowLengthMs), burnRates, previousAlerts, now);
  const lastMinute = merged.find((minute) => minute.minuteUnixMs === now - MINUTE_MS);

  return {
    evaluatedAtUnixMs: now,
    window: bounds,
    status: sloHealth(budget, burnRates, alerts.active),
    indicators: indicatorValues(definition.indicators, lastMinute),
    compliance,
    meetsTarget: compliance * 100 >= definition.targetPercent,
    budget,
    burnRates,
    activeAlerts: alerts.active,
    events: alerts.events,
  };
}
