import { MINUTE_MS, minuteStart } from '../telemetry/telemetry-item';
import { ceilHour, floorHour, HOUR_MS } from '../telemetry/telemetry-query';
import { BURN_RATE_WINDOW_MS, BURN_RATE_WINDOWS, type BurnRateWindow } from './burn-rate';
import { minuteVerdict, type MergedMinute, type MinuteVerdict, type SpanTotals } from './sli';
import { sloWindowBounds, type SloIndicator, type SloWindow } from './slo-definition';

/**
 * Running totals of an SLO's minute verdicts from its first evaluated minute up to and including
 * one minute. Stored per minute, they turn the totals of any span into one subtraction, so a
 * 30-day window costs two row lookups instead of re-reading (and re-merging) 43,200 minutes.
 */
export interface RunningTotals {
  requests: number;
  badRequests: number;
  badMinutes: number;
  /** Minutes with at least one request (the no-data policy judges the others). */
  dataMinutes: number;
}

export const ZERO_RUNNING_TOTALS: RunningTotals = Object.freeze({
  requests: 0,
  badRequests: 0,
  badMinutes: 0,
  dataMinutes: 0,
});

/** Adds one minute's verdict to the totals before it. */
export function addVerdict(before: RunningTotals, verdict: MinuteVerdict): RunningTotals {
  return {
    requests: before.requests + verdict.requests,
    badRequests: before.badRequests + verdict.badRequests,
    badMinutes: before.badMinutes + (verdict.isGoodSlice ? 0 : 1),
    dataMinutes: before.dataMinutes + (verdict.requests > 0 ? 1 : 0),
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
    dataMinutes: Math.max(0, throughEnd.dataMinutes - beforeStart.dataMinutes),
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
  for (const burnWindow of BURN_RATE_WINDOWS)
    burnWindows[burnWindow] = nowUnixMs - BURN_RATE_WINDOW_MS[burnWindow];
  return { window: sloWindowBounds(window, nowUnixMs).startUnixMs, burnWindows };
}

/** What a stretch of the series adds to the running totals (one minute, or an hour from its rollup). */
export type PeriodTotals = RunningTotals;

const TOTAL_KEYS = ['requests', 'badRequests', 'badMinutes', 'dataMinutes'] as const;

function combineTotals(left: RunningTotals, right: PeriodTotals, sign: 1 | -1): RunningTotals {
  const result = {} as RunningTotals;
  for (const key of TOTAL_KEYS) result[key] = left[key] + sign * right[key];
  return result;
}

export function addTotals(left: RunningTotals, right: PeriodTotals): RunningTotals {
  return combineTotals(left, right, 1);
}

export function subtractTotals(left: RunningTotals, right: PeriodTotals): RunningTotals {
  return combineTotals(left, right, -1);
}

export function sameTotals(left: RunningTotals, right: RunningTotals): boolean {
  return TOTAL_KEYS.every((key) => left[key] === right[key]);
}

const HOUR_MINUTES = 60;

/**
 * One hour known only from its rollup. Requests and bad requests are exact (bad latency requests
 * estimated from the hour's merged sketch, as per minute); which minutes were bad is not known, so
 * time slices are counted occurrences-style: the hour's bad-request fraction of its 60 minutes,
 * rounded. An hour without requests has no bad minute, like a minute without requests. Which
 * minutes had requests is not known either: an hour with requests counts as 60 minutes with data
 * (the no-data policy then sees no quiet minute in it), an hour without as 60 quiet minutes.
 */
export function hourRollupTotals(indicators: readonly SloIndicator[], hour: MergedMinute): PeriodTotals {
  const verdict = minuteVerdict(indicators, hour);
  const badMinutes =
    verdict.requests === 0 ? 0 : Math.round((HOUR_MINUTES * verdict.badRequests) / verdict.requests);
  const dataMinutes = verdict.requests === 0 ? 0 : HOUR_MINUTES;
  return { requests: verdict.requests, badRequests: verdict.badRequests, badMinutes, dataMinutes };
}

/** The minute row that closes an hour (hh:59): the row kept once minute detail is thinned out. */
export function isHourEnd(minuteUnixMs: number): boolean {
  return (minuteUnixMs + MINUTE_MS) % HOUR_MS === 0;
}

/**
 * A span of the series to (re)compute, widened to whole hours where the series keeps only the
 * rows that close an hour (before `detailFromMs`, an hour boundary), so the totals before the
 * span's start are always on record. Never reaches before `coveredFromMs`, where the totals
 * before are the series origin.
 */
export function alignSeriesSpan(
  fromMs: number,
  toMs: number,
  detailFromMs: number,
  coveredFromMs: number,
): { fromMs: number; toMs: number } {
  let from = minuteStart(fromMs);
  let to = Math.ceil(toMs / MINUTE_MS) * MINUTE_MS;
  if (from < detailFromMs) from = Math.max(coveredFromMs, floorHour(from));
  if (to < detailFromMs) to = ceilHour(to);
  return { fromMs: from, toMs: to };
}

/** The longest burn-rate window: a series needs this much history even for a shorter SLO window. */
const LONGEST_BURN_WINDOW_MS = Math.max(
  ...BURN_RATE_WINDOWS.map((burnWindow) => BURN_RATE_WINDOW_MS[burnWindow]),
);

/** How far back a series evaluated at `nowUnixMs` wants history: its window start, and the longest burn window. */
export function seriesHistoryStart(window: SloWindow, nowUnixMs: number): number {
  return floorHour(
    Math.min(sloWindowBounds(window, nowUnixMs).startUnixMs, nowUnixMs - LONGEST_BURN_WINDOW_MS),
  );
}
