import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  assessSlo,
  backfillCandidates,
  catchUpCandidates,
  evaluateSeriesSpan,
  HOUR_DETAIL_RETENTION_MS,
  isBackfilling,
  isCatchingUp,
  lateRangesByTenant,
  MINUTE_DETAIL_RETENTION_MS,
  MINUTE_MS,
  minuteStart,
  minuteTelemetryFrom,
  parseSloWindow,
  planBackfill,
  planCatchUp,
  planLateRecount,
  planLiveRun,
  prependSeriesSpan,
  runningTotalsShift,
  SERIES_CHUNK_MINUTES,
  seriesAfterPrepend,
  seriesBackfillTarget,
  seriesDetailFrom,
  sloAlertWebhookEvent,
  sloEvaluationProbes,
  SloTrafficIndex,
  sloTotalsFromRunningTotals,
  spanTrafficTargets,
  trafficTargetKey,
  uniqueTrafficServices,
  webhookEventTypeOfAlert,
  ZERO_RUNNING_TOTALS,
  type IndicatorValue,
  type RunningTotals,
  type SeriesResolution,
  type SeriesSpanBounds,
  type SloEvaluation,
  type SloSeriesProgress,
  type SloWindow,
} from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import {
  TransactionRunner,
  type Transaction,
  type TransactionLimits,
} from '../../platform/database/transaction.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { SloMetrics } from './slo.metrics';
import {
  SloEvaluationRepository,
  type EvaluableSlo,
  type RunningTotalsShift,
  type SloAlertEventRow,
  type SloMinuteRow,
  type SloStateRow,
} from './slo-evaluation.repository';

// The benchmark and the series job size their work by these.
export {
  MAX_LIVE_CATCH_UP_MINUTES,
  SERIES_CHUNK_BUDGET,
  SERIES_CHUNK_HOURS,
  SERIES_CHUNK_MINUTES,
} from '@lattice/domain';

export interface SloEvaluationRun {
  evaluatedAt: Date;
  fromMinute: Date;
  slos: number;
  minutesWritten: number;
  events: number;
  deliveries: number;
}

export interface SeriesRepairRun {
  /** Chunks of late minutes, catch-up and backfill done, and the SLO spans they covered. */
  lateChunks: number;
  catchUpChunks: number;
  backfillChunks: number;
  /** Whether work is left (the time budget ran out). */
  more: boolean;
}

/** The evaluation run and series chunks write many rows: they get longer than Prisma's default limits. */
const SERIES_TRANSACTION: TransactionLimits = { timeoutMs: 300_000, maxWaitMs: 30_000 };

/** A span of one SLO's series to compute. */
interface SeriesSpan extends SeriesSpanBounds {
  slo: EvaluableSlo;
}

/** An SLO whose definition can be evaluated, with its parsed window. */
interface WindowedSlo {
  slo: EvaluableSlo;
  window: SloWindow;
}

/** What recomputing a span left at its end. */
interface SpanOutcome {
  /** Running totals through the span's last minute. */
  end: RunningTotals;
  /** Indicator values of the span's last minute. */
  indicators: IndicatorValue[];
}

/**
 * SLO evaluation, set-based over all SLOs. This service orchestrates: it reads through
 * SloEvaluationRepository, asks the pure steps in libs/domain (slo-series-plan, slo-series-span,
 * slo-window-totals, assessSlo) what to compute, and writes the result.
 * - `evaluate`, every minute: the traffic of all SLOs' services over the recomputed minutes comes
 *   in one grouped query (sketches merged once per destination and minute), each SLO's minute
 *   verdicts and running totals go back in one multi-row upsert, and every window's totals come
 *   from one batch of index probes into those running totals. The last
 *   LATTICE_SLO_RECOMPUTE_MINUTES minutes are recomputed every run.
 * - `repairSeries`, by its own job: minutes that got telemetry late, gaps after an outage and the
 *   backfill of new series, each in bounded chunks (short transactions), so the per-minute run
 *   never waits long.
 * Recomputing a span rewrites its rows and shifts the running totals after it by the difference,
 * so it is idempotent (the same telemetry gives the same rows and a zero shift) and late data is
 * counted exactly once. Alert events are unique per (SLO, rule, type, minute).
 */
@Injectable()
export class SloEvaluationService {
  private readonly logger = new Logger(SloEvaluationService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly repository: SloEvaluationRepository,
    private readonly webhooks: WebhooksService,
    private readonly metrics: SloMetrics,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** Evaluates every SLO at the minute boundary at or before `now`; null when another run holds the lock. */
  async evaluate(now = new Date()): Promise<SloEvaluationRun | null> {
    const nowMs = minuteStart(now.getTime());
    const stopTimer = this.metrics.evaluationDuration.startTimer();
    const outcome = await this.exclusively((tx) => this.evaluateIn(tx, nowMs));
    if (!outcome) return null;
    stopTimer();
    for (const type of outcome.eventTypes) this.metrics.alertEvents.inc({ type });
    await this.webhooks.enqueue(outcome.deliveryIds);
    await this.webhooks.enqueueOrphans(Date.now());
    this.logger.log(outcome.run, 'SLO evaluation done');
    return outcome.run;
  }

  /**
   * Runs `work` in one transaction holding the evaluation lock, or returns null at once when another
   * run (another replica, or a manual run) holds it: runs never interleave their writes. It then
   * waits for the series lock, which a backfill / catch-up chunk holds only briefly.
   */
  private exclusively<T>(work: (tx: Transaction) => Promise<T>): Promise<T | null> {
    return this.transactions.run(async (tx) => {
      if (!(await this.repository.tryLockEvaluation(tx))) return null;
      await this.repository.lockSeries(tx);
      return work(tx);
    }, SERIES_TRANSACTION);
  }

  /** Runs one bounded chunk of series work (backfill, catch-up, late minutes) holding the series lock. */
  private seriesChunk<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transactions.run(async (tx) => {
      await this.repository.lockSeries(tx);
      return work(tx);
    }, SERIES_TRANSACTION);
  }

  /** One evaluation run inside its transaction: series forward to now, then each SLO assessed, then events and deliveries recorded. */
  private async evaluateIn(
    tx: Transaction,
    nowMs: number,
  ): Promise<{ run: SloEvaluationRun; deliveryIds: string[]; eventTypes: string[] }> {
    const liveFromMs = nowMs - this.config.env.LATTICE_SLO_RECOMPUTE_MINUTES * MINUTE_MS;
    const slos = windowed(await this.repository.loadEvaluable(tx));
    const previous = await this.repository.previousStates(tx);
    const { spans, rowsWritten, outcomes } = await this.advanceSeries(tx, slos, nowMs, liveFromMs);
    const evaluations = await this.assess(tx, slos, outcomes, previous, nowMs);
    await this.repository.saveStates(
      tx,
      nowMs,
      [...evaluations.values()].map(({ row }) => row),
    );
    const recorded = await this.repository.insertEvents(
      tx,
      [...evaluations.values()].flatMap(({ events }) => events),
    );
    const deliveryIds = await this.webhooks.createDeliveries(
      tx,
      recorded.map((stored) => {
        const { slo, row } = evaluations.get(stored.sloId)!;
        return {
          tenantId: stored.tenantId,
          eventId: stored.id,
          eventType: webhookEventTypeOfAlert(stored.event),
          payload: sloAlertWebhookEvent(stored.id, stored.event, slo, row.evaluation),
        };
      }),
    );
    return {
      run: {
        evaluatedAt: new Date(nowMs),
        fromMinute: new Date(spans.length > 0 ? Math.min(...spans.map((span) => span.fromMs)) : liveFromMs),
        slos: slos.length,
        minutesWritten: rowsWritten,
        events: recorded.length,
        deliveries: deliveryIds.length,
      },
      deliveryIds,
      eventTypes: recorded.map((stored) => stored.event.type),
    };
  }

  /** Brings every SLO's series forward to now (see planLiveRun). */
  private async advanceSeries(
    tx: Transaction,
    slos: readonly WindowedSlo[],
    nowMs: number,
    liveFromMs: number,
  ) {
    const seriesById = await this.repository.loadSeries(tx);
    const spans: SeriesSpan[] = [];
    const advanced: SloSeriesProgress[] = [];
    for (const { slo, window } of slos) {
      const backfillTargetMs = seriesBackfillTarget(
        window,
        nowMs,
        this.config.env.LATTICE_TELEMETRY_HOUR_RETENTION_DAYS,
      );
      const plan = planLiveRun(slo, seriesById.get(slo.id), { nowMs, liveFromMs, backfillTargetMs });
      spans.push({ slo, ...plan.span });
      advanced.push(plan.series);
    }
    const { outcomes, rowsWritten } = await this.recomputeSpans(tx, spans, nowMs);
    await this.repository.saveSeries(tx, advanced);
    return { spans, outcomes, rowsWritten };
  }

  /**
   * Assesses every SLO at now. Every span ends at now, so its totals are the running totals now
   * minus those before its start: one batch of probes for all SLOs and spans.
   */
  private async assess(
    tx: Transaction,
    slos: readonly WindowedSlo[],
    outcomes: ReadonlyMap<string, SpanOutcome>,
    previous: ReadonlyMap<string, { activeAlerts: SloEvaluation['activeAlerts'] }>,
    nowMs: number,
  ): Promise<Map<string, { slo: EvaluableSlo; row: SloStateRow; events: SloAlertEventRow[] }>> {
    const probes = slos.flatMap(({ slo, window }) =>
      sloEvaluationProbes(window, nowMs).map((beforeMs) => ({ sloId: slo.id, basis: slo.basis, beforeMs })),
    );
    const totalsBefore = new ProbedTotals(probes, await this.repository.runningTotalsBefore(probes, tx));
    const assessed = new Map<string, { slo: EvaluableSlo; row: SloStateRow; events: SloAlertEventRow[] }>();
    for (const { slo, window } of slos) {
      const current = outcomes.get(slo.id)!;
      const totals = sloTotalsFromRunningTotals(window, nowMs, current.end, (beforeMs) =>
        totalsBefore.of(slo.id, beforeMs),
      );
      try {
        const evaluation = assessSlo(
          slo,
          nowMs,
          totals,
          current.indicators,
          previous.get(slo.id)?.activeAlerts ?? [],
        );
        assessed.set(slo.id, {
          slo,
          row: { sloId: slo.id, tenantId: slo.tenantId, evaluation },
          events: evaluation.events.map((event) => ({ tenantId: slo.tenantId, sloId: slo.id, event })),
        });
      } catch (error) {
        this.logger.error({ err: error, sloId: slo.id }, 'SLO could not be evaluated');
      }
    }
    return assessed;
  }

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

  /** Recomputes the spans of SLOs that received telemetry late; false when none was marked. */
  async countLateMinutes(nowMs: number): Promise<boolean> {
    return this.seriesChunk(async (tx) => {
      const late = await this.repository.takeLateMinutes(tx, SERIES_CHUNK_MINUTES);
      if (late.length === 0) return false;
      const byTenant = lateRangesByTenant(late);
      const slos = windowed(await this.repository.loadEvaluable(tx)).filter(({ slo }) =>
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
      const services = uniqueTrafficServices(candidates.map((series) => slos.get(series.sloId)!));
      const earliest = new Map<string, number | null>();
      (await this.repository.earliestTraffic(tx, services)).forEach((value, index) =>
        earliest.set(trafficTargetKey(services[index]!.tenantId, services[index]!.service), value),
      );
      const minuteDataFromMs = minuteTelemetryFrom(
        nowMs,
        this.config.env.LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS,
      );
      const prepends: Record<SeriesResolution, SeriesSpan[]> = { minute: [], hour: [] };
      const finished: SloSeriesProgress[] = [];
      for (const series of candidates) {
        const slo = slos.get(series.sloId)!;
        const firsts = slo.services.flatMap(
          (service) => earliest.get(trafficTargetKey(slo.tenantId, service)) ?? [],
        );
        const step = planBackfill(series, firsts, minuteDataFromMs);
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

  async applyRetention(now = new Date()): Promise<number> {
    return this.repository.thinMinutes(
      now.getTime() - MINUTE_DETAIL_RETENTION_MS,
      now.getTime() - HOUR_DETAIL_RETENTION_MS,
    );
  }

  /** The SLOs whose definition can be evaluated, by id. */
  private async workableSlos(tx: Transaction): Promise<Map<string, EvaluableSlo>> {
    return new Map(windowed(await this.repository.loadEvaluable(tx)).map(({ slo }) => [slo.id, slo]));
  }

  /**
   * (Re)computes each span minute by minute from telemetry_minutes, continuing the running totals
   * before it, and shifts the rows after it by however much its totals changed. At most one span
   * per SLO.
   */
  private async recomputeSpans(
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
    await this.repository.dropDetailBefore(tx, thinnedParts(spans, detailFromMs));
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
    await this.repository.dropDetailBefore(tx, thinnedParts(spans, detailFromMs));
    await this.repository.writeMinutes(tx, rows);
    return updated;
  }
}

/** The SLOs whose window parses (the others cannot be evaluated and are skipped), with that window. */
function windowed(slos: readonly EvaluableSlo[]): WindowedSlo[] {
  return slos.flatMap((slo) => {
    const window = parseSloWindow(slo.window);
    return window ? [{ slo, window }] : [];
  });
}

/** The parts of the spans before detailFromMs, where only the rows closing an hour are kept. */
function thinnedParts(
  spans: readonly SeriesSpan[],
  detailFromMs: number,
): { sloId: string; fromMs: number; toMs: number }[] {
  return spans
    .filter((span) => span.fromMs < detailFromMs)
    .map((span) => ({ sloId: span.slo.id, fromMs: span.fromMs, toMs: Math.min(span.toMs, detailFromMs) }));
}

/** The answers of one batch of running-totals probes, by SLO and minute. */
class ProbedTotals {
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
