import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { GlobalNamespacesModule } from '../global-namespaces/global-namespaces.module';
import { AutoscalingController } from './autoscaling.controller';
import { AutoscalingJobs } from './autoscaling.jobs';
import { AutoscalingMetrics } from './autoscaling.metrics';
import { AutoscalingRepository } from './autoscaling.repository';
import { AutoscalingResolver, GlobalNamespaceAutoscalingResolver } from './autoscaling.resolver';
import { AutoscalingService } from './autoscaling.service';

/**
 * Autoscaling policies of GNS services (REST and GraphQL), distributed in snapshots, and the
 * decisions agents report (docs/autoscaling.md).
 */
@Module({
  imports: [GlobalNamespacesModule, ConfigDistributionModule, AuditModule],
  controllers: [AutoscalingController],
  providers: [
    AutoscalingRepository,
    AutoscalingService,
    AutoscalingResolver,
    GlobalNamespaceAutoscalingResolver,
    AutoscalingMetrics,
    AutoscalingJobs,
  ],
  exports: [AutoscalingService],
})
export class AutoscalingModule {}
