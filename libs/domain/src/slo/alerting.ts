import { BURN_RATE_WINDOW_MS, exceedsBurnRate, type BurnRates, type BurnRateWindow } from './burn-rate';
import { DAY_MS } from './slo-definition';

export type AlertSeverity = 'PAGE' | 'TICKET';

export interface BurnRateAlertRule {
  id: string;
  severity: AlertSeverity;
  longWindow: BurnRateWindow;
  shortWindow: BurnRateWindow;
  /** Share of the SLO window's budget that burning at `threshold` over `longWindow` spends. */
  budgetFraction: number;
  /** Fires when both windows burn faster than this. */
  threshold: number;
}

/** The SRE workbook's multi-window, multi-burn-rate policy, as budget shares per long window. */
const POLICY: ReadonlyArray<Omit<BurnRateAlertRule, 'threshold'>> = [
  { id: 'PAGE_1H_5M', severity: 'PAGE', longWindow: '1h', shortWindow: '5m', budgetFraction: 0.02 },
  { id: 'PAGE_6H_30M', severity: 'PAGE', longWindow: '6h', shortWindow: '30m', budgetFraction: 0.05 },
  { id: 'TICKET_1D_2H', severity: 'TICKET', longWindow: '1d', shortWindow: '2h', budgetFraction: 0.1 },
  { id: 'TICKET_3D_6H', severity: 'TICKET', longWindow: '3d', shortWindow: '6h', budgetFraction: 0.1 },
];

/**
 * The rules for an SLO window of `sloWindowLengthMs`. Each rule keeps its budget share, so
 *   threshold = budgetFraction × sloWindowLength / longWindowLength,
 * which gives 14.4, 6, 3 and 1 for 30 days and, e.g., 3.36, 1.4, 0.7 and 0.233 for 7 days: a rule
 * fires once its long window has spent the same share of the budget whatever the SLO window.
 */
export function burnRateAlertRules(sloWindowLengthMs: number): BurnRateAlertRule[] {
  return POLICY.map((rule) => ({
    ...rule,
    threshold: (rule.budgetFraction * sloWindowLengthMs) / BURN_RATE_WINDOW_MS[rule.longWindow],
  }));
}

export const THIRTY_DAYS_MS = 30 * DAY_MS;

export interface ActiveAlert {
  ruleId: string;
  severity: AlertSeverity;
  firedAtUnixMs: number;
}

export interface AlertEvent {
  type: 'FIRED' | 'RESOLVED';
  ruleId: string;
  severity: AlertSeverity;
  atUnixMs: number;
  threshold: number | null;
  longWindowBurnRate: number | null;
  shortWindowBurnRate: number | null;
}

export interface AlertEvaluation {
  active: ActiveAlert[];
  events: AlertEvent[];
}

/**
 * Applies the rules to the current burn rates. A rule fires when both its windows burn faster than
 * its threshold and resolves when they no longer both do (the short window makes it resolve soon
 * after the burning stops). An alert already active stays active with its original firing time,
 * so evaluating the same minute again yields the same state and no new events. An active alert
 * whose rule no longer exists resolves.
 */
export function evaluateBurnRateAlerts(
  rules: readonly BurnRateAlertRule[],
  burnRates: BurnRates,
  previousActive: readonly ActiveAlert[],
  nowUnixMs: number,
): AlertEvaluation {
  const previousById = new Map(previousActive.map((alert) => [alert.ruleId, alert]));
  const active: ActiveAlert[] = [];
  const events: AlertEvent[] = [];
  for (const rule of rules) {
    const longRate = burnRates[rule.longWindow];
    const shortRate = burnRates[rule.shortWindow];
    const isBurning = exceedsBurnRate(longRate, rule.threshold) && exceedsBurnRate(shortRate, rule.threshold);
    const previous = previousById.get(rule.id);
    previousById.delete(rule.id);
    const eventBase = {
      ruleId: rule.id,
      severity: rule.severity,
      atUnixMs: nowUnixMs,
      threshold: rule.threshold,
      longWindowBurnRate: longRate,
      shortWindowBurnRate: shortRate,
    };
    if (isBurning) {
      active.push(previous ?? { ruleId: rule.id, severity: rule.severity, firedAtUnixMs: nowUnixMs });
      if (!previous) events.push({ type: 'FIRED', ...eventBase });
    } else if (previous) {
      events.push({ type: 'RESOLVED', ...eventBase });
    }
  }
  for (const orphan of previousById.values()) {
    events.push({
      type: 'RESOLVED',
      ruleId: orphan.ruleId,
      severity: orphan.severity,
      atUnixMs: nowUnixMs,
      threshold: null,
      longWindowBurnRate: null,
      shortWindowBurnRate: null,
    });
  }
  return { active, events };
}
