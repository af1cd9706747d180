import { Module } from '@nestjs/common';
import { AgentIdentityModule } from '../agent-identity/agent-identity.module';
import { AuditModule } from '../audit/audit.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { ClustersController } from './clusters.controller';
import { ClustersRepository } from './clusters.repository';
import { ClustersResolver } from './clusters.resolver';
import { ClustersService } from './clusters.service';

@Module({
  imports: [AgentIdentityModule, AuditModule, ConfigDistributionModule],
  controllers: [ClustersController],
  providers: [ClustersRepository, ClustersService, ClustersResolver],
  exports: [ClustersService],
})
export class ClustersModule {}
