import { Module } from '@nestjs/common';
import { AgentIdentityModule } from '../agent-identity/agent-identity.module';
import { AuditModule } from '../audit/audit.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { ClustersController } from './clusters.controller';
import { ClustersRepository } from './clusters.repository';
import { ClustersService } from './clusters.service';

@Module({
  imports: [AgentIdentityModule, AuditModule, ConfigDistributionModule],
  controllers: [ClustersController],
  providers: [ClustersRepository, ClustersService],
  exports: [ClustersService],
})
export class ClustersModule {}
