import { Module } from '@nestjs/common';
import { CaRotationScheduler } from './ca-rotation-scheduler.service';
import { CaRotationService } from './ca-rotation.service';
import { GnsCaController } from './gns-ca.controller';
import { GnsCaJobs } from './gns-ca.jobs';
import { GnsCaRepository } from './gns-ca.repository';
import { GnsCaResolver } from './gns-ca.resolver';
import { GnsCaService } from './gns-ca.service';

/** Per-GNS certificate authority: roots, intermediates for member clusters, rotation, status API. */
@Module({
  controllers: [GnsCaController],
  providers: [GnsCaRepository, GnsCaService, CaRotationService, CaRotationScheduler, GnsCaJobs, GnsCaResolver],
  exports: [GnsCaService, GnsCaRepository, CaRotationService, CaRotationScheduler],
})
export class GnsCaModule {}
