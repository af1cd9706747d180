import { MINUTE_MS } from '../telemetry/telemetry-item';
import { ceilHour, floorHour, HOUR_MS } from '../telemetry/telemetry-query';
import { DAY_MS, type SloWindow } from './slo-definition';
import { alignSeriesSpan, seriesHistoryStart, ZERO_RUNNING_TOTALS, type RunningTotals } from './slo-series';
import type { SeriesResolution } from './slo-series-span';

/*
 * Where each kind of series work starts and stops. The SLO evaluation service reads the series
 * and the telemetry, asks these functions what to compute, and writes the result.
 */

/**
 * The per-minute run evaluates from where the series is complete when that is at most this far
 * back; after a longer gap (an outage) it evaluates the recent minutes only and the series job
 * catches up the gap, oldest first, in bounded chunks. No minute is skipped.
 */
export const MAX_LIVE_CATCH_UP_MINUTES = 60;
/** Minute detail is kept for the longest burn window (3 days) plus slack ... */
export const MINUTE_DETAIL_RETENTION_MS = 3 * DAY_MS + 2 * HOUR_MS;
/** ... and the rows closing each hour for the longest SLO window (90 days) plus slack. */
export const HOUR_DETAIL_RETENTION_MS = 93 * DAY_MS;
/** One series chunk recomputes at most this many minutes of one SLO ... */
export const SERIES_CHUNK_MINUTES = 360;
/** ... or this many hours of one SLO from hourly rollups ... */
export const SERIES_CHUNK_HOURS = 7 * 24;
/** ... and at most this many SLO-minutes (or SLO-hours) in all, so one chunk stays short. */
export const SERIES_CHUNK_BUDGET = 200_000;
/** How many SLOs one catch-up or backfill chunk takes. */
export const SERIES_CHUNK_SLOS = Math.max(1, Math.floor(SERIES_CHUNK_BUDGET / SERIES_CHUNK_MINUTES));

/** How far an SLO's series reaches and what is still to be filled in (see the SloSeries table). */
export interface SloSeriesProgress {
  sloId: string;
  tenantId: string;
  /** The SLO basis the series was built under; another basis means the series restarts. */
  basis: number;
  /** The earliest minute of the series: the backfill has reached back to here. */
  coveredFromMs: number;
  /** Where the backfill stops. */
  backfillToMs: number;
  /** Periods before it were judged from hourly rollups. */
  minuteResolutionFromMs: number;
  /** Every minute in [coveredFromMs, caughtUpUntilMs) is evaluated; the catch-up fills the rest. */
  caughtUpUntilMs: number;
  /** The latest minute boundary the per-minute evaluation reached. */
  evaluatedUntilMs: number;
  /** The running totals before coveredFromMs. */
  origin: RunningTotals;
}

/** A stretch [fromMs, toMs) of one series to compute. */
export interface SeriesSpanBounds {
  fromMs: number;
  toMs: number;
}

/** The parts of the spans before detailFromMs, where only the rows closing an hour are kept. */
export function thinnedSpanParts(
  spans: readonly (SeriesSpanBounds & { slo: { id: string } })[],
  detailFromMs: number,
): { sloId: string; fromMs: number; toMs: number }[] {
  return spans
    .filter((span) => span.fromMs < detailFromMs)
    .map((span) => ({ sloId: span.slo.id, fromMs: span.fromMs, toMs: Math.min(span.toMs, detailFromMs) }));
}

/** The SLO a series belongs to, as far as planning is concerned. */
export interface SeriesOwner {
  id: string;
  tenantId: string;
  basis: number;
}

/** Minute rows from here on are all kept; before it only the rows closing an hour. */
export function seriesDetailFrom(nowMs: number): number {
  return ceilHour(nowMs - MINUTE_DETAIL_RETENTION_MS);
}

/** The first hour whose telemetry_minutes rows are surely all kept (minute retention, plus an hour of slack). */
export function minuteTelemetryFrom(nowMs: number, minuteRetentionDays: number): number {
  return ceilHour(nowMs - minuteRetentionDays * DAY_MS) + HOUR_MS;
}

/**
 * Where a new series' backfill aims: far enough back for the SLO window and the longest burn
 * window, no further than hourly telemetry is kept.
 */
export function seriesBackfillTarget(window: SloWindow, nowMs: number, hourRetentionDays: number): number {
  const oldestHour = ceilHour(nowMs - hourRetentionDays * DAY_MS);
  return Math.max(oldestHour, seriesHistoryStart(window, nowMs));
}

export interface LiveRunPlan {
  span: SeriesSpanBounds;
  /** The series after the run. */
  series: SloSeriesProgress;
}

/**
 * What the per-minute run at `nowMs` computes of one SLO: from where its series is complete
 * (normally the last few minutes) to now. A new series (or one of another basis) starts with the
 * recompute span and is backfilled by the series job; a gap longer than
 * MAX_LIVE_CATCH_UP_MINUTES is left to the catch-up.
 */
export function planLiveRun(
  slo: SeriesOwner,
  series: SloSeriesProgress | undefined,
  times: { nowMs: number; liveFromMs: number; backfillTargetMs: number },
): LiveRunPlan {
  const { nowMs, liveFromMs } = times;
  if (!series || series.basis !== slo.basis) {
    return {
      span: { fromMs: liveFromMs, toMs: nowMs },
      series: {
        sloId: slo.id,
        tenantId: slo.tenantId,
        basis: slo.basis,
        coveredFromMs: liveFromMs,
        backfillToMs: Math.min(liveFromMs, times.backfillTargetMs),
        minuteResolutionFromMs: liveFromMs,
        caughtUpUntilMs: nowMs,
        evaluatedUntilMs: nowMs,
        origin: ZERO_RUNNING_TOTALS,
      },
    };
  }
  const contiguous = series.caughtUpUntilMs >= nowMs - MAX_LIVE_CATCH_UP_MINUTES * MINUTE_MS;
  const fromMs = Math.max(
    series.coveredFromMs,
    contiguous ? Math.min(liveFromMs, series.caughtUpUntilMs) : liveFromMs,
  );
  return {
    span: { fromMs, toMs: nowMs },
    series: {
      ...series,
      caughtUpUntilMs: contiguous ? Math.max(series.caughtUpUntilMs, nowMs) : series.caughtUpUntilMs,
      evaluatedUntilMs: Math.max(series.evaluatedUntilMs, nowMs),
    },
  };
}

/** Late-marked minutes of each tenant as one range [fromMs, toMs) per tenant. */
export function lateRangesByTenant(
  late: readonly { tenantId: string; minuteMs: number }[],
): Map<string, SeriesSpanBounds> {
  const byTenant = new Map<string, SeriesSpanBounds>();
  for (const { tenantId, minuteMs } of late) {
    const range = byTenant.get(tenantId);
    byTenant.set(
      tenantId,
      range
        ? { fromMs: Math.min(range.fromMs, minuteMs), toMs: Math.max(range.toMs, minuteMs + MINUTE_MS) }
        : { fromMs: minuteMs, toMs: minuteMs + MINUTE_MS },
    );
  }
  return byTenant;
}

export interface LateRecountPlan {
  /** The part of the series to recompute, or null when none of it is evaluated yet. */
  span: SeriesSpanBounds | null;
  /** The series with its backfill resumed, when late minutes came before its start. */
  extended: SloSeriesProgress | null;
}

/**
 * How late minutes in `range` are counted in one series: before the series start the backfill
 * (resumed if it had stopped) counts them; at or after caughtUpUntil the catch-up or the
 * per-minute run does; in between they are recomputed now.
 */
export function planLateRecount(
  series: SloSeriesProgress,
  range: SeriesSpanBounds,
  detailFromMs: number,
): LateRecountPlan {
  const extended =
    range.fromMs < series.coveredFromMs && floorHour(range.fromMs) < series.backfillToMs
      ? { ...series, backfillToMs: floorHour(range.fromMs) }
      : null;
  const fromMs = Math.max(range.fromMs, series.coveredFromMs);
  const toMs = Math.min(range.toMs, series.caughtUpUntilMs);
  return {
    span: fromMs < toMs ? alignSeriesSpan(fromMs, toMs, detailFromMs, series.coveredFromMs) : null,
    extended,
  };
}

/** Whether the per-minute run has gone past a gap the catch-up has not filled yet. */
export function isCatchingUp(series: SloSeriesProgress): boolean {
  return series.caughtUpUntilMs < series.evaluatedUntilMs;
}

/** Whether the backfill has not reached where it stops yet. */
export function isBackfilling(series: SloSeriesProgress): boolean {
  return series.coveredFromMs > series.backfillToMs;
}

/**
 * The series furthest behind the per-minute run (oldest gap first) among those `workable` (their
 * SLO can be evaluated under the series' basis), as many as one chunk takes.
 */
export function catchUpCandidates(
  series: readonly SloSeriesProgress[],
  workable: (series: SloSeriesProgress) => boolean,
): SloSeriesProgress[] {
  return series
    .filter((entry) => isCatchingUp(entry) && workable(entry))
    .sort((left, right) => left.caughtUpUntilMs - right.caughtUpUntilMs)
    .slice(0, SERIES_CHUNK_SLOS);
}

/** The next stretch of a gap to fill (at most SERIES_CHUNK_MINUTES), and the series once it is. */
export function planCatchUp(
  series: SloSeriesProgress,
  detailFromMs: number,
): { span: SeriesSpanBounds; series: SloSeriesProgress } {
  const span = alignSeriesSpan(
    series.caughtUpUntilMs,
    Math.min(series.caughtUpUntilMs + SERIES_CHUNK_MINUTES * MINUTE_MS, series.evaluatedUntilMs),
    detailFromMs,
    series.coveredFromMs,
  );
  return { span, series: { ...series, caughtUpUntilMs: Math.min(span.toMs, series.evaluatedUntilMs) } };
}

/**
 * The series still being backfilled whose start is latest (the most recent history first) among
 * those `workable`, as many as one chunk takes.
 */
export function backfillCandidates(
  series: readonly SloSeriesProgress[],
  workable: (series: SloSeriesProgress) => boolean,
): SloSeriesProgress[] {
  return series
    .filter((entry) => isBackfilling(entry) && workable(entry))
    .sort((left, right) => right.coveredFromMs - left.coveredFromMs)
    .slice(0, SERIES_CHUNK_SLOS);
}

/** Where the backfill of `series` stops: its backfillToMs, or the hour of its services' first telemetry if later. */
function backfillStop(series: SloSeriesProgress, earliestTrafficMs: readonly number[]): number {
  return earliestTrafficMs.length === 0
    ? series.coveredFromMs
    : Math.max(series.backfillToMs, floorHour(Math.min(...earliestTrafficMs)));
}

/**
 * Whether telemetry before the series start is still to be prepended (see planBackfill). Until it
 * is, the SLO is not assessed: a new or restarted series covers only its last few minutes, and
 * budget and burn rates judged on them say nothing of the window. A backfill with nothing left to
 * prepend (no earlier telemetry: it finishes at its next step) does not hold the SLO back.
 */
export function awaitsHistory(series: SloSeriesProgress, earliestTrafficMs: readonly number[]): boolean {
  return isBackfilling(series) && backfillStop(series, earliestTrafficMs) < series.coveredFromMs;
}

export type BackfillStep =
  | { kind: 'finished'; series: SloSeriesProgress }
  | { kind: 'prepend'; resolution: SeriesResolution; span: SeriesSpanBounds };

/**
 * The next stretch of history to prepend to a series: from minute telemetry within its
 * retention, from hourly rollups before it. The backfill stops at the first telemetry of the
 * SLO's services (`earliestTrafficMs`, one per service that has any): with none before the
 * series start, or none at all, it is finished.
 */
export function planBackfill(
  series: SloSeriesProgress,
  earliestTrafficMs: readonly number[],
  minuteDataFromMs: number,
): BackfillStep {
  const stopMs = backfillStop(series, earliestTrafficMs);
  if (stopMs >= series.coveredFromMs)
    return { kind: 'finished', series: { ...series, backfillToMs: series.coveredFromMs } };
  if (series.coveredFromMs > minuteDataFromMs) {
    const fromMs = Math.max(
      stopMs,
      minuteDataFromMs,
      floorHour(series.coveredFromMs - SERIES_CHUNK_MINUTES * MINUTE_MS),
    );
    return { kind: 'prepend', resolution: 'minute', span: { fromMs, toMs: series.coveredFromMs } };
  }
  const fromMs = Math.max(stopMs, floorHour(series.coveredFromMs) - SERIES_CHUNK_HOURS * HOUR_MS);
  return { kind: 'prepend', resolution: 'hour', span: { fromMs, toMs: series.coveredFromMs } };
}

/** The series once `span` is prepended with the totals before it as its new origin. */
export function seriesAfterPrepend(
  series: SloSeriesProgress,
  resolution: SeriesResolution,
  span: SeriesSpanBounds,
  origin: RunningTotals,
): SloSeriesProgress {
  return {
    ...series,
    coveredFromMs: span.fromMs,
    origin,
    minuteResolutionFromMs:
      resolution === 'minute'
        ? Math.min(series.minuteResolutionFromMs, span.fromMs)
        : series.minuteResolutionFromMs,
  };
}
