import { BURN_RATE_WINDOWS, type BurnRateWindow } from './burn-rate';
import { computeErrorBudget } from './error-budget';
import type { SloTotals } from './evaluate-slo';
import { badFraction, countedSlices, type SpanTotals } from './sli';
import { sloWindowBounds, type SloDefinition, type SloWindow } from './slo-definition';
import { sloSpanStarts, spanFromRunningTotals, ZERO_RUNNING_TOTALS, type RunningTotals } from './slo-series';

/**
 * The running totals of one SLO's series before a minute (the latest row strictly before it, else
 * the series origin); ZERO_RUNNING_TOTALS when nothing was counted before it.
 */
export type RunningTotalsBefore = (beforeMs: number) => RunningTotals;

/** The answers of one batch of running-totals probes, by SLO and minute. */
export class ProbedRunningTotals {
  private readonly bySloAndMinute = new Map<string, RunningTotals>();

  constructor(
    probes: readonly { sloId: string; beforeMs: number }[],
    answers: readonly (RunningTotals | undefined)[],
  ) {
    probes.forEach((probe, index) => {
      const answer = answers[index];
      if (answer) this.bySloAndMinute.set(`${probe.sloId}|${probe.beforeMs}`, answer);
    });
  }

  /** The running totals before `beforeMs` (nothing counted yet: zero). */
  of(sloId: string, beforeMs: number): RunningTotals {
    return this.bySloAndMinute.get(`${sloId}|${beforeMs}`) ?? ZERO_RUNNING_TOTALS;
  }
}

/** Every minute an evaluation at `nowMs` needs the running totals before: the SLO window's start and each burn window's. */
export function sloEvaluationProbes(window: SloWindow, nowMs: number): number[] {
  const starts = sloSpanStarts(window, nowMs);
  return [starts.window, ...BURN_RATE_WINDOWS.map((burnWindow) => starts.burnWindows[burnWindow])];
}

/**
 * The totals of the SLO window so far and of every burn window, all ending at `nowMs`, each the
 * running totals through now minus those before the span's start.
 */
export function sloTotalsFromRunningTotals(
  window: SloWindow,
  nowMs: number,
  throughNow: RunningTotals,
  before: RunningTotalsBefore,
): SloTotals {
  const starts = sloSpanStarts(window, nowMs);
  const bounds = sloWindowBounds(window, nowMs);
  const burnWindows = {} as Record<BurnRateWindow, SpanTotals>;
  for (const burnWindow of BURN_RATE_WINDOWS) {
    const startMs = starts.burnWindows[burnWindow];
    burnWindows[burnWindow] = spanFromRunningTotals(throughNow, before(startMs), startMs, nowMs);
  }
  // A calendar month counts up to now; a rolling window ends at now anyway.
  return {
    window: spanFromRunningTotals(
      throughNow,
      before(bounds.startUnixMs),
      bounds.startUnixMs,
      Math.min(nowMs, bounds.endUnixMs),
    ),
    burnWindows,
  };
}

/** A range split into buckets: [fromMs, toMs) in steps of stepMs, the last one possibly shorter. */
export interface HistoryRange {
  fromMs: number;
  toMs: number;
  stepMs: number;
  points: number;
}

export interface SloHistoryPoint {
  timestamp: Date;
  requests: number;
  badRequests: number;
  /** Bad minutes as the no-data policy counts them (under BAD, quiet minutes included). */
  badMinutes: number;
  /** Good fraction of the bucket under the SLO's budgeting method; null for a bucket with nothing to judge. */
  sli: number | null;
  /** Error budget left at the end of the bucket (window ending there); null for buckets in the future. */
  budgetRemainingFraction: number | null;
}

/** The bucket boundaries of a history range: fromMs, fromMs + step, ..., toMs. */
function historyBoundaries(range: HistoryRange): number[] {
  return Array.from({ length: range.points + 1 }, (_, index) =>
    Math.min(range.fromMs + index * range.stepMs, range.toMs),
  );
}

/** Every minute a history needs the running totals before: each bucket boundary and the window start of each. */
export function sloHistoryProbes(window: SloWindow, range: HistoryRange): number[] {
  const boundaries = historyBoundaries(range);
  return [...boundaries, ...boundaries.map((boundary) => sloWindowBounds(window, boundary).startUnixMs)];
}

/**
 * SLI and budget per bucket: each bucket and each bucket's window is the difference of two
 * running totals, so a long range costs a few index probes per point.
 */
export function sloHistoryPoints(
  slo: Pick<SloDefinition, 'budgeting' | 'targetPercent' | 'noDataPolicy'> & { window: SloWindow },
  range: HistoryRange,
  before: RunningTotalsBefore,
  nowMs: number,
): SloHistoryPoint[] {
  const boundaries = historyBoundaries(range);
  return boundaries.slice(0, -1).map((start, index) => {
    const end = boundaries[index + 1]!;
    const throughEnd = before(end);
    // Minutes after now have not happened: they are not counted (as quiet minutes, or any other way).
    const bucket = spanFromRunningTotals(
      throughEnd,
      before(start),
      start,
      Math.max(start, Math.min(end, nowMs)),
    );
    const slices = countedSlices(bucket, slo.noDataPolicy);
    const judged = slo.budgeting === 'TIME_SLICES' ? slices.minutes > 0 : bucket.requests > 0;
    let budgetRemainingFraction: number | null = null;
    if (end <= nowMs) {
      const bounds = sloWindowBounds(slo.window, end);
      const windowTotals = spanFromRunningTotals(
        throughEnd,
        before(bounds.startUnixMs),
        bounds.startUnixMs,
        Math.min(end, bounds.endUnixMs),
      );
      budgetRemainingFraction = computeErrorBudget(
        slo,
        bounds.endUnixMs - bounds.startUnixMs,
        windowTotals,
      ).remainingFraction;
    }
    return {
      timestamp: new Date(start),
      requests: bucket.requests,
      badRequests: bucket.badRequests,
      badMinutes: slices.badMinutes,
      sli: judged ? 1 - badFraction(bucket, slo) : null,
      budgetRemainingFraction,
    };
  });
}
