import { DDSketch, type SketchJSON } from '../telemetry/ddsketch';
import { MINUTE_MS } from '../telemetry/telemetry-item';
import { LATENCY_PERCENTILE_QUANTILE, type SloIndicator, type SloJudging } from './slo-definition';

/** One minute of traffic for the SLO's service(s), e.g. a row of the minute rollup. */
export interface SloMinuteBucket {
  minuteUnixMs: number;
  requests: number;
  errors: number;
  /** Absent when latency is not known; latency indicators then hold for the minute. */
  latency?: SketchJSON | null;
}

/** A minute's traffic (all buckets of that minute merged) judged against the indicators. */
export interface MinuteVerdict {
  minuteUnixMs: number;
  requests: number;
  /** Requests that failed or were slower than the tightest latency threshold (OCCURRENCES). */
  badRequests: number;
  /** Whether every indicator held (TIME_SLICES). A minute without requests is good. */
  isGoodSlice: boolean;
}

export interface IndicatorValue {
  indicator: SloIndicator;
  /** Error rate in percent or latency percentile in ms; null when the minute had no traffic. */
  value: number | null;
  holds: boolean;
}

export interface MergedMinute {
  minuteUnixMs: number;
  requests: number;
  errors: number;
  latency: DDSketch | null;
}

/** Merges buckets of the same minute (several clusters or callers) and orders them by minute. */
export function mergeMinuteBuckets(buckets: readonly SloMinuteBucket[]): MergedMinute[] {
  const byMinute = new Map<number, MergedMinute>();
  for (const bucket of buckets) {
    let merged = byMinute.get(bucket.minuteUnixMs);
    if (!merged) {
      merged = { minuteUnixMs: bucket.minuteUnixMs, requests: 0, errors: 0, latency: null };
      byMinute.set(bucket.minuteUnixMs, merged);
    }
    merged.requests += bucket.requests;
    merged.errors += bucket.errors;
    if (bucket.latency) {
      const sketch = DDSketch.fromJSON(bucket.latency);
      if (merged.latency) merged.latency.merge(sketch);
      else merged.latency = sketch;
    }
  }
  return [...byMinute.values()].sort((left, right) => left.minuteUnixMs - right.minuteUnixMs);
}

/** Each indicator's value for one merged minute. */
export function indicatorValues(
  indicators: readonly SloIndicator[],
  minute: MergedMinute | undefined,
): IndicatorValue[] {
  return indicators.map((indicator) => {
    if (indicator.kind === 'ERROR_RATE') {
      const value =
        minute && minute.requests > 0
          ? (100 * Math.min(minute.errors, minute.requests)) / minute.requests
          : null;
      return { indicator, value, holds: value === null || value <= indicator.maxErrorRatePercent };
    }
    const value = minute?.latency?.quantile(LATENCY_PERCENTILE_QUANTILE[indicator.percentile]) ?? null;
    return { indicator, value, holds: value === null || value <= indicator.thresholdMs };
  });
}

export function minuteVerdict(indicators: readonly SloIndicator[], minute: MergedMinute): MinuteVerdict {
  const errors = Math.min(minute.errors, minute.requests);
  const latencyThresholds = indicators.flatMap((indicator) =>
    indicator.kind === 'LATENCY' ? [indicator.thresholdMs] : [],
  );
  const hasErrorIndicator = indicators.some((indicator) => indicator.kind === 'ERROR_RATE');
  let slowRequests = 0;
  if (latencyThresholds.length > 0 && minute.latency) {
    // Slower than any threshold is slower than the tightest one.
    slowRequests = minute.latency.count - minute.latency.countAtOrBelow(Math.min(...latencyThresholds));
  }
  // Errors and slow requests cannot be told apart per request, so they are counted as disjoint
  // (capped at the request count): the conservative choice.
  const badRequests = Math.min(minute.requests, (hasErrorIndicator ? errors : 0) + slowRequests);
  const isGoodSlice =
    minute.requests === 0 || indicatorValues(indicators, minute).every((value) => value.holds);
  return { minuteUnixMs: minute.minuteUnixMs, requests: minute.requests, badRequests, isGoodSlice };
}

/** Counts over a span of minutes, the input of budget and burn-rate math. */
export interface SpanTotals {
  /** Minutes in the span, with or without data. */
  minutes: number;
  /** Minutes with at least one request; the others are "no data" (see SloNoDataPolicy). */
  dataMinutes: number;
  /** Bad slices among the minutes with data (a minute without requests is never bad by itself). */
  badMinutes: number;
  requests: number;
  badRequests: number;
}

/** Totals of the verdicts whose minute starts in [startUnixMs, endUnixMs). */
export function spanTotals(
  verdicts: readonly MinuteVerdict[],
  startUnixMs: number,
  endUnixMs: number,
): SpanTotals {
  const totals: SpanTotals = {
    minutes: Math.max(0, Math.round((endUnixMs - startUnixMs) / MINUTE_MS)),
    dataMinutes: 0,
    badMinutes: 0,
    requests: 0,
    badRequests: 0,
  };
  for (const verdict of verdicts) {
    if (verdict.minuteUnixMs < startUnixMs || verdict.minuteUnixMs >= endUnixMs) continue;
    if (verdict.requests > 0) totals.dataMinutes++;
    if (!verdict.isGoodSlice) totals.badMinutes++;
    totals.requests += verdict.requests;
    totals.badRequests += verdict.badRequests;
  }
  return totals;
}

/** Minutes of the span without any request. */
export function noDataMinutes(totals: SpanTotals): number {
  return Math.max(0, totals.minutes - totals.dataMinutes);
}

/**
 * The time slices of a span as the no-data policy counts them: `minutes` the slices that count,
 * `badMinutes` the bad ones among them. GOOD: every minute counts, a quiet one as good; BAD: every
 * minute counts, a quiet one as bad; IGNORE: only the minutes with requests count.
 */
export function countedSlices(
  totals: SpanTotals,
  noDataPolicy: SloJudging['noDataPolicy'],
): { minutes: number; badMinutes: number } {
  const quiet = noDataMinutes(totals);
  switch (noDataPolicy) {
    case 'GOOD':
      return { minutes: totals.minutes, badMinutes: totals.badMinutes };
    case 'BAD':
      return { minutes: totals.minutes, badMinutes: totals.badMinutes + quiet };
    case 'IGNORE':
      return { minutes: totals.minutes - quiet, badMinutes: totals.badMinutes };
  }
}

/**
 * The fraction of the span that was bad under the budgeting method and the no-data policy (0 when
 * nothing counts). OCCURRENCES: bad requests / requests (a quiet minute adds none under GOOD and
 * IGNORE; BAD is refused for it by validation).
 */
export function badFraction(totals: SpanTotals, slo: SloJudging): number {
  if (slo.budgeting === 'TIME_SLICES') {
    const slices = countedSlices(totals, slo.noDataPolicy);
    return slices.minutes === 0 ? 0 : slices.badMinutes / slices.minutes;
  }
  return totals.requests === 0 ? 0 : totals.badRequests / totals.requests;
}
