import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, clusterConditions, clusterStatus } from '@lattice/domain';
import { AuditService } from '../audit/audit.service';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import type { PageRequest } from '../../platform/http/pagination.util';
import { DesiredStateScheduler } from '../config-distribution/desired-state-scheduler.service';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { AgentIdentityCaService } from '../agent-identity/agent-identity-ca.service';
import { TransactionRunner, type Transaction } from '../../platform/database/transaction.service';
import { EventBus } from '../../platform/events/event-bus.service';
import { agentInstall } from './agent-install.util';
import { agentReplaced, clusterRevoked } from './clusters.events';
import { ClustersRepository } from './clusters.repository';
import { CreateClusterDto } from './clusters.dto';
import { createValidationPipe } from '../../platform/http/validation.pipe';
import type { ClusterChanges, ClusterRecord, NewCluster } from './clusters.types';

export const BOOTSTRAP_TOKEN_TTL_MS = 60 * 60 * 1000;
const BOOTSTRAP_TOKEN = /^lbt_[A-Za-z0-9_-]{43}$/;

/** What enrolling an agent produced inside the redemption's transaction: at least its certificate's fingerprint. */
export interface EnrolledAgent {
  fingerprint: string;
}

export function hashBootstrapToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function isBootstrapToken(token: string): boolean {
  return BOOTSTRAP_TOKEN.test(token);
}

/** The data-plane registration fields of a create body, as stored (omitted: not registered / default). */
export function placementOf(body: {
  network?: string | null;
  region?: string | null;
  zone?: string | null;
  eastWestGatewayManaged?: boolean;
  eastWestGatewaySelector?: Record<string, string> | null;
}): Pick<NewCluster, 'network' | 'region' | 'zone' | 'eastWestGatewayManaged' | 'eastWestGatewaySelector'> {
  return {
    network: body.network ?? null,
    region: body.region ?? null,
    zone: body.zone ?? null,
    eastWestGatewayManaged: body.eastWestGatewayManaged ?? true,
    eastWestGatewaySelector: body.eastWestGatewaySelector ?? null,
  };
}

export function toClusterView(cluster: ClusterRecord, now = new Date()) {
  return {
    id: cluster.id,
    name: cluster.name,
    eastWestAddress: cluster.eastWestAddress,
    labels: cluster.labels,
    takeOverMeshCa: cluster.takeOverMeshCa,
    network: cluster.network,
    region: cluster.region,
    zone: cluster.zone,
    eastWestGatewayManaged: cluster.eastWestGatewayManaged,
    eastWestGatewaySelector: cluster.eastWestGatewaySelector,
    status: clusterStatus(cluster, now),
    lastSeenAt: cluster.lastSeenAt?.toISOString() ?? null,
    agentVersion: cluster.agentVersion,
    desiredVersion: cluster.desiredVersion,
    appliedVersion: cluster.appliedVersion,
    lastNack:
      cluster.lastNackVersion === null
        ? null
        : {
            version: cluster.lastNackVersion,
            reason: cluster.lastNackReason,
            at: cluster.lastNackAt?.toISOString() ?? null,
          },
    inventory: {
      namespaces: cluster.inventory.namespaces.length,
      services: cluster.inventory.services.length,
      updatedAt: cluster.inventoryUpdatedAt?.toISOString() ?? null,
    },
    conditions: clusterConditions(cluster.conditions, cluster, now).map((condition) => ({
      ...condition,
      lastTransitionTime: condition.lastTransitionTime.toISOString(),
    })),
    revokedAt: cluster.revokedAt?.toISOString() ?? null,
    version: cluster.version,
    createdAt: cluster.createdAt.toISOString(),
    updatedAt: cluster.updatedAt.toISOString(),
  };
}

@Injectable()
export class ClustersService {
  private readonly logger = new Logger(ClustersService.name);
  private readonly bodyValidation = createValidationPipe();

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly clusters: ClustersRepository,
    private readonly audit: AuditService,
    private readonly scheduler: DesiredStateScheduler,
    private readonly agentCa: AgentIdentityCaService,
    private readonly events: EventBus,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** Checks a cluster definition exactly as POST /v1/clusters checks its body, without storing it. */
  async validate(input: unknown): Promise<NewCluster> {
    const body: CreateClusterDto = await this.bodyValidation.transform(input, {
      type: 'body',
      metatype: CreateClusterDto,
    });
    return {
      name: body.name,
      eastWestAddress: body.eastWestAddress ?? null,
      labels: body.labels ?? {},
      ...placementOf(body),
    };
  }

  async register(actor: TenantPrincipal, spec: NewCluster) {
    if (await this.clusters.existsByName(actor.tenantId, spec.name)) {
      throw new DomainError('CONFLICT', `a cluster named ${spec.name} already exists`);
    }
    const { cluster, bootstrap } = await this.transactions.run(async (tx) => {
      const cluster = await this.clusters.create(actor.tenantId, spec, tx);
      const bootstrap = await this.issueBootstrapToken(actor.tenantId, cluster.id, tx);
      await this.audit.record(
        actor,
        {
          action: 'cluster.create',
          resourceType: 'cluster',
          resourceId: cluster.id,
          after: toClusterView(cluster),
        },
        tx,
      );
      return { cluster, bootstrap };
    });
    return { cluster: toClusterView(cluster), bootstrap: this.bootstrapInstructions(cluster, bootstrap) };
  }

  /**
   * A fresh one-time token to (re)install the agent. Older unused tokens of the cluster stop working
   * at once; certificates issued before its use are refused once it is redeemed.
   */
  async newBootstrapToken(actor: TenantPrincipal, id: string) {
    const { cluster, bootstrap } = await this.transactions.run(async (tx) => {
      const cluster = await this.clusters.lockForEnrolment(actor.tenantId, id, tx);
      if (!cluster) throw DomainError.notFound('cluster', id);
      if (cluster.revokedAt)
        throw new DomainError(
          'CONFLICT',
          `cluster ${id} is revoked; re-enrol it with POST /v1/clusters/${id}/reenrol`,
        );
      const retired = await this.clusters.retireBootstrapTokens(actor.tenantId, id, new Date(), tx);
      const bootstrap = await this.issueBootstrapToken(actor.tenantId, id, tx);
      await this.audit.record(
        actor,
        {
          action: 'cluster.bootstrap-token.create',
          resourceType: 'cluster',
          resourceId: id,
          after: { retiredTokens: retired },
        },
        tx,
      );
      return { cluster, bootstrap };
    });
    return this.bootstrapInstructions(cluster, bootstrap);
  }

  /**
   * Lifts a cluster's revocation (an explicit admin action): every certificate and unused token of
   * the cluster is refused from now on, and a new bootstrap token is issued for its agent.
   */
  async reenrol(actor: TenantPrincipal, id: string) {
    const now = new Date();
    const { cluster, bootstrap } = await this.transactions.run(async (tx) => {
      const before = await this.clusters.lockForEnrolment(actor.tenantId, id, tx);
      if (!before) throw DomainError.notFound('cluster', id);
      if (!before.revokedAt)
        throw new DomainError(
          'CONFLICT',
          `cluster ${id} is not revoked; to replace its agent create a bootstrap token with POST /v1/clusters/${id}/bootstrap-tokens`,
        );
      const cluster = await this.clusters.reinstate(actor.tenantId, id, before.version, tx);
      if (!cluster)
        throw new DomainError('CONFLICT', `cluster ${id} changed while being re-enrolled; try again`);
      await this.clusters.revokeAgentCertificates(actor.tenantId, id, now, tx);
      await this.clusters.retireBootstrapTokens(actor.tenantId, id, now, tx);
      const bootstrap = await this.issueBootstrapToken(actor.tenantId, id, tx);
      await this.audit.record(
        actor,
        {
          action: 'cluster.reenrol',
          resourceType: 'cluster',
          resourceId: id,
          before: toClusterView(before),
          after: toClusterView(cluster),
        },
        tx,
      );
      return { cluster, bootstrap };
    });
    await this.scheduler.schedule(actor.tenantId, `cluster ${id} re-enrolled`);
    return { cluster, bootstrap: this.bootstrapInstructions(cluster, bootstrap) };
  }

  async get(tenantId: string, id: string): Promise<ClusterRecord> {
    const cluster = await this.clusters.find(tenantId, id);
    if (!cluster) throw DomainError.notFound('cluster', id);
    return cluster;
  }

  /**
   * Redeems a one-time bootstrap token (agent Register) for the cluster it was issued for, which
   * must not be revoked and, when the agent names its cluster, must carry that name. In one
   * transaction under the cluster's row lock (so concurrent redemptions of different tokens run one
   * after another and only the first wins): the token is spent, every other unused token of the
   * cluster retired, every earlier agent certificate revoked, and `enrol` records the new agent
   * (its certificate) inside the same transaction. Afterwards every replica closes the streams of
   * the replaced agent.
   */
  async redeemBootstrapToken<T extends EnrolledAgent>(
    token: string,
    clusterName: string,
    enrol: (cluster: ClusterRecord, tx: Transaction) => Promise<T>,
    now = new Date(),
  ): Promise<{ cluster: ClusterRecord; enrolled: T }> {
    const hash = hashBootstrapToken(token);
    const owner = await this.clusters.bootstrapTokenOwner(hash);
    if (!owner) throw this.unusableToken('unknown');
    const outcome = await this.transactions.run(async (tx) => {
      const cluster = await this.clusters.lockForEnrolment(owner.tenantId, owner.clusterId, tx);
      if (!cluster || cluster.revokedAt)
        throw new DomainError(
          'FORBIDDEN',
          'the cluster was revoked or deleted; an admin must re-enrol it (POST /v1/clusters/{id}/reenrol)',
        );
      if (!(await this.clusters.redeemBootstrapToken(owner.tenantId, hash, now, tx))) {
        throw this.unusableToken(await this.clusters.bootstrapTokenState(hash, now, tx));
      }
      // A mismatched name or a refused CSR spends the token (committed) but changes nothing else.
      if (clusterName && clusterName !== cluster.name) {
        return {
          refused: new DomainError(
            'VALIDATION',
            `cluster_name "${clusterName}" does not match the token's cluster "${cluster.name}"`,
          ),
        };
      }
      let enrolled: T;
      try {
        enrolled = await enrol(cluster, tx);
      } catch (error) {
        if (error instanceof DomainError) return { refused: error };
        throw error;
      }
      await this.clusters.retireBootstrapTokens(owner.tenantId, cluster.id, now, tx);
      await this.clusters.revokeAgentCertificates(owner.tenantId, cluster.id, now, tx, enrolled.fingerprint);
      return { cluster, enrolled };
    });
    if ('refused' in outcome) throw outcome.refused;
    const { cluster, enrolled } = outcome;
    await this.events
      .publish(agentReplaced, {
        tenantId: cluster.tenantId,
        clusterId: cluster.id,
        fingerprint: enrolled.fingerprint,
      })
      .catch((error: Error) =>
        // The old certificate is revoked already: its agent is refused on its next call either way.
        this.logger.warn(`announcing the new agent of cluster ${cluster.id}: ${error.message}`),
      );
    return { cluster, enrolled };
  }

  /** Lookup by name within the tenant: the id, or null. */
  idByName(tenantId: string, name: string): Promise<string | null> {
    return this.clusters.idByName(tenantId, name);
  }

  list(tenantId: string, page: PageRequest) {
    return this.clusters.list(tenantId, page);
  }

  async update(actor: TenantPrincipal, id: string, expectedVersion: number, changes: ClusterChanges) {
    const before = await this.get(actor.tenantId, id);
    const updated = await this.transactions.run(async (tx) => {
      const row = await this.clusters.update(actor.tenantId, id, expectedVersion, changes, tx);
      if (!row)
        throw new DomainError(
          'PRECONDITION_FAILED',
          `cluster ${id} has changed since version ${expectedVersion}; GET it again`,
        );
      await this.audit.record(
        actor,
        {
          action: 'cluster.update',
          resourceType: 'cluster',
          resourceId: id,
          before: toClusterView(before),
          after: toClusterView(row),
        },
        tx,
      );
      return row;
    });
    await this.scheduler.schedule(actor.tenantId, `cluster ${id} updated`);
    return updated;
  }

  /** Revokes the cluster's agent identity: its stream is closed and its certificates are refused. */
  async revoke(actor: TenantPrincipal, id: string) {
    const before = await this.get(actor.tenantId, id);
    const now = new Date();
    const revoked = await this.transactions.run(async (tx) => {
      const row = await this.clusters.revoke(actor.tenantId, id, before.version, now, tx);
      if (!row) throw new DomainError('CONFLICT', `cluster ${id} changed while being revoked; try again`);
      await this.audit.record(
        actor,
        {
          action: 'cluster.revoke',
          resourceType: 'cluster',
          resourceId: id,
          before: toClusterView(before),
          after: toClusterView(row),
        },
        tx,
      );
      return row;
    });
    await this.announceRevoked(actor.tenantId, id);
    await this.scheduler.schedule(actor.tenantId, `cluster ${id} revoked`);
    return revoked;
  }

  async delete(actor: TenantPrincipal, id: string): Promise<void> {
    const before = await this.get(actor.tenantId, id);
    await this.transactions.run(async (tx) => {
      await this.clusters.delete(actor.tenantId, id, tx);
      await this.audit.record(
        actor,
        { action: 'cluster.delete', resourceType: 'cluster', resourceId: id, before: toClusterView(before) },
        tx,
      );
    });
    await this.announceRevoked(actor.tenantId, id);
    await this.scheduler.schedule(actor.tenantId, `cluster ${id} deleted`);
  }

  private async issueBootstrapToken(
    tenantId: string,
    clusterId: string,
    db: Parameters<ClustersRepository['createBootstrapToken']>[4],
  ) {
    const token = `lbt_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + BOOTSTRAP_TOKEN_TTL_MS);
    await this.clusters.createBootstrapToken(tenantId, clusterId, hashBootstrapToken(token), expiresAt, db);
    return { token, expiresAt };
  }

  private bootstrapInstructions(cluster: ClusterRecord, bootstrap: { token: string; expiresAt: Date }) {
    const controller =
      this.config.env.LATTICE_PUBLIC_GRPC_ADDRESS ?? `localhost:${this.config.env.GRPC_PORT}`;
    const controllerCaPem = this.agentCa.caBundlePem;
    const install = agentInstall({
      clusterName: cluster.name,
      controllerAddress: controller,
      controllerCaPem,
      bootstrapToken: bootstrap.token,
      chart: this.config.env.LATTICE_AGENT_CHART,
      chartVersion: this.config.env.LATTICE_AGENT_CHART_VERSION,
    });
    return {
      token: bootstrap.token,
      expiresAt: bootstrap.expiresAt.toISOString(),
      controller,
      controllerCaPem,
      install,
      /** Everything to paste, kubectl then helm. */
      command: `${install.kubectl}\n${install.helm}`,
    };
  }

  private unusableToken(state: 'unknown' | 'used' | 'expired'): DomainError {
    const reason = {
      unknown: 'is unknown',
      used: 'was already used or replaced by a newer token',
      expired: 'has expired',
    }[state];
    return new DomainError(
      'UNAUTHENTICATED',
      `the bootstrap token ${reason}; create a new one with POST /v1/clusters/{id}/bootstrap-tokens`,
    );
  }

  private async announceRevoked(tenantId: string, clusterId: string): Promise<void> {
    await this.events.publish(clusterRevoked, { tenantId, clusterId });
  }
}
