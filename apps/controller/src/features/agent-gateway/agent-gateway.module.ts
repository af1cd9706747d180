import { Module } from '@nestjs/common';
import { AgentIdentityModule } from '../agent-identity/agent-identity.module';
import { AutoscalingModule } from '../autoscaling/autoscaling.module';
import { ClustersModule } from '../clusters/clusters.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { GnsCaModule } from '../gns-ca/gns-ca.module';
import { MeshDiagnosticsModule } from '../mesh-diagnostics/mesh-diagnostics.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { AgentGatewayGrpc } from './agent-gateway.grpc';
import { AgentGatewayService } from './agent-gateway.service';
import { AgentRegistrationService } from './agent-registration.service';
import { AgentStreamService } from './agent-stream.service';
import { AgentGatewayMetrics } from './agent-gateway.metrics';
import { ClusterLinkRepository } from './cluster-link.repository';

/** The agents' gRPC endpoint: registration, certificate renewal and the Connect streams. */
@Module({
  imports: [
    AgentIdentityModule,
    AutoscalingModule,
    ClustersModule,
    ConfigDistributionModule,
    GnsCaModule,
    TelemetryModule,
    MeshDiagnosticsModule,
  ],
  providers: [
    AgentGatewayGrpc,
    AgentGatewayService,
    AgentStreamService,
    AgentRegistrationService,
    ClusterLinkRepository,
    AgentGatewayMetrics,
  ],
  exports: [AgentGatewayService],
})
export class AgentGatewayModule {}
