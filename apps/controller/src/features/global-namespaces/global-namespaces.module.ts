import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { GnsCaModule } from '../gns-ca/gns-ca.module';
import { GlobalNamespacesController } from './global-namespaces.controller';
import { GlobalNamespacesRepository } from './global-namespaces.repository';
import { GlobalNamespacesService } from './global-namespaces.service';

@Module({
  imports: [GnsCaModule, AuditModule],
  controllers: [GlobalNamespacesController],
  providers: [GlobalNamespacesRepository, GlobalNamespacesService],
  exports: [GlobalNamespacesService, GlobalNamespacesRepository],
})
export class GlobalNamespacesModule {}
