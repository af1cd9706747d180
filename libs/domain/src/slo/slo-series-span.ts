import { MINUTE_MS } from '../telemetry/telemetry-item';
import { HOUR_MS } from '../telemetry/telemetry-query';
import { indicatorValues, minuteVerdict, type IndicatorValue, type MergedMinute } from './sli';
import type { SloIndicator } from './slo-definition';
import {
  addTotals,
  addVerdict,
  hourRollupTotals,
  isHourEnd,
  sameTotals,
  subtractTotals,
  ZERO_RUNNING_TOTALS,
  type PeriodTotals,
  type RunningTotals,
} from './slo-series';

/** One stored minute of an SLO's series: its verdict and the running totals through it. */
export interface SeriesMinute {
  minuteMs: number;
  requests: number;
  badRequests: number;
  badSlice: boolean;
  /** Indicator values in definition order; null without traffic. */
  indicatorValues: (number | null)[];
  running: RunningTotals;
}

/** How a span of the series is judged: minute by minute, or from hourly rollups. */
export type SeriesResolution = 'minute' | 'hour';

export interface SeriesSpanInput {
  indicators: readonly SloIndicator[];
  fromMs: number;
  toMs: number;
  /** The SLO's traffic per minute (or per hour for the hour resolution), by period start. */
  periods: ReadonlyMap<number, MergedMinute>;
  /** Before this minute only the rows closing an hour are kept (see isHourEnd). */
  detailFromMs: number;
}

export interface EvaluatedSeriesSpan {
  /** The rows to store (all minutes from detailFromMs on, only hour ends before it). */
  minutes: SeriesMinute[];
  /** Running totals through the span's last minute. */
  end: RunningTotals;
  /** Indicator values of the span's last minute. */
  lastIndicators: IndicatorValue[];
}

function quietPeriod(periodMs: number): MergedMinute {
  return { minuteUnixMs: periodMs, requests: 0, errors: 0, latency: null };
}

function keptRow(minuteMs: number, detailFromMs: number): boolean {
  return minuteMs >= detailFromMs || isHourEnd(minuteMs);
}

/**
 * Judges the span [fromMs, toMs) minute by minute, continuing the running totals `before` it.
 * Minutes without traffic are good slices with no requests.
 */
export function evaluateSeriesSpan(input: SeriesSpanInput & { before: RunningTotals }): EvaluatedSeriesSpan {
  const minutes: SeriesMinute[] = [];
  let running = input.before;
  let lastIndicators: IndicatorValue[] = [];
  for (let minuteMs = input.fromMs; minuteMs < input.toMs; minuteMs += MINUTE_MS) {
    const merged = input.periods.get(minuteMs) ?? quietPeriod(minuteMs);
    const verdict = minuteVerdict(input.indicators, merged);
    lastIndicators = indicatorValues(input.indicators, merged);
    running = addVerdict(running, verdict);
    if (!keptRow(minuteMs, input.detailFromMs)) continue;
    minutes.push({
      minuteMs,
      requests: verdict.requests,
      badRequests: verdict.badRequests,
      badSlice: !verdict.isGoodSlice,
      indicatorValues: lastIndicators.map((value) => value.value),
      running,
    });
  }
  return { minutes, end: running, lastIndicators };
}

export interface PrependedSeriesSpan {
  minutes: SeriesMinute[];
  /** The running totals before the span: the series' new origin. */
  origin: RunningTotals;
}

/**
 * Judges the span [fromMs, toMs) that ends where the series starts (at `origin`, the totals
 * before its first minute) and places it in front: the span's totals are subtracted from the
 * origin, so no row after the span changes. Hours known only from rollups are judged
 * occurrences-style (hourRollupTotals) and stored as the row closing the hour.
 */
export function prependSeriesSpan(
  input: SeriesSpanInput & { resolution: SeriesResolution; origin: RunningTotals },
): PrependedSeriesSpan {
  const stepMs = input.resolution === 'minute' ? MINUTE_MS : HOUR_MS;
  const judged: { rowMinuteMs: number; totals: PeriodTotals; values: (number | null)[] }[] = [];
  let sum: RunningTotals = ZERO_RUNNING_TOTALS;
  for (let periodMs = input.fromMs; periodMs < input.toMs; periodMs += stepMs) {
    const merged = input.periods.get(periodMs) ?? quietPeriod(periodMs);
    const totals =
      input.resolution === 'minute'
        ? minuteTotals(input.indicators, merged)
        : hourRollupTotals(input.indicators, merged);
    sum = addTotals(sum, totals);
    const values = indicatorValues(input.indicators, merged).map((value) => value.value);
    judged.push({ rowMinuteMs: periodMs + stepMs - MINUTE_MS, totals, values });
  }
  const origin = subtractTotals(input.origin, sum);
  const minutes: SeriesMinute[] = [];
  let running: RunningTotals = origin;
  for (const period of judged) {
    running = addTotals(running, period.totals);
    if (!keptRow(period.rowMinuteMs, input.detailFromMs)) continue;
    minutes.push({
      minuteMs: period.rowMinuteMs,
      requests: period.totals.requests,
      badRequests: period.totals.badRequests,
      badSlice: period.totals.badMinutes > 0,
      indicatorValues: period.values,
      running,
    });
  }
  return { minutes, origin };
}

function minuteTotals(indicators: readonly SloIndicator[], minute: MergedMinute): PeriodTotals {
  return addVerdict(ZERO_RUNNING_TOTALS, minuteVerdict(indicators, minute));
}

/**
 * What the rows after a recomputed span must be shifted by: the new running totals at its end
 * minus those stored before; null when nothing changed (or nothing was stored yet).
 */
export function runningTotalsShift(
  storedEnd: RunningTotals | undefined,
  recomputedEnd: RunningTotals,
): RunningTotals | null {
  if (!storedEnd || sameTotals(storedEnd, recomputedEnd)) return null;
  return subtractTotals(recomputedEnd, storedEnd);
}
