import { Injectable } from '@nestjs/common';
import type { ActiveAlert, AlertEvent, MatchCondition, NamedCluster, RunningTotals, SloEvaluation } from '@lattice/domain';
import type { Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { seriesOf, toStored, type SloSeriesRow, type StoredSlo } from './slos.repository';

export type { SloSeriesRow } from './slos.repository';

/** Every SLO with what decides its traffic: its GNS's match conditions and the tenant's clusters. */
export interface EvaluableSlo extends StoredSlo {
  matchConditions: MatchCondition[];
  clusters: NamedCluster[];
}

/** Minute rows of one destination (tenant, cluster, namespace, service), counts summed by PostgreSQL. */
export interface DestinationMinute {
  tenantId: string;
  clusterId: string;
  namespace: string;
  service: string;
  minuteMs: number;
  requests: number;
  errors: number;
  sketches: unknown[];
}

export interface SloMinuteRow {
  sloId: string;
  tenantId: string;
  basis: number;
  minuteMs: number;
  requests: number;
  badRequests: number;
  badSlice: boolean;
  indicatorValues: (number | null)[];
  running: RunningTotals;
}

export interface RunningTotalsLookup {
  sloId: string;
  basis: number;
  /** The latest row strictly before this minute. */
  beforeMs: number;
}

export interface TrafficTarget {
  tenantId: string;
  service: string;
  fromMs: number;
  toMs: number;
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

export interface StoredAlertEvent {
  id: string;
  tenantId: string;
  sloId: string;
  event: AlertEvent;
}

interface RawDestinationMinute {
  tenant_id: string;
  cluster_id: string;
  namespace: string;
  service: string;
  minute_ms: number;
  requests: bigint;
  errors: bigint;
  sketches: unknown[];
}

/**
 * The set-based SQL of SLO evaluation. This is a system job over all tenants, so its reads are not
 * tenant-scoped; every row it writes carries the tenant id of its SLO.
 */
@Injectable()
export class SloEvaluationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Runs `work` in one transaction holding the evaluation lock, or returns null at once when another
   * run (another replica, or a manual run) holds it: runs never interleave their writes. It then
   * waits for the series lock, which a backfill / catch-up chunk holds only briefly.
   */
  async exclusively<T>(work: (db: Db) => Promise<T>): Promise<T | null> {
    return this.prisma.$transaction(
      async (tx) => {
        const [{ locked }] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock(hashtextextended('lattice:slo-evaluation', 0)) AS locked`,
        );
        if (!locked) return null;
        await tx.$executeRawUnsafe(SERIES_LOCK);
        return work(tx);
      },
      { timeout: 300_000, maxWait: 30_000 },
    );
  }

  /** Runs one bounded chunk of series work (backfill, catch-up, late minutes) holding the series lock. */
  async seriesChunk<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(SERIES_LOCK);
        return work(tx);
      },
      { timeout: 300_000, maxWait: 30_000 },
    );
  }

  async loadEvaluable(db: Db): Promise<EvaluableSlo[]> {
    const slos = await db.slo.findMany({ orderBy: { id: 'asc' } });
    if (slos.length === 0) return [];
    const gnsIds = [...new Set(slos.map((slo) => slo.gnsId))];
    const tenantIds = [...new Set(slos.map((slo) => slo.tenantId))];
    const [gnsRows, clusterRows] = await Promise.all([
      db.globalNamespace.findMany({ where: { id: { in: gnsIds } }, select: { id: true, matchConditions: true } }),
      db.cluster.findMany({ where: { tenantId: { in: tenantIds } }, select: { id: true, name: true, tenantId: true } }),
    ]);
    // Written by the GNS API after validateMatchConditions; a malformed entry simply matches nothing.
    const conditions = new Map(gnsRows.map((gns) => [gns.id, Array.isArray(gns.matchConditions) ? (gns.matchConditions as unknown as MatchCondition[]) : []]));
    const clustersByTenant = new Map<string, NamedCluster[]>();
    for (const cluster of clusterRows) {
      const list = clustersByTenant.get(cluster.tenantId) ?? [];
      list.push({ id: cluster.id, name: cluster.name });
      clustersByTenant.set(cluster.tenantId, list);
    }
    return slos.map((slo) => ({
      ...toStored(slo),
      matchConditions: conditions.get(slo.gnsId) ?? [],
      clusters: clustersByTenant.get(slo.tenantId) ?? [],
    }));
  }

  /**
   * Traffic to each (tenant, service) in its own [fromMs, toMs), one row per destination and
   * minute (`resolution` minute: telemetry_minutes) or hour (telemetry_hours rollups).
   */
  async destinationPeriods(db: Db, resolution: 'minute' | 'hour', targets: readonly TrafficTarget[]): Promise<DestinationMinute[]> {
    if (targets.length === 0) return [];
    const [table, column] = resolution === 'minute' ? ['telemetry_minutes', 'minute'] : ['telemetry_hours', 'hour'];
    const rows = await db.$queryRawUnsafe<RawDestinationMinute[]>(
      `SELECT t.tenant_id::text AS tenant_id, t.cluster_id::text AS cluster_id, t.destination_namespace AS namespace,
              t.destination_service AS service, (extract(epoch FROM t.${column}) * 1000)::float8 AS minute_ms,
              sum(t.requests)::bigint AS requests, sum(t.errors)::bigint AS errors, json_agg(t.sketch) AS sketches
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS s(tenant_id, service, from_at, to_at)
       JOIN ${table} t ON t.tenant_id = s.tenant_id AND t.destination_service = s.service
                      AND t.${column} >= s.from_at AND t.${column} < s.to_at
       GROUP BY 1, 2, 3, 4, 5`,
      targets.map((target) => target.tenantId),
      targets.map((target) => target.service),
      targets.map((target) => iso(target.fromMs)),
      targets.map((target) => iso(target.toMs)),
    );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      clusterId: row.cluster_id,
      namespace: row.namespace,
      service: row.service,
      minuteMs: Number(row.minute_ms),
      requests: Number(row.requests),
      errors: Number(row.errors),
      sketches: row.sketches,
    }));
  }

  /** The earliest minute or hour of telemetry to each (tenant, service), null when there is none. One index probe each. */
  async earliestTraffic(db: Db, targets: readonly { tenantId: string; service: string }[]): Promise<(number | null)[]> {
    if (targets.length === 0) return [];
    const rows = await db.$queryRawUnsafe<{ idx: bigint; earliest: Date | null }[]>(
      `SELECT s.idx, least(
         (SELECT min(h.hour) FROM telemetry_hours h WHERE h.tenant_id = s.tenant_id AND h.destination_service = s.service),
         (SELECT min(m.minute) FROM telemetry_minutes m WHERE m.tenant_id = s.tenant_id AND m.destination_service = s.service)) AS earliest
       FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS s(tenant_id, service, idx)`,
      targets.map((target) => target.tenantId),
      targets.map((target) => target.service),
    );
    const result: (number | null)[] = new Array(targets.length).fill(null);
    for (const row of rows) result[Number(row.idx) - 1] = row.earliest ? row.earliest.getTime() : null;
    return result;
  }

  /**
   * For each lookup, the running totals of the latest minute row of that SLO and basis before
   * `beforeMs`, else the series origin (the totals before its first minute); absent when the SLO
   * has no series under that basis yet (nothing counted). One index probe each.
   */
  async runningTotalsBefore(db: Db, lookups: readonly RunningTotalsLookup[]): Promise<(RunningTotals | undefined)[]> {
    const result: (RunningTotals | undefined)[] = new Array(lookups.length).fill(undefined);
    if (lookups.length === 0) return result;
    const rows = await db.$queryRawUnsafe<{ idx: bigint; cum_requests: bigint; cum_bad_requests: bigint; cum_bad_minutes: bigint }[]>(
      `SELECT l.idx, coalesce(a.cum_requests, o.origin_requests) AS cum_requests,
              coalesce(a.cum_bad_requests, o.origin_bad_requests) AS cum_bad_requests,
              coalesce(a.cum_bad_minutes, o.origin_bad_minutes) AS cum_bad_minutes
       FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) WITH ORDINALITY AS l(slo_id, basis, before_minute, idx)
       LEFT JOIN LATERAL (
         SELECT m.cum_requests, m.cum_bad_requests, m.cum_bad_minutes FROM slo_minutes m
         WHERE m.slo_id = l.slo_id AND m.minute < l.before_minute AND m.basis = l.basis
         ORDER BY m.minute DESC LIMIT 1) a ON true
       LEFT JOIN slo_series o ON o.slo_id = l.slo_id AND o.basis = l.basis
       WHERE a.cum_requests IS NOT NULL OR o.slo_id IS NOT NULL`,
      lookups.map((lookup) => lookup.sloId),
      lookups.map((lookup) => lookup.basis),
      lookups.map((lookup) => iso(lookup.beforeMs)),
    );
    for (const row of rows) {
      result[Number(row.idx) - 1] = {
        requests: Number(row.cum_requests),
        badRequests: Number(row.cum_bad_requests),
        badMinutes: Number(row.cum_bad_minutes),
      };
    }
    return result;
  }

  /** Adds each shift's delta to the running totals of its SLO's rows from `fromMs` on (after a recomputed span). */
  async shiftRunningTotals(db: Db, shifts: readonly RunningTotalsShift[]): Promise<void> {
    for (let start = 0; start < shifts.length; start += WRITE_CHUNK_ROWS) {
      const chunk = shifts.slice(start, start + WRITE_CHUNK_ROWS);
      await db.$executeRawUnsafe(
        `UPDATE slo_minutes m SET cum_requests = m.cum_requests + d.requests, cum_bad_requests = m.cum_bad_requests + d.bad_requests,
                cum_bad_minutes = m.cum_bad_minutes + d.bad_minutes
         FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[])
           AS d(slo_id, basis, from_minute, requests, bad_requests, bad_minutes)
         WHERE m.slo_id = d.slo_id AND m.basis = d.basis AND m.minute >= d.from_minute`,
        chunk.map((shift) => shift.sloId),
        chunk.map((shift) => shift.basis),
        chunk.map((shift) => iso(shift.fromMs)),
        chunk.map((shift) => shift.delta.requests),
        chunk.map((shift) => shift.delta.badRequests),
        chunk.map((shift) => shift.delta.badMinutes),
      );
    }
  }

  /**
   * Deletes the rows inside each span that do not close an hour: where minute detail has been
   * thinned, a recomputed span keeps only those, so no stale detail row outlives it.
   */
  async dropDetailBefore(db: Db, spans: readonly { sloId: string; fromMs: number; toMs: number }[]): Promise<void> {
    if (spans.length === 0) return;
    await db.$executeRawUnsafe(
      `DELETE FROM slo_minutes m USING unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS d(slo_id, from_minute, to_minute)
       WHERE m.slo_id = d.slo_id AND m.minute >= d.from_minute AND m.minute < d.to_minute
         AND date_trunc('hour', m.minute + interval '1 minute') <> m.minute + interval '1 minute'`,
      spans.map((span) => span.sloId),
      spans.map((span) => iso(span.fromMs)),
      spans.map((span) => iso(span.toMs)),
    );
  }

  /** The series of every SLO that has one (of any basis: the caller compares it with the SLO's). */
  async loadSeries(db: Db): Promise<Map<string, SloSeriesRow>> {
    const rows = await db.sloSeries.findMany();
    return new Map(rows.map((row) => [row.sloId, seriesOf(row)]));
  }

  /** Writes the series rows whole (insert or replace). */
  async saveSeries(db: Db, rows: readonly SloSeriesRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += WRITE_CHUNK_ROWS) {
      const chunk = rows.slice(start, start + WRITE_CHUNK_ROWS);
      await db.$executeRawUnsafe(
        `INSERT INTO slo_series (slo_id, tenant_id, basis, covered_from, backfill_to, minute_resolution_from, caught_up_until,
                                 evaluated_until, origin_requests, origin_bad_requests, origin_bad_minutes)
         SELECT r.* FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[],
                                $7::timestamptz[], $8::timestamptz[], $9::bigint[], $10::bigint[], $11::bigint[])
           AS r(slo_id, tenant_id, basis, covered_from, backfill_to, minute_resolution_from, caught_up_until, evaluated_until,
                origin_requests, origin_bad_requests, origin_bad_minutes)
         WHERE EXISTS (SELECT 1 FROM slos s WHERE s.id = r.slo_id)
         ON CONFLICT (slo_id) DO UPDATE SET basis = EXCLUDED.basis, covered_from = EXCLUDED.covered_from,
           backfill_to = EXCLUDED.backfill_to, minute_resolution_from = EXCLUDED.minute_resolution_from,
           caught_up_until = EXCLUDED.caught_up_until, evaluated_until = EXCLUDED.evaluated_until,
           origin_requests = EXCLUDED.origin_requests, origin_bad_requests = EXCLUDED.origin_bad_requests,
           origin_bad_minutes = EXCLUDED.origin_bad_minutes`,
        chunk.map((row) => row.sloId),
        chunk.map((row) => row.tenantId),
        chunk.map((row) => row.basis),
        chunk.map((row) => iso(row.coveredFromMs)),
        chunk.map((row) => iso(row.backfillToMs)),
        chunk.map((row) => iso(row.minuteResolutionFromMs)),
        chunk.map((row) => iso(row.caughtUpUntilMs)),
        chunk.map((row) => iso(row.evaluatedUntilMs)),
        chunk.map((row) => row.origin.requests),
        chunk.map((row) => row.origin.badRequests),
        chunk.map((row) => row.origin.badMinutes),
      );
    }
  }

  /**
   * Takes (deletes and returns) the oldest late minutes: per tenant, those within `spanMinutes`
   * of its oldest one. In the caller's transaction, so they come back if counting them fails; a
   * minute marked again meanwhile (by a later batch) is inserted anew and counted again.
   */
  async takeLateMinutes(db: Db, spanMinutes: number): Promise<{ tenantId: string; minuteMs: number }[]> {
    const rows = await db.$queryRawUnsafe<{ tenant_id: string; minute: Date }[]>(
      `DELETE FROM telemetry_late_minutes d USING (
         SELECT tenant_id, min(minute) AS first FROM telemetry_late_minutes GROUP BY tenant_id) f
       WHERE d.tenant_id = f.tenant_id AND d.minute < f.first + make_interval(mins => $1::int)
       RETURNING d.tenant_id::text AS tenant_id, d.minute`,
      spanMinutes,
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, minuteMs: row.minute.getTime() }));
  }

  /** Upserts evaluated minutes (re-evaluating a minute replaces its row with the same or newer values). */
  async writeMinutes(db: Db, rows: readonly SloMinuteRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += WRITE_CHUNK_ROWS) {
      const chunk = rows.slice(start, start + WRITE_CHUNK_ROWS);
      await db.$executeRawUnsafe(
        `INSERT INTO slo_minutes (slo_id, minute, tenant_id, basis, requests, bad_requests, bad_slice, indicator_values,
                                  cum_requests, cum_bad_requests, cum_bad_minutes)
         SELECT r.slo_id, r.minute, r.tenant_id, r.basis, r.requests, r.bad_requests, r.bad_slice, r.indicator_values::float8[],
                r.cum_requests, r.cum_bad_requests, r.cum_bad_minutes
         FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::int[], $5::bigint[], $6::bigint[], $7::bool[], $8::text[],
                     $9::bigint[], $10::bigint[], $11::bigint[])
           AS r(slo_id, minute, tenant_id, basis, requests, bad_requests, bad_slice, indicator_values, cum_requests, cum_bad_requests, cum_bad_minutes)
         WHERE EXISTS (SELECT 1 FROM slos s WHERE s.id = r.slo_id)
         ON CONFLICT (slo_id, minute) DO UPDATE SET
           basis = EXCLUDED.basis, requests = EXCLUDED.requests, bad_requests = EXCLUDED.bad_requests,
           bad_slice = EXCLUDED.bad_slice, indicator_values = EXCLUDED.indicator_values, cum_requests = EXCLUDED.cum_requests,
           cum_bad_requests = EXCLUDED.cum_bad_requests, cum_bad_minutes = EXCLUDED.cum_bad_minutes`,
        chunk.map((row) => row.sloId),
        chunk.map((row) => iso(row.minuteMs)),
        chunk.map((row) => row.tenantId),
        chunk.map((row) => row.basis),
        chunk.map((row) => row.requests),
        chunk.map((row) => row.badRequests),
        chunk.map((row) => row.badSlice),
        chunk.map((row) => `{${row.indicatorValues.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}`),
        chunk.map((row) => row.running.requests),
        chunk.map((row) => row.running.badRequests),
        chunk.map((row) => row.running.badMinutes),
      );
    }
  }

  /** When each SLO was last evaluated and the alerts it had active then. */
  async previousStates(db: Db): Promise<Map<string, { evaluatedAtMs: number; activeAlerts: ActiveAlert[] }>> {
    const rows = await db.sloState.findMany({ select: { sloId: true, evaluatedAt: true, activeAlerts: true } });
    return new Map(
      rows.map((row) => [
        row.sloId,
        { evaluatedAtMs: row.evaluatedAt.getTime(), activeAlerts: Array.isArray(row.activeAlerts) ? (row.activeAlerts as unknown as ActiveAlert[]) : [] },
      ]),
    );
  }

  async saveStates(db: Db, evaluatedAtMs: number, states: readonly SloStateRow[]): Promise<void> {
    for (let start = 0; start < states.length; start += WRITE_CHUNK_ROWS) {
      const chunk = states.slice(start, start + WRITE_CHUNK_ROWS);
      await db.$executeRawUnsafe(
        `INSERT INTO slo_states (slo_id, tenant_id, evaluated_at, status, evaluation, active_alerts, updated_at)
         SELECT r.slo_id, r.tenant_id, $1::timestamptz, r.status, r.evaluation, r.active_alerts, now()
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) AS r(slo_id, tenant_id, status, evaluation, active_alerts)
         WHERE EXISTS (SELECT 1 FROM slos s WHERE s.id = r.slo_id)
         ON CONFLICT (slo_id) DO UPDATE SET evaluated_at = EXCLUDED.evaluated_at, status = EXCLUDED.status,
           evaluation = EXCLUDED.evaluation, active_alerts = EXCLUDED.active_alerts, updated_at = now()`,
        iso(evaluatedAtMs),
        chunk.map((row) => row.sloId),
        chunk.map((row) => row.tenantId),
        chunk.map((row) => row.evaluation.status),
        chunk.map((row) => JSON.stringify(storedEvaluation(row.evaluation))),
        chunk.map((row) => JSON.stringify(row.evaluation.activeAlerts)),
      );
    }
  }

  /** Records alert events; an event already recorded (same SLO, rule, type and minute) is skipped. Returns the new ones. */
  async insertEvents(db: Db, events: readonly { tenantId: string; sloId: string; event: AlertEvent }[]): Promise<StoredAlertEvent[]> {
    if (events.length === 0) return [];
    const rows = await db.$queryRawUnsafe<{ id: string; slo_id: string; rule_id: string; type: string; at: Date }[]>(
      `INSERT INTO slo_events (id, tenant_id, slo_id, type, rule_id, severity, at, threshold, long_window_burn_rate, short_window_burn_rate)
       SELECT gen_random_uuid(), r.tenant_id, r.slo_id, r.type, r.rule_id, r.severity, r.at, r.threshold, r.long_rate, r.short_rate
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::float8[], $8::float8[], $9::float8[])
         AS r(tenant_id, slo_id, type, rule_id, severity, at, threshold, long_rate, short_rate)
       WHERE EXISTS (SELECT 1 FROM slos s WHERE s.id = r.slo_id)
       ON CONFLICT (slo_id, rule_id, type, at) DO NOTHING
       RETURNING id::text AS id, slo_id::text AS slo_id, rule_id, type, at`,
      events.map((row) => row.tenantId),
      events.map((row) => row.sloId),
      events.map((row) => row.event.type),
      events.map((row) => row.event.ruleId),
      events.map((row) => row.event.severity),
      events.map((row) => iso(row.event.atUnixMs)),
      events.map((row) => finiteOrNull(row.event.threshold)),
      events.map((row) => finiteOrNull(row.event.longWindowBurnRate)),
      events.map((row) => finiteOrNull(row.event.shortWindowBurnRate)),
    );
    const byKey = new Map(events.map((row) => [eventKey(row.sloId, row.event.ruleId, row.event.type, row.event.atUnixMs), row]));
    return rows.flatMap((row) => {
      const source = byKey.get(eventKey(row.slo_id, row.rule_id, row.type, row.at.getTime()));
      return source ? [{ id: row.id, tenantId: source.tenantId, sloId: source.sloId, event: source.event }] : [];
    });
  }

  /**
   * Keeps minute detail for `detailCutoffMs` and the rows closing each hour (hh:59, enough for
   * windows measured in hours) until `hourCutoffMs`; returns the rows deleted.
   */
  async thinMinutes(detailCutoffMs: number, hourCutoffMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.prisma.$executeRawUnsafe(
        `DELETE FROM slo_minutes WHERE (slo_id, minute) IN (
           SELECT slo_id, minute FROM slo_minutes
           WHERE minute < $2::timestamptz
              OR (minute < $1::timestamptz AND date_trunc('hour', minute + interval '1 minute') <> minute + interval '1 minute')
           LIMIT ${DELETE_CHUNK_ROWS})`,
        iso(detailCutoffMs),
        iso(hourCutoffMs),
      );
      total += deleted;
      if (deleted < DELETE_CHUNK_ROWS) return total;
    }
  }
}

const WRITE_CHUNK_ROWS = 5_000;
/** Serialises every writer of running totals (the per-minute run and the series chunks). */
const SERIES_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('lattice:slo-series', 0))`;

const DELETE_CHUNK_ROWS = 10_000;

/** What the API shows of an evaluation (events are stored as rows of their own). */
export function storedEvaluation(evaluation: SloEvaluation): Omit<SloEvaluation, 'events'> {
  const { events: _events, ...rest } = evaluation;
  return rest;
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
