import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { CaRotationService } from './ca-rotation.service';
import { GnsCaLifecycleService } from './gns-ca-lifecycle.service';
import { GnsCaController } from './gns-ca.controller';
import { GnsCaQueue } from './gns-ca.queue';
import { GnsCaRepository } from './gns-ca.repository';
import { GnsCaResolver } from './gns-ca.resolver';
import { GnsCaService } from './gns-ca.service';
import { GnsCaWorker } from './gns-ca.worker';
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
    GnsCaLifecycleService,
    GnsCaQueue,
    GnsCaWorker,
    GnsCaResolver,
  ],
  exports: [GnsCaService, IntermediateIssuanceService, CaRotationService, GnsCaLifecycleService],
})
export class GnsCaModule {}
