import { Injectable } from '@nestjs/common';
import {
  DomainError,
  parseSloWindow,
  seriesHistoryStart,
  type RunningTotals,
  type SloEvaluation,
  type SloIndicator,
  type SloSpec,
} from '@lattice/domain';
import { Prisma, type Slo, type SloEvent, type SloSeries } from '../../generated/prisma/client';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { isUniqueViolation, type Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';

export interface StoredSlo extends SloSpec {
  id: string;
  tenantId: string;
  version: number;
  basis: number;
  createdAt: Date;
  updatedAt: Date;
}

/** SLO definitions; the tenant id is the first argument of every query. */
@Injectable()
export class SlosRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(tenantId: string, spec: SloSpec, db: Db = this.prisma): Promise<StoredSlo> {
    const row = await db.slo
      .create({ data: { tenantId, ...toData(spec) } })
      .catch(rethrowNameTaken(spec.name));
    return toStored(row);
  }

  async find(tenantId: string, id: string, db: Db = this.prisma): Promise<StoredSlo | null> {
    const row = await db.slo.findFirst({ where: { tenantId, id } });
    return row && toStored(row);
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
    return pageOf(rows.map(toStored), page.limit);
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
    db: Db,
  ): Promise<StoredSlo | null> {
    const rows = await db.slo
      .updateManyAndReturn({
        where: { tenantId, id, version: expectedVersion },
        data: { ...toData(spec), version: { increment: 1 }, ...(rebased ? { basis: { increment: 1 } } : {}) },
      })
      .catch(rethrowNameTaken(spec.name));
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
    return toStored(rows[0]!);
  }

  async gnsExists(tenantId: string, gnsId: string): Promise<boolean> {
    return (await this.prisma.globalNamespace.count({ where: { tenantId, id: gnsId } })) > 0;
  }

  /** The stored latest evaluation of each of the SLOs that has one. */
  async evaluations(
    tenantId: string,
    sloIds: readonly string[],
  ): Promise<Map<string, Omit<SloEvaluation, 'events'>>> {
    const states = await this.prisma.sloState.findMany({ where: { tenantId, sloId: { in: [...sloIds] } } });
    // Written by the evaluation job from assessSlo's result (storedEvaluation).
    return new Map(
      states.map((state) => [state.sloId, state.evaluation as unknown as Omit<SloEvaluation, 'events'>]),
    );
  }

  /** How far each SLO's series reaches (backfill and catch-up progress). */
  async series(tenantId: string, sloIds: readonly string[]): Promise<Map<string, SloSeriesRow>> {
    const rows = await this.prisma.sloSeries.findMany({ where: { tenantId, sloId: { in: [...sloIds] } } });
    return new Map(rows.map((row) => [row.sloId, seriesOf(row)]));
  }

  /** Alert events, newest first. */
  events(tenantId: string, sloId: string, first: number): Promise<SloEvent[]> {
    return this.prisma.sloEvent.findMany({
      where: { tenantId, sloId },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: first,
    });
  }

  async delete(tenantId: string, id: string, db: Db): Promise<boolean> {
    return (await db.slo.deleteMany({ where: { tenantId, id } })).count > 0;
  }
}

function toData(spec: SloSpec) {
  return {
    name: spec.name,
    description: spec.description,
    gnsId: spec.gnsId,
    services: spec.services,
    indicators: spec.indicators as unknown as Prisma.InputJsonValue,
    targetPercent: spec.targetPercent,
    window: spec.window,
    budgeting: spec.budgeting,
    type: spec.type,
  };
}

/** See the SloSeries model. */
export interface SloSeriesRow {
  sloId: string;
  tenantId: string;
  basis: number;
  coveredFromMs: number;
  backfillToMs: number;
  minuteResolutionFromMs: number;
  caughtUpUntilMs: number;
  evaluatedUntilMs: number;
  origin: RunningTotals;
}

export function seriesOf(row: SloSeries): SloSeriesRow {
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
    },
  };
}

export function toStored(row: Slo): StoredSlo {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    description: row.description,
    gnsId: row.gnsId,
    services: row.services,
    // Written by this repository after parseSloSpec, so it has the domain shape.
    indicators: row.indicators as unknown as SloIndicator[],
    targetPercent: row.targetPercent,
    window: row.window as SloSpec['window'],
    budgeting: row.budgeting,
    type: row.type,
    version: row.version,
    basis: row.basis,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function sloNameTaken(name: string): DomainError {
  return new DomainError('CONFLICT', `an SLO named ${name} already exists`, [
    { field: 'name', message: 'is taken' },
  ]);
}

function rethrowNameTaken(name: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) throw sloNameTaken(name);
    throw error;
  };
}
