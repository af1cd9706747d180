import { MINUTE_MS } from '../telemetry/telemetry-item';
import { BURN_RATE_WINDOW_MS, BURN_RATE_WINDOWS, type BurnRateWindow } from './burn-rate';
import { type MinuteVerdict, type SpanTotals } from './sli';
import { sloWindowBounds, type SloWindow } from './slo-definition';

/**
 * Running totals of an SLO's minute verdicts from its first evaluated minute up to and including
 * one minute. Stored per minute, they turn the totals of any span into one subtraction, so a
 * 30-day window costs two row lookups instead of re-reading (and re-merging) 43,200 minutes.
 */
export interface RunningTotals {
  requests: number;
  badRequests: number;
  badMinutes: number;
}

export const ZERO_RUNNING_TOTALS: RunningTotals = Object.freeze({ requests: 0, badRequests: 0, badMinutes: 0 });

/** Adds one minute's verdict to the totals before it. */
export function addVerdict(before: RunningTotals, verdict: MinuteVerdict): RunningTotals {
  return {
    requests: before.requests + verdict.requests,
    badRequests: before.badRequests + verdict.badRequests,
    badMinutes: before.badMinutes + (verdict.isGoodSlice ? 0 : 1),
  };
}

/**
 * Totals of the span [startUnixMs, endUnixMs) from the running totals through the span's last
 * minute and through the minute before its start (ZERO_RUNNING_TOTALS when nothing came before).
 */
export function spanFromRunningTotals(
  throughEnd: RunningTotals,
  beforeStart: RunningTotals,
  startUnixMs: number,
  endUnixMs: number,
): SpanTotals {
  return {
    minutes: Math.max(0, Math.round((endUnixMs - startUnixMs) / MINUTE_MS)),
    badMinutes: Math.max(0, throughEnd.badMinutes - beforeStart.badMinutes),
    requests: Math.max(0, throughEnd.requests - beforeStart.requests),
    badRequests: Math.max(0, throughEnd.badRequests - beforeStart.badRequests),
  };
}

/** Where each span an evaluation at `nowUnixMs` needs starts: the SLO window (so far) and every burn window. */
export interface SloSpanStarts {
  window: number;
  burnWindows: Record<BurnRateWindow, number>;
}

export function sloSpanStarts(window: SloWindow, nowUnixMs: number): SloSpanStarts {
  const burnWindows = {} as Record<BurnRateWindow, number>;
  for (const burnWindow of BURN_RATE_WINDOWS) burnWindows[burnWindow] = nowUnixMs - BURN_RATE_WINDOW_MS[burnWindow];
  return { window: sloWindowBounds(window, nowUnixMs).startUnixMs, burnWindows };
}
