import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  addTotals,
  addVerdict,
  alignSeriesSpan,
  assessSlo,
  BURN_RATE_WINDOWS,
  ceilHour,
  DDSketch,
  floorHour,
  gnsTelemetryScope,
  HOUR_MS,
  hourRollupTotals,
  indicatorValues,
  isHourEnd,
  mergeSketchJson,
  MINUTE_MS,
  minuteStart,
  minuteVerdict,
  parseSloWindow,
  sameTotals,
  seriesHistoryStart,
  sloSpanStarts,
  sloWindowBounds,
  spanFromRunningTotals,
  subtractTotals,
  ZERO_RUNNING_TOTALS,
  type AlertEvent,
  type BurnRateWindow,
  type GnsTelemetryScope,
  type IndicatorValue,
  type MergedMinute,
  type PeriodTotals,
  type RunningTotals,
  type SpanTotals,
  type WebhookEventType,
} from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import type { Db } from '../../platform/database/db.util';
import { WebhooksService } from '../webhooks/webhooks.service';
import { SloMetrics } from './slo.metrics';
import {
  SloEvaluationRepository,
  type DestinationMinute,
  type EvaluableSlo,
  type RunningTotalsLookup,
  type RunningTotalsShift,
  type SloMinuteRow,
  type SloSeriesRow,
  type SloStateRow,
  type TrafficTarget,
} from './slo-evaluation.repository';

/**
 * The per-minute run evaluates from where the series is complete when that is at most this far
 * back; after a longer gap (an outage) it evaluates the recent minutes only and the series job
 * catches up the gap, oldest first, in bounded chunks. No minute is skipped.
 */
export const MAX_LIVE_CATCH_UP_MINUTES = 60;
/** Minute detail is kept for the longest burn window (3 days) plus slack; whole hours for the longest SLO window. */
const MINUTE_DETAIL_RETENTION_MS = 3 * 86_400_000 + 2 * 3_600_000;
const HOUR_DETAIL_RETENTION_MS = 93 * 86_400_000;
const DAY_MS = 86_400_000;
/** One series chunk recomputes at most this many minutes of one SLO ... */
export const SERIES_CHUNK_MINUTES = 360;
/** ... or this many hours of one SLO from hourly rollups ... */
export const SERIES_CHUNK_HOURS = 7 * 24;
/** ... and at most this many SLO-minutes (or SLO-hours) in all, so one chunk stays short. */
export const SERIES_CHUNK_BUDGET = 200_000;

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

/** A span of one SLO's series to compute. */
interface SeriesSpan {
  slo: EvaluableSlo;
  fromMs: number;
  toMs: number;
}

interface SpanOutcome {
  /** Running totals through the span's last minute. */
  end: RunningTotals;
  /** Indicator values of the span's last minute. */
  indicators: IndicatorValue[];
}

/**
 * SLO evaluation, set-based over all SLOs:
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
    private readonly repository: SloEvaluationRepository,
    private readonly webhooks: WebhooksService,
    private readonly metrics: SloMetrics,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** Evaluates every SLO at the minute boundary at or before `now`; null when another run holds the lock. */
  async evaluate(now = new Date()): Promise<SloEvaluationRun | null> {
    const nowMs = minuteStart(now.getTime());
    const stopTimer = this.metrics.evaluationDuration.startTimer();
    const liveFromMs = nowMs - this.config.env.LATTICE_SLO_RECOMPUTE_MINUTES * MINUTE_MS;
    const outcome = await this.repository.exclusively(async (db) => {
      const slos = (await this.repository.loadEvaluable(db)).filter((slo) => parseSloWindow(slo.window) !== null);
      const previous = await this.repository.previousStates(db);
      const seriesById = await this.repository.loadSeries(db);

      // Each SLO from where its series is complete (normally the last few minutes); a new series
      // starts with the recompute span and is backfilled by the series job; a longer gap is left
      // to the catch-up.
      const spans: SeriesSpan[] = [];
      const seriesRows: SloSeriesRow[] = [];
      for (const slo of slos) {
        const series = seriesById.get(slo.id);
        if (!series || series.basis !== slo.basis) {
          spans.push({ slo, fromMs: liveFromMs, toMs: nowMs });
          seriesRows.push({
            sloId: slo.id,
            tenantId: slo.tenantId,
            basis: slo.basis,
            coveredFromMs: liveFromMs,
            backfillToMs: Math.min(liveFromMs, this.backfillTarget(slo, nowMs)),
            minuteResolutionFromMs: liveFromMs,
            caughtUpUntilMs: nowMs,
            evaluatedUntilMs: nowMs,
            origin: ZERO_RUNNING_TOTALS,
          });
          continue;
        }
        const contiguous = series.caughtUpUntilMs >= nowMs - MAX_LIVE_CATCH_UP_MINUTES * MINUTE_MS;
        const fromMs = Math.max(series.coveredFromMs, contiguous ? Math.min(liveFromMs, series.caughtUpUntilMs) : liveFromMs);
        spans.push({ slo, fromMs, toMs: nowMs });
        seriesRows.push({
          ...series,
          caughtUpUntilMs: contiguous ? Math.max(series.caughtUpUntilMs, nowMs) : series.caughtUpUntilMs,
          evaluatedUntilMs: Math.max(series.evaluatedUntilMs, nowMs),
        });
      }
      const { outcomes, rowsWritten } = await this.recomputeSpans(db, spans, nowMs);
      await this.repository.saveSeries(db, seriesRows);

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
        const current = outcomes.get(slo.id)!;
        const at = (offset: number) => before[index * perSlo + offset] ?? ZERO_RUNNING_TOTALS;
        const bounds = sloWindowBounds(parseSloWindow(slo.window)!, nowMs);
        const burnWindows = {} as Record<BurnRateWindow, SpanTotals>;
        BURN_RATE_WINDOWS.forEach((burnWindow, offset) => {
          burnWindows[burnWindow] = spanFromRunningTotals(current.end, at(offset + 1), starts[index]!.burnWindows[burnWindow], nowMs);
        });
        const totals = { window: spanFromRunningTotals(current.end, at(0), bounds.startUnixMs, Math.min(nowMs, bounds.endUnixMs)), burnWindows };
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
          fromMinute: new Date(spans.length > 0 ? Math.min(...spans.map((span) => span.fromMs)) : liveFromMs),
          slos: slos.length,
          minutesWritten: rowsWritten,
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
    if (run.lateChunks + run.catchUpChunks + run.backfillChunks > 0) this.logger.log(run, 'SLO series repaired');
    return run;
  }

  /** Recomputes the spans of SLOs that received telemetry late; false when none was marked. */
  async countLateMinutes(nowMs: number): Promise<boolean> {
    return this.repository.seriesChunk(async (db) => {
      const late = await this.repository.takeLateMinutes(db, SERIES_CHUNK_MINUTES);
      if (late.length === 0) return false;
      const byTenant = new Map<string, { fromMs: number; toMs: number }>();
      for (const { tenantId, minuteMs } of late) {
        const range = byTenant.get(tenantId);
        byTenant.set(tenantId, range ? { fromMs: Math.min(range.fromMs, minuteMs), toMs: Math.max(range.toMs, minuteMs + MINUTE_MS) } : { fromMs: minuteMs, toMs: minuteMs + MINUTE_MS });
      }
      const slos = (await this.repository.loadEvaluable(db)).filter((slo) => byTenant.has(slo.tenantId) && parseSloWindow(slo.window) !== null);
      const seriesById = await this.repository.loadSeries(db);
      const spans: SeriesSpan[] = [];
      const extended: SloSeriesRow[] = [];
      for (const slo of slos) {
        const series = seriesById.get(slo.id);
        if (!series || series.basis !== slo.basis) continue;
        const range = byTenant.get(slo.tenantId)!;
        // Before the series start: the backfill (resumed if it had stopped) counts it. At or after
        // caughtUpUntil: the catch-up or the per-minute run does.
        if (range.fromMs < series.coveredFromMs && floorHour(range.fromMs) < series.backfillToMs) {
          extended.push({ ...series, backfillToMs: floorHour(range.fromMs) });
        }
        const fromMs = Math.max(range.fromMs, series.coveredFromMs);
        const toMs = Math.min(range.toMs, series.caughtUpUntilMs);
        if (fromMs < toMs) spans.push({ slo, ...alignSeriesSpan(fromMs, toMs, this.detailFrom(nowMs), series.coveredFromMs) });
      }
      await this.recomputeSpans(db, spans, nowMs);
      await this.repository.saveSeries(db, extended);
      return true;
    });
  }

  /** Fills the oldest gaps left by an outage (up to SERIES_CHUNK_MINUTES per SLO); false when there is none. */
  async catchUpChunk(nowMs: number): Promise<boolean> {
    return this.repository.seriesChunk(async (db) => {
      const seriesById = await this.repository.loadSeries(db);
      const behind = [...seriesById.values()].filter((series) => series.caughtUpUntilMs < series.evaluatedUntilMs);
      if (behind.length === 0) return false;
      const slos = new Map((await this.repository.loadEvaluable(db)).map((slo) => [slo.id, slo]));
      const candidates = behind
        .filter((series) => slos.get(series.sloId)?.basis === series.basis && parseSloWindow(slos.get(series.sloId)!.window) !== null)
        .sort((left, right) => left.caughtUpUntilMs - right.caughtUpUntilMs)
        .slice(0, Math.max(1, Math.floor(SERIES_CHUNK_BUDGET / SERIES_CHUNK_MINUTES)));
      if (candidates.length === 0) return false;
      const spans: SeriesSpan[] = [];
      const advanced: SloSeriesRow[] = [];
      for (const series of candidates) {
        const span = alignSeriesSpan(
          series.caughtUpUntilMs,
          Math.min(series.caughtUpUntilMs + SERIES_CHUNK_MINUTES * MINUTE_MS, series.evaluatedUntilMs),
          this.detailFrom(nowMs),
          series.coveredFromMs,
        );
        spans.push({ slo: slos.get(series.sloId)!, ...span });
        advanced.push({ ...series, caughtUpUntilMs: Math.min(span.toMs, series.evaluatedUntilMs) });
      }
      await this.recomputeSpans(db, spans, nowMs);
      await this.repository.saveSeries(db, advanced);
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
    return this.repository.seriesChunk(async (db) => {
      const seriesById = await this.repository.loadSeries(db);
      const pending = [...seriesById.values()].filter((series) => series.coveredFromMs > series.backfillToMs);
      if (pending.length === 0) return false;
      const slos = new Map((await this.repository.loadEvaluable(db)).map((slo) => [slo.id, slo]));
      const candidates = pending
        .filter((series) => slos.get(series.sloId)?.basis === series.basis && parseSloWindow(slos.get(series.sloId)!.window) !== null)
        .sort((left, right) => right.coveredFromMs - left.coveredFromMs)
        .slice(0, Math.max(1, Math.floor(SERIES_CHUNK_BUDGET / SERIES_CHUNK_MINUTES)));
      if (candidates.length === 0) return false;

      // No telemetry before the series start, or none at all: the backfill stops at the first data.
      const targets = uniqueTargets(candidates.map((series) => slos.get(series.sloId)!));
      const earliest = new Map<string, number | null>();
      (await this.repository.earliestTraffic(db, targets)).forEach((value, index) => earliest.set(targetKey(targets[index]!.tenantId, targets[index]!.service), value));
      const minuteDataFromMs = ceilHour(nowMs - this.config.env.LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS * DAY_MS) + HOUR_MS;
      const minuteSpans: SeriesSpan[] = [];
      const hourSpans: SeriesSpan[] = [];
      const finished: SloSeriesRow[] = [];
      for (const series of candidates) {
        const slo = slos.get(series.sloId)!;
        const firsts = slo.services.flatMap((service) => earliest.get(targetKey(slo.tenantId, service)) ?? []);
        const stopMs = firsts.length === 0 ? series.coveredFromMs : Math.max(series.backfillToMs, floorHour(Math.min(...firsts)));
        if (stopMs >= series.coveredFromMs) {
          finished.push({ ...series, backfillToMs: series.coveredFromMs });
          continue;
        }
        if (series.coveredFromMs > minuteDataFromMs) {
          const fromMs = Math.max(stopMs, minuteDataFromMs, floorHour(series.coveredFromMs - SERIES_CHUNK_MINUTES * MINUTE_MS));
          minuteSpans.push({ slo, fromMs, toMs: series.coveredFromMs });
        } else {
          const fromMs = Math.max(stopMs, floorHour(series.coveredFromMs) - SERIES_CHUNK_HOURS * HOUR_MS);
          hourSpans.push({ slo, fromMs, toMs: series.coveredFromMs });
        }
      }
      const prepended = [
        ...(await this.prependSpans(db, 'minute', minuteSpans, seriesById, nowMs)),
        ...(await this.prependSpans(db, 'hour', hourSpans, seriesById, nowMs)),
      ];
      await this.repository.saveSeries(db, [...finished, ...prepended]);
      return true;
    });
  }

  async applyRetention(now = new Date()): Promise<number> {
    return this.repository.thinMinutes(now.getTime() - MINUTE_DETAIL_RETENTION_MS, now.getTime() - HOUR_DETAIL_RETENTION_MS);
  }

  /** Minute rows from here on are all kept; before it only the rows closing an hour (see applyRetention). */
  private detailFrom(nowMs: number): number {
    return ceilHour(nowMs - MINUTE_DETAIL_RETENTION_MS);
  }

  /**
   * Where a new series' backfill aims: far enough back for the SLO window and the longest burn
   * window, no further than hourly telemetry is kept.
   */
  private backfillTarget(slo: EvaluableSlo, nowMs: number): number {
    const oldestHour = ceilHour(nowMs - this.config.env.LATTICE_TELEMETRY_HOUR_RETENTION_DAYS * DAY_MS);
    return Math.max(oldestHour, seriesHistoryStart(parseSloWindow(slo.window)!, nowMs));
  }

  /**
   * (Re)computes each span minute by minute from telemetry_minutes, continuing the running totals
   * before it, and shifts the rows after it by however much its totals changed. At most one span
   * per SLO. Minutes without traffic are good slices with no requests.
   */
  private async recomputeSpans(db: Db, spans: readonly SeriesSpan[], nowMs: number): Promise<{ outcomes: Map<string, SpanOutcome>; rowsWritten: number }> {
    const outcomes = new Map<string, SpanOutcome>();
    if (spans.length === 0) return { outcomes, rowsWritten: 0 };
    const detailFromMs = this.detailFrom(nowMs);
    const traffic = indexByTarget(await this.repository.destinationPeriods(db, 'minute', spanTargets(spans)));
    // One batch of probes: the totals before each span's start, then before each span's end.
    const probed = await this.repository.runningTotalsBefore(db, [
      ...spans.map((span) => ({ sloId: span.slo.id, basis: span.slo.basis, beforeMs: span.fromMs })),
      ...spans.map((span) => ({ sloId: span.slo.id, basis: span.slo.basis, beforeMs: span.toMs })),
    ]);
    const anchors = probed.slice(0, spans.length);
    const oldEnds = probed.slice(spans.length);
    const scopes = new ScopeCache();
    const rows: SloMinuteRow[] = [];
    const shifts: RunningTotalsShift[] = [];
    spans.forEach((span, index) => {
      const { slo } = span;
      const minutes = sloMinutes(slo, scopes.of(slo), traffic);
      let running = anchors[index] ?? ZERO_RUNNING_TOTALS;
      let indicators: IndicatorValue[] = [];
      for (let minuteMs = span.fromMs; minuteMs < span.toMs; minuteMs += MINUTE_MS) {
        const merged = minutes.get(minuteMs) ?? { minuteUnixMs: minuteMs, requests: 0, errors: 0, latency: null };
        const verdict = minuteVerdict(slo.indicators, merged);
        indicators = indicatorValues(slo.indicators, merged);
        running = addVerdict(running, verdict);
        // Before detailFrom only the rows closing an hour are kept (the span is whole hours there).
        if (minuteMs < detailFromMs && !isHourEnd(minuteMs)) continue;
        rows.push({
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
      outcomes.set(slo.id, { end: running, indicators });
      const oldEnd = oldEnds[index];
      if (oldEnd && !sameTotals(oldEnd, running)) shifts.push({ sloId: slo.id, basis: slo.basis, fromMs: span.toMs, delta: subtractTotals(running, oldEnd) });
    });
    await this.repository.dropDetailBefore(db, spans.filter((span) => span.fromMs < detailFromMs).map((span) => ({ sloId: span.slo.id, fromMs: span.fromMs, toMs: Math.min(span.toMs, detailFromMs) })));
    await this.repository.writeMinutes(db, rows);
    await this.repository.shiftRunningTotals(db, shifts);
    return { outcomes, rowsWritten: rows.length };
  }

  /**
   * Writes each span (ending at its series' start) in front of the series: its periods' totals
   * are subtracted from the series origin, which becomes the totals before the span.
   */
  private async prependSpans(
    db: Db,
    resolution: 'minute' | 'hour',
    spans: readonly SeriesSpan[],
    seriesById: Map<string, SloSeriesRow>,
    nowMs: number,
  ): Promise<SloSeriesRow[]> {
    if (spans.length === 0) return [];
    const detailFromMs = this.detailFrom(nowMs);
    const stepMs = resolution === 'minute' ? MINUTE_MS : HOUR_MS;
    const traffic = indexByTarget(await this.repository.destinationPeriods(db, resolution, spanTargets(spans)));
    const scopes = new ScopeCache();
    const rows: SloMinuteRow[] = [];
    const updated: SloSeriesRow[] = [];
    for (const span of spans) {
      const { slo } = span;
      const series = seriesById.get(slo.id)!;
      const periods = sloMinutes(slo, scopes.of(slo), traffic);
      const judged: { rowMinuteMs: number; totals: PeriodTotals; badSlice: boolean; values: (number | null)[] }[] = [];
      let sum: RunningTotals = ZERO_RUNNING_TOTALS;
      for (let periodMs = span.fromMs; periodMs < span.toMs; periodMs += stepMs) {
        const merged = periods.get(periodMs) ?? { minuteUnixMs: periodMs, requests: 0, errors: 0, latency: null };
        let totals: PeriodTotals;
        if (resolution === 'minute') {
          const verdict = minuteVerdict(slo.indicators, merged);
          totals = { requests: verdict.requests, badRequests: verdict.badRequests, badMinutes: verdict.isGoodSlice ? 0 : 1 };
        } else {
          totals = hourRollupTotals(slo.indicators, merged);
        }
        sum = addTotals(sum, totals);
        const values = indicatorValues(slo.indicators, merged).map((value) => value.value);
        judged.push({ rowMinuteMs: periodMs + stepMs - MINUTE_MS, totals, badSlice: totals.badMinutes > 0, values });
      }
      const origin = subtractTotals(series.origin, sum);
      let running: RunningTotals = origin;
      for (const period of judged) {
        running = addTotals(running, period.totals);
        if (period.rowMinuteMs < detailFromMs && !isHourEnd(period.rowMinuteMs)) continue;
        rows.push({
          sloId: slo.id,
          tenantId: slo.tenantId,
          basis: slo.basis,
          minuteMs: period.rowMinuteMs,
          requests: period.totals.requests,
          badRequests: period.totals.badRequests,
          badSlice: period.badSlice,
          indicatorValues: period.values,
          running,
        });
      }
      updated.push({
        ...series,
        coveredFromMs: span.fromMs,
        origin,
        minuteResolutionFromMs: resolution === 'minute' ? Math.min(series.minuteResolutionFromMs, span.fromMs) : series.minuteResolutionFromMs,
      });
    }
    // Stale detail rows (e.g. of an older thinning) must not outlive the hours written here.
    await this.repository.dropDetailBefore(db, spans.filter((span) => span.fromMs < detailFromMs).map((span) => ({ sloId: span.slo.id, fromMs: span.fromMs, toMs: Math.min(span.toMs, detailFromMs) })));
    await this.repository.writeMinutes(db, rows);
    return updated;
  }
}

/** The GNS telemetry scope of each SLO, computed once per GNS. */
class ScopeCache {
  private readonly scopes = new Map<string, GnsTelemetryScope>();

  of(slo: EvaluableSlo): GnsTelemetryScope {
    let scope = this.scopes.get(slo.gnsId);
    if (!scope) {
      scope = gnsTelemetryScope(slo.matchConditions, slo.clusters);
      this.scopes.set(slo.gnsId, scope);
    }
    return scope;
  }
}

/** Each (tenant, service) the spans read, over the hull of its spans. */
function spanTargets(spans: readonly SeriesSpan[]): TrafficTarget[] {
  const targets = new Map<string, TrafficTarget>();
  for (const span of spans) {
    for (const service of span.slo.services) {
      const key = targetKey(span.slo.tenantId, service);
      const target = targets.get(key);
      if (target) {
        target.fromMs = Math.min(target.fromMs, span.fromMs);
        target.toMs = Math.max(target.toMs, span.toMs);
      } else {
        targets.set(key, { tenantId: span.slo.tenantId, service, fromMs: span.fromMs, toMs: span.toMs });
      }
    }
  }
  return [...targets.values()];
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
