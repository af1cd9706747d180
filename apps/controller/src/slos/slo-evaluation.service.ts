import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  addVerdict,
  assessSlo,
  BURN_RATE_WINDOWS,
  DDSketch,
  gnsTelemetryScope,
  indicatorValues,
  mergeSketchJson,
  MINUTE_MS,
  minuteStart,
  minuteVerdict,
  parseSloWindow,
  sloSpanStarts,
  sloWindowBounds,
  spanFromRunningTotals,
  ZERO_RUNNING_TOTALS,
  type AlertEvent,
  type BurnRateWindow,
  type GnsTelemetryScope,
  type IndicatorValue,
  type MergedMinute,
  type RunningTotals,
  type SpanTotals,
  type WebhookEventType,
} from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { WebhooksService } from '../webhooks/webhooks.service';
import { SloMetrics } from './slo.metrics';
import {
  SloEvaluationRepository,
  type DestinationMinute,
  type EvaluableSlo,
  type RunningTotalsLookup,
  type SloMinuteRow,
  type SloStateRow,
} from './slo-evaluation.repository';

/** After an outage, at most this many minutes are caught up; older ones count as good. */
export const MAX_CATCH_UP_MINUTES = 60;
/** Minute detail is kept for the longest burn window (3 days) plus slack; whole hours for the longest SLO window. */
const MINUTE_DETAIL_RETENTION_MS = 3 * 86_400_000 + 2 * 3_600_000;
const HOUR_DETAIL_RETENTION_MS = 93 * 86_400_000;

export interface SloEvaluationRun {
  evaluatedAt: Date;
  fromMinute: Date;
  slos: number;
  minutesWritten: number;
  events: number;
  deliveries: number;
}

/**
 * One evaluation cycle for every SLO, set-based: the traffic of all SLOs' services over the
 * recomputed minutes comes in one grouped query (sketches merged once per destination and minute),
 * each SLO's minute verdicts and running totals go back in one multi-row upsert, and every window's
 * totals come from one batch of index probes into those running totals. Re-running a minute
 * recomputes the same rows from the same telemetry, and alert events are unique per (SLO, rule,
 * type, minute), so it changes nothing; the last LATTICE_SLO_RECOMPUTE_MINUTES minutes are
 * recomputed every run so that late telemetry is counted.
 */
@Injectable()
export class SloEvaluationService {
  private readonly logger = new Logger(SloEvaluationService.name);

  constructor(
    private readonly repository: SloEvaluationRepository,
    private readonly webhooks: WebhooksService,
    private readonly metrics: SloMetrics,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** Evaluates every SLO at the minute boundary at or before `now`; null when another run holds the lock. */
  async evaluate(now = new Date()): Promise<SloEvaluationRun | null> {
    const nowMs = minuteStart(now.getTime());
    const stopTimer = this.metrics.evaluationDuration.startTimer();
    const recompute = this.config.env.LATTICE_SLO_RECOMPUTE_MINUTES;
    const outcome = await this.repository.exclusively(async (db) => {
      const slos = (await this.repository.loadEvaluable(db)).filter((slo) => parseSloWindow(slo.window) !== null);
      const previous = await this.repository.previousStates(db);
      // The SLO evaluated longest ago (new SLOs start with the recompute span).
      const evaluatedAt = slos.flatMap((slo) => previous.get(slo.id)?.evaluatedAtMs ?? []);
      const lastEvaluated = evaluatedAt.length > 0 ? Math.min(...evaluatedAt) : null;
      // Normally the last few minutes; after a gap (outage, slow runs) back to the oldest state, bounded.
      const fromMs = Math.max(nowMs - MAX_CATCH_UP_MINUTES * MINUTE_MS, Math.min(nowMs - recompute * MINUTE_MS, lastEvaluated ?? nowMs));

      const targets = uniqueTargets(slos);
      const traffic = indexByTarget(await this.repository.destinationMinutes(db, targets, fromMs, nowMs));
      const anchors = await this.repository.runningTotalsBefore(db, slos.map((slo) => ({ sloId: slo.id, basis: slo.basis, beforeMs: fromMs })));

      const scopes = new Map<string, GnsTelemetryScope>();
      const minuteRows: SloMinuteRow[] = [];
      const latest = new Map<string, { running: RunningTotals; indicators: IndicatorValue[] }>();
      slos.forEach((slo, index) => {
        let scope = scopes.get(slo.gnsId);
        if (!scope) {
          scope = gnsTelemetryScope(slo.matchConditions, slo.clusters);
          scopes.set(slo.gnsId, scope);
        }
        const minutes = sloMinutes(slo, scope, traffic);
        let running = anchors[index] ?? ZERO_RUNNING_TOTALS;
        let indicators: IndicatorValue[] = [];
        for (let minuteMs = fromMs; minuteMs < nowMs; minuteMs += MINUTE_MS) {
          const merged = minutes.get(minuteMs) ?? { minuteUnixMs: minuteMs, requests: 0, errors: 0, latency: null };
          const verdict = minuteVerdict(slo.indicators, merged);
          indicators = indicatorValues(slo.indicators, merged);
          running = addVerdict(running, verdict);
          minuteRows.push({
            sloId: slo.id,
            tenantId: slo.tenantId,
            basis: slo.basis,
            minuteMs,
            requests: verdict.requests,
            badRequests: verdict.badRequests,
            badSlice: !verdict.isGoodSlice,
            indicatorValues: indicators.map((value) => value.value),
            running,
          });
        }
        latest.set(slo.id, { running, indicators });
      });
      await this.repository.writeMinutes(db, minuteRows);

      // Every span ends at now: its totals are the running totals now minus those before its start.
      const lookups: RunningTotalsLookup[] = [];
      const starts = slos.map((slo) => {
        const spanStarts = sloSpanStarts(parseSloWindow(slo.window)!, nowMs);
        lookups.push({ sloId: slo.id, basis: slo.basis, beforeMs: spanStarts.window });
        for (const burnWindow of BURN_RATE_WINDOWS) lookups.push({ sloId: slo.id, basis: slo.basis, beforeMs: spanStarts.burnWindows[burnWindow] });
        return spanStarts;
      });
      const before = await this.repository.runningTotalsBefore(db, lookups);

      const states: SloStateRow[] = [];
      const events: { tenantId: string; sloId: string; event: AlertEvent; slo: EvaluableSlo }[] = [];
      const perSlo = 1 + BURN_RATE_WINDOWS.length;
      slos.forEach((slo, index) => {
        const current = latest.get(slo.id)!;
        const at = (offset: number) => before[index * perSlo + offset] ?? ZERO_RUNNING_TOTALS;
        const bounds = sloWindowBounds(parseSloWindow(slo.window)!, nowMs);
        const burnWindows = {} as Record<BurnRateWindow, SpanTotals>;
        BURN_RATE_WINDOWS.forEach((burnWindow, offset) => {
          burnWindows[burnWindow] = spanFromRunningTotals(current.running, at(offset + 1), starts[index]!.burnWindows[burnWindow], nowMs);
        });
        const totals = { window: spanFromRunningTotals(current.running, at(0), bounds.startUnixMs, Math.min(nowMs, bounds.endUnixMs)), burnWindows };
        try {
          const evaluation = assessSlo(slo, nowMs, totals, current.indicators, previous.get(slo.id)?.activeAlerts ?? []);
          states.push({ sloId: slo.id, tenantId: slo.tenantId, evaluation });
          for (const event of evaluation.events) events.push({ tenantId: slo.tenantId, sloId: slo.id, event, slo });
        } catch (error) {
          this.logger.error({ err: error, sloId: slo.id }, 'SLO could not be evaluated');
        }
      });
      await this.repository.saveStates(db, nowMs, states);
      const recorded = await this.repository.insertEvents(db, events);
      const sloById = new Map(slos.map((slo) => [slo.id, slo]));
      const stateById = new Map(states.map((state) => [state.sloId, state.evaluation]));
      const deliveryIds = await this.webhooks.createDeliveries(
        db,
        recorded.map((stored) => ({
          tenantId: stored.tenantId,
          eventId: stored.id,
          eventType: eventTypeOf(stored.event),
          payload: alertPayload(stored.id, stored.event, sloById.get(stored.sloId)!, stateById.get(stored.sloId)),
        })),
      );
      return {
        run: {
          evaluatedAt: new Date(nowMs),
          fromMinute: new Date(fromMs),
          slos: slos.length,
          minutesWritten: minuteRows.length,
          events: recorded.length,
          deliveries: deliveryIds.length,
        },
        deliveryIds,
        events: recorded.map((stored) => stored.event.type),
      };
    });
    if (!outcome) return null;
    stopTimer();
    for (const event of outcome.events) this.metrics.alertEvents.inc({ type: event });
    await this.webhooks.enqueue(outcome.deliveryIds);
    await this.webhooks.enqueueOrphans(Date.now());
    this.logger.log(outcome.run, 'SLO evaluation done');
    return outcome.run;
  }

  async applyRetention(now = new Date()): Promise<number> {
    return this.repository.thinMinutes(now.getTime() - MINUTE_DETAIL_RETENTION_MS, now.getTime() - HOUR_DETAIL_RETENTION_MS);
  }
}

function targetKey(tenantId: string, service: string): string {
  return `${tenantId}|${service}`;
}

function uniqueTargets(slos: readonly EvaluableSlo[]): { tenantId: string; service: string }[] {
  const targets = new Map<string, { tenantId: string; service: string }>();
  for (const slo of slos) for (const service of slo.services) targets.set(targetKey(slo.tenantId, service), { tenantId: slo.tenantId, service });
  return [...targets.values()];
}

/** A destination minute with its sketches merged at most once, however many SLOs read it. */
interface CachedDestinationMinute extends DestinationMinute {
  merged?: DDSketch;
}

function indexByTarget(rows: readonly DestinationMinute[]): Map<string, CachedDestinationMinute[]> {
  const index = new Map<string, CachedDestinationMinute[]>();
  for (const row of rows) {
    const key = targetKey(row.tenantId, row.service);
    const list = index.get(key) ?? [];
    list.push({ ...row });
    index.set(key, list);
  }
  return index;
}

/** The SLO's traffic per minute: its services in the GNS's member (cluster, namespace) pairs. */
function sloMinutes(slo: EvaluableSlo, scope: GnsTelemetryScope, traffic: Map<string, CachedDestinationMinute[]>): Map<number, MergedMinute> {
  const minutes = new Map<number, MergedMinute & { ownsLatency: boolean }>();
  for (const service of slo.services) {
    for (const row of traffic.get(targetKey(slo.tenantId, service)) ?? []) {
      if (!scope.includes(row.clusterId, row.namespace)) continue;
      row.merged ??= mergeSketchJson(row.sketches);
      const minute = minutes.get(row.minuteMs);
      if (!minute) {
        // Shared with other SLOs until a second destination makes it ours to merge into.
        minutes.set(row.minuteMs, { minuteUnixMs: row.minuteMs, requests: row.requests, errors: row.errors, latency: row.merged, ownsLatency: false });
        continue;
      }
      minute.requests += row.requests;
      minute.errors += row.errors;
      if (!minute.ownsLatency) {
        minute.latency = minute.latency ? minute.latency.clone() : new DDSketch();
        minute.ownsLatency = true;
      }
      minute.latency!.merge(row.merged);
    }
  }
  return minutes;
}

function eventTypeOf(event: AlertEvent): WebhookEventType {
  return event.type === 'FIRED' ? 'slo.alert.fired' : 'slo.alert.resolved';
}

/** The JSON body receivers get for an alert event. */
function alertPayload(eventId: string, event: AlertEvent, slo: EvaluableSlo, evaluation: ReturnType<typeof assessSlo> | undefined): unknown {
  return {
    id: eventId,
    type: eventTypeOf(event),
    occurredAt: new Date(event.atUnixMs).toISOString(),
    alert: {
      rule: event.ruleId,
      severity: event.severity,
      threshold: event.threshold,
      longWindowBurnRate: event.longWindowBurnRate,
      shortWindowBurnRate: event.shortWindowBurnRate,
    },
    slo: {
      id: slo.id,
      name: slo.name,
      gnsId: slo.gnsId,
      services: slo.services,
      type: slo.type,
      targetPercent: slo.targetPercent,
      window: slo.window,
      status: evaluation?.status ?? null,
      budgetRemainingFraction: evaluation?.budget.remainingFraction ?? null,
    },
  };
}
