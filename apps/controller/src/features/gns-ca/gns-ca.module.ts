import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CaRotationService } from './ca-rotation.service';
import { GnsCaController } from './gns-ca.controller';
import { GnsCaQueue } from './gns-ca.queue';
import { GnsCaRepository } from './gns-ca.repository';
import { GnsCaService } from './gns-ca.service';
import { GnsCaWorker } from './gns-ca.worker';

/** Per-GNS certificate authority: roots, intermediates for member clusters, rotation, status API. */
@Module({
  imports: [AuditModule],
  controllers: [GnsCaController],
  providers: [GnsCaRepository, GnsCaService, CaRotationService, GnsCaQueue, GnsCaWorker],
  exports: [GnsCaService, GnsCaRepository, CaRotationService, GnsCaQueue],
})
export class GnsCaModule {}
