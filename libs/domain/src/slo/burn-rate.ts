import { badFraction, spanTotals, type MinuteVerdict } from './sli';
import { type SloJudging } from './slo-definition';

export const BURN_RATE_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type BurnRateWindow = (typeof BURN_RATE_WINDOWS)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const BURN_RATE_WINDOW_MS: Record<BurnRateWindow, number> = {
  '5m': 5 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '6h': 6 * HOUR,
  '1d': 24 * HOUR,
  '3d': 72 * HOUR,
};

export type BurnRates = Record<BurnRateWindow, number>;

/**
 * Relative slack for comparisons at exact boundaries: 1 − 99.9/100 is not exactly 0.001 in binary
 * floating point, so a burn of exactly 1x could otherwise compare as 0.9999999999999 or 1.0000000000001.
 */
export const BOUNDARY_TOLERANCE = 1e-9;

/** Whether a burn rate exceeds a threshold by more than floating-point noise. */
export function exceedsBurnRate(rate: number, threshold: number): boolean {
  return rate > threshold * (1 + BOUNDARY_TOLERANCE);
}

/** How fast the budget is spent: 1 spends exactly the budget over the SLO window. */
export function burnRate(observedBadFraction: number, targetPercent: number): number {
  return observedBadFraction / (1 - targetPercent / 100);
}

/** Burn rates over each look-back window ending at `nowUnixMs` (exclusive). */
export function computeBurnRates(
  verdicts: readonly MinuteVerdict[],
  slo: SloJudging,
  targetPercent: number,
  nowUnixMs: number,
): BurnRates {
  const rates = {} as BurnRates;
  for (const window of BURN_RATE_WINDOWS) {
    const totals = spanTotals(verdicts, nowUnixMs - BURN_RATE_WINDOW_MS[window], nowUnixMs);
    rates[window] = burnRate(badFraction(totals, slo), targetPercent);
  }
  return rates;
}
