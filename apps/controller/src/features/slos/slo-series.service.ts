import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  awaitsHistory,
  backfillCandidates,
  catchUpCandidates,
  evaluateSeriesSpan,
  HOUR_DETAIL_RETENTION_MS,
  isBackfilling,
  isCatchingUp,
  lateRangesByTenant,
  MINUTE_DETAIL_RETENTION_MS,
  minuteStart,
  minuteTelemetryFrom,
  planBackfill,
  planCatchUp,
  planLateRecount,
  prependSeriesSpan,
  runningTotalsShift,
  SERIES_CHUNK_MINUTES,
  seriesAfterPrepend,
  seriesDetailFrom,
  SloTrafficIndex,
  spanTrafficTargets,
  thinnedSpanParts,
  trafficTargetKey,
  uniqueTrafficServices,
  windowedSlos,
  ZERO_RUNNING_TOTALS,
  type IndicatorValue,
  type RunningTotals,
  type SeriesResolution,
  type SeriesSpanBounds,
  type SloSeriesProgress,
} from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import {
  TransactionRunner,
  type Transaction,
  type TransactionLimits,
} from '../../platform/database/transaction.service';
import {
  SloEvaluationRepository,
  type EvaluableSlo,
  type RunningTotalsShift,
  type SloMinuteRow,
} from './slo-evaluation.repository';

// The benchmark and the series job size their work by these.
export {
  MAX_LIVE_CATCH_UP_MINUTES,
  SERIES_CHUNK_BUDGET,
  SERIES_CHUNK_HOURS,
  SERIES_CHUNK_MINUTES,
} from '@lattice/domain';

export interface SeriesRepairRun {
  /** Chunks of late minutes, catch-up and backfill done, and the SLO spans they covered. */
  lateChunks: number;
  catchUpChunks: number;
  backfillChunks: number;
  /** Whether work is left (the time budget ran out). */
  more: boolean;
}

/** The evaluation run and series chunks write many rows: they get longer than Prisma's default limits. */
export const SERIES_TRANSACTION: TransactionLimits = { timeoutMs: 300_000, maxWaitMs: 30_000 };

/** A span of one SLO's series to compute. */
export interface SeriesSpan extends SeriesSpanBounds {
  slo: EvaluableSlo;
}

/** What recomputing a span left at its end. */
export interface SpanOutcome {
  /** Running totals through the span's last minute. */
  end: RunningTotals;
  /** Indicator values of the span's last minute. */
  indicators: IndicatorValue[];
}

/**
 * The SLO series beyond the per-minute run: it reads through SloEvaluationRepository, asks the
 * pure steps in libs/domain (slo-series-plan, slo-series-span) what to compute, and writes the
 * result.
 * - `repairSeries`, by its own job: minutes that got telemetry late, gaps after an outage and the
 *   backfill of new series, each in bounded chunks (short transactions), so the per-minute run
 *   never waits long.
 * - `recomputeSpans`, inside the caller's transaction (the evaluation run and the chunks above).
 * - `applyRetention`: thins old minute rows.
 * Recomputing a span rewrites its rows and shifts the running totals after it by the difference,
 * so it is idempotent (the same telemetry gives the same rows and a zero shift) and late data is
 * counted exactly once.
 */
@Injectable()
export class SloSeriesService {
  private readonly logger = new Logger(SloSeriesService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly repository: SloEvaluationRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /**
   * Counts late minutes, catches up gaps and backfills new series, chunk after chunk (each its own
   * short transaction), until nothing is left or `budgetMs` has passed.
   */
  async repairSeries(now?: Date, budgetMs = 20_000): Promise<SeriesRepairRun> {
    const started = Date.now();
    const run: SeriesRepairRun = { lateChunks: 0, catchUpChunks: 0, backfillChunks: 0, more: false };
    for (;;) {
      if (Date.now() - started >= budgetMs) {
        run.more = true;
        break;
      }
      const nowMs = minuteStart((now ?? new Date()).getTime());
      if (await this.countLateMinutes(nowMs)) run.lateChunks++;
      else if (await this.catchUpChunk(nowMs)) run.catchUpChunks++;
      else if (await this.backfillChunk(nowMs)) run.backfillChunks++;
      else break;
    }
    if (run.lateChunks + run.catchUpChunks + run.backfillChunks > 0)
      this.logger.log(run, 'SLO series repaired');
    return run;
  }

  /** Runs one bounded chunk of series work (backfill, catch-up, late minutes) holding the series lock. */
  private seriesChunk<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transactions.run(async (tx) => {
      await this.repository.lockSeries(tx);
      return work(tx);
    }, SERIES_TRANSACTION);
  }
  /** Recomputes the spans of SLOs that received telemetry late; false when none was marked. */
  async countLateMinutes(nowMs: number): Promise<boolean> {
    return this.seriesChunk(async (tx) => {
      const late = await this.repository.takeLateMinutes(tx, SERIES_CHUNK_MINUTES);
      if (late.length === 0) return false;
      const byTenant = lateRangesByTenant(late);
      const slos = windowedSlos(await this.repository.loadEvaluable(tx)).filter(({ slo }) =>
        byTenant.has(slo.tenantId),
      );
      const seriesById = await this.repository.loadSeries(tx);
      const spans: SeriesSpan[] = [];
      const extended: SloSeriesProgress[] = [];
      for (const { slo } of slos) {
        const series = seriesById.get(slo.id);
        if (!series || series.basis !== slo.basis) continue;
        const plan = planLateRecount(series, byTenant.get(slo.tenantId)!, seriesDetailFrom(nowMs));
        if (plan.extended) extended.push(plan.extended);
        if (plan.span) spans.push({ slo, ...plan.span });
      }
      await this.recomputeSpans(tx, spans, nowMs);
      await this.repository.saveSeries(tx, extended);
      return true;
    });
  }

  /** Fills the oldest gaps left by an outage (up to SERIES_CHUNK_MINUTES per SLO); false when there is none. */
  async catchUpChunk(nowMs: number): Promise<boolean> {
    return this.seriesChunk(async (tx) => {
      const seriesById = await this.repository.loadSeries(tx);
      const behind = [...seriesById.values()].filter(isCatchingUp);
      if (behind.length === 0) return false;
      const slos = await this.workableSlos(tx);
      const candidates = catchUpCandidates(
        behind,
        (series) => slos.get(series.sloId)?.basis === series.basis,
      );
      if (candidates.length === 0) return false;
      const spans: SeriesSpan[] = [];
      const advanced: SloSeriesProgress[] = [];
      for (const series of candidates) {
        const plan = planCatchUp(series, seriesDetailFrom(nowMs));
        spans.push({ slo: slos.get(series.sloId)!, ...plan.span });
        advanced.push(plan.series);
      }
      await this.recomputeSpans(tx, spans, nowMs);
      await this.repository.saveSeries(tx, advanced);
      return true;
    });
  }

  /**
   * Prepends the next stretch of history to series still being backfilled: from telemetry_minutes
   * within minute retention, from telemetry_hours rollups before it (occurrences-style, see
   * hourRollupTotals). The totals before the stretch become the new origin, so no later row changes.
   * False when no series needs it.
   */
  async backfillChunk(nowMs: number): Promise<boolean> {
    return this.seriesChunk(async (tx) => {
      const seriesById = await this.repository.loadSeries(tx);
      const pending = [...seriesById.values()].filter(isBackfilling);
      if (pending.length === 0) return false;
      const slos = await this.workableSlos(tx);
      const candidates = backfillCandidates(
        pending,
        (series) => slos.get(series.sloId)?.basis === series.basis,
      );
      if (candidates.length === 0) return false;

      // No telemetry before the series start, or none at all: the backfill stops at the first data.
      const firstTraffic = await this.firstTraffic(
        tx,
        candidates.map((series) => slos.get(series.sloId)!),
      );
      const minuteDataFromMs = minuteTelemetryFrom(
        nowMs,
        this.config.env.LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS,
      );
      const prepends: Record<SeriesResolution, SeriesSpan[]> = { minute: [], hour: [] };
      const finished: SloSeriesProgress[] = [];
      for (const series of candidates) {
        const slo = slos.get(series.sloId)!;
        const step = planBackfill(series, firstTraffic(slo), minuteDataFromMs);
        if (step.kind === 'finished') finished.push(step.series);
        else prepends[step.resolution].push({ slo, ...step.span });
      }
      const prepended = [
        ...(await this.prependSpans(tx, 'minute', prepends.minute, seriesById, nowMs)),
        ...(await this.prependSpans(tx, 'hour', prepends.hour, seriesById, nowMs)),
      ];
      await this.repository.saveSeries(tx, [...finished, ...prepended]);
      return true;
    });
  }

  /**
   * The SLOs among `advanced` (each with the series the run brought forward) whose backfill still
   * has telemetry to prepend (see awaitsHistory): not to be assessed yet.
   */
  async awaitingHistory(
    tx: Transaction,
    advanced: readonly { slo: EvaluableSlo; series: SloSeriesProgress }[],
  ): Promise<Set<string>> {
    const backfilling = advanced.filter(({ series }) => isBackfilling(series));
    const firstTraffic = await this.firstTraffic(
      tx,
      backfilling.map(({ slo }) => slo),
    );
    return new Set(
      backfilling
        .filter(({ slo, series }) => awaitsHistory(series, firstTraffic(slo)))
        .map(({ slo }) => slo.id),
    );
  }

  /** The first telemetry (minute or hour) to each service of each SLO that has any: one index probe per service. */
  private async firstTraffic(
    tx: Transaction,
    slos: readonly EvaluableSlo[],
  ): Promise<(slo: EvaluableSlo) => number[]> {
    const services = uniqueTrafficServices(slos);
    const earliest = new Map<string, number | null>();
    (await this.repository.earliestTraffic(tx, services)).forEach((value, index) =>
      earliest.set(trafficTargetKey(services[index]!.tenantId, services[index]!.service), value),
    );
    return (slo) =>
      slo.services.flatMap((service) => earliest.get(trafficTargetKey(slo.tenantId, service)) ?? []);
  }

  async applyRetention(now = new Date()): Promise<number> {
    return this.repository.thinMinutes(
      now.getTime() - MINUTE_DETAIL_RETENTION_MS,
      now.getTime() - HOUR_DETAIL_RETENTION_MS,
    );
  }

  /** The SLOs whose definition can be evaluated, by id. */
  private async workableSlos(tx: Transaction): Promise<Map<string, EvaluableSlo>> {
    return new Map(windowedSlos(await this.repository.loadEvaluable(tx)).map(({ slo }) => [slo.id, slo]));
  }

  /**
   * (Re)computes each span minute by minute from telemetry_minutes, continuing the running totals
   * before it, and shifts the rows after it by however much its totals changed. At most one span
   * per SLO. Runs in the caller's transaction, which holds the series lock.
   */
  async recomputeSpans(
    tx: Transaction,
    spans: readonly SeriesSpan[],
    nowMs: number,
  ): Promise<{ outcomes: Map<string, SpanOutcome>; rowsWritten: number }> {
    const outcomes = new Map<string, SpanOutcome>();
    if (spans.length === 0) return { outcomes, rowsWritten: 0 };
    const detailFromMs = seriesDetailFrom(nowMs);
    const traffic = new SloTrafficIndex(
      await this.repository.destinationPeriods(tx, 'minute', spanTrafficTargets(spans)),
    );
    // One batch of probes: the totals before each span's start and before its end.
    const starts = spans.map((span) => ({
      sloId: span.slo.id,
      basis: span.slo.basis,
      beforeMs: span.fromMs,
    }));
    const ends = spans.map((span) => ({ sloId: span.slo.id, basis: span.slo.basis, beforeMs: span.toMs }));
    const probed = await this.repository.runningTotalsBefore([...starts, ...ends], tx);
    const rows: SloMinuteRow[] = [];
    const shifts: RunningTotalsShift[] = [];
    spans.forEach((span, index) => {
      const { slo } = span;
      const before = probed[index] ?? ZERO_RUNNING_TOTALS;
      const storedEnd = probed[starts.length + index];
      const evaluated = evaluateSeriesSpan({
        indicators: slo.indicators,
        fromMs: span.fromMs,
        toMs: span.toMs,
        periods: traffic.periodsOf(slo),
        detailFromMs,
        before,
      });
      for (const minute of evaluated.minutes)
        rows.push({ sloId: slo.id, tenantId: slo.tenantId, basis: slo.basis, ...minute });
      outcomes.set(slo.id, { end: evaluated.end, indicators: evaluated.lastIndicators });
      const delta = runningTotalsShift(storedEnd, evaluated.end);
      if (delta) shifts.push({ sloId: slo.id, basis: slo.basis, fromMs: span.toMs, delta });
    });
    await this.repository.dropDetailBefore(tx, thinnedSpanParts(spans, detailFromMs));
    await this.repository.writeMinutes(tx, rows);
    await this.repository.shiftRunningTotals(tx, shifts);
    return { outcomes, rowsWritten: rows.length };
  }

  /**
   * Writes each span (ending at its series' start) in front of the series: its periods' totals
   * are subtracted from the series origin, which becomes the totals before the span.
   */
  private async prependSpans(
    tx: Transaction,
    resolution: SeriesResolution,
    spans: readonly SeriesSpan[],
    seriesById: ReadonlyMap<string, SloSeriesProgress>,
    nowMs: number,
  ): Promise<SloSeriesProgress[]> {
    if (spans.length === 0) return [];
    const detailFromMs = seriesDetailFrom(nowMs);
    const traffic = new SloTrafficIndex(
      await this.repository.destinationPeriods(tx, resolution, spanTrafficTargets(spans)),
    );
    const rows: SloMinuteRow[] = [];
    const updated: SloSeriesProgress[] = [];
    for (const span of spans) {
      const { slo } = span;
      const series = seriesById.get(slo.id)!;
      const prepended = prependSeriesSpan({
        indicators: slo.indicators,
        resolution,
        fromMs: span.fromMs,
        toMs: span.toMs,
        periods: traffic.periodsOf(slo),
        detailFromMs,
        origin: series.origin,
      });
      for (const minute of prepended.minutes)
        rows.push({ sloId: slo.id, tenantId: slo.tenantId, basis: slo.basis, ...minute });
      updated.push(seriesAfterPrepend(series, resolution, span, prepended.origin));
    }
    // Stale detail rows (e.g. of an older thinning) must not outlive the hours written here.
    await this.repository.dropDetailBefore(tx, thinnedSpanParts(spans, detailFromMs));
    await this.repository.writeMinutes(tx, rows);
    return updated;
  }
}
