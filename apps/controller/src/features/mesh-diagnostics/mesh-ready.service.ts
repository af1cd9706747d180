import { Injectable } from '@nestjs/common';
import {
  type ClusterCondition,
  type DiagnosticFinding,
  diagnoseCluster,
  meshReadyCondition,
} from '@lattice/domain';
import { MeshMembershipService } from '../config-distribution/mesh-membership.service';
import { MeshDiagnosticsRepository } from './mesh-diagnostics.repository';
import { diagnosedCluster } from './mesh-diagnostics.util';

/** Keeps each cluster's MeshReady condition equal to its preflight findings. */
@Injectable()
export class MeshReadyService {
  constructor(
    private readonly repository: MeshDiagnosticsRepository,
    private readonly membership: MeshMembershipService,
  ) {}

  /**
   * Recomputes MeshReady of every cluster of the tenant: the cluster's own findings in each GNS it
   * is a member of (a cluster in no GNS is checked without a GNS domain). Written in one read and
   * one write for the tenant, and only where MeshReady changed.
   */
  async refreshMeshReady(tenantId: string): Promise<void> {
    const [loaded, installations] = await Promise.all([
      this.membership.load(tenantId),
      this.repository.installations(tenantId),
    ]);
    const conditions = new Map<string, Omit<ClusterCondition, 'lastTransitionTime'>>();
    for (const cluster of loaded.mesh.clusters) {
      const diagnosed = diagnosedCluster(cluster, installations.get(cluster.id)?.installation ?? null);
      const memberships = loaded.membership.globalNamespaces.filter((gns) =>
        gns.namespaces.some((member) => member.clusterId === cluster.id),
      );
      const findings: { finding: DiagnosticFinding; gnsName: string | null }[] = [];
      for (const gns of memberships) {
        const multiCluster = new Set(gns.namespaces.map((member) => member.clusterId)).size > 1;
        for (const finding of diagnoseCluster(diagnosed, gns.gns.domain, multiCluster))
          findings.push({ finding, gnsName: gns.gns.name });
      }
      if (memberships.length === 0)
        for (const finding of diagnoseCluster(diagnosed, null, false))
          findings.push({ finding, gnsName: null });
      conditions.set(cluster.id, meshReadyCondition(diagnosed.installation !== null, findings));
    }
    await this.repository.setMeshReadyMany(tenantId, conditions, new Date());
  }
}
