import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  DomainError,
  validateGnsDomain,
  validateGnsName,
  validateMatchConditions,
  type GnsMembership,
  type MatchCondition,
  type MtlsMode,
} from '@lattice/domain';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { mapPage, type Page, type PageRequest } from '../../platform/http/pagination.util';
import { AuditService } from '../audit/audit.service';
import {
  DesiredStateScheduler,
  scheduleAfterCommit,
} from '../config-distribution/desired-state-scheduler.service';
import { MeshMembershipService } from '../config-distribution/mesh-membership.service';
import { GnsCaLifecycleService, type PreparedGnsRoot } from '../gns-ca/gns-ca-lifecycle.service';
import {
  toDefinitionView,
  toServiceView,
  toStatusView,
  type GlobalNamespaceView,
  type GnsServiceView,
} from './global-namespaces.dto';
import {
  GlobalNamespacesRepository,
  nameTaken,
  type GlobalNamespaceSpec,
  type StoredGlobalNamespace,
} from './global-namespaces.repository';

/** An editor's input before validation. */
export interface GlobalNamespaceInput {
  name: string;
  domain: string;
  description?: string;
  mtlsMode?: MtlsMode;
  matchConditions: MatchCondition[];
}

const RESOURCE = 'global namespace';

@Injectable()
export class GlobalNamespacesService {
  private readonly logger = new Logger(GlobalNamespacesService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly globalNamespaces: GlobalNamespacesRepository,
    private readonly mesh: MeshMembershipService,
    private readonly audit: AuditService,
    private readonly scheduler: DesiredStateScheduler,
    private readonly ca: GnsCaLifecycleService,
  ) {}

  async create(actor: TenantPrincipal, input: GlobalNamespaceInput): Promise<GlobalNamespaceView> {
    const spec = validSpec(input);
    if (await this.globalNamespaces.nameTaken(actor.tenantId, spec.name)) throw nameTaken(spec.name);
    // The GNS root CA is part of the GNS: generated first (seconds for RSA-4096, outside the
    // transaction), then stored with it in one transaction, so neither exists without the other.
    const id = randomUUID();
    const root = await this.ca.prepareRootOfNewGns(actor.tenantId, {
      id,
      name: spec.name,
      domain: spec.domain,
    });
    const created = await this.transactions.run(async (tx) => {
      const row = await this.globalNamespaces.create(actor.tenantId, spec, tx, id);
      await this.ca.createRootInTransaction(actor.tenantId, root, tx);
      await this.audit.record(
        actor,
        {
          action: 'global-namespace.create',
          resourceType: 'global-namespace',
          resourceId: row.id,
          after: { ...toDefinitionView(row), caRootFingerprintSha256: root.fingerprintSha256 },
        },
        tx,
      );
      return row;
    });
    await this.redistribute(actor.tenantId, `global namespace ${created.id} created`);
    return this.withStatus(created);
  }

  async get(tenantId: string, id: string): Promise<GlobalNamespaceView> {
    return this.withStatus(await this.require(tenantId, id));
  }

  /** Lookup by name within the tenant: the id, or null. */
  idByName(tenantId: string, name: string): Promise<string | null> {
    return this.globalNamespaces.idByName(tenantId, name);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<GlobalNamespaceView>> {
    const rows = await this.globalNamespaces.list(tenantId, page);
    const memberships = await this.memberships(tenantId);
    return mapPage(rows, (row) => ({
      ...toDefinitionView(row),
      status: toStatusView(memberships.get(row.id)),
    }));
  }

  /** 404 for unknown and other tenants' ids, checked before anything else about the request. */
  async assertExists(tenantId: string, id: string): Promise<void> {
    if (!(await this.globalNamespaces.exists(tenantId, id))) throw DomainError.notFound(RESOURCE, id);
  }

  /**
   * Replaces the definition if the caller edited the current version (optimistic concurrency).
   * A new domain is a new SPIFFE trust domain, which the root CA names: the same transaction
   * starts a root rotation to a root for the new domain (its intermediates follow in the rotation),
   * so the CA ends up naming the new domain without a window in which clusters distrust each other.
   * While a rotation runs, a domain change is refused (409): the incoming root names the old domain.
   */
  async replace(
    actor: TenantPrincipal,
    id: string,
    expectedVersion: number,
    input: GlobalNamespaceInput,
  ): Promise<GlobalNamespaceView> {
    const spec = validSpec(input);
    const nextRoot = await this.rootForDomainChange(actor.tenantId, id, expectedVersion, spec);
    const updated = await this.transactions.run(async (tx) => {
      const before = await this.globalNamespaces.find(actor.tenantId, id, tx);
      if (!before) throw DomainError.notFound(RESOURCE, id);
      if (before.version !== expectedVersion) throw staleVersion(before.version, expectedVersion);
      if (spec.name !== before.name && (await this.globalNamespaces.nameTaken(actor.tenantId, spec.name, tx)))
        throw nameTaken(spec.name);
      // Locks the GNS row for the CA first: no rotation step or rotate request interleaves with ours.
      const rotation =
        nextRoot &&
        (await this.ca.startDomainRotationInTransaction(actor.tenantId, nextRoot, before.domain, tx));
      // Conditional on the version again: another editor may have committed since the read above.
      const after = await this.globalNamespaces.replaceIfVersion(
        actor.tenantId,
        id,
        expectedVersion,
        spec,
        tx,
      );
      if (!after) throw staleVersion(before.version, expectedVersion);
      await this.audit.record(
        actor,
        {
          action: 'global-namespace.update',
          resourceType: 'global-namespace',
          resourceId: id,
          before: toDefinitionView(before),
          // One change, one event: the rotation the new domain started is part of it.
          after: rotation
            ? { ...toDefinitionView(after), caRootRotation: rotation }
            : toDefinitionView(after),
        },
        tx,
      );
      return after;
    });
    await this.redistribute(actor.tenantId, `global namespace ${id} updated`);
    if (nextRoot) await this.ca.domainRotationCommitted(actor.tenantId, nextRoot);
    return this.withStatus(updated);
  }

  /**
   * The root of the next generation when `spec` changes the domain of a GNS that has a root, made
   * before the transaction (seconds for RSA-4096). Stale versions and running rotations are
   * refused here already so that no key is generated for a request that must fail.
   */
  private async rootForDomainChange(
    tenantId: string,
    id: string,
    expectedVersion: number,
    spec: GlobalNamespaceSpec,
  ): Promise<PreparedGnsRoot | undefined> {
    const current = await this.globalNamespaces.find(tenantId, id);
    if (!current) throw DomainError.notFound(RESOURCE, id);
    if (current.version !== expectedVersion) throw staleVersion(current.version, expectedVersion);
    if (spec.domain === current.domain) return undefined;
    return this.ca.prepareDomainChange(
      tenantId,
      { id, name: spec.name, domain: spec.domain },
      current.domain,
    );
  }

  /**
   * Deletes the definition; the recomputation that follows leaves it out of every cluster's desired
   * state, so each agent removes what it rendered for it. `If-Match` is optional here.
   */
  async delete(actor: TenantPrincipal, id: string, expectedVersion: number | undefined): Promise<void> {
    await this.transactions.run(async (tx) => {
      const before = await this.globalNamespaces.find(actor.tenantId, id, tx);
      if (!before) throw DomainError.notFound(RESOURCE, id);
      if (expectedVersion !== undefined && before.version !== expectedVersion)
        throw staleVersion(before.version, expectedVersion);
      if (!(await this.globalNamespaces.delete(actor.tenantId, id, tx)))
        throw DomainError.notFound(RESOURCE, id);
      await this.audit.record(
        actor,
        {
          action: 'global-namespace.delete',
          resourceType: 'global-namespace',
          resourceId: id,
          before: toDefinitionView(before),
        },
        tx,
      );
    });
    await this.redistribute(actor.tenantId, `global namespace ${id} deleted`);
  }

  /** Member services computed from the live inventory (hosts with conflicting ports are in the status instead). */
  async services(tenantId: string, id: string): Promise<GnsServiceView[]> {
    await this.require(tenantId, id);
    const membership = (await this.memberships(tenantId)).get(id);
    return (membership?.services ?? []).map(toServiceView);
  }

  private async require(tenantId: string, id: string): Promise<StoredGlobalNamespace> {
    const row = await this.globalNamespaces.find(tenantId, id);
    if (!row) throw DomainError.notFound(RESOURCE, id);
    return row;
  }

  private async withStatus(row: StoredGlobalNamespace): Promise<GlobalNamespaceView> {
    const memberships = await this.memberships(row.tenantId);
    return { ...toDefinitionView(row), status: toStatusView(memberships.get(row.id)) };
  }

  /** Membership depends on every GNS of the tenant (conflicts) and every cluster's inventory. */
  private memberships(tenantId: string): Promise<Map<string, GnsMembership>> {
    return this.mesh.byGns(tenantId);
  }

  private redistribute(tenantId: string, reason: string): Promise<void> {
    return scheduleAfterCommit(this.scheduler, this.logger, tenantId, reason);
  }
}

function validSpec(input: GlobalNamespaceInput): GlobalNamespaceSpec {
  const errors = [
    ...validateGnsName(input.name),
    ...validateGnsDomain(input.domain),
    ...validateMatchConditions(input.matchConditions),
  ];
  if (errors.length > 0) throw DomainError.validation(errors);
  return {
    name: input.name,
    domain: input.domain,
    description: input.description ?? '',
    mtlsMode: input.mtlsMode ?? 'STRICT',
    matchConditions: input.matchConditions.map((condition) => ({
      cluster: { type: condition.cluster.type, value: condition.cluster.value },
      namespace: { type: condition.namespace.type, value: condition.namespace.value },
    })),
  };
}

function staleVersion(current: number, expected: number): DomainError {
  return new DomainError(
    'PRECONDITION_FAILED',
    `the global namespace changed since you read it (you sent version ${expected}, it is now at ${current}): GET it again and reapply your edit`,
  );
}
