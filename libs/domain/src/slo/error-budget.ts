import { MINUTE_MS } from '../telemetry/telemetry-item';
import { countedSlices, noDataMinutes, type SpanTotals } from './sli';
import { type SloDefinition } from './slo-definition';

export interface ErrorBudget {
  /** The bad fraction the objective allows: 1 − target (0.001 for 99.9 %). */
  allowedBadFraction: number;
  /** Share of the budget spent; above 1 when overspent. */
  consumedFraction: number;
  /** 1 − consumedFraction; negative when overspent. */
  remainingFraction: number;
  /** The budget as time: allowedBadFraction × window length (43.2 min for 99.9 % over 30 days). */
  totalDurationMs: number;
  consumedDurationMs: number;
  remainingDurationMs: number;
}

/**
 * The error budget of a window from its totals so far.
 * TIME_SLICES: the budget is allowedBadFraction × the window's minutes (the whole window, also
 * for a calendar month still in progress); each bad minute spends one. The no-data policy decides
 * about minutes without requests: GOOD spends nothing on them, BAD spends one each, IGNORE takes
 * them out of the window (the budget is allowedBadFraction × the window's minutes less the quiet
 * ones so far), so compliance below target and a spent budget always go together.
 * OCCURRENCES: the budget is allowedBadFraction × the requests seen so far in the window; the
 * durations express the same fractions of the time budget.
 */
export function computeErrorBudget(
  slo: Pick<SloDefinition, 'budgeting' | 'targetPercent' | 'noDataPolicy'>,
  windowLengthMs: number,
  totals: SpanTotals,
): ErrorBudget {
  const allowedBadFraction = 1 - slo.targetPercent / 100;
  const countedWindowMs =
    slo.budgeting === 'TIME_SLICES' && slo.noDataPolicy === 'IGNORE'
      ? Math.max(0, windowLengthMs - noDataMinutes(totals) * MINUTE_MS)
      : windowLengthMs;
  const totalDurationMs = allowedBadFraction * countedWindowMs;
  let consumedFraction: number;
  if (slo.budgeting === 'TIME_SLICES') {
    const badMs = countedSlices(totals, slo.noDataPolicy).badMinutes * MINUTE_MS;
    // Nothing counted yet (IGNORE, a window without traffic): nothing spent.
    consumedFraction = totalDurationMs === 0 ? 0 : badMs / totalDurationMs;
  } else {
    consumedFraction =
      totals.requests === 0 ? 0 : totals.badRequests / (allowedBadFraction * totals.requests);
  }
  const consumedDurationMs = consumedFraction * totalDurationMs;
  return {
    allowedBadFraction,
    consumedFraction,
    remainingFraction: 1 - consumedFraction,
    totalDurationMs,
    consumedDurationMs,
    remainingDurationMs: totalDurationMs - consumedDurationMs,
  };
}

/** The share of a window's budget that burning at `burnRate` for `durationMs` spends. */
export function budgetConsumedByBurnRate(
  burnRate: number,
  durationMs: number,
  windowLengthMs: number,
): number {
  return (burnRate * durationMs) / windowLengthMs;
}
