import { Injectable, Logger } from '@nestjs/common';
import {
  DomainError,
  gnsPolicyContext,
  requireServiceName,
  proposePolicies,
  storedPolicyWarnings,
  validateSecurityPolicy,
  validateTrafficPolicy,
  type FieldError,
  type GnsPolicyContext,
  type PolicyProposal,
  type PolicyValidation,
  type SecurityPolicySpec,
  type TrafficPolicySpec,
} from '@lattice/domain';
import { previewPolicies, type ClusterPolicyPreview } from '@lattice/istio';
import { AuditService, type Change } from '../audit/audit.service';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import {
  DesiredStateScheduler,
  scheduleAfterCommit,
} from '../config-distribution/desired-state-scheduler.service';
import { MeshMembershipService } from '../config-distribution/mesh-membership.service';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { TransactionRunner, type Transaction } from '../../platform/database/transaction.service';
import {
  PoliciesRepository,
  type StoredSecurityPolicy,
  type StoredTrafficPolicy,
} from './policies.repository';

export interface TrafficPolicyView {
  gnsId: string;
  service: string;
  spec: TrafficPolicySpec;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Checked against the live inventory now (e.g. a subset no pod carries). */
  warnings: FieldError[];
}

export interface SecurityPolicyView {
  gnsId: string;
  spec: SecurityPolicySpec;
  version: number;
  createdAt: string;
  updatedAt: string;
  warnings: FieldError[];
}

/** Proposed policies for a dry run (see PolicyProposal). */
export type DryRunInput = PolicyProposal;

/** One member cluster's objects with the proposed policies, and the diff with the stored ones. */
export type DryRunCluster = ClusterPolicyPreview;

export interface DryRunResult {
  warnings: FieldError[];
  clusters: DryRunCluster[];
}

type StoredPolicy = StoredTrafficPolicy | StoredSecurityPolicy;

/**
 * One versioned policy (a service's traffic policy or the GNS security policy), bound to its
 * tenant and keys, so that put and delete run the same If-Match and audit flow for both.
 */
interface VersionedPolicy<Spec, Row extends StoredPolicy> {
  /** In 412 messages: "traffic policy". */
  what: string;
  /** In redistribution reasons: "traffic policy of web in GNS …". */
  label: string;
  createdConcurrently: string;
  alreadyExists: string;
  audit(verb: 'create' | 'update' | 'delete', states: Pick<Change, 'before' | 'after'>): Change;
  find(tx: Transaction): Promise<Row | null>;
  create(spec: Spec, tx: Transaction): Promise<Row | null>;
  replaceIfVersion(expectedVersion: number, spec: Spec, tx: Transaction): Promise<Row | null>;
  delete(tx: Transaction): Promise<boolean>;
  notFound(): DomainError;
}

/**
 * Traffic policies per GNS service and the security policy per GNS: validated against the live
 * membership, stored with a version (If-Match), audited, and distributed by the debounced
 * desired-state recomputation like every other change.
 */
@Injectable()
export class PoliciesService {
  private readonly logger = new Logger(PoliciesService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly policies: PoliciesRepository,
    private readonly globalNamespaces: GlobalNamespacesService,
    private readonly membership: MeshMembershipService,
    private readonly audit: AuditService,
    private readonly scheduler: DesiredStateScheduler,
  ) {}

  /** 404 for unknown and other tenants' GNS, before anything else about the request. */
  assertGnsExists(tenantId: string, gnsId: string): Promise<void> {
    return this.globalNamespaces.assertExists(tenantId, gnsId);
  }

  async listTraffic(tenantId: string, gnsId: string): Promise<TrafficPolicyView[]> {
    await this.assertGnsExists(tenantId, gnsId);
    const [rows, context] = await Promise.all([
      this.policies.listTraffic(tenantId, gnsId),
      this.context(tenantId, gnsId),
    ]);
    return rows.map((row) =>
      trafficView(row, storedPolicyWarnings(validateTrafficPolicy(row.service, row.spec, context))),
    );
  }

  async getTraffic(tenantId: string, gnsId: string, service: string): Promise<TrafficPolicyView> {
    const view = await this.findTraffic(tenantId, gnsId, service);
    if (!view) throw trafficNotFound(service);
    return view;
  }

  /** Null when the service has no policy; 404 for an unknown GNS. */
  async findTraffic(tenantId: string, gnsId: string, service: string): Promise<TrafficPolicyView | null> {
    await this.assertGnsExists(tenantId, gnsId);
    const row = await this.policies.findTraffic(tenantId, gnsId, service);
    if (!row) return null;
    const context = await this.context(tenantId, gnsId);
    return trafficView(row, storedPolicyWarnings(validateTrafficPolicy(row.service, row.spec, context)));
  }

  /**
   * Creates the service's policy (no If-Match needed) or replaces it (If-Match required, so two
   * editors cannot overwrite each other). Returns whether it was created.
   */
  async putTraffic(
    actor: TenantPrincipal,
    gnsId: string,
    service: string,
    expectedVersion: number | undefined,
    input: unknown,
  ): Promise<{ view: TrafficPolicyView; created: boolean }> {
    requireServiceName(service);
    const validation = accepted(
      validateTrafficPolicy(service, input, await this.context(actor.tenantId, gnsId)),
    );
    const { row, created } = await this.put(
      actor,
      this.trafficPolicyOf(actor.tenantId, gnsId, service),
      expectedVersion,
      validation.policy,
    );
    return { view: trafficView(row, validation.warnings), created };
  }

  deleteTraffic(
    actor: TenantPrincipal,
    gnsId: string,
    service: string,
    expectedVersion: number | undefined,
  ): Promise<void> {
    return this.delete(actor, this.trafficPolicyOf(actor.tenantId, gnsId, service), expectedVersion);
  }

  async getSecurity(tenantId: string, gnsId: string): Promise<SecurityPolicyView> {
    const view = await this.findSecurity(tenantId, gnsId);
    if (!view) throw securityNotFound(gnsId);
    return view;
  }

  /** Null when the GNS has no security policy; 404 for an unknown GNS. */
  async findSecurity(tenantId: string, gnsId: string): Promise<SecurityPolicyView | null> {
    await this.assertGnsExists(tenantId, gnsId);
    const row = await this.policies.findSecurity(tenantId, gnsId);
    if (!row) return null;
    return securityView(
      row,
      storedPolicyWarnings(validateSecurityPolicy(row.spec, await this.context(tenantId, gnsId))),
    );
  }

  async putSecurity(
    actor: TenantPrincipal,
    gnsId: string,
    expectedVersion: number | undefined,
    input: unknown,
  ): Promise<{ view: SecurityPolicyView; created: boolean }> {
    const validation = accepted(validateSecurityPolicy(input, await this.context(actor.tenantId, gnsId)));
    const { row, created } = await this.put(
      actor,
      this.securityPolicyOf(actor.tenantId, gnsId),
      expectedVersion,
      validation.policy,
    );
    return { view: securityView(row, validation.warnings), created };
  }

  deleteSecurity(actor: TenantPrincipal, gnsId: string, expectedVersion: number | undefined): Promise<void> {
    return this.delete(actor, this.securityPolicyOf(actor.tenantId, gnsId), expectedVersion);
  }

  /**
   * The traffic policy as it would be stored (durations canonical, route names filled in), or a
   * 400 naming every bad field: what a dry run or a declarative apply compares with the stored one.
   */
  async normalizeTraffic(
    tenantId: string,
    gnsId: string,
    service: string,
    input: unknown,
  ): Promise<TrafficPolicySpec> {
    requireServiceName(service);
    return accepted(validateTrafficPolicy(service, input, await this.context(tenantId, gnsId))).policy;
  }

  /** The security policy as it would be stored, or a 400 naming every bad field. */
  async normalizeSecurity(tenantId: string, gnsId: string, input: unknown): Promise<SecurityPolicySpec> {
    return accepted(validateSecurityPolicy(input, await this.context(tenantId, gnsId))).policy;
  }

  /**
   * What each member cluster of the GNS would receive with the proposed policies in place of the
   * stored ones: rendered exactly as the agents render it, compared with what the stored policies
   * give now. Nothing is stored, scheduled or sent.
   */
  async dryRun(tenantId: string, gnsId: string, input: DryRunInput): Promise<DryRunResult> {
    const [{ mesh, membership, gns }, stored] = await Promise.all([
      this.membership.ofGns(tenantId, gnsId),
      this.policies.loadAll(tenantId),
    ]);
    const proposal = proposePolicies(stored.get(gnsId), input, gnsPolicyContext(gns, mesh.clusters));
    if (proposal.errors.length > 0) throw DomainError.validation(proposal.errors);
    return {
      warnings: proposal.warnings,
      clusters: previewPolicies({
        gnsId,
        membership,
        clusters: mesh.clusters,
        stored,
        proposed: proposal.policies,
      }),
    };
  }

  /** Create (no If-Match) or replace (If-Match) in one transaction, audited, then redistributed. */
  private async put<Spec, Row extends StoredPolicy>(
    actor: TenantPrincipal,
    policy: VersionedPolicy<Spec, Row>,
    expectedVersion: number | undefined,
    spec: Spec,
  ): Promise<{ row: Row; created: boolean }> {
    const result = await this.transactions.run(async (tx) => {
      const before = await policy.find(tx);
      if (!before) {
        if (expectedVersion !== undefined) throw stale(policy.what, 0, expectedVersion);
        const created = await policy.create(spec, tx);
        if (!created) throw new DomainError('CONFLICT', policy.createdConcurrently);
        await this.audit.record(actor, policy.audit('create', { after: auditView(created) }), tx);
        return { row: created, created: true };
      }
      if (expectedVersion === undefined) throw new DomainError('PRECONDITION_REQUIRED', policy.alreadyExists);
      if (before.version !== expectedVersion) throw stale(policy.what, before.version, expectedVersion);
      const after = await policy.replaceIfVersion(expectedVersion, spec, tx);
      if (!after) throw stale(policy.what, before.version, expectedVersion);
      await this.audit.record(
        actor,
        policy.audit('update', { before: auditView(before), after: auditView(after) }),
        tx,
      );
      return { row: after, created: false };
    });
    await this.redistribute(actor.tenantId, `${policy.label} ${result.created ? 'created' : 'updated'}`);
    return result;
  }

  /** Delete (If-Match optional) in one transaction, audited, then redistributed. */
  private async delete<Spec, Row extends StoredPolicy>(
    actor: TenantPrincipal,
    policy: VersionedPolicy<Spec, Row>,
    expectedVersion: number | undefined,
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      const before = await policy.find(tx);
      if (!before) throw policy.notFound();
      if (expectedVersion !== undefined && before.version !== expectedVersion)
        throw stale(policy.what, before.version, expectedVersion);
      if (!(await policy.delete(tx))) throw policy.notFound();
      await this.audit.record(actor, policy.audit('delete', { before: auditView(before) }), tx);
    });
    await this.redistribute(actor.tenantId, `${policy.label} deleted`);
  }

  private trafficPolicyOf(
    tenantId: string,
    gnsId: string,
    service: string,
  ): VersionedPolicy<TrafficPolicySpec, StoredTrafficPolicy> {
    return {
      what: 'traffic policy',
      label: `traffic policy of ${service} in GNS ${gnsId}`,
      createdConcurrently: `a traffic policy for ${service} was created concurrently: GET it and send its ETag in If-Match`,
      alreadyExists: `${service} already has a traffic policy: send its ETag in If-Match to replace it`,
      audit: (verb, states) => ({
        action: `traffic-policy.${verb}`,
        resourceType: 'traffic-policy',
        resourceId: `${gnsId}/${service}`,
        ...states,
      }),
      find: (tx) => this.policies.findTraffic(tenantId, gnsId, service, tx),
      create: (spec, tx) => this.policies.createTraffic(tenantId, gnsId, service, spec, tx),
      replaceIfVersion: (version, spec, tx) =>
        this.policies.replaceTrafficIfVersion(tenantId, gnsId, service, version, spec, tx),
      delete: (tx) => this.policies.deleteTraffic(tenantId, gnsId, service, tx),
      notFound: () => trafficNotFound(service),
    };
  }

  private securityPolicyOf(
    tenantId: string,
    gnsId: string,
  ): VersionedPolicy<SecurityPolicySpec, StoredSecurityPolicy> {
    return {
      what: 'security policy',
      label: `security policy of GNS ${gnsId}`,
      createdConcurrently:
        'the security policy was created concurrently: GET it and send its ETag in If-Match',
      alreadyExists:
        'the global namespace already has a security policy: send its ETag in If-Match to replace it',
      audit: (verb, states) => ({
        action: `security-policy.${verb}`,
        resourceType: 'security-policy',
        resourceId: gnsId,
        ...states,
      }),
      find: (tx) => this.policies.findSecurity(tenantId, gnsId, tx),
      create: (spec, tx) => this.policies.createSecurity(tenantId, gnsId, spec, tx),
      replaceIfVersion: (version, spec, tx) =>
        this.policies.replaceSecurityIfVersion(tenantId, gnsId, version, spec, tx),
      delete: (tx) => this.policies.deleteSecurity(tenantId, gnsId, tx),
      notFound: () => securityNotFound(gnsId),
    };
  }

  /** The GNS as policies see it: its live membership. */
  private async context(tenantId: string, gnsId: string): Promise<GnsPolicyContext> {
    const { mesh, gns } = await this.membership.ofGns(tenantId, gnsId);
    return gnsPolicyContext(gns, mesh.clusters);
  }

  private redistribute(tenantId: string, reason: string): Promise<void> {
    return scheduleAfterCommit(this.scheduler, this.logger, tenantId, reason);
  }
}

function accepted<T>(validation: PolicyValidation<T>): PolicyValidation<T> & { policy: T } {
  if (validation.errors.length > 0 || validation.policy === undefined)
    throw DomainError.validation(validation.errors);
  return validation as PolicyValidation<T> & { policy: T };
}

function securityNotFound(gnsId: string): DomainError {
  return DomainError.notFound('security policy of global namespace', gnsId);
}

function trafficNotFound(service: string): DomainError {
  return new DomainError('NOT_FOUND', `${service} has no traffic policy in this global namespace`);
}

function stale(what: string, current: number, expected: number): DomainError {
  return new DomainError(
    'PRECONDITION_FAILED',
    current === 0
      ? `there is no ${what} to match If-Match ${expected}: leave If-Match out to create it`
      : `the ${what} changed since you read it (you sent version ${expected}, it is now at ${current}): GET it again and reapply your edit`,
  );
}

function auditView(row: StoredTrafficPolicy | StoredSecurityPolicy): unknown {
  return {
    ...('service' in row ? { service: row.service } : {}),
    gnsId: row.gnsId,
    spec: row.spec,
    version: row.version,
  };
}

function trafficView(row: StoredTrafficPolicy, warnings: FieldError[]): TrafficPolicyView {
  return {
    gnsId: row.gnsId,
    service: row.service,
    spec: row.spec,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    warnings,
  };
}

function securityView(row: StoredSecurityPolicy, warnings: FieldError[]): SecurityPolicyView {
  return {
    gnsId: row.gnsId,
    spec: row.spec,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    warnings,
  };
}
