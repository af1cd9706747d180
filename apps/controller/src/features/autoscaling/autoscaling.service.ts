import { Injectable, Logger } from '@nestjs/common';
import {
  DomainError,
  isDnsLabel,
  requireServiceName,
  validateAutoscalingPolicy,
  type AutoscalingPolicySpec,
  type FieldError,
  type TriggerWindow,
} from '@lattice/domain';
import { AuditService } from '../audit/audit.service';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import {
  DesiredStateScheduler,
  scheduleAfterCommit,
} from '../config-distribution/desired-state-scheduler.service';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { mapPage, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { AutoscalingMetrics } from './autoscaling.metrics';
import {
  AutoscalingRepository,
  type AutoscalingEventInput,
  type StoredAutoscalingEvent,
  type StoredAutoscalingPolicy,
} from './autoscaling.repository';

export interface AutoscalingPolicyView {
  gnsId: string;
  service: string;
  spec: AutoscalingPolicySpec;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface AutoscalingEventView {
  id: string;
  decisionId: string;
  clusterId: string;
  clusterName: string;
  gnsId: string;
  service: string;
  policyId: string;
  policyVersion: number;
  target: { kind: string; namespace: string; name: string };
  decidedAt: string;
  action: string;
  outcome: string;
  fromReplicas: number;
  toReplicas: number;
  rule: string;
  blockedBy: string | null;
  windows: TriggerWindow[];
}

/** A decision as an agent sent it, strings already bounded by the gateway. */
export interface ReportedAutoscalingDecision {
  decisionId: string;
  policyId: string;
  policyVersion: number;
  gnsId: string;
  service: string;
  targetKind: string;
  targetNamespace: string;
  targetName: string;
  decidedAtUnixMs: number;
  action: string;
  outcome: string;
  fromReplicas: number;
  toReplicas: number;
  rule: string;
  blockedBy: string;
  windows: {
    trigger: string;
    scaleUp: number;
    scaleDown: number;
    samples: number;
    min: number;
    max: number;
    avg: number;
    verdict: string;
  }[];
}

/** At most this many decisions per agent message. */
export const MAX_DECISIONS_PER_MESSAGE = 100;
const ACTIONS = new Set(['SCALE_UP', 'SCALE_DOWN', 'HOLD']);
const OUTCOMES = new Set(['APPLIED', 'RECOMMENDED', 'BLOCKED', 'FAILED']);
const BLOCKS = new Set([
  '',
  'SLO',
  'GRACE_PERIOD',
  'PERFORMANCE_MODE',
  'MAX_REPLICAS',
  'MIN_REPLICAS',
  'HPA',
]);
const VERDICTS = new Set(['UP', 'DOWN', 'HOLD', 'NO_DATA', 'PARTIAL']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Autoscaling policies per GNS service (validated, versioned with If-Match, audited, distributed
 * to the agents with the desired state) and the decisions the agents report.
 */
@Injectable()
export class AutoscalingService {
  private readonly logger = new Logger(AutoscalingService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly repository: AutoscalingRepository,
    private readonly globalNamespaces: GlobalNamespacesService,
    private readonly audit: AuditService,
    private readonly scheduler: DesiredStateScheduler,
    private readonly metrics: AutoscalingMetrics,
  ) {}

  /** 404 for unknown and other tenants' GNS. */
  assertGnsExists(tenantId: string, gnsId: string): Promise<void> {
    return this.globalNamespaces.assertExists(tenantId, gnsId);
  }

  async list(tenantId: string, gnsId: string): Promise<AutoscalingPolicyView[]> {
    await this.assertGnsExists(tenantId, gnsId);
    return (await this.repository.list(tenantId, gnsId)).map(view);
  }

  async get(tenantId: string, gnsId: string, service: string): Promise<AutoscalingPolicyView> {
    const found = await this.find(tenantId, gnsId, service);
    if (!found) throw notFound(service);
    return found;
  }

  /** Null when the service has no policy; 404 for an unknown GNS. */
  async find(tenantId: string, gnsId: string, service: string): Promise<AutoscalingPolicyView | null> {
    await this.assertGnsExists(tenantId, gnsId);
    const row = await this.repository.find(tenantId, gnsId, service);
    return row && view(row);
  }

  /** The policy as it would be stored, or a 400 naming every bad field. */
  normalize(service: string, input: unknown): AutoscalingPolicySpec {
    requireServiceName(service);
    const validation = validateAutoscalingPolicy(input);
    if (!validation.policy) throw DomainError.validation(validation.errors);
    return validation.policy;
  }

  /** Creates (no If-Match) or replaces (If-Match required) the service's policy. */
  async put(
    actor: TenantPrincipal,
    gnsId: string,
    service: string,
    expectedVersion: number | undefined,
    input: unknown,
  ): Promise<{ view: AutoscalingPolicyView; created: boolean }> {
    checkVersion(expectedVersion);
    await this.assertGnsExists(actor.tenantId, gnsId);
    const spec = this.normalize(service, input);
    const tenantId = actor.tenantId;
    const result = await this.transactions.run(async (tx) => {
      const before = await this.repository.find(tenantId, gnsId, service, tx);
      if (!before) {
        if (expectedVersion !== undefined) throw stale(0, expectedVersion);
        const created = await this.repository.create(tenantId, gnsId, service, spec, tx);
        if (!created)
          throw new DomainError(
            'CONFLICT',
            `an autoscaling policy for ${service} was created concurrently: GET it and send its ETag in If-Match`,
          );
        await this.audit.record(actor, change('create', gnsId, service, { after: auditView(created) }), tx);
        return { row: created, created: true };
      }
      if (expectedVersion === undefined)
        throw new DomainError(
          'PRECONDITION_REQUIRED',
          `${service} already has an autoscaling policy: send its ETag in If-Match to replace it`,
        );
      if (before.version !== expectedVersion) throw stale(before.version, expectedVersion);
      const after = await this.repository.replaceIfVersion(
        tenantId,
        gnsId,
        service,
        expectedVersion,
        spec,
        tx,
      );
      if (!after) throw stale(before.version, expectedVersion);
      await this.audit.record(
        actor,
        change('update', gnsId, service, { before: auditView(before), after: auditView(after) }),
        tx,
      );
      return { row: after, created: false };
    });
    await this.redistribute(
      tenantId,
      `autoscaling policy of ${service} in GNS ${gnsId} ${result.created ? 'created' : 'updated'}`,
    );
    return { view: view(result.row), created: result.created };
  }

  async delete(
    actor: TenantPrincipal,
    gnsId: string,
    service: string,
    expectedVersion: number | undefined,
  ): Promise<void> {
    checkVersion(expectedVersion);
    await this.assertGnsExists(actor.tenantId, gnsId);
    await this.transactions.run(async (tx) => {
      const before = await this.repository.find(actor.tenantId, gnsId, service, tx);
      if (!before) throw notFound(service);
      if (expectedVersion !== undefined && before.version !== expectedVersion)
        throw stale(before.version, expectedVersion);
      if (!(await this.repository.delete(actor.tenantId, gnsId, service, tx))) throw notFound(service);
      await this.audit.record(actor, change('delete', gnsId, service, { before: auditView(before) }), tx);
    });
    await this.redistribute(actor.tenantId, `autoscaling policy of ${service} in GNS ${gnsId} deleted`);
  }

  /** Decisions for one GNS service, newest first, a page at a time. */
  async listEvents(
    tenantId: string,
    gnsId: string,
    service: string,
    page: PageRequest,
  ): Promise<Page<AutoscalingEventView>> {
    requireServiceName(service);
    await this.assertGnsExists(tenantId, gnsId);
    return mapPage(await this.repository.listEvents(tenantId, gnsId, service, page), eventView);
  }

  /**
   * Stores decisions an agent reported (idempotent by decision id). The whole message is refused,
   * naming each bad field, when one decision is malformed; a GNS that is not the tenant's is skipped.
   */
  async recordDecisions(
    tenantId: string,
    clusterId: string,
    reported: readonly ReportedAutoscalingDecision[],
  ): Promise<{ stored: number }> {
    if (reported.length > MAX_DECISIONS_PER_MESSAGE)
      throw DomainError.validation([
        { field: 'decisions', message: `at most ${MAX_DECISIONS_PER_MESSAGE} decisions per message` },
      ]);
    const problems = reported.flatMap((decision, index) => decisionProblems(decision, `decisions[${index}]`));
    if (problems.length > 0) throw DomainError.validation(problems.slice(0, 20));
    const stored = await this.repository.insertEvents(tenantId, clusterId, reported.map(eventInput));
    for (const decision of reported) this.metrics.decisions.inc({ outcome: decision.outcome });
    return { stored };
  }

  /** Retention: decision events older than `days` are deleted. */
  async applyRetention(days: number, now = new Date()): Promise<number> {
    const deleted = await this.repository.deleteEventsBefore(new Date(now.getTime() - days * 86_400_000));
    if (deleted > 0) this.logger.log({ deleted }, 'autoscaling events past retention deleted');
    return deleted;
  }

  private redistribute(tenantId: string, reason: string): Promise<void> {
    return scheduleAfterCommit(this.scheduler, this.logger, tenantId, reason);
  }
}

function decisionProblems(decision: ReportedAutoscalingDecision, at: string): FieldError[] {
  const problems: FieldError[] = [];
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) problems.push({ field: `${at}.${field}`, message });
  };
  check(
    decision.decisionId.length > 0 && decision.decisionId.length <= 64,
    'decisionId',
    'must be 1 to 64 characters',
  );
  check(UUID.test(decision.gnsId), 'gnsId', 'must be a UUID');
  check(decision.policyId.length > 0, 'policyId', 'must not be empty');
  check(isDnsLabel(decision.service), 'service', 'must be a service name (DNS label)');
  check(
    ['Deployment', 'StatefulSet'].includes(decision.targetKind),
    'targetKind',
    'must be Deployment or StatefulSet',
  );
  check(isDnsLabel(decision.targetNamespace), 'targetNamespace', 'must be a namespace name');
  check(
    /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(decision.targetName),
    'targetName',
    'must be an object name',
  );
  check(
    Number.isSafeInteger(decision.decidedAtUnixMs) && decision.decidedAtUnixMs > 0,
    'decidedAtUnixMs',
    'must be a time in milliseconds',
  );
  check(ACTIONS.has(decision.action), 'action', 'must be SCALE_UP, SCALE_DOWN or HOLD');
  check(OUTCOMES.has(decision.outcome), 'outcome', 'must be APPLIED, RECOMMENDED, BLOCKED or FAILED');
  check(BLOCKS.has(decision.blockedBy), 'blockedBy', 'is not a known block');
  check(decision.fromReplicas <= 100_000 && decision.toReplicas <= 100_000, 'toReplicas', 'is out of range');
  check(decision.windows.length <= 5, 'windows', 'at most 5');
  decision.windows.forEach((window, index) => {
    check(VERDICTS.has(window.verdict), `windows[${index}].verdict`, 'is not a known verdict');
    check(
      [window.scaleUp, window.scaleDown, window.min, window.max, window.avg].every(Number.isFinite),
      `windows[${index}]`,
      'values must be finite numbers',
    );
  });
  return problems;
}

function eventInput(decision: ReportedAutoscalingDecision): AutoscalingEventInput {
  return {
    gnsId: decision.gnsId.toLowerCase(),
    service: decision.service,
    decisionId: decision.decisionId,
    policyId: decision.policyId,
    policyVersion: decision.policyVersion,
    targetKind: decision.targetKind,
    targetNamespace: decision.targetNamespace,
    targetName: decision.targetName,
    decidedAt: new Date(decision.decidedAtUnixMs),
    action: decision.action,
    outcome: decision.outcome,
    fromReplicas: decision.fromReplicas,
    toReplicas: decision.toReplicas,
    rule: decision.rule,
    blockedBy: decision.blockedBy === '' ? null : decision.blockedBy,
    windows: decision.windows.map((window) => ({
      trigger: window.trigger,
      scaleUp: window.scaleUp,
      scaleDown: window.scaleDown,
      samples: window.samples,
      min: window.samples > 0 ? window.min : null,
      max: window.samples > 0 ? window.max : null,
      avg: window.samples > 0 ? window.avg : null,
      verdict: window.verdict as TriggerWindow['verdict'],
    })),
  };
}

/** Versions start at 1: a smaller one can never be current, so it is refused before anything else. */
function checkVersion(version: number | undefined): void {
  if (version !== undefined && version < 1)
    throw DomainError.validation([{ field: 'version', message: 'must be at least 1 (the current version)' }]);
}

function notFound(service: string): DomainError {
  return new DomainError('NOT_FOUND', `${service} has no autoscaling policy in this global namespace`);
}

function stale(current: number, expected: number): DomainError {
  return new DomainError(
    'PRECONDITION_FAILED',
    current === 0
      ? `there is no autoscaling policy to match If-Match ${expected}: leave If-Match out to create it`
      : `the autoscaling policy changed since you read it (you sent version ${expected}, it is now at ${current}): GET it again and reapply your edit`,
  );
}

function change(
  verb: 'create' | 'update' | 'delete',
  gnsId: string,
  service: string,
  states: { before?: unknown; after?: unknown },
) {
  return {
    action: `autoscaling-policy.${verb}`,
    resourceType: 'autoscaling-policy',
    resourceId: `${gnsId}/${service}`,
    ...states,
  };
}

function auditView(row: StoredAutoscalingPolicy): unknown {
  return { gnsId: row.gnsId, service: row.service, spec: row.spec, version: row.version };
}

function view(row: StoredAutoscalingPolicy): AutoscalingPolicyView {
  return {
    gnsId: row.gnsId,
    service: row.service,
    spec: row.spec,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function eventView(row: StoredAutoscalingEvent): AutoscalingEventView {
  return {
    id: row.id,
    decisionId: row.decisionId,
    clusterId: row.clusterId,
    clusterName: row.clusterName,
    gnsId: row.gnsId,
    service: row.service,
    policyId: row.policyId,
    policyVersion: row.policyVersion,
    target: { kind: row.targetKind, namespace: row.targetNamespace, name: row.targetName },
    decidedAt: row.decidedAt.toISOString(),
    action: row.action,
    outcome: row.outcome,
    fromReplicas: row.fromReplicas,
    toReplicas: row.toReplicas,
    rule: row.rule,
    blockedBy: row.blockedBy,
    windows: row.windows,
  };
}
