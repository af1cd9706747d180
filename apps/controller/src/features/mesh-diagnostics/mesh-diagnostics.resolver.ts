import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { Cluster } from '../clusters/cluster.model';
import { GlobalNamespace } from '../global-namespaces/global-namespace.model';
import { GnsDiagnosticsModel, MeshInstallationModel } from './mesh-diagnostics.model';
import { MeshDiagnosticsService } from './mesh-diagnostics.service';

/** GlobalNamespace.diagnostics: the same service call as GET /v1/global-namespaces/{id}/diagnostics. */
@Resolver(() => GlobalNamespace)
export class GlobalNamespaceDiagnosticsResolver {
  constructor(private readonly service: MeshDiagnosticsService) {}

  @RequireRole('viewer')
  @ResolveField(() => GnsDiagnosticsModel, {
    name: 'diagnostics',
    description: 'Preflight diagnostics across the member clusters: every finding with its fix.',
    complexity: 10,
  })
  async diagnostics(
    @CurrentTenant() tenant: TenantPrincipal,
    @Parent() gns: GlobalNamespace,
  ): Promise<GnsDiagnosticsModel> {
    const view = await this.service.diagnose(tenant.tenantId, gns.id);
    return {
      generatedAt: view.generatedAt,
      errors: view.summary.ERROR,
      warnings: view.summary.WARNING,
      findings: view.findings,
    };
  }
}

/** Cluster.meshInstallation: the same service call as GET /v1/clusters/{id}/mesh-installation. */
@Resolver(() => Cluster)
export class ClusterMeshInstallationResolver {
  constructor(private readonly service: MeshDiagnosticsService) {}

  @RequireRole('viewer')
  @ResolveField(() => MeshInstallationModel, {
    name: 'meshInstallation',
    nullable: true,
    description:
      "The Istio installation the cluster's agent last reported; null when it never did (agent too old).",
    complexity: 5,
  })
  async meshInstallation(
    @CurrentTenant() tenant: TenantPrincipal,
    @Parent() cluster: Cluster,
  ): Promise<MeshInstallationModel | null> {
    const view = await this.service.installationOf(tenant.tenantId, cluster.id);
    return view.installation ? { ...view.installation, reportedAt: view.reportedAt } : null;
  }
}
