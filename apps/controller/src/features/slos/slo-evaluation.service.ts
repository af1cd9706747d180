import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  assessSlo,
  MINUTE_MS,
  minuteStart,
  planLiveRun,
  ProbedRunningTotals,
  seriesBackfillTarget,
  sloAlertWebhookEvent,
  sloEvaluationProbes,
  sloTotalsFromRunningTotals,
  webhookEventTypeOfAlert,
  windowedSlos,
  type SloEvaluation,
  type SloSeriesProgress,
  type WindowedSlo,
} from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { TransactionRunner, type Transaction } from '../../platform/database/transaction.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import {
  DesiredStateScheduler,
  scheduleAfterCommit,
} from '../config-distribution/desired-state-scheduler.service';
import { SloMetrics } from './slo.metrics';
import {
  SloEvaluationRepository,
  type EvaluableSlo,
  type SloAlertEventRow,
  type SloStateRow,
} from './slo-evaluation.repository';
import {
  SERIES_TRANSACTION,
  SloSeriesService,
  type SeriesSpan,
  type SpanOutcome,
} from './slo-series.service';

export interface SloEvaluationRun {
  evaluatedAt: Date;
  fromMinute: Date;
  /** SLOs whose series the run brought forward ... */
  slos: number;
  /** ... of which so many were not assessed: their series is still being backfilled. */
  backfilling: number;
  minutesWritten: number;
  events: number;
  deliveries: number;
}

/**
 * The per-minute SLO evaluation, set-based over all SLOs. This service orchestrates: it reads
 * through SloEvaluationRepository, brings every series forward to now through SloSeriesService,
 * asks the pure steps in libs/domain (slo-series-plan, slo-window-totals, assessSlo) what to
 * compute, and writes the result. The traffic of all SLOs' services over the recomputed minutes
 * comes in one grouped query (sketches merged once per destination and minute), each SLO's minute
 * verdicts and running totals go back in one multi-row upsert, and every window's totals come from
 * one batch of index probes into those running totals. The last LATTICE_SLO_RECOMPUTE_MINUTES
 * minutes are recomputed every run; late minutes, gaps and backfills are SloSeriesService's job.
 * Alert events are unique per (SLO, rule, type, minute).
 */
@Injectable()
export class SloEvaluationService {
  private readonly logger = new Logger(SloEvaluationService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly repository: SloEvaluationRepository,
    private readonly series: SloSeriesService,
    private readonly webhooks: WebhooksService,
    private readonly metrics: SloMetrics,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly scheduler: DesiredStateScheduler,
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
    // An actionable SLO's violation flipped: its services' autoscaling scale-down block changes.
    for (const tenantId of outcome.actionableFlips)
      await scheduleAfterCommit(this.scheduler, this.logger, tenantId, 'actionable SLO violation changed');
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

  /** One evaluation run inside its transaction: series forward to now, then each SLO assessed, then events and deliveries recorded. */
  private async evaluateIn(
    tx: Transaction,
    nowMs: number,
  ): Promise<{
    run: SloEvaluationRun;
    deliveryIds: string[];
    eventTypes: string[];
    actionableFlips: string[];
  }> {
    const liveFromMs = nowMs - this.config.env.LATTICE_SLO_RECOMPUTE_MINUTES * MINUTE_MS;
    const slos = windowedSlos(await this.repository.loadEvaluable(tx));
    const previous = await this.repository.previousStates(tx);
    const { spans, rowsWritten, outcomes, advanced } = await this.advanceSeries(tx, slos, nowMs, liveFromMs);
    // A new series (a new SLO, or one whose definition changed) covers only its last minutes until
    // the backfill has prepended its history: judged on them, the SLO would show a budget and burn
    // rates of a few minutes and fire alerts its first complete evaluation resolves. It is not
    // assessed until then: no state (a changed one keeps its previous state), no events.
    const backfilling = await this.series.awaitingHistory(tx, advanced);
    const evaluations = await this.assess(
      tx,
      slos.filter(({ slo }) => !backfilling.has(slo.id)),
      outcomes,
      previous,
      nowMs,
    );
    const violatedBefore = await this.repository.actionableViolations(tx);
    await this.repository.saveStates(
      tx,
      nowMs,
      [...evaluations.values()].map(({ row }) => row),
    );
    const violatedAfter = await this.repository.actionableViolations(tx);
    const actionableFlips = new Set<string>();
    for (const [sloId, tenantId] of violatedBefore)
      if (!violatedAfter.has(sloId)) actionableFlips.add(tenantId);
    for (const [sloId, tenantId] of violatedAfter)
      if (!violatedBefore.has(sloId)) actionableFlips.add(tenantId);
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
        backfilling: backfilling.size,
        minutesWritten: rowsWritten,
        events: recorded.length,
        deliveries: deliveryIds.length,
      },
      deliveryIds,
      eventTypes: recorded.map((stored) => stored.event.type),
      actionableFlips: [...actionableFlips],
    };
  }

  /** Brings every SLO's series forward to now (see planLiveRun). */
  private async advanceSeries(
    tx: Transaction,
    slos: readonly WindowedSlo<EvaluableSlo>[],
    nowMs: number,
    liveFromMs: number,
  ) {
    const seriesById = await this.repository.loadSeries(tx);
    const spans: SeriesSpan[] = [];
    const advanced: { slo: EvaluableSlo; series: SloSeriesProgress }[] = [];
    for (const { slo, window } of slos) {
      const backfillTargetMs = seriesBackfillTarget(
        window,
        nowMs,
        this.config.env.LATTICE_TELEMETRY_HOUR_RETENTION_DAYS,
      );
      const plan = planLiveRun(slo, seriesById.get(slo.id), { nowMs, liveFromMs, backfillTargetMs });
      spans.push({ slo, ...plan.span });
      advanced.push({ slo, series: plan.series });
    }
    const { outcomes, rowsWritten } = await this.series.recomputeSpans(tx, spans, nowMs);
    await this.repository.saveSeries(
      tx,
      advanced.map(({ series }) => series),
    );
    return { spans, outcomes, rowsWritten, advanced };
  }

  /**
   * Assesses every SLO at now. Every span ends at now, so its totals are the running totals now
   * minus those before its start: one batch of probes for all SLOs and spans.
   */
  private async assess(
    tx: Transaction,
    slos: readonly WindowedSlo<EvaluableSlo>[],
    outcomes: ReadonlyMap<string, SpanOutcome>,
    previous: ReadonlyMap<string, { activeAlerts: SloEvaluation['activeAlerts'] }>,
    nowMs: number,
  ): Promise<Map<string, { slo: EvaluableSlo; row: SloStateRow; events: SloAlertEventRow[] }>> {
    const probes = slos.flatMap(({ slo, window }) =>
      sloEvaluationProbes(window, nowMs).map((beforeMs) => ({ sloId: slo.id, basis: slo.basis, beforeMs })),
    );
    const totalsBefore = new ProbedRunningTotals(
      probes,
      await this.repository.runningTotalsBefore(probes, tx),
    );
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
}
