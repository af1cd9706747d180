import { Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import {
  BURN_RATE_WINDOWS,
  DomainError,
  parseSloWindow,
  seriesHistoryStart,
  type ActiveAlert,
  type SloEvaluation,
  type SloIndicator,
  type SloSeriesProgress,
  type SloSpec,
  type SloWindowSpec,
} from '@lattice/domain';
import type { Slo, SloEvent, SloSeries } from '../../generated/prisma/client';
import {
  cursorWhere,
  encodeCursor,
  pageOf,
  type Page,
  type PageRequest,
} from '../../platform/http/pagination.util';
import { rethrowUniqueViolation } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, transactionClient, type Transaction } from '../../platform/database/transaction.service';

export interface StoredSlo extends SloSpec {
  id: string;
  tenantId: string;
  version: number;
  basis: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What the API shows of an evaluation (events are stored as rows of their own). */
export type StoredEvaluation = Omit<SloEvaluation, 'events'>;

/** One recorded alert firing or resolution. */
export interface StoredSloEvent {
  id: string;
  type: string;
  ruleId: string;
  severity: string;
  at: Date;
  threshold: number | null;
  longWindowBurnRate: number | null;
  shortWindowBurnRate: number | null;
}

/** SLO definitions, their latest evaluation, series progress and events; the tenant id is the first argument of every query. */
@Injectable()
export class SlosRepository {
  private readonly logger = new Logger(SlosRepository.name);

  constructor(private readonly prisma: PrismaService) {}

  async create(tenantId: string, spec: SloSpec, tx?: Transaction): Promise<StoredSlo> {
    const row = await dbOf(this.prisma, tx)
      .slo.create({ data: { tenantId, ...toData(spec) } })
      .catch(rethrowUniqueViolation(() => sloNameTaken(spec.name)));
    return storedSloOf(row);
  }

  async find(tenantId: string, id: string, tx?: Transaction): Promise<StoredSlo | null> {
    const row = await dbOf(this.prisma, tx).slo.findFirst({ where: { tenantId, id } });
    return row && storedSloOf(row);
  }

  /** The id of the tenant's resource with this name (names are unique per tenant), or null. */
  async idByName(tenantId: string, name: string): Promise<string | null> {
    const row = await this.prisma.slo.findFirst({ where: { tenantId, name }, select: { id: true } });
    return row?.id ?? null;
  }

  async exists(tenantId: string, id: string): Promise<boolean> {
    return (await this.prisma.slo.count({ where: { tenantId, id } })) > 0;
  }

  async list(tenantId: string, page: PageRequest, gnsId?: string): Promise<Page<StoredSlo>> {
    const rows = await this.prisma.slo.findMany({
      where: { tenantId, ...(gnsId ? { gnsId } : {}), ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows.map(storedSloOf), page.limit);
  }

  /**
   * Replaces the definition if still at `expectedVersion` (null otherwise). When what a minute's
   * verdict depends on changes (services, indicators), the basis moves on and the evaluated minutes
   * of the old basis are dropped: the series restarts rather than mix two definitions.
   */
  async replaceIfVersion(
    tenantId: string,
    id: string,
    expectedVersion: number,
    spec: SloSpec,
    rebased: boolean,
    tx: Transaction,
  ): Promise<StoredSlo | null> {
    const db = transactionClient(tx);
    const rows = await db.slo
      .updateManyAndReturn({
        where: { tenantId, id, version: expectedVersion },
        data: { ...toData(spec), version: { increment: 1 }, ...(rebased ? { basis: { increment: 1 } } : {}) },
      })
      .catch(rethrowUniqueViolation(() => sloNameTaken(spec.name)));
    if (rows.length === 0) return null;
    if (rebased) await db.sloMinute.deleteMany({ where: { sloId: id, tenantId } });
    // A longer window wants older history: the backfill resumes (it stops at the first telemetry).
    const window = parseSloWindow(spec.window);
    if (!rebased && window) {
      const historyStart = new Date(seriesHistoryStart(window, Date.now()));
      await db.sloSeries.updateMany({
        where: { sloId: id, tenantId, backfillTo: { gt: historyStart } },
        data: { backfillTo: historyStart },
      });
    }
    return storedSloOf(rows[0]!);
  }

  async gnsExists(tenantId: string, gnsId: string): Promise<boolean> {
    return (await this.prisma.globalNamespace.count({ where: { tenantId, id: gnsId } })) > 0;
  }

  /** The stored latest evaluation of each of the SLOs that has one. */
  async evaluations(tenantId: string, sloIds: readonly string[]): Promise<Map<string, StoredEvaluation>> {
    const states = await this.prisma.sloState.findMany({ where: { tenantId, sloId: { in: [...sloIds] } } });
    const result = new Map<string, StoredEvaluation>();
    for (const state of states) {
      const parsed = storedEvaluationSchema.safeParse(state.evaluation);
      // Written by the evaluation job; a row that does not parse shows as "not evaluated yet".
      if (parsed.success) result.set(state.sloId, parsed.data);
      else
        this.logger.warn(
          { sloId: state.sloId, problem: z.prettifyError(parsed.error) },
          'stored SLO evaluation is malformed',
        );
    }
    return result;
  }

  /** How far each SLO's series reaches (backfill and catch-up progress). */
  async series(tenantId: string, sloIds: readonly string[]): Promise<Map<string, SloSeriesProgress>> {
    const rows = await this.prisma.sloSeries.findMany({ where: { tenantId, sloId: { in: [...sloIds] } } });
    return new Map(rows.map((row) => [row.sloId, seriesProgressOf(row)]));
  }

  /**
   * Alert events, newest first, in (at, id) descending keyset order: a page continues after the
   * event its cursor names (the cursor's `createdAt` is that event's `at`).
   */
  async events(tenantId: string, sloId: string, page: PageRequest): Promise<Page<StoredSloEvent>> {
    const after = page.after;
    const rows = await this.prisma.sloEvent.findMany({
      where: {
        tenantId,
        sloId,
        ...(after
          ? { OR: [{ at: { lt: after.createdAt } }, { at: after.createdAt, id: { lt: after.id } }] }
          : {}),
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: page.limit + 1,
    });
    const items = rows.slice(0, page.limit).map(storedEventOf);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > page.limit && last ? eventCursor(last) : null,
    };
  }

  async delete(tenantId: string, id: string, tx: Transaction): Promise<boolean> {
    return (await transactionClient(tx).slo.deleteMany({ where: { tenantId, id } })).count > 0;
  }
}

/*
 * The JSON columns of the SLO tables, decoded here and nowhere else. Object shapes list their keys
 * in the order PostgreSQL's jsonb returns them, so decoded values serialise as before.
 */

const indicatorSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('LATENCY'),
    percentile: z.enum(['p50', 'p90', 'p99']),
    thresholdMs: z.number(),
  }),
  z.object({ kind: z.literal('ERROR_RATE'), maxErrorRatePercent: z.number() }),
]);
const indicatorsSchema = z.array(indicatorSchema);

const activeAlertSchema = z.object({
  ruleId: z.string(),
  severity: z.enum(['PAGE', 'TICKET']),
  firedAtUnixMs: z.number(),
});
const activeAlertsSchema = z.array(activeAlertSchema);

const storedEvaluationSchema = z.object({
  evaluatedAtUnixMs: z.number(),
  window: z.object({ startUnixMs: z.number(), endUnixMs: z.number() }),
  status: z.enum(['HEALTHY', 'WARNING', 'VIOLATED']),
  indicators: z.array(
    z.object({ indicator: indicatorSchema, value: z.number().nullable(), holds: z.boolean() }),
  ),
  compliance: z.number(),
  meetsTarget: z.boolean(),
  budget: z.object({
    allowedBadFraction: z.number(),
    consumedFraction: z.number(),
    remainingFraction: z.number(),
    totalDurationMs: z.number(),
    consumedDurationMs: z.number(),
    remainingDurationMs: z.number(),
  }),
  burnRates: z.record(z.enum(BURN_RATE_WINDOWS), z.number()),
  activeAlerts: activeAlertsSchema,
}) satisfies z.ZodType<StoredEvaluation>;

/** What is stored of an evaluation (slo_states.evaluation): all of it but the events. */
export function storedEvaluation(evaluation: SloEvaluation): StoredEvaluation {
  const { events: _events, ...stored } = evaluation;
  return stored;
}

/** slo_states.active_alerts: the alerts active after an evaluation; a malformed value counts as none. */
export function activeAlertsOf(json: unknown): ActiveAlert[] {
  const parsed = activeAlertsSchema.safeParse(json);
  return parsed.success ? parsed.data : [];
}

function toData(spec: SloSpec) {
  return {
    name: spec.name,
    description: spec.description,
    gnsId: spec.gnsId,
    services: spec.services,
    indicators: spec.indicators.map((indicator) => ({ ...indicator })),
    targetPercent: spec.targetPercent,
    window: spec.window,
    budgeting: spec.budgeting,
    type: spec.type,
    noDataPolicy: spec.noDataPolicy,
  };
}

/** An SLO row as the domain sees it. Its indicators were validated (parseSloSpec) before they were written. */
export function storedSloOf(row: Slo): StoredSlo {
  const indicators = indicatorsSchema.safeParse(row.indicators);
  if (!indicators.success)
    throw new Error(`SLO ${row.id} has malformed stored indicators: ${z.prettifyError(indicators.error)}`);
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    description: row.description,
    gnsId: row.gnsId,
    services: row.services,
    indicators: indicators.data satisfies SloIndicator[],
    targetPercent: row.targetPercent,
    // Written from a validated spec; one that no longer parses is skipped by the evaluation.
    window: row.window as SloWindowSpec,
    budgeting: row.budgeting,
    type: row.type,
    noDataPolicy: row.noDataPolicy,
    version: row.version,
    basis: row.basis,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function seriesProgressOf(row: SloSeries): SloSeriesProgress {
  return {
    sloId: row.sloId,
    tenantId: row.tenantId,
    basis: row.basis,
    coveredFromMs: row.coveredFrom.getTime(),
    backfillToMs: row.backfillTo.getTime(),
    minuteResolutionFromMs: row.minuteResolutionFrom.getTime(),
    caughtUpUntilMs: row.caughtUpUntil.getTime(),
    evaluatedUntilMs: row.evaluatedUntil.getTime(),
    origin: {
      requests: Number(row.originRequests),
      badRequests: Number(row.originBadRequests),
      badMinutes: Number(row.originBadMinutes),
      dataMinutes: Number(row.originDataMinutes),
    },
  };
}

/** The cursor of a page of events that ends at `event`. */
export function eventCursor(event: { at: Date; id: string }): string {
  return encodeCursor({ createdAt: event.at, id: event.id });
}

function storedEventOf(row: SloEvent): StoredSloEvent {
  return {
    id: row.id,
    type: row.type,
    ruleId: row.ruleId,
    severity: row.severity,
    at: row.at,
    threshold: row.threshold,
    longWindowBurnRate: row.longWindowBurnRate,
    shortWindowBurnRate: row.shortWindowBurnRate,
  };
}

export function sloNameTaken(name: string): DomainError {
  return new DomainError('CONFLICT', `an SLO named ${name} already exists`, [
    { field: 'name', message: 'is taken' },
  ]);
}
