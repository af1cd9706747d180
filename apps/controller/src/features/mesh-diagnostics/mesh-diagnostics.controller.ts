import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { ClusterMeshInstallationView, GnsDiagnosticsView } from './mesh-diagnostics.dto';
import { MeshDiagnosticsService } from './mesh-diagnostics.service';

const gnsIdPipe = new ResourceIdPipe('global namespace');
const clusterIdPipe = new ResourceIdPipe('cluster');

/** Preflight diagnostics of Global Namespaces and the Istio installations they are computed from. */
@ApiTags('global-namespaces')
@ApiBearerAuth()
@Controller('v1')
export class MeshDiagnosticsController {
  constructor(private readonly service: MeshDiagnosticsService) {}

  /** Every finding across the GNS's member clusters, each with how to fix it (docs/diagnostics.md). */
  @RequireRole('viewer')
  @Get('global-namespaces/:id/diagnostics')
  @ApiOkResponse({ type: GnsDiagnosticsView })
  @ApiNotFoundResponse({ description: 'no such global namespace in the tenant' })
  async diagnostics(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', gnsIdPipe) id: string,
  ): Promise<GnsDiagnosticsView> {
    const view = await this.service.diagnose(tenant.tenantId, id);
    return {
      ...view,
      generatedAt: view.generatedAt.toISOString(),
      clusters: view.clusters.map((cluster) => ({
        ...cluster,
        installationReportedAt: cluster.installationReportedAt?.toISOString() ?? null,
      })),
    };
  }

  /** The Istio installation the cluster's agent last reported. */
  @RequireRole('viewer')
  @Get('clusters/:id/mesh-installation')
  @ApiOkResponse({ type: ClusterMeshInstallationView })
  @ApiNotFoundResponse({ description: 'no such cluster in the tenant' })
  async meshInstallation(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', clusterIdPipe) id: string,
  ): Promise<ClusterMeshInstallationView> {
    const view = await this.service.installationOf(tenant.tenantId, id);
    return { installation: view.installation, reportedAt: view.reportedAt?.toISOString() ?? null };
  }
}
