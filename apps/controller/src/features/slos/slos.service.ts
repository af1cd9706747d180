import { Injectable, Logger } from '@nestjs/common';
import {
  BURN_RATE_WINDOWS,
  DomainError,
  parseSloSpec,
  parseSloWindow,
  sloHistoryPoints,
  sloHistoryProbes,
  validateSeriesRequest,
  ZERO_RUNNING_TOTALS,
  type ActiveAlert,
  type SloHistoryPoint,
  type SloSeriesProgress,
  type SloSpec,
  type SloSpecInput,
} from '@lattice/domain';
import { AuditService } from '../audit/audit.service';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { mapPage, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { UUID } from '../../platform/http/uuid-param.pipe';
import { MeshMembershipService } from '../config-distribution/mesh-membership.service';
import {
  DesiredStateScheduler,
  scheduleAfterCommit,
} from '../config-distribution/desired-state-scheduler.service';
import { SloEvaluationRepository } from './slo-evaluation.repository';
import { SloSpecDto, type SloEventView, type SloStatusView, type SloView } from './slos.dto';
import { createValidationPipe } from '../../platform/http/validation.pipe';
import { SlosRepository, type StoredEvaluation, type StoredSlo } from './slos.repository';

export type { SloHistoryPoint } from '@lattice/domain';

const RESOURCE = 'SLO';

@Injectable()
export class SlosService {
  private readonly bodyValidation = createValidationPipe();
  private readonly logger = new Logger(SlosService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly slos: SlosRepository,
    private readonly evaluations: SloEvaluationRepository,
    private readonly mesh: MeshMembershipService,
    private readonly audit: AuditService,
    private readonly scheduler: DesiredStateScheduler,
  ) {}

  async create(actor: TenantPrincipal, input: SloSpecInput): Promise<SloView> {
    const spec = await this.validSpec(actor.tenantId, input);
    const row = await this.transactions.run(async (tx) => {
      const created = await this.slos.create(actor.tenantId, spec, tx);
      await this.audit.record(
        actor,
        { action: 'slo.create', resourceType: 'slo', resourceId: created.id, after: definitionView(created) },
        tx,
      );
      return created;
    });
    return { ...definitionView(row), status: null };
  }

  /**
   * The definition create or replace would store, checked exactly as POST /v1/slos checks its body
   * (the same DTO, then the domain rules and the live membership), without storing anything.
   */
  async normalize(tenantId: string, input: unknown): Promise<SloSpec> {
    const body: SloSpecInput = await this.bodyValidation.transform(input, {
      type: 'body',
      metatype: SloSpecDto,
    });
    return this.validSpec(tenantId, body);
  }

  async get(tenantId: string, id: string): Promise<SloView> {
    const row = await this.require(tenantId, id);
    return (await this.withStatus([row]))[0]!;
  }

  /** Lookup by name within the tenant: the id, or null. */
  idByName(tenantId: string, name: string): Promise<string | null> {
    return this.slos.idByName(tenantId, name);
  }

  async list(tenantId: string, page: PageRequest, gnsId?: string): Promise<Page<SloView>> {
    if (gnsId !== undefined && !(UUID.test(gnsId) && (await this.slos.gnsExists(tenantId, gnsId))))
      throw DomainError.notFound('global namespace', gnsId);
    const rows = await this.slos.list(tenantId, page, gnsId);
    return { items: await this.withStatus(rows.items), nextCursor: rows.nextCursor };
  }

  async assertExists(tenantId: string, id: string): Promise<void> {
    if (!(await this.slos.exists(tenantId, id))) throw DomainError.notFound(RESOURCE, id);
  }

  async replace(
    actor: TenantPrincipal,
    id: string,
    expectedVersion: number,
    input: SloSpecInput,
  ): Promise<SloView> {
    const spec = await this.validSpec(actor.tenantId, input);
    const updated = await this.transactions.run(async (tx) => {
      const before = await this.slos.find(actor.tenantId, id, tx);
      if (!before) throw DomainError.notFound(RESOURCE, id);
      if (before.version !== expectedVersion) throw staleVersion(before.version, expectedVersion);
      const rebased =
        before.gnsId !== spec.gnsId ||
        JSON.stringify([...before.services].sort()) !== JSON.stringify([...spec.services].sort()) ||
        JSON.stringify(before.indicators) !== JSON.stringify(spec.indicators);
      const after = await this.slos.replaceIfVersion(actor.tenantId, id, expectedVersion, spec, rebased, tx);
      if (!after) throw staleVersion(before.version, expectedVersion);
      await this.audit.record(
        actor,
        {
          action: 'slo.update',
          resourceType: 'slo',
          resourceId: id,
          before: definitionView(before),
          after: definitionView(after),
        },
        tx,
      );
      return { before, after };
    });
    // An ACTIONABLE SLO may block autoscaling scale-down (docs/autoscaling.md): the agents learn of a change.
    if (updated.before.type === 'ACTIONABLE' || updated.after.type === 'ACTIONABLE')
      await scheduleAfterCommit(this.scheduler, this.logger, actor.tenantId, `actionable SLO ${id} updated`);
    return (await this.withStatus([updated.after]))[0]!;
  }

  async delete(actor: TenantPrincipal, id: string, expectedVersion: number | undefined): Promise<void> {
    const deleted = await this.transactions.run(async (tx) => {
      const before = await this.slos.find(actor.tenantId, id, tx);
      if (!before) throw DomainError.notFound(RESOURCE, id);
      if (expectedVersion !== undefined && before.version !== expectedVersion)
        throw staleVersion(before.version, expectedVersion);
      if (!(await this.slos.delete(actor.tenantId, id, tx))) throw DomainError.notFound(RESOURCE, id);
      await this.audit.record(
        actor,
        { action: 'slo.delete', resourceType: 'slo', resourceId: id, before: definitionView(before) },
        tx,
      );
      return before;
    });
    if (deleted.type === 'ACTIONABLE')
      await scheduleAfterCommit(this.scheduler, this.logger, actor.tenantId, `actionable SLO ${id} deleted`);
  }

  /** Alert firings and resolutions, newest first, a page at a time. */
  async events(tenantId: string, id: string, page: PageRequest): Promise<Page<SloEventView>> {
    await this.require(tenantId, id);
    const events = await this.slos.events(tenantId, id, page);
    return mapPage(events, (event) => ({
      id: event.id,
      type: event.type,
      rule: event.ruleId,
      severity: event.severity,
      at: event.at.toISOString(),
      threshold: event.threshold,
      longWindowBurnRate: event.longWindowBurnRate,
      shortWindowBurnRate: event.shortWindowBurnRate,
    }));
  }

  /**
   * SLI and budget over [from, to) in steps, from the stored running totals: each bucket and each
   * bucket's window is the difference of two rows, so a long range costs a few index probes per point.
   */
  async history(
    tenantId: string,
    id: string,
    from: Date,
    to: Date,
    stepSeconds: number,
    now = new Date(),
  ): Promise<SloHistoryPoint[]> {
    const slo = await this.require(tenantId, id);
    const range = validateSeriesRequest(from, to, stepSeconds);
    const window = parseSloWindow(slo.window)!;
    const probes = [...new Set(sloHistoryProbes(window, range))];
    const answers = await this.evaluations.runningTotalsBefore(
      probes.map((beforeMs) => ({ sloId: slo.id, basis: slo.basis, beforeMs })),
    );
    const totalsBefore = new Map(
      probes.map((beforeMs, index) => [beforeMs, answers[index] ?? ZERO_RUNNING_TOTALS]),
    );
    return sloHistoryPoints(
      { ...slo, window },
      range,
      (beforeMs) => totalsBefore.get(beforeMs) ?? ZERO_RUNNING_TOTALS,
      now.getTime(),
    );
  }

  private async require(tenantId: string, id: string): Promise<StoredSlo> {
    const row = await this.slos.find(tenantId, id);
    if (!row) throw DomainError.notFound(RESOURCE, id);
    return row;
  }

  private async withStatus(rows: readonly StoredSlo[]): Promise<SloView[]> {
    if (rows.length === 0) return [];
    const tenantId = rows[0]!.tenantId;
    const ids = rows.map((row) => row.id);
    const [byId, seriesById] = await Promise.all([
      this.slos.evaluations(tenantId, ids),
      this.slos.series(tenantId, ids),
    ]);
    return rows.map((row) => {
      const series = seriesById.get(row.id);
      return {
        ...definitionView(row),
        status: statusView(byId.get(row.id), series?.basis === row.basis ? series : undefined),
      };
    });
  }

  /** Validates the input, then that the GNS exists and each service is one of its members now. */
  private async validSpec(tenantId: string, input: SloSpecInput): Promise<SloSpec> {
    const parsed = parseSloSpec(input);
    if (!parsed.spec) throw DomainError.validation(parsed.problems);
    const spec = parsed.spec;
    const membership = (await this.mesh.byGns(tenantId)).get(spec.gnsId);
    if (!membership) {
      throw DomainError.validation([
        { field: 'gnsId', message: `no Global Namespace ${spec.gnsId} in this tenant` },
      ]);
    }
    const members = new Set((membership?.services ?? []).map((service) => service.name));
    const problems = spec.services.flatMap((service, index) =>
      members.has(service)
        ? []
        : [
            {
              field: `services[${index}]`,
              message: `${service} is not a member service of the Global Namespace (members now: ${[...members].sort().join(', ') || 'none'})`,
            },
          ],
    );
    if (problems.length > 0) throw DomainError.validation(problems);
    return spec;
  }
}

export function definitionView(row: StoredSlo): Omit<SloView, 'status'> {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    gnsId: row.gnsId,
    services: row.services,
    indicators: row.indicators,
    targetPercent: row.targetPercent,
    window: row.window,
    budgeting: row.budgeting,
    type: row.type,
    noDataPolicy: row.noDataPolicy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function statusView(
  evaluation: StoredEvaluation | undefined,
  series: SloSeriesProgress | undefined,
): SloStatusView | null {
  if (!evaluation || !series) return null;
  const budget = evaluation.budget;
  return {
    health: evaluation.status,
    evaluatedAt: new Date(evaluation.evaluatedAtUnixMs).toISOString(),
    windowStart: new Date(evaluation.window.startUnixMs).toISOString(),
    windowEnd: new Date(evaluation.window.endUnixMs).toISOString(),
    compliance: evaluation.compliance,
    meetsTarget: evaluation.meetsTarget,
    budget: {
      allowedBadFraction: budget.allowedBadFraction,
      consumedFraction: budget.consumedFraction,
      remainingFraction: budget.remainingFraction,
      totalSeconds: budget.totalDurationMs / 1000,
      consumedSeconds: budget.consumedDurationMs / 1000,
      remainingSeconds: budget.remainingDurationMs / 1000,
    },
    // In window order (the stored JSONB does not keep key order).
    burnRates: BURN_RATE_WINDOWS.map((window) => ({ window, rate: evaluation.burnRates[window] })),
    indicators: evaluation.indicators.map((value) => ({
      ...value.indicator,
      value: value.value,
      holds: value.holds,
    })),
    activeAlerts: evaluation.activeAlerts.map((alert: ActiveAlert) => ({
      rule: alert.ruleId,
      severity: alert.severity,
      firedAt: new Date(alert.firedAtUnixMs).toISOString(),
    })),
    coverage: {
      evaluatedFrom: new Date(series.coveredFromMs).toISOString(),
      backfilling: series.coveredFromMs > series.backfillToMs,
      hourlyUntil:
        series.minuteResolutionFromMs > series.coveredFromMs
          ? new Date(series.minuteResolutionFromMs).toISOString()
          : null,
      catchingUpFrom:
        series.caughtUpUntilMs < series.evaluatedUntilMs
          ? new Date(series.caughtUpUntilMs).toISOString()
          : null,
    },
  };
}

function staleVersion(current: number, expected: number): DomainError {
  return new DomainError(
    'PRECONDITION_FAILED',
    `the SLO changed since you read it (you sent version ${expected}, it is now at ${current}): GET it again and reapply your edit`,
  );
}
