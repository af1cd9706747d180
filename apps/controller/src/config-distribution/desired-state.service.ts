import { Injectable, Logger } from '@nestjs/common';
import {
  assignMeshCa,
  buildDesiredStates,
  canonicalJson,
  changedClusters,
  computeMembership,
  withPolicies,
} from '@lattice/domain';
import { DesiredStateMetrics } from './desired-state.metrics';
import { SnapshotPublisher } from './snapshot.publisher';
import { TenantMeshRepository } from './tenant-mesh.repository';

export interface RecomputeResult {
  clusters: number;
  /** Clusters that got a new snapshot version, by cluster id. */
  newVersions: { clusterId: string; version: number }[];
}

/**
 * Recomputes the desired state of every cluster of a tenant from the current definitions and
 * inventories, and gives a new version only to clusters whose state changed. Run by the
 * desired-state worker, never concurrently for one tenant (see BullmqDesiredStateScheduler).
 */
@Injectable()
export class DesiredStateService {
  private readonly logger = new Logger(DesiredStateService.name);

  constructor(
    private readonly mesh: TenantMeshRepository,
    private readonly publisher: SnapshotPublisher,
    private readonly metrics: DesiredStateMetrics,
  ) {}

  async recomputeTenant(tenantId: string): Promise<RecomputeResult> {
    const [{ globalNamespaces, clusters }, caMaterial, policies] = await Promise.all([
      this.mesh.loadMesh(tenantId),
      this.mesh.loadCaMaterial(tenantId),
      this.mesh.loadPolicies(tenantId),
    ]);
    // Oldest GNS first: a cluster's designated mesh CA (istiod's cacerts) stays put when GNS are added.
    const gnsAgeOrder = [...globalNamespaces]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((gns) => gns.id);
    const membership = computeMembership(globalNamespaces, clusters);
    const states = assignMeshCa(
      withPolicies(buildDesiredStates(membership, clusters, caMaterial), membership, clusters, policies),
      gnsAgeOrder,
    );
    const previousHashes = new Map(
      clusters.flatMap((cluster) =>
        cluster.desiredHash === null ? [] : [[cluster.id, cluster.desiredHash] as const],
      ),
    );
    const newVersions: RecomputeResult['newVersions'] = [];
    for (const change of changedClusters(previousHashes, states).changed) {
      const payload = Buffer.from(canonicalJson(change.state), 'utf8');
      const version = await this.mesh.storeDesiredState(tenantId, change.clusterId, change.hash, payload);
      if (version === null) continue;
      newVersions.push({ clusterId: change.clusterId, version });
      this.metrics.snapshotVersions.inc();
      // Pub/sub is fire-and-forget: an agent that misses the announcement still gets the version
      // when it reconnects and says which one it has.
      await this.publisher
        .announce({ tenantId, clusterId: change.clusterId, version })
        .catch((error: unknown) =>
          this.logger.error(
            { err: error, tenantId, clusterId: change.clusterId, version },
            'announcing a snapshot failed',
          ),
        );
    }
    this.metrics.recomputations.inc({ outcome: newVersions.length > 0 ? 'changed' : 'unchanged' });
    return { clusters: clusters.length, newVersions };
  }
}
