import { Injectable } from '@nestjs/common';
import { type DiagnosticFinding, diagnoseCluster, meshReadyCondition } from '@lattice/domain';
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
   * is a member of (a cluster in no GNS is checked without a GNS domain).
   */
  async refreshMeshReady(tenantId: string): Promise<void> {
    const [loaded, installations] = await Promise.all([
      this.membership.load(tenantId),
      this.repository.installations(tenantId),
    ]);
    const now = new Date();
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
      await this.repository.setMeshReady(
        tenantId,
        cluster.id,
        meshReadyCondition(diagnosed.installation !== null, findings),
        now,
      );
    }
  }
}
