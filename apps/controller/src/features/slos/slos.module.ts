import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { SloMetrics } from './slo.metrics';
import { SloEvaluationRepository } from './slo-evaluation.repository';
import { SloEvaluationService } from './slo-evaluation.service';
import { SloSeriesService } from './slo-series.service';
import { SlosController } from './slos.controller';
import { SlosJobs } from './slos.jobs';
import { SlosRepository } from './slos.repository';
import { SlosResolver } from './slos.resolver';
import { SlosService } from './slos.service';

/** SLO definitions (REST and GraphQL), their per-minute evaluation (BullMQ) and alert events. */
@Module({
  imports: [AuditModule, WebhooksModule, ConfigDistributionModule],
  controllers: [SlosController],
  providers: [
    SloMetrics,
    SlosRepository,
    SlosService,
    SlosResolver,
    SloEvaluationRepository,
    SloSeriesService,
    SloEvaluationService,
    SlosJobs,
  ],
  exports: [SloEvaluationService, SlosService],
})
export class SlosModule {}
