import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { GnsCaModule } from '../gns-ca/gns-ca.module';
import { AgentGatewayService } from './agent-gateway.service';
import { AgentRegistrationService } from './agent-registration.service';
import { ClusterLinkRepository } from './cluster-link.repository';

@Module({
  imports: [ClustersModule, ConfigDistributionModule, GnsCaModule],
  providers: [AgentGatewayService, AgentRegistrationService, ClusterLinkRepository],
  exports: [AgentGatewayService],
})
export class AgentGatewayModule {}
