import { Module } from '@nestjs/common';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { MeshDiagnosticsController } from './mesh-diagnostics.controller';
import { MeshDiagnosticsJobs } from './mesh-diagnostics.jobs';
import { MeshDiagnosticsRepository } from './mesh-diagnostics.repository';
import {
  ClusterMeshInstallationResolver,
  GlobalNamespaceDiagnosticsResolver,
} from './mesh-diagnostics.resolver';
import { MeshDiagnosticsService } from './mesh-diagnostics.service';
import { MeshReadyService } from './mesh-ready.service';

/**
 * Preflight diagnostics (docs/diagnostics.md): the Istio installations agents report, findings per
 * Global Namespace (REST and GraphQL) and each cluster's MeshReady condition.
 */
@Module({
  imports: [ConfigDistributionModule],
  controllers: [MeshDiagnosticsController],
  providers: [
    MeshDiagnosticsRepository,
    MeshDiagnosticsService,
    MeshReadyService,
    MeshDiagnosticsJobs,
    GlobalNamespaceDiagnosticsResolver,
    ClusterMeshInstallationResolver,
  ],
  exports: [MeshDiagnosticsService],
})
export class MeshDiagnosticsModule {}
