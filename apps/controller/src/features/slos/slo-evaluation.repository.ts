import { Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import {
  unpackSketchHexList,
  type ActiveAlert,
  type AlertEvent,
  type DestinationPeriod,
  type MatchCondition,
  type NamedCluster,
  type RunningTotals,
  type SeriesMinute,
  type SeriesResolution,
  type SloEvaluation,
  type SloSeriesProgress,
  type SloTrafficSource,
  type TrafficTarget,
} from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, transactionClient, type Transaction } from '../../platform/database/transaction.service';
import {
  activeAlertsOf,
  seriesProgressOf,
  storedEvaluation,
  storedSloOf,
  type StoredSlo,
} from './slos.repository';

/** Every SLO with what decides its traffic: its GNS's match conditions and the tenant's clusters. */
export interface EvaluableSlo extends StoredSlo, SloTrafficSource {
  services: string[];
  matchConditions: MatchCondition[];
  clusters: NamedCluster[];
}

/** One stored minute row of an SLO's series. */
export interface SloMinuteRow extends SeriesMinute {
  sloId: string;
  tenantId: string;
  basis: number;
}

export interface RunningTotalsLookup {
  sloId: string;
  basis: number;
  /** The latest row strictly before this minute. */
  beforeMs: number;
}

export interface RunningTotalsShift {
  sloId: string;
  basis: number;
  fromMs: number;
  delta: RunningTotals;
}

export interface SloStateRow {
  sloId: string;
  tenantId: string;
  evaluation: SloEvaluation;
}

/** An alert event of an SLO, to record. */
export interface SloAlertEventRow {
  tenantId: string;
  sloId: string;
  event: AlertEvent;
}

export interface StoredAlertEvent extends SloAlertEventRow {
  id: string;
}

/** When an SLO was last evaluated and the alerts it had active then. */
export interface PreviousSloState {
  evaluatedAtMs: number;
  activeAlerts: ActiveAlert[];
}

interface RawDestinationPeriod {
  tenant_id: string;
  cluster_id: string;
  namespace: string;
  service: string;
  minute_ms: number;
  requests: bigint;
  errors: bigint;
  /** string_agg of the group's sketches as hex (unpackSketchHexList). */
  sketches: string;
}

/** The telemetry table and its time column per resolution (constant identifiers). */
const TRAFFIC_SOURCES: Record<SeriesResolution, { table: Prisma.Sql; column: Prisma.Sql }> = {
  minute: { table: Prisma.raw('telemetry_minutes'), column: Prisma.raw('minute') },
  hour: { table: Prisma.raw('telemetry_hours'), column: Prisma.raw('hour') },
};

const WRITE_CHUNK_ROWS = 5_000;
const DELETE_CHUNK_ROWS = 10_000;
/** Taken by the per-minute run only: runs never interleave. */
const EVALUATION_TRY_LOCK = Prisma.sql`SELECT pg_try_advisory_xact_lock(hashtextextended('lattice:slo-evaluation', 0)) AS locked`;
/** Serialises every writer of running totals (the per-minute run and the series chunks). */
const SERIES_LOCK = Prisma.sql`SELECT pg_advisory_xact_lock(hashtextextended('lattice:slo-series', 0))`;

/*
 * GlobalNamespace.matchConditions as the evaluation reads it. Written by the GNS API after
 * validateMatchConditions; an entry that does not parse simply matches nothing.
 */
const selectorSchema = z.object({ type: z.enum(['EXACT', 'PREFIX', 'REGEX']), value: z.string() });
const matchConditionSchema = z.object({ cluster: selectorSchema, namespace: selectorSchema });

function matchConditionsOf(json: unknown): MatchCondition[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((entry: unknown) => {
    const parsed = matchConditionSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * The set-based SQL of SLO evaluation. This is a system job over all tenants, so its reads are not
 * tenant-scoped; every row it writes carries the tenant id of its SLO. Every statement takes its
 * rows as parallel arrays (unnest), so its cost does not grow with round trips.
 */
@Injectable()
export class SloEvaluationRepository {
  private readonly logger = new Logger(SloEvaluationRepository.name);

  constructor(private readonly prisma: PrismaService) {}

  /**
   * Takes the evaluation lock for the caller's transaction, or returns false at once when another
   * run (another replica, or a manual run) holds it: runs never interleave their writes.
   */
  async tryLockEvaluation(tx: Transaction): Promise<boolean> {
    const [lock] = await transactionClient(tx).$queryRaw<{ locked: boolean }[]>(EVALUATION_TRY_LOCK);
    return lock?.locked === true;
  }

  /** Waits for the series lock for the caller's transaction (a series chunk holds it only briefly). */
  async lockSeries(tx: Transaction): Promise<void> {
    await transactionClient(tx).$executeRaw(SERIES_LOCK);
  }

  async loadEvaluable(tx: Transaction): Promise<EvaluableSlo[]> {
    const db = transactionClient(tx);
    const slos = await db.slo.findMany({ orderBy: { id: 'asc' } });
    if (slos.length === 0) return [];
    const gnsIds = [...new Set(slos.map((slo) => slo.gnsId))];
    const tenantIds = [...new Set(slos.map((slo) => slo.tenantId))];
    const [gnsRows, clusterRows] = await Promise.all([
      db.globalNamespace.findMany({
        where: { id: { in: gnsIds } },
        select: { id: true, matchConditions: true },
      }),
      db.cluster.findMany({
        where: { tenantId: { in: tenantIds } },
        select: { id: true, name: true, tenantId: true },
      }),
    ]);
    const conditions = new Map(gnsRows.map((gns) => [gns.id, matchConditionsOf(gns.matchConditions)]));
    const clustersByTenant = new Map<string, NamedCluster[]>();
    for (const cluster of clusterRows) {
      const list = clustersByTenant.get(cluster.tenantId) ?? [];
      list.push({ id: cluster.id, name: cluster.name });
      clustersByTenant.set(cluster.tenantId, list);
    }
    return slos.flatMap((row) => {
      let slo: StoredSlo;
      try {
        slo = storedSloOf(row);
      } catch (error) {
        // One unreadable definition must not stop the evaluation of every other SLO.
        this.logger.error({ err: error, sloId: row.id }, 'SLO skipped: its stored definition is malformed');
        return [];
      }
      return [
        {
          ...slo,
          matchConditions: conditions.get(row.gnsId) ?? [],
          clusters: clustersByTenant.get(row.tenantId) ?? [],
        },
      ];
    });
  }

  /**
   * Traffic to each (tenant, service) in its own [fromMs, toMs), one row per destination and
   * minute (`resolution` minute: telemetry_minutes) or hour (telemetry_hours rollups).
   */
  async destinationPeriods(
    tx: Transaction,
    resolution: SeriesResolution,
    targets: readonly TrafficTarget[],
  ): Promise<DestinationPeriod[]> {
    const db = transactionClient(tx);
    if (targets.length === 0) return [];
    const { table, column } = TRAFFIC_SOURCES[resolution];
    const rows = await db.$queryRaw<RawDestinationPeriod[]>(Prisma.sql`
      SELECT t.tenant_id::text AS tenant_id, t.cluster_id::text AS cluster_id, t.destination_namespace AS namespace,
             t.destination_service AS service, (extract(epoch FROM t.${column}) * 1000)::float8 AS minute_ms,
             sum(t.requests)::bigint AS requests, sum(t.errors)::bigint AS errors, string_agg(encode(t.sketch, 'hex'), ',') AS sketches
      FROM unnest(${targets.map((target) => target.tenantId)}::uuid[], ${targets.map((target) => target.service)}::text[],
                  ${targets.map((target) => iso(target.fromMs))}::timestamptz[], ${targets.map((target) => iso(target.toMs))}::timestamptz[])
             AS s(tenant_id, service, from_at, to_at)
      JOIN ${table} t ON t.tenant_id = s.tenant_id AND t.destination_service = s.service
                     AND t.${column} >= s.from_at AND t.${column} < s.to_at
      GROUP BY 1, 2, 3, 4, 5`);
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      clusterId: row.cluster_id,
      namespace: row.namespace,
      service: row.service,
      minuteMs: Number(row.minute_ms),
      requests: Number(row.requests),
      errors: Number(row.errors),
      sketches: unpackSketchHexList(row.sketches),
    }));
  }

  /** The earliest minute or hour of telemetry to each (tenant, service), null when there is none. One index probe each. */
  async earliestTraffic(
    tx: Transaction,
    targets: readonly { tenantId: string; service: string }[],
  ): Promise<(number | null)[]> {
    const db = transactionClient(tx);
    if (targets.length === 0) return [];
    const rows = await db.$queryRaw<{ idx: bigint; earliest: Date | null }[]>(Prisma.sql`
      SELECT s.idx, least(
        (SELECT min(h.hour) FROM telemetry_hours h WHERE h.tenant_id = s.tenant_id AND h.destination_service = s.service),
        (SELECT min(m.minute) FROM telemetry_minutes m WHERE m.tenant_id = s.tenant_id AND m.destination_service = s.service)) AS earliest
      FROM unnest(${targets.map((target) => target.tenantId)}::uuid[], ${targets.map((target) => target.service)}::text[])
             WITH ORDINALITY AS s(tenant_id, service, idx)`);
    const result: (number | null)[] = new Array<number | null>(targets.length).fill(null);
    for (const row of rows) result[Number(row.idx) - 1] = row.earliest ? row.earliest.getTime() : null;
    return result;
  }

  /**
   * For each lookup, the running totals of the latest minute row of that SLO and basis before
   * `beforeMs`, else the series origin (the totals before its first minute); absent when the SLO
   * has no series under that basis yet (nothing counted). One index probe each; the result is
   * aligned with `lookups`.
   */
  async runningTotalsBefore(
    lookups: readonly RunningTotalsLookup[],
    tx?: Transaction,
  ): Promise<(RunningTotals | undefined)[]> {
    const db = dbOf(this.prisma, tx);
    const result: (RunningTotals | undefined)[] = new Array<RunningTotals | undefined>(lookups.length).fill(
      undefined,
    );
    if (lookups.length === 0) return result;
    const rows = await db.$queryRaw<
      {
        idx: bigint;
        cum_requests: bigint;
        cum_bad_requests: bigint;
        cum_bad_minutes: bigint;
        cum_data_minutes: bigint;
      }[]
    >(Prisma.sql`
      SELECT l.idx, coalesce(a.cum_requests, o.origin_requests) AS cum_requests,
             coalesce(a.cum_bad_requests, o.origin_bad_requests) AS cum_bad_requests,
             coalesce(a.cum_bad_minutes, o.origin_bad_minutes) AS cum_bad_minutes,
             coalesce(a.cum_data_minutes, o.origin_data_minutes) AS cum_data_minutes
      FROM unnest(${lookups.map((lookup) => lookup.sloId)}::uuid[], ${lookups.map((lookup) => lookup.basis)}::int[],
                  ${lookups.map((lookup) => iso(lookup.beforeMs))}::timestamptz[]) WITH ORDINALITY AS l(slo_id, basis, before_minute, idx)
      LEFT JOIN LATERAL (
        SELECT m.cum_requests, m.cum_bad_requests, m.cum_bad_minutes, m.cum_data_minutes FROM slo_minutes m
        WHERE m.slo_id = l.slo_id AND m.minute < l.before_minute AND m.basis = l.basis
        ORDER BY m.minute DESC LIMIT 1) a ON true
      LEFT JOIN slo_series o ON o.slo_id = l.slo_id AND o.basis = l.basis
      WHERE a.cum_requests IS NOT NULL OR o.slo_id IS NOT NULL`);
    for (const row of rows) {
      result[Number(row.idx) - 1] = {
        requests: Number(row.cum_requests),
        badRequests: Number(row.cum_bad_requests),
        badMinutes: Number(row.cum_bad_minutes),
        dataMinutes: Number(row.cum_data_minutes),
      };
    }
    return result;
  }

  /** Adds each shift's delta to the running totals of its SLO's rows from `fromMs` on (after a recomputed span). */
  async shiftRunningTotals(tx: Transaction, shifts: readonly RunningTotalsShift[]): Promise<void> {
    const db = transactionClient(tx);
    for (const chunk of chunks(shifts, WRITE_CHUNK_ROWS)) {
      await db.$executeRaw(Prisma.sql`
        UPDATE slo_minutes m SET cum_requests = m.cum_requests + d.requests, cum_bad_requests = m.cum_bad_requests + d.bad_requests,
               cum_bad_minutes = m.cum_bad_minutes + d.bad_minutes, cum_data_minutes = m.cum_data_minutes + d.data_minutes
        FROM unnest(${chunk.map((shift) => shift.sloId)}::uuid[], ${chunk.map((shift) => shift.basis)}::int[],
                    ${chunk.map((shift) => iso(shift.fromMs))}::timestamptz[], ${chunk.map((shift) => shift.delta.requests)}::bigint[],
                    ${chunk.map((shift) => shift.delta.badRequests)}::bigint[], ${chunk.map((shift) => shift.delta.badMinutes)}::bigint[],
                    ${chunk.map((shift) => shift.delta.dataMinutes)}::bigint[])
          AS d(slo_id, basis, from_minute, requests, bad_requests, bad_minutes, data_minutes)
        WHERE m.slo_id = d.slo_id AND m.basis = d.basis AND m.minute >= d.from_minute`);
    }
  }

  /**
   * Deletes the rows inside each span that do not close an hour: where minute detail has been
   * thinned, a recomputed span keeps only those, so no stale detail row outlives it.
   */
  async dropDetailBefore(
    tx: Transaction,
    spans: readonly { sloId: string; fromMs: number; toMs: number }[],
  ): Promise<void> {
    const db = transactionClient(tx);
    if (spans.length === 0) return;
    await db.$executeRaw(Prisma.sql`
      DELETE FROM slo_minutes m
      USING unnest(${spans.map((span) => span.sloId)}::uuid[], ${spans.map((span) => iso(span.fromMs))}::timestamptz[],
                   ${spans.map((span) => iso(span.toMs))}::timestamptz[]) AS d(slo_id, from_minute, to_minute)
      WHERE m.slo_id = d.slo_id AND m.minute >= d.from_minute AND m.minute < d.to_minute
        AND date_trunc('hour', m.minute + interval '1 minute') <> m.minute + interval '1 minute'`);
  }

  /** The series of every SLO that has one (of any basis: the caller compares it with the SLO's). */
  async loadSeries(tx: Transaction): Promise<Map<string, SloSeriesProgress>> {
    const db = transactionClient(tx);
    const rows = await db.sloSeries.findMany();
    return new Map(rows.map((row) => [row.sloId, seriesProgressOf(row)]));
  }

  /** Writes the series rows whole (insert or replace). */
  async saveSeries(tx: Transaction, rows: readonly SloSeriesProgress[]): Promise<void> {
    const db = transactionClient(tx);
    for (const chunk of chunks(rows, WRITE_CHUNK_ROWS)) {
      await db.$executeRaw(Prisma.sql`
        INSERT INTO slo_series (slo_id, tenant_id, basis, covered_from, backfill_to, minute_resolution_from, caught_up_until,
                                evaluated_until, origin_requests, origin_bad_requests, origin_bad_minutes, origin_data_minutes)
        SELECT r.* FROM unnest(${chunk.map((row) => row.sloId)}::uuid[], ${chunk.map((row) => row.tenantId)}::uuid[],
                               ${chunk.map((row) => row.basis)}::int[], ${chunk.map((row) => iso(row.coveredFromMs))}::timestamptz[],
                               ${chunk.map((row) => iso(row.backfillToMs))}::timestamptz[],
                               ${chunk.map((row) => iso(row.minuteResolutionFromMs))}::timestamptz[],
                               ${chunk.map((row) => iso(row.caughtUpUntilMs))}::timestamptz[],
                               ${chunk.map((row) => iso(row.evaluatedUntilMs))}::timestamptz[],
                               ${chunk.map((row) => row.origin.requests)}::bigint[], ${chunk.map((row) => row.origin.badRequests)}::bigint[],
                               ${chunk.map((row) => row.origin.badMinutes)}::bigint[], ${chunk.map((row) => row.origin.dataMinutes)}::bigint[])
          AS r(slo_id, tenant_id, basis, covered_from, backfill_to, minute_resolution_from, caught_up_until, evaluated_until,
               origin_requests, origin_bad_requests, origin_bad_minutes, origin_data_minutes)
        WHERE EXISTS (SELECT 1 FROM slos s WHERE s.id = r.slo_id)
        ON CONFLICT (slo_id) DO UPDATE SET basis = EXCLUDED.basis, covered_from = EXCLUDED.covered_from,
          backfill_to = EXCLUDED.backfill_to, minute_resolution_from = EXCLUDED.minute_resolution_from,
          caught_up_until = EXCLUDED.caught_up_until, evaluated_until = EXCLUDED.evaluated_until,
          origin_requests = EXCLUDED.origin_requests, origin_bad_requests = EXCLUDED.origin_bad_requests,
          origin_bad_minutes = EXCLUDED.origin_bad_minutes, origin_data_minutes = EXCLUDED.origin_data_minutes`);
    }
  }

  /**
   * Takes (deletes and returns) the oldest late minutes: per tenant, those within `spanMinutes`
   * of its oldest one. In the caller's transaction, so they come back if counting them fails; a
   * minute marked again meanwhile (by a later batch) is inserted anew and counted again.
   */
  async takeLateMinutes(
    tx: Transaction,
    spanMinutes: number,
  ): Promise<{ tenantId: string; minuteMs: number }[]> {
    const db = transactionClient(tx);
    const rows = await db.$queryRaw<{ tenant_id: string; minute: Date }[]>(Prisma.sql`
      DELETE FROM telemetry_late_minutes d USING (
        SELECT tenant_id, min(minute) AS first FROM telemetry_late_minutes GROUP BY tenant_id) f
      WHERE d.tenant_id = f.tenant_id AND d.minute < f.first + make_interval(mins => ${spanMinutes}::int)
      RETURNING d.tenant_id::text AS tenant_id, d.minute`);
    return rows.map((row) => ({ tenantId: row.tenant_id, minuteMs: row.minute.getTime() }));
  }

  /** Upserts evaluated minutes (re-evaluating a minute replaces its row with the same or newer values). */
  async writeMinutes(tx: Transaction, rows: readonly SloMinuteRow[]): Promise<void> {
    const db = transactionClient(tx);
    for (const chunk of chunks(rows, WRITE_CHUNK_ROWS)) {
      await db.$executeRaw(Prisma.sql`
        INSERT INTO slo_minutes (slo_id, minute, tenant_id, basis, requests, bad_requests, bad_slice, indicator_values,
                                 cum_requests, cum_bad_requests, cum_bad_minutes, cum_data_minutes)
        SELECT r.slo_id, r.minute, r.tenant_id, r.basis, r.requests, r.bad_requests, r.bad_slice, r.indicator_values::float8[],
               r.cum_requests, r.cum_bad_requests, r.cum_bad_minutes, r.cum_data_minutes
        FROM unnest(${chunk.map((row) => row.sloId)}::uuid[], ${chunk.map((row) => iso(row.minuteMs))}::timestamptz[],
                    ${chunk.map((row) => row.tenantId)}::uuid[], ${chunk.map((row) => row.basis)}::int[],
                    ${chunk.map((row) => row.requests)}::bigint[], ${chunk.map((row) => row.badRequests)}::bigint[],
                    ${chunk.map((row) => row.badSlice)}::bool[], ${chunk.map((row) => float8ArrayLiteral(row.indicatorValues))}::text[],
                    ${chunk.map((row) => row.running.requests)}::bigint[], ${chunk.map((row) => row.running.badRequests)}::bigint[],
                    ${chunk.map((row) => row.running.badMinutes)}::bigint[], ${chunk.map((row) => row.running.dataMinutes)}::bigint[])
          AS r(slo_id, minute, tenant_id, basis, requests, bad_requests, bad_slice, indicator_values, cum_requests, cum_bad_requests,
               cum_bad_minutes, cum_data_minutes)
        WHERE EXISTS (SELECT 1 FROM slos s WHERE s.id = r.slo_id)
        ON CONFLICT (slo_id, minute) DO UPDATE SET
          basis = EXCLUDED.basis, requests = EXCLUDED.requests, bad_requests = EXCLUDED.bad_requests,
          bad_slice = EXCLUDED.bad_slice, indicator_values = EXCLUDED.indicator_values, cum_requests = EXCLUDED.cum_requests,
          cum_bad_requests = EXCLUDED.cum_bad_requests, cum_bad_minutes = EXCLUDED.cum_bad_minutes,
          cum_data_minutes = EXCLUDED.cum_data_minutes`);
    }
  }

  /** When each SLO was last evaluated and the alerts it had active then. */
  async previousStates(tx: Transaction): Promise<Map<string, PreviousSloState>> {
    const db = transactionClient(tx);
    const rows = await db.sloState.findMany({
      select: { sloId: true, evaluatedAt: true, activeAlerts: true },
    });
    return new Map(
      rows.map((row) => [
        row.sloId,
        { evaluatedAtMs: row.evaluatedAt.getTime(), activeAlerts: activeAlertsOf(row.activeAlerts) },
      ]),
    );
  }

  /**
   * ACTIONABLE SLOs whose stored evaluation has an indicator that does not hold, each with its
   * tenant: what blocks autoscaling scale-down (read before and after a run to see what flipped).
   */
  async actionableViolations(tx: Transaction): Promise<Map<string, string>> {
    const rows = await transactionClient(tx).$queryRaw<{ slo_id: string; tenant_id: string }[]>(Prisma.sql`
      SELECT st.slo_id, st.tenant_id FROM slo_states st JOIN slos s ON s.id = st.slo_id
      WHERE s.type = 'ACTIONABLE' AND jsonb_typeof(st.evaluation->'indicators') = 'array'
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(st.evaluation->'indicators') i WHERE i->>'holds' = 'false')`);
    return new Map(rows.map((row) => [row.slo_id, row.tenant_id]));
  }

  async saveStates(tx: Transaction, evaluatedAtMs: number, states: readonly SloStateRow[]): Promise<void> {
    const db = transactionClient(tx);
    for (const chunk of chunks(states, WRITE_CHUNK_ROWS)) {
      await db.$executeRaw(Prisma.sql`
        INSERT INTO slo_states (slo_id, tenant_id, evaluated_at, status, evaluation, active_alerts, updated_at)
        SELECT r.slo_id, r.tenant_id, ${iso(evaluatedAtMs)}::timestamptz, r.status, r.evaluation, r.active_alerts, now()
        FROM unnest(${chunk.map((row) => row.sloId)}::uuid[], ${chunk.map((row) => row.tenantId)}::uuid[],
                    ${chunk.map((row) => row.evaluation.status)}::text[],
                    ${chunk.map((row) => JSON.stringify(storedEvaluation(row.evaluation)))}::jsonb[],
                    ${chunk.map((row) => JSON.stringify(row.evaluation.activeAlerts))}::jsonb[])
          AS r(slo_id, tenant_id, status, evaluation, active_alerts)
        WHERE EXISTS (SELECT 1 FROM slos s WHERE s.id = r.slo_id)
        ON CONFLICT (slo_id) DO UPDATE SET evaluated_at = EXCLUDED.evaluated_at, status = EXCLUDED.status,
          evaluation = EXCLUDED.evaluation, active_alerts = EXCLUDED.active_alerts, updated_at = now()`);
    }
  }

  /** Records alert events; an event already recorded (same SLO, rule, type and minute) is skipped. Returns the new ones. */
  async insertEvents(tx: Transaction, events: readonly SloAlertEventRow[]): Promise<StoredAlertEvent[]> {
    const db = transactionClient(tx);
    if (events.length === 0) return [];
    const rows = await db.$queryRaw<
      { id: string; slo_id: string; rule_id: string; type: string; at: Date }[]
    >(Prisma.sql`
      INSERT INTO slo_events (id, tenant_id, slo_id, type, rule_id, severity, at, threshold, long_window_burn_rate, short_window_burn_rate)
      SELECT gen_random_uuid(), r.tenant_id, r.slo_id, r.type, r.rule_id, r.severity, r.at, r.threshold, r.long_rate, r.short_rate
      FROM unnest(${events.map((row) => row.tenantId)}::uuid[], ${events.map((row) => row.sloId)}::uuid[],
                  ${events.map((row) => row.event.type)}::text[], ${events.map((row) => row.event.ruleId)}::text[],
                  ${events.map((row) => row.event.severity)}::text[], ${events.map((row) => iso(row.event.atUnixMs))}::timestamptz[],
                  ${events.map((row) => finiteOrNull(row.event.threshold))}::float8[],
                  ${events.map((row) => finiteOrNull(row.event.longWindowBurnRate))}::float8[],
                  ${events.map((row) => finiteOrNull(row.event.shortWindowBurnRate))}::float8[])
        AS r(tenant_id, slo_id, type, rule_id, severity, at, threshold, long_rate, short_rate)
      WHERE EXISTS (SELECT 1 FROM slos s WHERE s.id = r.slo_id)
      ON CONFLICT (slo_id, rule_id, type, at) DO NOTHING
      RETURNING id::text AS id, slo_id::text AS slo_id, rule_id, type, at`);
    const byKey = new Map(
      events.map((row) => [eventKey(row.sloId, row.event.ruleId, row.event.type, row.event.atUnixMs), row]),
    );
    return rows.flatMap((row) => {
      const source = byKey.get(eventKey(row.slo_id, row.rule_id, row.type, row.at.getTime()));
      return source
        ? [{ id: row.id, tenantId: source.tenantId, sloId: source.sloId, event: source.event }]
        : [];
    });
  }

  /**
   * Keeps minute detail for `detailCutoffMs` and the rows closing each hour (hh:59, enough for
   * windows measured in hours) until `hourCutoffMs`; returns the rows deleted.
   */
  async thinMinutes(detailCutoffMs: number, hourCutoffMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.prisma.$executeRaw(Prisma.sql`
        DELETE FROM slo_minutes WHERE (slo_id, minute) IN (
          SELECT slo_id, minute FROM slo_minutes
          WHERE minute < ${iso(hourCutoffMs)}::timestamptz
             OR (minute < ${iso(detailCutoffMs)}::timestamptz AND date_trunc('hour', minute + interval '1 minute') <> minute + interval '1 minute')
          LIMIT ${DELETE_CHUNK_ROWS})`);
      total += deleted;
      if (deleted < DELETE_CHUNK_ROWS) return total;
    }
  }
}

function* chunks<T>(rows: readonly T[], size: number): Generator<readonly T[]> {
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

/** A float8[] literal ("{1.5,NULL}"): unnest cannot take an array of arrays, so each row's values travel as text. */
function float8ArrayLiteral(values: readonly (number | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}`;
}

function eventKey(sloId: string, ruleId: string, type: string, atMs: number): string {
  return `${sloId}|${ruleId}|${type}|${atMs}`;
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

function iso(unixMs: number): string {
  return new Date(unixMs).toISOString();
}
