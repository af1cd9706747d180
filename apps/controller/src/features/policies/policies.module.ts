import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { GlobalNamespacesModule } from '../global-namespaces/global-namespaces.module';
import { PoliciesController } from './policies.controller';
import { PoliciesRepository } from './policies.repository';
import { GlobalNamespacePoliciesResolver, PoliciesResolver } from './policies.resolver';
import { PoliciesService } from './policies.service';

/** Traffic and security policies of Global Namespaces (REST and GraphQL), distributed in snapshots. */
@Module({
  imports: [GlobalNamespacesModule, ConfigDistributionModule, AuditModule],
  controllers: [PoliciesController],
  providers: [PoliciesRepository, PoliciesService, PoliciesResolver, GlobalNamespacePoliciesResolver],
  exports: [PoliciesService],
})
export class PoliciesModule {}
