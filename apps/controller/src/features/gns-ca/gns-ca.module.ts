import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CaRotationScheduler } from './ca-rotation-scheduler.service';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { CaRotationService } from './ca-rotation.service';
import { GnsCaLifecycleService } from './gns-ca-lifecycle.service';
import { GnsCaController } from './gns-ca.controller';
import { GnsCaJobs } from './gns-ca.jobs';
import { GnsCaMetrics } from './gns-ca.metrics';
import { GnsCaRepository } from './gns-ca.repository';
import { GnsCaService } from './gns-ca.service';
import { GnsRootService } from './gns-root.service';
import { IntermediateIssuanceService } from './intermediate-issuance.service';

/**
 * Per-GNS certificate authority: roots, intermediates for member clusters, rotation, status API.
 * Doors: GnsCaLifecycleService (the GNS feature), GnsCaService (status), IntermediateIssuanceService
 * and CaRotationService.snapshotAcked (agent gateway).
 */
@Module({
  imports: [AuditModule, ConfigDistributionModule],
  controllers: [GnsCaController],
  providers: [
    GnsCaRepository,
    GnsRootService,
    GnsCaService,
    IntermediateIssuanceService,
    CaRotationService,
    CaRotationScheduler,
    GnsCaLifecycleService,
    GnsCaJobs,
    GnsCaMetrics,
  ],
  exports: [
    GnsCaService,
    IntermediateIssuanceService,
    CaRotationService,
    CaRotationScheduler,
    GnsCaLifecycleService,
  ],
})
export class GnsCaModule {}
