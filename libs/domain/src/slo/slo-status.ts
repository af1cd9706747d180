import { type ActiveAlert } from './alerting';
import { BOUNDARY_TOLERANCE, exceedsBurnRate, type BurnRates, type BurnRateWindow } from './burn-rate';
import { type ErrorBudget } from './error-budget';

export type SloHealth = 'HEALTHY' | 'WARNING' | 'VIOLATED';

/** The window whose burn rate above 1 means the budget will not last at the current pace. */
export const SUSTAINABILITY_WINDOW: BurnRateWindow = '3d';

/**
 * VIOLATED once the budget is spent; WARNING while burning faster than sustainable (the 3-day burn
 * rate above 1) or while any alert is active; HEALTHY otherwise.
 */
export function sloHealth(
  budget: ErrorBudget,
  burnRates: BurnRates,
  activeAlerts: readonly ActiveAlert[],
): SloHealth {
  if (budget.consumedFraction >= 1 - BOUNDARY_TOLERANCE) return 'VIOLATED';
  if (exceedsBurnRate(burnRates[SUSTAINABILITY_WINDOW], 1) || activeAlerts.length > 0) return 'WARNING';
  return 'HEALTHY';
}
