import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CaRotationScheduler } from './ca-rotation-scheduler.service';
import { CaRotationService } from './ca-rotation.service';
import { GnsCaController } from './gns-ca.controller';
import { GnsCaJobs } from './gns-ca.jobs';
import { GnsCaRepository } from './gns-ca.repository';
import { GnsCaService } from './gns-ca.service';

/** Per-GNS certificate authority: roots, intermediates for member clusters, rotation, status API. */
@Module({
  imports: [AuditModule],
  controllers: [GnsCaController],
  providers: [GnsCaRepository, GnsCaService, CaRotationService, CaRotationScheduler, GnsCaJobs],
  exports: [GnsCaService, GnsCaRepository, CaRotationService, CaRotationScheduler],
})
export class GnsCaModule {}
