import { DomainError, type FieldError } from '../errors';
import { MINUTE_MS } from './telemetry-item';

export const HOUR_MS = 60 * MINUTE_MS;
export const MAX_TELEMETRY_QUERY_RANGE_MS = 31 * 24 * HOUR_MS;
export const MAX_SERIES_POINTS = 1_440;
export const MIN_STEP_SECONDS = 60;

/** A half-open interval [fromMs, toMs) in Unix milliseconds. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export interface SeriesRequest extends TimeRange {
  stepMs: number;
  /** Buckets start at fromMs + i·stepMs; the last one may be cut short by toMs. */
  points: number;
}

/**
 * Checks a query's time range: whole minutes (the storage resolution), from before to, at most
 * 31 days. Every problem is reported at once.
 */
export function validateTimeRange(from: Date, to: Date): TimeRange {
  const problems = rangeProblems(from, to);
  if (problems.length > 0) throw DomainError.validation(problems);
  return { fromMs: from.getTime(), toMs: to.getTime() };
}

/** A time-series request: a valid range plus a step of whole minutes yielding at most 1,440 points. */
export function validateSeriesRequest(from: Date, to: Date, stepSeconds: number): SeriesRequest {
  const problems = rangeProblems(from, to);
  if (!Number.isSafeInteger(stepSeconds) || stepSeconds < MIN_STEP_SECONDS || stepSeconds % 60 !== 0) {
    problems.push({
      field: 'step',
      message: `must be a whole number of minutes in seconds (60, 120, ...), got ${stepSeconds}`,
    });
  } else if (problems.length === 0) {
    const points = Math.ceil((to.getTime() - from.getTime()) / (stepSeconds * 1000));
    if (points > MAX_SERIES_POINTS) {
      problems.push({
        field: 'step',
        message: `yields ${points} points over this range, more than ${MAX_SERIES_POINTS}; use a step of at least ${minimumStepSeconds(to.getTime() - from.getTime())} s`,
      });
    }
  }
  if (problems.length > 0) throw DomainError.validation(problems);
  const stepMs = stepSeconds * 1000;
  const fromMs = from.getTime();
  const toMs = to.getTime();
  return { fromMs, toMs, stepMs, points: Math.ceil((toMs - fromMs) / stepMs) };
}

function rangeProblems(from: Date, to: Date): FieldError[] {
  const problems: FieldError[] = [];
  // A transport that lets a null or non-date through must get a 400 here, not a TypeError (a 500).
  const fromMs = from instanceof Date ? from.getTime() : Number.NaN;
  const toMs = to instanceof Date ? to.getTime() : Number.NaN;
  if (Number.isNaN(fromMs)) problems.push({ field: 'from', message: 'must be a valid date-time' });
  else if (fromMs % MINUTE_MS !== 0)
    problems.push({ field: 'from', message: `must be a whole minute, got ${from.toISOString()}` });
  if (Number.isNaN(toMs)) problems.push({ field: 'to', message: 'must be a valid date-time' });
  else if (toMs % MINUTE_MS !== 0)
    problems.push({ field: 'to', message: `must be a whole minute, got ${to.toISOString()}` });
  if (problems.length > 0) return problems;
  if (fromMs >= toMs) problems.push({ field: 'to', message: 'must be after from' });
  else if (toMs - fromMs > MAX_TELEMETRY_QUERY_RANGE_MS) {
    problems.push({ field: 'to', message: 'must be at most 31 days after from' });
  }
  return problems;
}

function minimumStepSeconds(rangeMs: number): number {
  return Math.ceil(rangeMs / MAX_SERIES_POINTS / MINUTE_MS) * 60;
}

/** Which stored resolution answers which part of a query. */
export interface ReadPlan {
  hours: TimeRange | null;
  minutes: TimeRange[];
}

/**
 * Plan for a time series. Hour rollups answer the buckets that lie before `rolledUpUntilMs` when the
 * buckets are whole hours on hour boundaries (so every hour row falls inside one bucket); minutes
 * answer the rest. With no completed rollup yet, minutes answer everything.
 */
export function planSeriesReads(request: SeriesRequest, rolledUpUntilMs: number | null): ReadPlan {
  const hourly = request.fromMs % HOUR_MS === 0 && request.stepMs % HOUR_MS === 0;
  if (!hourly || rolledUpUntilMs === null) return minutesOnly(request);
  const hoursTo = Math.min(floorHour(request.toMs), rolledUpUntilMs);
  if (hoursTo <= request.fromMs) return minutesOnly(request);
  return {
    hours: { fromMs: request.fromMs, toMs: hoursTo },
    minutes: hoursTo < request.toMs ? [{ fromMs: hoursTo, toMs: request.toMs }] : [],
  };
}

/**
 * Plan for a total over a range (topology, top services): the whole hours inside the range that
 * are rolled up come from hours, the ragged ends and the not-yet-rolled tail from minutes.
 */
export function planAggregateReads(range: TimeRange, rolledUpUntilMs: number | null): ReadPlan {
  if (rolledUpUntilMs === null) return minutesOnly(range);
  const hoursFrom = ceilHour(range.fromMs);
  const hoursTo = Math.min(floorHour(range.toMs), rolledUpUntilMs);
  if (hoursTo <= hoursFrom) return minutesOnly(range);
  const minutes: TimeRange[] = [];
  if (range.fromMs < hoursFrom) minutes.push({ fromMs: range.fromMs, toMs: hoursFrom });
  if (hoursTo < range.toMs) minutes.push({ fromMs: hoursTo, toMs: range.toMs });
  return { hours: { fromMs: hoursFrom, toMs: hoursTo }, minutes };
}

function minutesOnly(range: TimeRange): ReadPlan {
  return { hours: null, minutes: [{ fromMs: range.fromMs, toMs: range.toMs }] };
}

export function floorHour(unixMs: number): number {
  return Math.floor(unixMs / HOUR_MS) * HOUR_MS;
}

export function ceilHour(unixMs: number): number {
  return Math.ceil(unixMs / HOUR_MS) * HOUR_MS;
}

/** Bucket i of a series holds [fromMs + i·stepMs, min(fromMs + (i+1)·stepMs, toMs)). */
export function seriesBucket(request: SeriesRequest, index: number): TimeRange {
  const fromMs = request.fromMs + index * request.stepMs;
  return { fromMs, toMs: Math.min(fromMs + request.stepMs, request.toMs) };
}

/**
 * The part of a range that has already been reported, for rates: minutes are reported once they
 * end, so a range (or series bucket) reaching into the current minute or the future counts only
 * its whole past minutes. Dividing its requests by the full length understated the rate of a
 * bucket still in progress. 0 for a range that starts in the current minute or later.
 */
export function reportedDurationMs(range: TimeRange, nowMs: number): number {
  const reportedUntil = Math.floor(nowMs / 60_000) * 60_000;
  return Math.max(0, Math.min(range.toMs, reportedUntil) - range.fromMs);
}
